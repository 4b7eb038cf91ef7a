package engine

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/tmplexec"
)

// sectionReferrer is section s as a page that refers to what its fields
// link to.
func sectionReferrer(s *model.Section) links.Referrer {
	return links.Referrer{URL: model.SectionURL(s), Label: s.Title, Kind: "section", File: s.Pos.File}
}

// bodyField is the field of section s's body, md: s.Body, or the text
// that Preview puts in its place.
func bodyField(s *model.Section, md *model.Markdown) links.Field {
	return links.Field{MD: md, Prefix: s.Slug, Owner: sectionReferrer(s), Body: true, WantText: true} // the plain text is the search index's
}

// textField is the field of clause c's text, md: c.Text, or the text
// that Preview puts in its place.
func textField(c *model.Clause, md *model.Markdown) links.Field {
	d := c.Doc
	owner := links.Referrer{URL: model.ClauseURL(c), Label: model.ClauseLabel(c) + " (" + d.Short + ")", Kind: "clause", File: model.ClauseUnit(c)}
	return links.Field{MD: md, Prefix: "clause-" + d.ID + "-" + c.ID, Owner: owner, WantText: true}
}

// fields lists every Markdown field of the project with the page it
// appears on, so that each is converted once.
func (b *build) fields() []links.Field {
	p := b.p
	var fs []links.Field
	add := func(m *model.Markdown, prefix string, owner links.Referrer, text bool) {
		fs = append(fs, links.Field{MD: m, Prefix: prefix, Owner: owner, WantText: text})
	}
	home := links.Referrer{URL: "/", Label: p.Explainer.Title, Kind: "home", File: p.Explainer.Pos.File}
	add(&p.Explainer.Lede, "lede", home, true)
	for _, s := range p.Sections {
		fs = append(fs, bodyField(s, &s.Body))
		add(&s.Summary, s.Slug+"-summary", sectionReferrer(s), true)
	}
	docs := map[string]*model.Document{}
	for _, d := range p.Documents {
		docs[d.ID] = d
	}
	for _, d := range p.Documents {
		owner := links.Referrer{URL: model.DocumentURL(d), Label: d.Title, Kind: "document", File: model.HeadUnit(d)}
		add(&d.Summary, "doc-"+d.ID, owner, true)
		for _, ps := range d.Positions {
			add(&ps.Note, "doc-"+d.ID+"-position", owner, true)
		}
		for i, r := range d.Removes {
			add(&r.Note, "doc-"+d.ID+"-removal-"+strconv.Itoa(i+1), links.Referrer{URL: model.ChangesURL(d), Label: model.ChangesTitle(d, docs), Kind: "changes", File: model.HeadUnit(d)}, true)
		}
		for _, c := range d.Clauses {
			f := textField(c, &c.Text)
			owner, prefix := f.Owner, f.Prefix
			fs = append(fs, f)
			for _, cl := range c.Claims {
				add(&cl.Text, prefix+"-claim", owner, true)
			}
			for _, ps := range c.Positions {
				add(&ps.Note, prefix+"-position", owner, true)
			}
		}
	}
	for _, t := range p.Topics {
		add(&t.Description, "topic-"+t.ID, links.Referrer{URL: model.TopicURL(t), Label: t.Name, Kind: "topic", File: t.Pos.File}, true)
	}
	for _, a := range p.Actors {
		add(&a.Description, "actor-"+a.ID, links.Referrer{URL: model.ActorURL(a), Label: a.Name, Kind: "actor", File: a.Pos.File}, true)
	}
	for _, s := range p.Sources {
		add(&s.Note, "source-"+s.ID, links.Referrer{URL: "/sources/", Label: "Sources", Kind: "sources", File: s.Pos.File}, true)
	}
	for i, e := range p.Events {
		add(&e.Text, "event-"+strconv.Itoa(i+1), links.Referrer{URL: "/timeline/", Label: "Timeline", Kind: "timeline", File: e.Pos.File}, true)
	}
	return fs
}

// indexCitations records what cites each source and which positions each
// actor took.
func (b *build) indexCitations() {
	b.citedBy = map[string][]links.Referrer{}
	b.positions = map[string][]actorPosition{}
	cite := func(refs []model.Ref, r links.Referrer) {
		for _, s := range refs {
			b.citedBy[s.ID] = append(b.citedBy[s.ID], r)
		}
	}
	for _, s := range b.p.Sections {
		cite(s.Sources, links.Referrer{URL: model.SectionURL(s), Label: s.Title, Kind: "section", File: s.Pos.File})
	}
	for _, d := range b.p.Documents {
		dr := links.Referrer{URL: model.DocumentURL(d), Label: d.Title, Kind: "document", File: d.Pos.File}
		cite(d.Sources, dr)
		for _, ps := range d.Positions {
			cite(ps.Sources, dr)
			b.positions[ps.Actor.ID] = append(b.positions[ps.Actor.ID], actorPosition{Document: d, Position: ps})
		}
		for _, r := range d.Removes {
			cite(r.Sources, links.Referrer{URL: model.ChangesURL(d), Label: model.ChangesTitle(d, b.ix.Docs), Kind: "changes", File: d.Pos.File})
		}
		for _, c := range d.Clauses {
			cr := links.Referrer{URL: model.ClauseURL(c), Label: model.ClauseLabel(c) + " (" + d.Short + ")", Kind: "clause", File: d.Pos.File}
			cite(c.Sources, cr)
			for _, cl := range c.Claims {
				cite(cl.Sources, cr)
			}
			for _, ps := range c.Positions {
				cite(ps.Sources, cr)
				b.positions[ps.Actor.ID] = append(b.positions[ps.Actor.ID], actorPosition{Document: d, Clause: c, Position: ps})
			}
		}
	}
	for _, e := range b.p.Events {
		cite(e.Sources, links.Referrer{URL: "/timeline/", Label: "Timeline: " + e.Title, Kind: "timeline", File: model.TimelineFile})
	}
	for id, refs := range b.citedBy {
		b.citedBy[id] = links.UniqueReferrers(refs)
	}
	for id, ps := range b.positions {
		sort.SliceStable(ps, func(i, j int) bool {
			a, c := ps[i], ps[j]
			if a.Position.AsOf != c.Position.AsOf {
				return a.Position.AsOf < c.Position.AsOf
			}
			if a.Document.Date != c.Document.Date {
				return a.Document.Date < c.Document.Date
			}
			return false
		})
		b.positions[id] = ps
	}
}

// funcs are the template functions of a build. The package doc lists them.
// buildRef points at the build in progress. Template functions reach
// the build through it, so that parsed templates outlive a build: a
// Builder reuses them while the template files stay the same.
type buildRef struct{ b *build }

// funcs returns the functions templates call, for the build ref points at.
func funcs(ref *buildRef) (template.FuncMap, map[string]tmplexec.Func) {
	fm := template.FuncMap{
		"sectionBlocks": func() (template.HTML, error) {
			b := ref.b
			if len(b.blocks) < len(b.p.Sections) {
				return "", fmt.Errorf("sectionBlocks: no %q template", homeBlock)
			}
			return blocksMarker, nil
		},
	}
	typed := map[string]tmplexec.Func{}
	def(fm, typed, "date", dates.Format)
	def(fm, typed, "datetime", dates.Machine)
	def(fm, typed, "number", formatNumber)
	def(fm, typed, "figure", figureText)
	def(fm, typed, "figuresOf", func(c *model.Clause) []topicFigure { return ref.b.figuresOf(c) })
	def(fm, typed, "topics", func(refs []model.Ref) []*model.Topic { return resolve(refs, ref.b.ix.Topics) })
	def(fm, typed, "actors", func(refs []model.Ref) []*model.Actor { return resolve(refs, ref.b.ix.Actors) })
	def(fm, typed, "sources", func(refs []model.Ref) []*model.Source { return resolve(refs, ref.b.ix.Sources) })
	def(fm, typed, "actor", func(r model.Ref) *model.Actor { return ref.b.ix.Actors[r.ID] })
	def(fm, typed, "doc", func(r model.Ref) *model.Document { return ref.b.ix.Docs[r.ID] })
	def(fm, typed, "docs", func(refs []model.Ref) []*model.Document { return resolve(refs, ref.b.ix.Docs) })
	def(fm, typed, "changesTitle", func(d *model.Document) string { return ref.b.changesTitle(d) })
	def(fm, typed, "clause", func(r model.Ref) *model.Clause { return ref.b.ix.Clauses[r.ID] })
	def(fm, typed, "backlinks", func(v any) []links.Referrer { return ref.b.backlinks(v) })
	def(fm, typed, "citedBy", func(s *model.Source) []links.Referrer { return ref.b.citedBy[s.ID] })
	def(fm, typed, "supports", func(s *model.Source) []links.Referrer {
		return links.UniqueReferrers(append(slices.Clone(ref.b.citedBy[s.ID]), ref.b.backlinks(s)...))
	})
	def(fm, typed, "history", func(c *model.Clause) []lineage.Step { return ref.b.ln.History(c) })
	def(fm, typed, "changes", func(d *model.Document) []*lineage.Fate { return ref.b.ln.Changes[d] })
	def(fm, typed, "tally", func(d *model.Document) []fateCount { return ref.b.tally(d) })
	def(fm, typed, "wordDiffs", func(d *model.Document) bool { return slices.ContainsFunc(ref.b.ln.Changes[d], quotedDiff) })
	fm["overview"] = func() *overview { return ref.b.overview() }
	fm["sourcesByPublisher"] = func() []sourceGroup { return ref.b.sourcesByPublisher() }
	fm["docTree"] = func() []docNode { return ref.b.docTree() }
	fm["latestChanges"] = func() *model.Document { return ref.b.latestChanges() }
	fm["timeline"] = func() []timelineEntry { return ref.b.timeline() }
	def(fm, typed, "changeGroups", func(d *model.Document) []fateGroup { return ref.b.changeGroups(d) })
	def(fm, typed, "followedBy", func(d *model.Document) []*model.Document { return ref.b.ln.FollowedBy[d] })
	def(fm, typed, "derivedFrom", func(c *model.Clause) []*lineage.Fate { return ref.b.ln.Backward[c] })
	def(fm, typed, "outline", outline)
	def(fm, typed, "parentOf", parentOf)
	def(fm, typed, "subpoints", subpoints)
	def(fm, typed, "prevClause", prevClause)
	def(fm, typed, "nextClause", nextClause)
	def(fm, typed, "depth", func(c *model.Clause) int { return max(depth(c), 0) })
	def(fm, typed, "fatesOf", func(c *model.Clause) []*lineage.Fate { return ref.b.ln.Forward[c] })
	def(fm, typed, "topicTable", func(t *model.Topic) *topicTable { return ref.b.topicTable(t) })
	def(fm, typed, "topicSections", func(t *model.Topic) []*model.Section { return ref.b.topicSections(t) })
	def(fm, typed, "chart", func(t *model.Topic) template.HTML { return ref.b.chart(t) })
	def(fm, typed, "documentsBy", func(a *model.Actor) []*model.Document { return ref.b.documentsBy(a) })
	def(fm, typed, "rolesOf", func(a *model.Actor) []actorRole { return ref.b.rolesOf(a) })
	def(fm, typed, "positionsOf", func(a *model.Actor) []actorPosition { return ref.b.positions[a.ID] })
	def(fm, typed, "clausesOn", func(t *model.Topic) int { return len(ref.b.topicClauses(t)) })
	def(fm, typed, "stanceLabel", stanceLabel)
	def(fm, typed, "fateLabel", lineage.Label)
	def(fm, typed, "demote", func(m model.Markdown) template.HTML { return links.Demote(m, ref.b.keep) })
	def(fm, typed, "percent", func(f float64) int { return int(f*100 + 0.5) })
	fm["first"] = func(n int, s []*model.Section) []*model.Section { return s[:max(0, min(n, len(s)))] }
	return fm, typed
}

// changesTitle is the title of d's changes page (see model.ChangesTitle).
func (b *build) changesTitle(d *model.Document) string { return model.ChangesTitle(d, b.ix.Docs) }

// def adds f to the template functions fm under name, and to typed as
// tmplexec calls it without reflection.
func def[A, R any](fm template.FuncMap, typed map[string]tmplexec.Func, name string, f func(A) R) {
	fm[name], typed[name] = f, tmplexec.Typed(f)
}

// resolve returns what refs name in byID, in order, leaving out the ids
// it does not know.
func resolve[T any](refs []model.Ref, byID map[string]*T) []*T {
	var out []*T
	for _, r := range refs {
		if v := byID[r.ID]; v != nil {
			out = append(out, v)
		}
	}
	return out
}

// backlinks returns the pages whose Markdown refers to v, without v's own
// page.
func (b *build) backlinks(v any) []links.Referrer {
	key, self, ok := targetOf(v)
	if !ok {
		return nil
	}
	refs := b.ms.Backlinks[key]
	if !slices.ContainsFunc(refs, func(r links.Referrer) bool { return r.URL == self }) {
		return refs // shared, which lets a rebuild tell at once it is the same
	}
	var out []links.Referrer
	for _, r := range refs {
		if r.URL != self {
			out = append(out, r)
		}
	}
	return out
}

// targetOf names v as a link target, with the URL of its page.
func targetOf(v any) (key links.ID, url string, ok bool) {
	switch v := v.(type) {
	case *model.Clause:
		return links.ID{Kind: "clause", ID: model.ClauseKey(v)}, model.ClauseURL(v), true
	case *model.Document:
		return links.ID{Kind: "doc", ID: v.ID}, model.DocumentURL(v), true
	case *model.Topic:
		return links.ID{Kind: "topic", ID: v.ID}, model.TopicURL(v), true
	case *model.Actor:
		return links.ID{Kind: "actor", ID: v.ID}, model.ActorURL(v), true
	case *model.Section:
		return links.ID{Kind: "section", ID: v.Slug}, model.SectionURL(v), true
	case *model.Source:
		return links.ID{Kind: "source", ID: v.ID}, "/sources/", true
	}
	return links.ID{}, "", false
}

// fateCount is one line of a changes page's tally.
type fateCount struct {
	Outcome string
	N       int
}

func (b *build) tally(d *model.Document) []fateCount {
	n := map[string]int{}
	for _, f := range b.ln.Changes[d] {
		n[f.Outcome]++
	}
	var out []fateCount
	for _, o := range lineage.FateOrder() {
		if n[o] > 0 {
			out = append(out, fateCount{o, n[o]})
		}
	}
	return out
}

// quotedDiff reports whether f shows word-level differences: between two
// quoted texts of a revision that differ (see the theme's "diff" block).
func quotedDiff(f *lineage.Fate) bool {
	return f.HasDiff && f.Doc.Relation == "revises" && f.Old.Wording == "quoted" && f.New.Wording == "quoted"
}

// sourceGroup is one publisher's sources on the sources page.
type sourceGroup struct {
	ID        string // for the heading's anchor: "publisher-1", ...
	Publisher string // "" for sources with none
	Sources   []*model.Source
}

// sourcesByPublisher groups the sources by publisher, publishers in
// alphabetical order and those with none last, each publisher's sources
// by date (dates sort by their first day as written) and then title.
func (b *build) sourcesByPublisher() []sourceGroup {
	by := map[string][]*model.Source{}
	for _, s := range b.p.Sources {
		by[s.Publisher] = append(by[s.Publisher], s)
	}
	names := slices.Collect(maps.Keys(by))
	slices.SortFunc(names, func(a, c string) int {
		switch {
		case a == "" || c == "":
			return strings.Compare(c, a) // the empty name last
		}
		return cmp.Or(strings.Compare(strings.ToLower(a), strings.ToLower(c)), strings.Compare(a, c))
	})
	var out []sourceGroup
	for i, n := range names {
		ss := by[n]
		slices.SortStableFunc(ss, func(a, c *model.Source) int {
			return cmp.Or(strings.Compare(a.Date, c.Date), strings.Compare(a.Title, c.Title))
		})
		out = append(out, sourceGroup{"publisher-" + strconv.Itoa(i+1), n, ss})
	}
	return out
}

// fateGroup is the fates of one outcome on a changes page.
type fateGroup struct {
	Outcome string
	Fates   []*lineage.Fate
}

// changeGroups returns d's fates grouped by outcome, in FateOrder, each
// group in the order of the changes page.
func (b *build) changeGroups(d *model.Document) []fateGroup {
	byOutcome := map[string][]*lineage.Fate{}
	for _, f := range b.ln.Changes[d] {
		byOutcome[f.Outcome] = append(byOutcome[f.Outcome], f)
	}
	var out []fateGroup
	for _, o := range lineage.FateOrder() {
		if fs := byOutcome[o]; len(fs) > 0 {
			out = append(out, fateGroup{o, fs})
		}
	}
	return out
}

func (b *build) documentsBy(a *model.Actor) []*model.Document {
	var out []*model.Document
	for _, d := range b.p.Documents {
		for _, r := range d.By {
			if r.ID == a.ID {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// topicFigure is a clause's figure for one of its topics.
type topicFigure struct {
	Topic  *model.Topic
	Figure *model.Figure
}

// figuresOf returns c's figures, one per topic it gives one for, in the
// order of its topics.
func (b *build) figuresOf(c *model.Clause) []topicFigure {
	metric := func(id string) bool { t := b.ix.Topics[id]; return t != nil && t.Metric != nil }
	var out []topicFigure
	for _, t := range resolve(c.Topics, b.ix.Topics) {
		if f := model.FigureOn(c, t.ID, metric); f != nil {
			out = append(out, topicFigure{t, f})
		}
	}
	return out
}

// actorRole is a role an actor plays in a document.
type actorRole struct {
	Document *model.Document
	Role     string
}

// rolesOf returns the roles a plays in documents besides writing them, in
// document order.
func (b *build) rolesOf(a *model.Actor) []actorRole {
	var out []actorRole
	for _, d := range b.p.Documents {
		for _, pt := range d.Parties {
			if pt.Actor.ID == a.ID {
				out = append(out, actorRole{d, pt.Role})
			}
		}
	}
	return out
}

// onTopic is what is on one topic: clauses in document order, then
// clause order, and sections in order.
type onTopic struct {
	clauses  []*model.Clause
	sections []*model.Section
}

// indexTopics finds what is on each topic, in one pass over the project,
// so that no topic page goes through every clause and section again.
func (b *build) indexTopics() {
	b.onTopic = make(map[string]*onTopic, len(b.p.Topics))
	of := func(id string) *onTopic {
		t := b.onTopic[id]
		if t == nil {
			t = &onTopic{}
			b.onTopic[id] = t
		}
		return t
	}
	for _, d := range b.p.Documents {
		for _, c := range d.Clauses {
			for i, r := range c.Topics {
				if !slices.ContainsFunc(c.Topics[:i], func(q model.Ref) bool { return q.ID == r.ID }) {
					t := of(r.ID)
					t.clauses = append(t.clauses, c)
				}
			}
		}
	}
	for _, s := range b.p.Sections {
		for i, r := range s.Topics {
			if !slices.ContainsFunc(s.Topics[:i], func(q model.Ref) bool { return q.ID == r.ID }) {
				t := of(r.ID)
				t.sections = append(t.sections, s)
			}
		}
	}
}

// topicClauses returns the clauses on topic t, in document order.
func (b *build) topicClauses(t *model.Topic) []*model.Clause {
	if on := b.onTopic[t.ID]; on != nil {
		return on.clauses
	}
	return nil
}

// topicSections returns the sections on topic t, in order.
func (b *build) topicSections(t *model.Topic) []*model.Section {
	if on := b.onTopic[t.ID]; on != nil {
		return on.sections
	}
	return nil
}

// stanceLabel is how a stance reads in a sentence.
func stanceLabel(s string) string {
	switch s {
	case "proposes":
		return "Proposes"
	case "supports":
		return "Supports"
	case "accepts":
		return "Accepts"
	case "mixed":
		return "Mixed"
	case "opposes":
		return "Opposes"
	case "rejects":
		return "Rejects"
	}
	return s
}

// jsonLD returns the structured data of a page for search engines, as a
// script element of type application/ld+json: a NewsArticle for the home
// page and each section, and a BreadcrumbList for a clause page when the
// base URL is known. Other pages have none. It is made here, whole, so
// that the theme's templates need no JavaScript context.
func jsonLD(pd *pageData) template.HTML {
	type (
		author struct {
			Type string `json:"@type"`
			Name string `json:"name"`
		}
		article struct {
			Context       string  `json:"@context"`
			Type          string  `json:"@type"`
			Headline      string  `json:"headline"`
			Description   string  `json:"description,omitempty"`
			DatePublished string  `json:"datePublished,omitempty"`
			DateModified  string  `json:"dateModified,omitempty"`
			Author        *author `json:"author,omitempty"`
			InLanguage    string  `json:"inLanguage"`
			Page          string  `json:"mainEntityOfPage,omitempty"`
		}
		listItem struct {
			Type     string `json:"@type"`
			Position int    `json:"position"`
			Name     string `json:"name"`
			Item     string `json:"item"`
		}
		breadcrumbs struct {
			Context string     `json:"@context"`
			Type    string     `json:"@type"`
			Items   []listItem `json:"itemListElement"`
		}
	)
	e := pd.Site.Explainer
	var v any
	switch pd.Kind {
	case "home", "section":
		a := article{Context: "https://schema.org", Type: "NewsArticle", Headline: e.Title, Description: pd.Description,
			InLanguage: e.Language, Page: pd.Canonical}
		modified := e.Updated
		if pd.Section != nil {
			a.Headline = pd.Section.Title
			if pd.Section.Updated != "" {
				modified = pd.Section.Updated
			}
		}
		if e.Published != "" {
			a.DatePublished = dates.FirstDay(e.Published)
		}
		if modified != "" {
			a.DateModified = dates.FirstDay(modified)
		}
		if e.Byline != "" {
			a.Author = &author{"Organization", e.Byline}
		}
		v = a
	case "clause":
		base := pd.Site.BaseURL
		if base == "" {
			return ""
		}
		d, c := pd.Clause.Doc, pd.Clause
		v = breadcrumbs{"https://schema.org", "BreadcrumbList", []listItem{
			{"ListItem", 1, "Documents", base + "/documents/"},
			{"ListItem", 2, d.Title, base + model.DocumentURL(d)},
			{"ListItem", 3, model.ClauseLabel(c), base + model.ClauseURL(c)},
		}}
	default:
		return ""
	}
	data, err := json.Marshal(v) // escapes <, > and &: nothing in it can end the script element
	if err != nil {
		return ""
	}
	return template.HTML(`<script type="application/ld+json">` + string(data) + `</script>`)
}
