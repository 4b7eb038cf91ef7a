package site

import "github.com/explainer/explainer/site/internal/mdext"

// The data files every page may draw labels from.
const (
	topicsFile   = "content/topics.yaml"
	actorsFile   = "content/actors.yaml"
	sourcesFile  = "content/sources.yaml"
	timelineFile = "content/timeline.yaml"
)

// deps collects the input files a page depends on.
type deps struct {
	b     *builder
	files []string
}

func (d *deps) add(files ...string) { d.files = append(d.files, files...) }

// markdown adds the files whose labels a converted field shows: the files
// that define each cross-reference's target.
func (d *deps) markdown(ms ...Markdown) {
	for _, m := range ms {
		for _, r := range refs(m) {
			d.add(d.b.refFile(r))
		}
	}
}

// backlinks adds the files of the pages that refer to v.
func (d *deps) backlinks(v any) {
	for _, r := range d.b.backlinks(v) {
		d.add(r.File)
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

// refFile is the input file that defines a cross-reference's target.
func (b *builder) refFile(r mdext.Ref) string {
	switch r.Kind {
	case "clause":
		if c := b.ix.clauses[r.ID]; c != nil {
			return c.Doc.Pos.File
		}
	case "doc":
		if d := b.ix.docs[r.ID]; d != nil {
			return d.Pos.File
		}
	case "section":
		if s := b.ix.sections[r.ID]; s != nil {
			return s.Pos.File
		}
	case "topic":
		return topicsFile
	case "actor":
		return actorsFile
	case "source":
		return sourcesFile
	}
	return ""
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
		d.add(p.Explainer.Pos.File, topicsFile, actorsFile, sourcesFile, timelineFile,
			b.tmplFiles["base.tmpl"], b.tmplFiles["partials.tmpl"], b.tmplFiles[tmpl])
		jobs = append(jobs, pageJob{out: out, tmpl: tmpl, data: data, deps: uniqueSorted(d.files)})
	}
	newDeps := func() *deps { return &deps{b: b} }

	// The home page: the lede and every section.
	d := newDeps()
	d.markdown(p.Explainer.Lede)
	for _, s := range p.Sections {
		d.add(s.Pos.File)
		d.markdown(s.Body, s.Summary)
	}
	for _, doc := range p.Documents {
		d.add(doc.Pos.File)
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
			d.add(data.Prev.Pos.File)
		}
		if i+1 < len(p.Sections) {
			data.Next = p.Sections[i+1]
			d.add(data.Next.Pos.File)
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
					d.add(s.Pos.File)
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
	for _, s := range p.Sections {
		d.add(s.Pos.File)
	}
	for _, doc := range p.Documents {
		d.add(doc.Pos.File)
	}
	for _, s := range p.Sources {
		d.markdown(s.Note)
		d.backlinks(s)
	}
	add("sources/index.html", "sources.tmpl", &pageData{Path: "/sources/", Title: "Sources", Kind: "sources"}, d)

	if p.HasTimeline {
		d := newDeps()
		for _, e := range p.Events {
			d.markdown(e.Text)
		}
		add("timeline/index.html", "timeline.tmpl", &pageData{Path: "/timeline/", Title: "Timeline", Kind: "timeline"}, d)
	}
	add("404.html", "404.tmpl", &pageData{Path: "/404.html", Title: "Page not found", Kind: "404"}, newDeps())
	return jobs
}
