// Package model is the content model of an explainer and its loading:
// the types of what a project's content/ says (the explainer, sections,
// documents and their clauses, topics, actors, sources, the timeline),
// read from its files with every problem reported at its file, line and
// column, and checked (see Load). The site package renders them; its
// manual describes every file and field.
package model

import "html/template"

// Markdown is a Markdown source together with where it came from, so that
// a problem found inside it (a broken cross-reference) can be reported at
// its own file, line and column.
type Markdown struct {
	Text string // the Markdown source
	// at maps a byte offset in Text to its position in the source file.
	// It is nil for an empty field.
	at   func(offset int) Pos
	conv Conversion // set by the build once the field is converted
}

// A Conversion is what a build made of a Markdown field.
type Conversion interface {
	HTML() template.HTML // with root-absolute links
}

// HTML returns the field converted to HTML, with root-absolute links.
// It is empty before the build converts the field.
func (m Markdown) HTML() template.HTML {
	if m.conv == nil {
		return ""
	}
	return m.conv.HTML()
}

// ConversionOf returns what the build made of m, or nil.
func ConversionOf(m Markdown) Conversion { return m.conv }

// SetConversion records what the build made of m; nil forgets it.
func SetConversion(m *Markdown, c Conversion) { m.conv = c }

// Forget lets go of what only converting m needs: its positions in the
// file, and its source when source is set, for a build that keeps
// nothing.
func Forget(m *Markdown, source bool) {
	m.at = nil
	if source {
		m.Text = ""
	}
}

// IsZero reports whether the field is empty.
func (m Markdown) IsZero() bool { return m.Text == "" }

// Position returns the file position of the byte at offset in m.Text.
func (m Markdown) Position(offset int) Pos {
	if m.at == nil {
		return Pos{}
	}
	return m.at(offset)
}

// Ref is an id written in the content, with the place it was written,
// so that an unknown id can be reported where it is.
type Ref struct {
	ID  string
	Pos Pos
}

// Explainer is content/_index.md: the explainer's front matter and lede.
type Explainer struct {
	Title       string
	Description string
	Byline      string
	Published   string // a date (see Dates), or ""
	Updated     string // a date (see Dates), or ""
	BaseURL     string // with no trailing slash, or ""
	Language    string // default "en"
	Lede        Markdown
	Pos         Pos // the file
}

// Section is one content/sections/*.md file: one question the explainer
// answers.
type Section struct {
	Slug    string
	Title   string // the question
	Weight  int
	Summary Markdown
	Updated string
	Topics  []Ref
	Sources []Ref
	Draft   bool
	Body    Markdown
	Pos     Pos // the file
}

// Document is one content/documents/*.yaml file: one dated text.
type Document struct {
	ID           string
	Title        string
	Short        string      // short label; defaults to Title
	Date         string      // a date (see Dates)
	By           []Ref       // actor ids: its authors
	Parties      []*Party    // the other roles actors play in it
	Positions    []*Position // stances on the document as a whole
	Follows      []Ref       // the documents this one revises, answers, implements or endorses
	Relation     string      // how it stands to them: revises | responds | implements | endorses (see Relations)
	Status       string
	Availability string // full | partial | reported
	Wording      string // quoted | paraphrased: how its clauses give the text, unless they say
	Summary      Markdown
	Sources      []Ref
	Removes      []*Removal
	Clauses      []*Clause
	Pos          Pos // the file
}

// Party is a role an actor plays in a document besides writing it.
type Party struct {
	Actor Ref
	Role  string // mediator | guarantor | signatory | endorser | observer
	Pos   Pos
}

// Removal records that a document drops a clause of a document it
// follows (rejects it, for a reply).
type Removal struct {
	Clause  Ref // "DOC/CLAUSE"
	Note    Markdown
	Sources []Ref
	Pos     Pos
}

// Clause is one numbered point of a document.
type Clause struct {
	Doc        *Document // the document it belongs to
	ID         string
	Number     string // display number; "" when the document is known only from reports
	Parent     Ref    // for a sub-point, the id of its clause in the same document; ID "" if none
	Title      string
	Status     string // free text shown as a badge, e.g. "disputed"
	Topics     []Ref
	Figure     *Figure            // its value of the metric of its one topic that has one, if any
	Figures    map[string]*Figure // by topic id, for a clause on several topics with a metric
	From       []Ref              // "DOC/CLAUSE" of the clauses of followed documents it continues
	Outcome    string             // with From: one of its document's relation's Outcomes
	Text       Markdown
	Claims     []*Claim
	Positions  []*Position
	Sources    []Ref
	Confidence string // high | medium | low, or ""
	Wording    string // quoted | paraphrased; its document's by default
	Pos        Pos
}

// Figure is a clause's value of a topic's metric: exact, approximate
// ("about 1,950") or a range ("400 to 600").
type Figure struct {
	Value  float64 // the value; a range's low end
	High   float64 // a range's high end
	Range  bool
	Approx bool
	Note   string // what the figure counts or leaves out, in a few words
}

// FigureOn returns c's figure for topic, nil if it gives none. A plain
// figure belongs to the clause's one topic with a metric, which metric
// tells.
func FigureOn(c *Clause, topic string, metric func(topic string) bool) *Figure {
	if f := c.Figures[topic]; f != nil {
		return f
	}
	if c.Figure == nil || !metric(topic) {
		return nil
	}
	for _, t := range c.Topics {
		if t.ID == topic {
			return c.Figure
		}
	}
	return nil
}

// Claim is one report about a clause that other reports contradict.
type Claim struct {
	Text       Markdown
	Sources    []Ref
	Confidence string
	Pos        Pos
}

// Position is an actor's stance on a clause, or on a whole document, at
// a date.
type Position struct {
	Actor   Ref
	Stance  string // proposes | supports | accepts | mixed | opposes | rejects
	AsOf    string // a date (see Dates), or ""
	Note    Markdown
	Sources []Ref
	Pos     Pos
}

// Metric is the quantity a topic charts across documents.
type Metric struct {
	Name string
	Unit string
}

// Topic lines clauses up across documents.
type Topic struct {
	ID          string
	Name        string
	Description Markdown
	Metric      *Metric
	Pos         Pos
}

// Actor is a party that writes documents or takes positions.
type Actor struct {
	ID          string
	Name        string
	Kind        string // state | coalition | organisation | person
	Description Markdown
	Pos         Pos
}

// Source is a piece of reporting that facts rest on.
type Source struct {
	ID        string
	Title     string
	Publisher string
	Cite      string // a short label, "Reuters", that an empty source link shows instead of the title
	Kind      string // "" for a publisher's own page; mirror or aggregator (see SourceKinds)
	URL       string
	Date      string
	Note      Markdown
	Pos       Pos
}

// SourceKinds are the kinds of source that relay another's work: a
// mirror copies a publisher's page whole, an aggregator reprints or
// rewrites reports of others. Readers see them marked.
var SourceKinds = []string{"mirror", "aggregator"}

// Event is one dated entry of the timeline.
type Event struct {
	Date    string
	Title   string
	Text    Markdown
	Sources []Ref
	Pos     Pos
}

// Project is everything read from a project's content/ directory.
type Project struct {
	Explainer   Explainer
	Sections    []*Section  // in order: weight, then file name
	Documents   []*Document // in order: date, then id
	Topics      []*Topic    // in file order
	Actors      []*Actor    // in file order
	Sources     []*Source   // in file order
	Events      []*Event    // in date order, stable
	HasTimeline bool        // content/timeline.yaml exists
	unparsed    bool        // a file could not be parsed: the project must not be rendered
}

// Unparsed reports whether a file of the project could not be parsed:
// then it must not be rendered, whatever else the load found.
func (p *Project) Unparsed() bool { return p.unparsed }
