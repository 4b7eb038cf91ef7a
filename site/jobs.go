package site

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"slices"
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

// deps collects what a page depends on, as a key that changes whenever
// the page's output may change, and as the list of input files the page
// depends on, for the dependency graph.
//
// An input is either a whole file, whose content goes into the key, or a
// part of one, such as a clause's label: a page that shows only a
// section's title depends on that title, so that editing the section's
// body does not render the page again. Which pages refer to a page is
// part of the key too: a page that starts or stops referring to another
// changes the other's list of inputs.
type deps struct {
	b     *build
	files []string
	h     maphash.Hash
}

func (b *build) newDeps() *deps {
	d := &deps{b: b}
	d.h.SetSeed(b.seed)
	return d
}

// add adds whole files.
func (d *deps) add(files ...string) {
	var sum [8]byte
	for _, f := range files {
		d.files = append(d.files, f)
		d.h.WriteString(f)
		binary.LittleEndian.PutUint64(sum[:], d.b.fileHash(f))
		d.h.Write(sum[:])
	}
}

// part adds a part of file: the strings parts.
func (d *deps) part(file string, parts ...string) {
	if file != "" {
		d.files = append(d.files, file)
	}
	d.h.WriteByte(1)
	for _, p := range parts {
		d.h.WriteString(p)
		d.h.WriteByte(0)
	}
}

// key is the key of everything added.
func (d *deps) key() uint64 { return d.h.Sum64() }

// ref adds a cross-reference target as links show it: its URL and label.
func (d *deps) ref(kind, id string) {
	t, _ := d.b.ix.Resolve(kind, id)
	d.part(d.b.ix.file(kind, id), "ref", kind, id, t.URL, t.Label)
}

// markdown adds the targets of every cross-reference in converted fields.
func (d *deps) markdown(ms ...Markdown) {
	var sum [8]byte
	for _, m := range ms {
		if m.r == nil || len(m.r.Refs) == 0 {
			continue
		}
		d.h.WriteByte(2)
		binary.LittleEndian.PutUint64(sum[:], m.r.digest)
		d.h.Write(sum[:])
		d.files = append(d.files, m.r.files...)
	}
}

// referrers adds pages as lists show them: URL, title and kind.
func (d *deps) referrers(rs []referrer) {
	for _, r := range rs {
		d.part(r.File, "page", r.URL, r.Label, r.Kind)
	}
}

// backlinks adds the pages that refer to v.
func (d *deps) backlinks(v any) {
	key, _, _ := targetOf(v)
	bk, ok := d.b.ms.backlinkKeys[key]
	if !ok {
		return
	}
	var sum [8]byte
	d.h.WriteByte(3)
	binary.LittleEndian.PutUint64(sum[:], bk.digest)
	d.h.Write(sum[:])
	d.files = append(d.files, bk.files...)
}

// clause adds everything a clause's own text and notes show. Many pages
// show a clause (its document, its history, its topics...), so its part
// of a key is made once per build, by clauseParts, before any page's.
func (d *deps) clause(c *Clause) {
	d.sum(4, c.part.sum)
	d.files = append(d.files, c.part.files...)
}

// sum adds a hash made elsewhere, after a tag byte.
func (d *deps) sum(tag byte, sum uint64) {
	var b [9]byte
	b[0] = tag
	binary.LittleEndian.PutUint64(b[1:], sum)
	d.h.Write(b[:])
}

// clauseParts makes the part of a key that deps.clause adds for every
// clause, on all cores.
func (b *build) clauseParts() {
	docs := b.p.Documents
	parallel(len(docs), 1, func(i int, _ *bytes.Buffer) {
		for _, c := range docs[i].Clauses {
			sub := b.newDeps()
			clauseFill(sub, c)
			c.part = keyPart{sum: sub.key(), files: sub.files}
		}
	})
}

func clauseFill(d *deps, c *Clause) {
	// What the file says of the clause and of its document: not the whole
	// file, so that editing one clause leaves pages that show only others
	// as they are.
	d.part(clauseUnit(c), "clause", c.Doc.ID, c.ID, strconv.FormatUint(c.sum, 16), strconv.FormatUint(c.Doc.headSum, 16))
	d.markdown(c.Text)
	for _, cl := range c.Claims {
		d.markdown(cl.Text)
	}
	for _, p := range c.Positions {
		d.markdown(p.Note)
	}
}

// keyPart is a part of many pages' keys, made once per build: its hash
// and its files.
type keyPart struct {
	sum   uint64
	files []string
}

// fate adds what a page shows of what became of a clause in a later
// document: the outcome, both versions (whose texts make the diff) and
// the later document, whose file holds any removal.
func (d *deps) fate(f *fate) {
	d.part(headUnit(f.Doc), "fate", f.Outcome, f.Doc.ID, strconv.FormatUint(f.Doc.headSum, 16))
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

// doc adds what lists of documents show of one: its date, titles, status
// and availability.
func (d *deps) doc(doc *Document) {
	d.part(headUnit(doc), "doc", doc.ID, doc.Date, doc.Title, doc.Short, doc.Status, doc.Availability)
}

// A unit is a part of a document file that a page may depend on alone:
// its head (what it says besides its clauses) or one of its clauses with
// the head (a clause's label holds its document's short title). A page
// that shows only some units of a file keeps its key when another unit
// of the file changes. The dependency graph names the file.
const unitSep = "\x00"

func headUnit(d *Document) string {
	if d.unit != "" {
		return d.unit
	}
	return d.Pos.File + unitSep + "head"
}

func clauseUnit(c *Clause) string {
	if c.unit != "" {
		return c.unit
	}
	return c.Doc.Pos.File + unitSep + "clause " + c.ID
}

// unitFile returns the file of a unit, or f itself if it is a file.
func unitFile(f string) string {
	file, _, _ := strings.Cut(f, unitSep)
	return file
}

// unitSums returns the hash of every unit of every document file.
func unitSums(p *Project) map[string]uint64 {
	sums := map[string]uint64{}
	for _, d := range p.Documents {
		sums[headUnit(d)] = d.headSum
		for _, c := range d.Clauses {
			sums[clauseUnit(c)] = c.sum ^ bits.RotateLeft64(d.headSum, 1)
		}
	}
	return sums
}

// sectionMeta adds a section's front matter as the JSON export shows it.
func (d *deps) sectionMeta(s *Section) {
	d.part(s.Pos.File, "section", s.Slug, s.Title)
	for _, r := range s.Topics {
		d.part("", "topic", r.ID)
	}
	for _, r := range s.Sources {
		d.part("", "source", r.ID)
	}
}

// frame adds what every page's frame shows of the explainer: its title,
// language, byline, update date, base URL and navigation, and the
// templates. A page rendered with a template of the project's own may
// show anything at all, so it depends on every input file; in the
// dependency graph, "content/" stands for them.
//
// It is the same on every page of a template, so it is made once per
// build and template.
func (d *deps) frame(tmpl string) {
	b := d.b
	b.framesMu.Lock()
	part, ok := b.frames[tmpl]
	b.framesMu.Unlock()
	if !ok {
		sub := b.newDeps()
		sub.frameParts(tmpl)
		part = keyPart{sum: sub.key(), files: sub.files}
		b.framesMu.Lock()
		b.frames[tmpl] = part
		b.framesMu.Unlock()
	}
	d.sum(5, part.sum)
	d.files = append(d.files, part.files...)
}

// frameParts adds what frame adds, made afresh.
func (d *deps) frameParts(tmpl string) {
	b, e := d.b, d.b.p.Explainer
	d.part(e.Pos.File, "site", e.Title, e.Language, e.Byline, e.Updated, b.site.BaseURL, strconv.FormatBool(b.p.HasTimeline))
	d.add(topicsFile, actorsFile, sourcesFile, b.tmplFiles["base.tmpl"], b.tmplFiles["partials.tmpl"], b.tmplFiles[tmpl])
	if b.custom["base.tmpl"] || b.custom["partials.tmpl"] || b.custom[tmpl] {
		d.part(everything, "everything", b.everything)
	}
}

// everything stands for every input file in the dependency graph.
const everything = "content/"

// fileHash is the hash of an input file's content, 0 for a file the build
// did not read.
func (b *build) fileHash(name string) uint64 { return b.sums[name] }

// hashAll is a hash of every input file read, by name and content.
func hashAll(seed maphash.Seed, sums map[string]uint64) string {
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	slices.Sort(names)
	var h maphash.Hash
	h.SetSeed(seed)
	var sum [8]byte
	for _, n := range names {
		h.WriteString(n)
		binary.LittleEndian.PutUint64(sum[:], sums[n])
		h.Write(sum[:])
	}
	return strconv.FormatUint(h.Sum64(), 16)
}

// jobs lists every page of the site. Each job's fill adds what its page
// depends on; renderPages calls it, on all cores, to decide whether the
// page of the last build can be reused.
func (b *build) jobs() []pageJob {
	p := b.p
	var jobs []pageJob
	add := func(out, tmpl string, data *pageData, fill func(d *deps)) {
		data.Site = b.site
		if b.site.BaseURL != "" {
			data.Canonical = b.site.BaseURL + data.Path
		}
		jobs = append(jobs, pageJob{out: out, tmpl: tmpl, data: data, fill: fill})
		if tmpl != "404.tmpl" {
			b.paths = append(b.paths, data.Path)
		}
	}
	// addStable is add for a page that a rebuild may keep on the
	// conditions st gives (see Builder.unaffected), besides its files.
	addStable := func(st stability, out, tmpl string, data *pageData, fill func(d *deps)) {
		add(out, tmpl, data, fill)
		jobs[len(jobs)-1].stable = &st
	}

	add("index.html", "home.tmpl", &pageData{Path: "/", Kind: "home", Description: p.Explainer.Description}, func(d *deps) {
		d.add(p.Explainer.Pos.File)
		d.markdown(p.Explainer.Lede)
		for _, s := range p.Sections {
			if bl, ok := b.blocks[s]; ok {
				d.part(s.Pos.File, "block", strconv.FormatUint(bl.key, 16))
			} else {
				d.add(s.Pos.File)
				d.markdown(s.Body, s.Summary)
			}
		}
		for _, doc := range p.Documents {
			d.doc(doc)
		}
	})

	for i, s := range p.Sections {
		data := &pageData{Path: sectionURL(s), Title: s.Title, Kind: "section", Section: s, Description: plainText(s.Summary)}
		if i > 0 {
			data.Prev = p.Sections[i-1]
		}
		if i+1 < len(p.Sections) {
			data.Next = p.Sections[i+1]
		}
		// A section page also shows its neighbours.
		addStable(stability{backlinks: s, order: true}, "sections/"+s.Slug+"/index.html", "section.tmpl", data, func(d *deps) {
			d.add(s.Pos.File)
			d.markdown(s.Body, s.Summary)
			d.backlinks(s)
			if data.Prev != nil {
				d.ref("section", data.Prev.Slug)
			}
			if data.Next != nil {
				d.ref("section", data.Next.Slug)
			}
		})
	}

	add("documents/index.html", "documents.tmpl", &pageData{Path: "/documents/", Title: "Documents", Kind: "documents"}, func(d *deps) {
		for _, doc := range p.Documents {
			d.add(doc.Pos.File)
			d.markdown(doc.Summary)
		}
	})

	for _, doc := range p.Documents {
		prev := b.ix.docs[doc.Follows.ID]
		// What the pages of documents, changes, clauses and actors show
		// comes from documents, but for their frame and backlinks.
		addStable(stability{backlinks: doc, docs: true}, "documents/"+doc.ID+"/index.html", "document.tmpl",
			&pageData{Path: documentURL(doc), Title: doc.Title, Kind: "document", Document: doc, Description: plainText(doc.Summary)},
			func(d *deps) {
				d.add(doc.Pos.File)
				d.markdown(doc.Summary)
				d.backlinks(doc)
				if prev != nil {
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
			})

		if prev != nil {
			addStable(stability{docs: true}, "documents/"+doc.ID+"/changes/index.html", "changes.tmpl",
				&pageData{Path: changesURL(doc), Title: "What changed in " + doc.Title, Kind: "changes", Document: doc},
				func(d *deps) {
					d.add(doc.Pos.File, prev.Pos.File)
					for _, f := range b.ln.changes[doc] {
						d.fate(f)
					}
				})
		}

		for _, c := range doc.Clauses {
			addStable(stability{backlinks: c, docs: true}, "documents/"+doc.ID+"/"+c.ID+"/index.html", "clause.tmpl",
				&pageData{Path: clauseURL(c), Title: clauseLabel(c) + " · " + doc.Short, Kind: "clause", Document: doc, Clause: c, Description: plainText(c.Text)},
				func(d *deps) {
					d.clause(c)
					d.backlinks(c)
					for _, st := range b.ln.history(c) {
						d.part("", "step", strconv.Itoa(st.Depth), strconv.FormatBool(st.Current))
						if st.Clause != nil {
							d.clause(st.Clause)
						}
						if st.Fate != nil {
							d.fate(st.Fate)
						}
					}
				})
		}
	}

	add("topics/index.html", "topics.tmpl", &pageData{Path: "/topics/", Title: "Topics", Kind: "topics"}, func(d *deps) {
		for _, doc := range p.Documents {
			d.add(doc.Pos.File)
		}
		for _, t := range p.Topics {
			d.markdown(t.Description)
		}
	})
	for _, t := range p.Topics {
		// A topic page also lists the sections on the topic.
		addStable(stability{backlinks: t, docs: true, topic: t.ID}, "topics/"+t.ID+"/index.html", "topic.tmpl", &pageData{Path: topicURL(t), Title: t.Name, Kind: "topic", Topic: t, Description: plainText(t.Description)}, func(d *deps) {
			d.markdown(t.Description)
			d.backlinks(t)
			// The chart and the table show the clauses on the topic and,
			// in the table, what became of them where a document has none.
			for _, c := range b.topicClauses(t) {
				d.clause(c)
			}
			tt := b.topicTable(t)
			for _, doc := range tt.Docs {
				d.doc(doc)
			}
			for _, row := range tt.Rows {
				d.part("", "row")
				for _, cell := range row {
					d.part("", "cell", strconv.Itoa(len(cell.Clauses)))
					for _, c := range cell.Clauses {
						d.part("", "in", clauseKey(c))
						if f := b.ln.backward[c]; f != nil {
							d.part("", "from", f.Outcome)
						}
					}
					if cell.Fate != nil {
						d.part("", "fate", cell.Fate.Outcome)
					}
				}
			}
			for _, s := range b.topicSections(t) {
				d.ref("section", s.Slug)
			}
		})
	}

	add("actors/index.html", "actors.tmpl", &pageData{Path: "/actors/", Title: "Actors", Kind: "actors"}, func(d *deps) {
		for _, a := range p.Actors {
			d.markdown(a.Description)
		}
	})
	for _, a := range p.Actors {
		addStable(stability{backlinks: a, docs: true}, "actors/"+a.ID+"/index.html", "actor.tmpl", &pageData{Path: actorURL(a), Title: a.Name, Kind: "actor", Actor: a, Description: plainText(a.Description)}, func(d *deps) {
			d.markdown(a.Description)
			d.backlinks(a)
			for _, doc := range b.documentsBy(a) {
				d.doc(doc)
			}
			for _, ap := range b.positions[a.ID] {
				d.clause(ap.Clause) // its positions with their notes
			}
		})
	}

	add("sources/index.html", "sources.tmpl", &pageData{Path: "/sources/", Title: "Sources", Kind: "sources"}, func(d *deps) {
		for _, s := range p.Sources {
			d.markdown(s.Note)
			d.backlinks(s)
			d.referrers(b.citedBy[s.ID])
		}
	})

	if p.HasTimeline {
		add("timeline/index.html", "timeline.tmpl", &pageData{Path: "/timeline/", Title: "Timeline", Kind: "timeline"}, func(d *deps) {
			d.add(timelineFile)
			for _, e := range p.Events {
				d.markdown(e.Text)
			}
		})
	}
	add("404.html", "404.tmpl", &pageData{Path: "/404.html", Title: "Page not found", Kind: "404"}, func(*deps) {})
	return jobs
}
