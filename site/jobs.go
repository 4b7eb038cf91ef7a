package site

import (
	"strconv"
	"strings"
)

// The data files every page may draw labels from.
const (
	topicsFile   = "content/topics.yaml"
	actorsFile   = "content/actors.yaml"
	sourcesFile  = "content/sources.yaml"
	timelineFile = "content/timeline.yaml"
)

// deps collects what a page depends on: input files, whose whole content
// matters, and virtual inputs, named "#...", which stand for one part of a
// file, such as a clause's label. A page that shows only a section's title
// depends on "#section:SLUG", so that editing the section's body does not
// render it again.
type deps struct {
	b     *builder
	files []string
}

func (d *deps) add(files ...string) { d.files = append(d.files, files...) }

// markdown adds the label of every cross-reference target a converted
// field shows.
func (d *deps) markdown(ms ...Markdown) {
	for _, m := range ms {
		for _, r := range refs(m) {
			d.add(d.b.refKey(r.Kind, r.ID))
		}
	}
}

// backlinks adds the labels of the pages that refer to v. Which pages
// refer to v is already part of the list: a page that starts or stops
// referring to v changes it.
func (d *deps) backlinks(v any) {
	for _, r := range d.b.backlinks(v) {
		d.add(d.b.pageKey(r))
	}
}

// referrers adds the labels of the pages in rs.
func (d *deps) referrers(rs []referrer) {
	for _, r := range rs {
		d.add(d.b.pageKey(r))
	}
}

// clause adds everything a clause's own text and notes show.
func (d *deps) clause(c *Clause) {
	d.add(c.Doc.Pos.File)
	d.markdown(c.Text)
	for _, cl := range c.Claims {
		d.markdown(cl.Text)
	}
	for _, p := range c.Positions {
		d.markdown(p.Note)
	}
}

// virtual is the value of a virtual input and the file it comes from.
type virtual struct {
	value string
	file  string
}

// virtualKey registers a virtual input and returns its name.
func (b *builder) virtualKey(name, value, file string) string {
	if _, ok := b.virtuals[name]; !ok {
		b.virtuals[name] = virtual{value: value, file: file}
	}
	return name
}

// refKey is the virtual input for a cross-reference target: its URL and
// label, or nothing when it does not resolve.
func (b *builder) refKey(kind, id string) string {
	if name, ok := b.ix.keys[refID{kind, id}]; ok {
		return name
	}
	t, _ := b.ix.Resolve(kind, id)
	file := ""
	switch kind {
	case "clause":
		if c := b.ix.clauses[id]; c != nil {
			file = c.Doc.Pos.File
		}
	case "doc":
		if d := b.ix.docs[id]; d != nil {
			file = d.Pos.File
		}
	case "section":
		if s := b.ix.sections[id]; s != nil {
			file = s.Pos.File
		}
	case "topic":
		file = topicsFile
	case "actor":
		file = actorsFile
	case "source":
		file = sourcesFile
	}
	name := b.virtualKey("#"+kind+":"+id, t.URL+"\x00"+t.Label, file)
	b.ix.keys[refID{kind, id}] = name
	return name
}

// pageKey is the virtual input for a page as others list it: its URL,
// title and kind.
func (b *builder) pageKey(r referrer) string {
	return b.virtualKey("#page:"+r.URL+"\x00"+r.Label+"\x00"+r.Kind, "", r.File)
}

// docKey is the virtual input for what lists of documents show of one:
// its date, titles, status and availability.
func (b *builder) docKey(d *Document) string {
	return b.virtualKey("#doc:"+d.ID, strings.Join([]string{d.Date, d.Title, d.Short, d.Status, d.Availability}, "\x00"), d.Pos.File)
}

// sectionMetaKey is the virtual input for a section's front matter as the
// JSON export shows it.
func (b *builder) sectionMetaKey(s *Section) string {
	v := strings.Join([]string{s.Slug, s.Title, strings.Join(ids(s.Topics), " "), strings.Join(ids(s.Sources), " ")}, "\x00")
	return b.virtualKey("#section-meta:"+s.Slug, v, s.Pos.File)
}

// siteKey is the virtual input for what every page's frame shows of the
// explainer: its title, language, byline, update date and navigation.
func (b *builder) siteKey() string {
	e := b.p.Explainer
	v := strings.Join([]string{e.Title, e.Language, e.Byline, e.Updated, strconv.FormatBool(b.p.HasTimeline)}, "\x00")
	return b.virtualKey("#site", v, e.Pos.File)
}

// jobs lists every page of the site with the files it depends on.
func (b *builder) jobs() []pageJob {
	p := b.p
	var jobs []pageJob
	add := func(out, tmpl string, data *pageData, d *deps) {
		data.Site = b.site
		if b.site.BaseURL != "" {
			data.Canonical = b.site.BaseURL + data.Path
		}
		d.add(b.siteKey(), topicsFile, actorsFile, sourcesFile,
			b.tmplFiles["base.tmpl"], b.tmplFiles["partials.tmpl"], b.tmplFiles[tmpl])
		jobs = append(jobs, pageJob{out: out, tmpl: tmpl, data: data, deps: uniqueSorted(d.files)})
	}
	newDeps := func() *deps { return &deps{b: b} }

	// The home page: the lede and every section.
	d := newDeps()
	d.add(p.Explainer.Pos.File)
	d.markdown(p.Explainer.Lede)
	for _, s := range p.Sections {
		d.add(s.Pos.File)
		d.markdown(s.Body, s.Summary)
	}
	for _, doc := range p.Documents {
		d.add(b.docKey(doc))
	}
	add("index.html", "home.tmpl", &pageData{Path: "/", Kind: "home", Description: p.Explainer.Description}, d)

	for i, s := range p.Sections {
		d := newDeps()
		d.add(s.Pos.File)
		d.markdown(s.Body, s.Summary)
		d.backlinks(s)
		data := &pageData{Path: sectionURL(s), Title: s.Title, Kind: "section", Section: s, Description: plainText(s.Summary)}
		if i > 0 {
			data.Prev = p.Sections[i-1]
			d.add(b.refKey("section", data.Prev.Slug))
		}
		if i+1 < len(p.Sections) {
			data.Next = p.Sections[i+1]
			d.add(b.refKey("section", data.Next.Slug))
		}
		add("sections/"+s.Slug+"/index.html", "section.tmpl", data, d)
	}

	d = newDeps()
	for _, doc := range p.Documents {
		d.add(doc.Pos.File)
		d.markdown(doc.Summary)
	}
	add("documents/index.html", "documents.tmpl", &pageData{Path: "/documents/", Title: "Documents", Kind: "documents"}, d)

	for _, doc := range p.Documents {
		d := newDeps()
		d.add(doc.Pos.File)
		d.markdown(doc.Summary)
		d.backlinks(doc)
		if prev := b.ix.docs[doc.Follows.ID]; prev != nil {
			d.add(prev.Pos.File)
		}
		for _, next := range b.ln.followedBy[doc] {
			d.add(next.Pos.File)
		}
		for _, c := range doc.Clauses {
			d.clause(c)
		}
		for _, r := range doc.Removes {
			d.markdown(r.Note)
		}
		add("documents/"+doc.ID+"/index.html", "document.tmpl",
			&pageData{Path: documentURL(doc), Title: doc.Title, Kind: "document", Document: doc, Description: plainText(doc.Summary)}, d)

		if prev := b.ix.docs[doc.Follows.ID]; prev != nil {
			d := newDeps()
			d.add(doc.Pos.File, prev.Pos.File)
			for _, f := range b.ln.changes[doc] {
				if f.Old != nil {
					d.clause(f.Old)
				}
				if f.New != nil {
					d.clause(f.New)
				}
				if f.Removal != nil {
					d.markdown(f.Removal.Note)
				}
			}
			add("documents/"+doc.ID+"/changes/index.html", "changes.tmpl",
				&pageData{Path: changesURL(doc), Title: "What changed in " + doc.Title, Kind: "changes", Document: doc}, d)
		}

		for _, c := range doc.Clauses {
			d := newDeps()
			d.clause(c)
			d.backlinks(c)
			for _, st := range b.ln.history(c) {
				if st.Clause != nil {
					d.add(st.Clause.Doc.Pos.File)
					d.markdown(st.Clause.Text)
				}
				if st.Fate != nil {
					d.add(st.Fate.Doc.Pos.File)
					if st.Fate.Removal != nil {
						d.markdown(st.Fate.Removal.Note)
					}
				}
			}
			add("documents/"+doc.ID+"/"+c.ID+"/index.html", "clause.tmpl",
				&pageData{Path: clauseURL(c), Title: clauseLabel(c) + " · " + doc.Short, Kind: "clause", Document: doc, Clause: c, Description: plainText(c.Text)}, d)
		}
	}

	d = newDeps()
	for _, doc := range p.Documents {
		d.add(doc.Pos.File)
	}
	for _, t := range p.Topics {
		d.markdown(t.Description)
	}
	add("topics/index.html", "topics.tmpl", &pageData{Path: "/topics/", Title: "Topics", Kind: "topics"}, d)
	for _, t := range p.Topics {
		d := newDeps()
		d.markdown(t.Description)
		d.backlinks(t)
		for _, doc := range p.Documents {
			for _, c := range doc.Clauses {
				if hasTopic(c, t.ID) {
					d.clause(c)
				}
			}
			if doc.Follows.ID != "" {
				d.add(doc.Pos.File)
			}
		}
		for _, s := range p.Sections {
			for _, r := range s.Topics {
				if r.ID == t.ID {
					d.add(b.refKey("section", s.Slug))
				}
			}
		}
		add("topics/"+t.ID+"/index.html", "topic.tmpl", &pageData{Path: topicURL(t), Title: t.Name, Kind: "topic", Topic: t, Description: plainText(t.Description)}, d)
	}

	d = newDeps()
	for _, a := range p.Actors {
		d.markdown(a.Description)
	}
	add("actors/index.html", "actors.tmpl", &pageData{Path: "/actors/", Title: "Actors", Kind: "actors"}, d)
	for _, a := range p.Actors {
		d := newDeps()
		d.markdown(a.Description)
		d.backlinks(a)
		for _, doc := range b.documentsBy(a) {
			d.add(doc.Pos.File)
		}
		for _, ap := range b.positions[a.ID] {
			d.add(ap.Clause.Doc.Pos.File)
			d.markdown(ap.Position.Note)
		}
		add("actors/"+a.ID+"/index.html", "actor.tmpl", &pageData{Path: actorURL(a), Title: a.Name, Kind: "actor", Actor: a, Description: plainText(a.Description)}, d)
	}

	d = newDeps()
	for _, s := range p.Sources {
		d.markdown(s.Note)
		d.backlinks(s)
		d.referrers(b.citedBy[s.ID])
	}
	add("sources/index.html", "sources.tmpl", &pageData{Path: "/sources/", Title: "Sources", Kind: "sources"}, d)

	if p.HasTimeline {
		d := newDeps()
		d.add(timelineFile)
		for _, e := range p.Events {
			d.markdown(e.Text)
		}
		add("timeline/index.html", "timeline.tmpl", &pageData{Path: "/timeline/", Title: "Timeline", Kind: "timeline"}, d)
	}
	add("404.html", "404.tmpl", &pageData{Path: "/404.html", Title: "Page not found", Kind: "404"}, newDeps())
	return jobs
}
