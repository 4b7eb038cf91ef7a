// Package exports makes the files a site offers besides its pages: the
// JSON export of the whole explainer, the sitemap and the Atom feed.
package exports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
)

// The shapes of the JSON export's items (see JSON). Field names
// are part of the public format.
type (
	jsonSection struct {
		Slug    string   `json:"slug"`
		Title   string   `json:"title"`
		URL     string   `json:"url"`
		Topics  []string `json:"topics"`
		Sources []string `json:"sources"`
	}
	jsonDocument struct {
		ID           string         `json:"id"`
		Title        string         `json:"title"`
		Short        string         `json:"short"`
		Date         string         `json:"date"`
		By           []string       `json:"by"`
		Parties      []jsonParty    `json:"parties,omitempty"`
		Positions    []jsonPosition `json:"positions,omitempty"` // on the whole document
		Follows      []string       `json:"follows,omitempty"`
		Relation     string         `json:"relation,omitempty"` // with follows: revises, responds, implements or endorses
		Status       string         `json:"status,omitempty"`
		Availability string         `json:"availability"`
		Summary      string         `json:"summary,omitempty"`
		Sources      []string       `json:"sources"`
		URL          string         `json:"url"`
		Clauses      []jsonClause   `json:"clauses"`
	}
	jsonClause struct {
		ID         string         `json:"id"`
		Ref        string         `json:"ref"`
		Number     string         `json:"number,omitempty"`
		Title      string         `json:"title"`
		Topics     []string       `json:"topics"`
		Figure     any            `json:"figure,omitempty"`  // a number, or an object for an approximate value or a range
		Figures    map[string]any `json:"figures,omitempty"` // by topic id
		From       []string       `json:"from,omitempty"`
		Outcome    string         `json:"outcome,omitempty"`
		Text       string         `json:"text"`
		Claims     []jsonClaim    `json:"claims,omitempty"`
		Positions  []jsonPosition `json:"positions"`
		Sources    []string       `json:"sources"`
		Confidence string         `json:"confidence,omitempty"`
		URL        string         `json:"url"`
	}
	jsonClaim struct {
		Text       string   `json:"text"`
		Sources    []string `json:"sources"`
		Confidence string   `json:"confidence,omitempty"`
	}
	jsonPosition struct {
		Actor   string   `json:"actor"`
		Stance  string   `json:"stance"`
		AsOf    string   `json:"as_of,omitempty"`
		Note    string   `json:"note,omitempty"`
		Sources []string `json:"sources"`
	}
	jsonParty struct {
		Actor string `json:"actor"`
		Role  string `json:"role"`
	}
	jsonPositionX struct {
		Clause   string `json:"clause,omitempty"`
		Document string `json:"document,omitempty"` // for a position on a whole document
		jsonPosition
	}
	jsonRelation struct {
		Document string `json:"document"`
		Relation string `json:"relation"`             // how the document stands to the one it follows
		Follows  string `json:"follows,omitempty"`    // the followed document; none for a new clause
		Clause   string `json:"clause,omitempty"`     // the clause of the followed document
		Becomes  string `json:"becomes,omitempty"`    // the clause that continues it
		Outcome  string `json:"outcome"`              // one of the fates of the relation, or new
		Label    string `json:"label"`                // the fate as pages word it: "Not addressed"
		Note     string `json:"note,omitempty"`       // a removal's note
		Similar  *int   `json:"similarity,omitempty"` // word similarity of the texts, in percent
	}
	jsonTopic struct {
		ID          string      `json:"id"`
		Name        string      `json:"name"`
		Description string      `json:"description,omitempty"`
		Metric      *jsonMetric `json:"metric,omitempty"`
		URL         string      `json:"url"`
	}
	jsonMetric struct {
		Name string `json:"name"`
		Unit string `json:"unit"`
	}
	jsonActor struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Kind        string `json:"kind,omitempty"`
		Description string `json:"description,omitempty"`
		URL         string `json:"url"`
	}
	jsonSource struct {
		ID        string `json:"id"`
		Title     string `json:"title"`
		Publisher string `json:"publisher,omitempty"`
		URL       string `json:"url,omitempty"`
		Date      string `json:"date,omitempty"`
		Note      string `json:"note,omitempty"`
	}
	jsonEvent struct {
		Date    string   `json:"date"`
		Title   string   `json:"title"`
		Text    string   `json:"text,omitempty"`
		Sources []string `json:"sources"`
	}
)

func ids(refs []model.Ref) []string {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		out = append(out, r.ID)
	}
	return out
}

// JSON writes every document, clause, relation and position, in
// parts of about jsonChunk bytes: the file is long, and is never held in
// one piece, nor in the items it is made of. Links in it are root-absolute
// ("/documents/us-28/"), as the site's own. It is compact: indenting took
// twice as long as encoding, and made the file a third larger, for
// readers that are programs.
//
// The file is one object: "title", "description", "published",
// "updated" (each left out when empty), "language", then the lists
// "sections", "documents", "relations", "topics", "actors", "sources",
// "events" and "positions", in that order.
func JSON(p *model.Project, ln *lineage.Lineage) [][]byte {
	w := newJSONStream()
	w.raw(`{"title":`)
	w.value(p.Explainer.Title)
	for _, f := range []struct{ name, v string }{{"description", p.Explainer.Description}, {"published", p.Explainer.Published}, {"updated", p.Explainer.Updated}} {
		if f.v != "" {
			w.raw(`,"` + f.name + `":`)
			w.value(f.v)
		}
	}
	w.raw(`,"language":`)
	w.value(p.Explainer.Language)

	w.list("sections")
	for _, s := range p.Sections {
		w.item(jsonSection{Slug: s.Slug, Title: s.Title, URL: model.SectionURL(s), Topics: ids(s.Topics), Sources: ids(s.Sources)})
	}
	w.list("documents")
	for _, d := range p.Documents {
		jd := jsonDocument{ID: d.ID, Title: d.Title, Short: d.Short, Date: d.Date, By: ids(d.By), Follows: ids(d.Follows),
			Status: d.Status, Availability: d.Availability, Summary: d.Summary.Text, Sources: ids(d.Sources), URL: model.DocumentURL(d), Clauses: []jsonClause{}}
		if len(d.Follows) > 0 {
			jd.Relation = d.Relation
		}
		for _, pt := range d.Parties {
			jd.Parties = append(jd.Parties, jsonParty{Actor: pt.Actor.ID, Role: pt.Role})
		}
		for _, ps := range d.Positions {
			jd.Positions = append(jd.Positions, jsonPositionOf(ps))
		}
		for _, c := range d.Clauses {
			jc := jsonClause{ID: c.ID, Ref: model.ClauseKey(c), Number: c.Number, Title: c.Title, Topics: ids(c.Topics), Figure: jsonFigureOf(c.Figure),
				From: ids(c.From), Text: c.Text.Text, Positions: []jsonPosition{}, Sources: ids(c.Sources), Confidence: c.Confidence, URL: model.ClauseURL(c)}
			for t, f := range c.Figures {
				if jc.Figures == nil {
					jc.Figures = map[string]any{}
				}
				jc.Figures[t] = jsonFigureOf(f)
			}
			if len(c.From) > 0 {
				jc.Outcome = model.OutcomeOf(c)
			}
			for _, cl := range c.Claims {
				jc.Claims = append(jc.Claims, jsonClaim{Text: cl.Text.Text, Sources: ids(cl.Sources), Confidence: cl.Confidence})
			}
			for _, ps := range c.Positions {
				jc.Positions = append(jc.Positions, jsonPositionOf(ps))
			}
			jd.Clauses = append(jd.Clauses, jc)
		}
		w.item(jd)
	}
	w.list("relations")
	for _, d := range p.Documents {
		for _, f := range ln.Changes[d] {
			r := jsonRelation{Document: d.ID, Relation: d.Relation, Outcome: f.Outcome, Label: lineage.Label(f.Outcome)}
			if f.Old != nil {
				r.Follows, r.Clause = f.Old.Doc.ID, model.ClauseKey(f.Old)
			}
			if f.New != nil {
				r.Becomes = model.ClauseKey(f.New)
			}
			if f.Removal != nil {
				r.Note = f.Removal.Note.Text
			}
			if f.Old != nil && f.New != nil && links.PlainText(f.Old.Text) != "" && links.PlainText(f.New.Text) != "" {
				pct := int(f.Similar*100 + 0.5)
				if !f.HasDiff {
					pct = 100
				}
				r.Similar = &pct
			}
			w.item(r)
		}
	}
	w.list("topics")
	for _, t := range p.Topics {
		jt := jsonTopic{ID: t.ID, Name: t.Name, Description: t.Description.Text, URL: model.TopicURL(t)}
		if t.Metric != nil {
			jt.Metric = &jsonMetric{Name: t.Metric.Name, Unit: t.Metric.Unit}
		}
		w.item(jt)
	}
	w.list("actors")
	for _, a := range p.Actors {
		w.item(jsonActor{ID: a.ID, Name: a.Name, Kind: a.Kind, Description: a.Description.Text, URL: model.ActorURL(a)})
	}
	w.list("sources")
	for _, s := range p.Sources {
		w.item(jsonSource{ID: s.ID, Title: s.Title, Publisher: s.Publisher, URL: s.URL, Date: s.Date, Note: s.Note.Text})
	}
	w.list("events")
	for _, e := range p.Events {
		w.item(jsonEvent{Date: e.Date, Title: e.Title, Text: e.Text.Text, Sources: ids(e.Sources)})
	}
	w.list("positions")
	for _, d := range p.Documents {
		for _, ps := range d.Positions {
			w.item(jsonPositionX{Document: d.ID, jsonPosition: jsonPositionOf(ps)})
		}
		for _, c := range d.Clauses {
			for _, ps := range c.Positions {
				w.item(jsonPositionX{Clause: model.ClauseKey(c), jsonPosition: jsonPositionOf(ps)})
			}
		}
	}
	w.raw("]}\n")
	return w.done()
}

// jsonFigure is a figure that is not a plain number.
type jsonFigure struct {
	Value  *float64 `json:"value,omitempty"`
	Approx bool     `json:"approx,omitempty"`
	Low    *float64 `json:"low,omitempty"`
	High   *float64 `json:"high,omitempty"`
	Note   string   `json:"note,omitempty"`
}

// jsonFigureOf is f as the export gives it: a plain number when it is
// one, else an object; nil for no figure.
func jsonFigureOf(f *model.Figure) any {
	switch {
	case f == nil:
		return nil
	case f.Range:
		return jsonFigure{Low: &f.Value, High: &f.High, Note: f.Note}
	case f.Approx || f.Note != "":
		return jsonFigure{Value: &f.Value, Approx: f.Approx, Note: f.Note}
	}
	return f.Value
}

func jsonPositionOf(ps *model.Position) jsonPosition {
	return jsonPosition{Actor: ps.Actor.ID, Stance: ps.Stance, AsOf: ps.AsOf, Note: ps.Note.Text, Sources: ids(ps.Sources)}
}

// jsonChunk is about the size of the parts jsonStream makes.
const jsonChunk = 64 << 10

// A jsonStream writes JSON in parts of about jsonChunk bytes.
type jsonStream struct {
	parts [][]byte
	cur   []byte
	enc   *json.Encoder
	err   error
	open  bool // a list is open
	first bool // no item is in it yet
}

func newJSONStream() *jsonStream {
	w := &jsonStream{cur: make([]byte, 0, jsonChunk+jsonChunk/4)}
	w.enc = json.NewEncoder(w)
	return w
}

// Write is for the encoder: it appends p.
func (w *jsonStream) Write(p []byte) (int, error) {
	w.cur = append(w.cur, p...)
	return len(p), nil
}

// raw writes t as it is.
func (w *jsonStream) raw(t string) {
	w.cur = append(w.cur, t...)
}

// value writes v as json.Marshal encodes it, and starts a new part once
// this one is full.
func (w *jsonStream) value(v any) {
	if err := w.enc.Encode(v); err != nil {
		w.err = err
		return
	}
	w.cur = w.cur[:len(w.cur)-1] // Encode ends each value with a newline
	if len(w.cur) >= jsonChunk {
		w.parts = append(w.parts, w.cur)
		w.cur = make([]byte, 0, jsonChunk+jsonChunk/4)
	}
}

// list ends the list open, if any, and opens the list name, a field of
// the object open.
func (w *jsonStream) list(name string) {
	if w.open {
		w.raw("]")
	}
	w.raw(`,"` + name + `":[`)
	w.open, w.first = true, true
}

// item writes v, an item of the list open.
func (w *jsonStream) item(v any) {
	if !w.first {
		w.raw(",")
	}
	w.first = false
	w.value(v)
}

// done returns what was written, in parts, or an empty object if
// encoding failed (which a value of the shapes above cannot).
func (w *jsonStream) done() [][]byte {
	if w.err != nil {
		return [][]byte{[]byte("{}\n")}
	}
	if len(w.cur) > 0 {
		w.parts = append(w.parts, w.cur)
	}
	return w.parts
}

// Sitemap writes sitemap.xml with absolute URLs.
func Sitemap(p *model.Project, baseURL string, paths []string) [][]byte {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	buf.WriteString(`<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	lastmod := p.Explainer.Updated
	if lastmod == "" {
		lastmod = p.Explainer.Published
	}
	for _, u := range paths {
		buf.WriteString("  <url><loc>")
		xml.EscapeText(&buf, []byte(baseURL+u))
		buf.WriteString("</loc>")
		if lastmod != "" {
			buf.WriteString("<lastmod>" + dates.Machine(lastmod) + "</lastmod>")
		}
		buf.WriteString("</url>\n")
	}
	buf.WriteString("</urlset>\n")
	return [][]byte{buf.Bytes()}
}

// Feed writes an Atom feed with one entry per section.
func Feed(p *model.Project, baseURL string) [][]byte {
	e := p.Explainer
	updated := e.Updated
	if updated == "" {
		updated = e.Published
	}
	for _, s := range p.Sections {
		if s.Updated > updated {
			updated = s.Updated
		}
	}
	if updated == "" {
		updated = "1970-01-01"
	}
	base := baseURL
	var buf bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&buf, format, args...) }
	esc := func(s string) string {
		var sb strings.Builder
		xml.EscapeText(&sb, []byte(s))
		return sb.String()
	}
	buf.WriteString(xml.Header)
	w(`<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="%s">`+"\n", esc(e.Language))
	w("  <title>%s</title>\n", esc(e.Title))
	if e.Description != "" {
		w("  <subtitle>%s</subtitle>\n", esc(e.Description))
	}
	w("  <id>%s/</id>\n", esc(base))
	w(`  <link rel="alternate" type="text/html" href="%s/"/>`+"\n", esc(base))
	w(`  <link rel="self" type="application/atom+xml" href="%s/feed.xml"/>`+"\n", esc(base))
	w("  <updated>%sT00:00:00Z</updated>\n", dates.FirstDay(updated))
	if e.Byline != "" {
		w("  <author><name>%s</name></author>\n", esc(e.Byline))
	} else {
		w("  <author><name>%s</name></author>\n", esc(e.Title))
	}
	for _, s := range FeedSections(p.Sections) {
		su := s.Updated
		if su == "" {
			su = updated
		}
		w("  <entry>\n")
		w("    <title>%s</title>\n", esc(s.Title))
		w("    <id>%s%s</id>\n", esc(base), esc(model.SectionURL(s)))
		w(`    <link rel="alternate" type="text/html" href="%s%s"/>`+"\n", esc(base), esc(model.SectionURL(s)))
		w("    <updated>%sT00:00:00Z</updated>\n", dates.FirstDay(su))
		if sum := links.PlainText(s.Summary); sum != "" {
			w("    <summary>%s</summary>\n", esc(sum))
		}
		w(`    <content type="html">%s</content>`+"\n", esc(absolutize(string(s.Body.HTML()), base)))
		w("  </entry>\n")
	}
	w("</feed>\n")
	return [][]byte{buf.Bytes()}
}

// absolutize turns root-absolute links into absolute ones, for feed
// readers that have no page to resolve them against.
func absolutize(html, base string) string {
	html = strings.ReplaceAll(html, `href="/`, `href="`+base+`/`)
	return strings.ReplaceAll(html, `src="/`, `src="`+base+`/`)
}

// feedLimit is the most entries the feed holds: the sections updated last.
const feedLimit = 50

// FeedSections returns the sections the feed lists: all of them in order
// when there are few, else the feedLimit most recently updated, newest
// first.
func FeedSections(all []*model.Section) []*model.Section {
	if len(all) <= feedLimit {
		return all
	}
	s := slices.Clone(all)
	slices.SortStableFunc(s, func(a, b *model.Section) int { return strings.Compare(b.Updated, a.Updated) })
	return s[:feedLimit]
}
