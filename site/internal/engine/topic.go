package engine

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/model"
)

// topicTable lines up every document's clauses on a topic: one column per
// document that has any, one row per line of descent (a family of clauses
// linked by from), where lines no document shares share a row.
type topicTable struct {
	Docs []*model.Document
	Rows [][]topicCell // Rows[i][j]: row i, document Docs[j]
}

// topicCell is one document's part of a row: its clauses, or what became
// of the row's clause when the document has none.
type topicCell struct {
	Clauses []*model.Clause
	Fate    *lineage.Fate // what the document made of the row's point when no clause of it continues it
}

// topicTable returns the table of topic t, made once per lineage: it
// depends only on the documents, which a rebuild after a section edit
// keeps, and the same table tells the rebuild at once that it is the same.
func (b *build) topicTable(t *model.Topic) *topicTable {
	return b.ln.Memo("topic "+t.ID, func() any { return b.makeTopicTable(t) }).(*topicTable)
}

func (b *build) makeTopicTable(t *model.Topic) *topicTable {
	var on []*model.Clause
	col := map[*model.Document]int{}
	tt := &topicTable{}
	for _, c := range b.topicClauses(t) {
		on = append(on, c)
		if _, ok := col[c.Doc]; !ok {
			col[c.Doc] = len(tt.Docs)
			tt.Docs = append(tt.Docs, c.Doc)
		}
	}
	if len(on) == 0 {
		return tt
	}
	// Union clauses with the clause they continue, when both are on the topic.
	parent := map[*model.Clause]*model.Clause{}
	var find func(c *model.Clause) *model.Clause
	find = func(c *model.Clause) *model.Clause {
		for parent[c] != nil && parent[c] != c {
			if g := parent[parent[c]]; g != nil {
				parent[c] = g
			}
			c = parent[c]
		}
		return c
	}
	onTopic := map[*model.Clause]bool{}
	for _, c := range on {
		onTopic[c] = true
		parent[c] = c
	}
	for _, c := range on {
		for _, f := range b.ln.Backward[c] {
			if onTopic[f.Old] {
				if ra, rb := find(c), find(f.Old); ra != rb {
					parent[ra] = rb
				}
			}
		}
	}
	rowOf := map[*model.Clause]int{}
	for _, c := range on { // documents in date order, clauses in order: rows in order of first appearance
		r := find(c)
		i, ok := rowOf[r]
		if !ok {
			i = len(tt.Rows)
			rowOf[r] = i
			tt.Rows = append(tt.Rows, make([]topicCell, len(tt.Docs)))
		}
		tt.Rows[i][col[c.Doc]].Clauses = append(tt.Rows[i][col[c.Doc]].Clauses, c)
	}
	// Let lines of descent that no document shares, such as the points of
	// two unrelated plans, share a row: a row joins the first row before it
	// whose documents, with those its points' fates fall in, are all
	// others. A document then leaves a gap only where it has a point on
	// the topic in another line, never beside its own point.
	touched := make([]map[*model.Document]bool, len(tt.Rows))
	for i, row := range tt.Rows {
		touched[i] = map[*model.Document]bool{}
		for _, cell := range row {
			for _, c := range cell.Clauses {
				touched[i][c.Doc] = true
				for _, f := range b.ln.Forward[c] {
					touched[i][f.Doc] = true
				}
			}
		}
	}
	var merged [][]topicCell
	var mergedTouched []map[*model.Document]bool
rows:
	for i, row := range tt.Rows {
		for k, into := range mergedTouched {
			if disjoint(into, touched[i]) {
				for j, cell := range row {
					merged[k][j].Clauses = append(merged[k][j].Clauses, cell.Clauses...)
				}
				for d := range touched[i] {
					into[d] = true
				}
				continue rows
			}
		}
		merged = append(merged, row)
		mergedTouched = append(mergedTouched, touched[i])
	}
	tt.Rows = merged
	// Fill gaps with the fate of the row's clause in a following document:
	// the last fate without a new version that a clause of the followed
	// document, in the same row, has in it.
	for _, row := range tt.Rows {
		for j, cell := range row {
			if len(cell.Clauses) > 0 {
				continue
			}
			d := tt.Docs[j]
			for _, g := range resolve(d.Follows, b.ix.Docs) {
				k, ok := col[g]
				if !ok || k == j {
					continue
				}
				for _, c := range row[k].Clauses {
					for _, f := range b.ln.Forward[c] {
						if f.Doc == d && f.New == nil {
							row[j].Fate = f
						}
					}
				}
			}
		}
	}
	return tt
}

// disjoint reports whether a and b have no document in common.
func disjoint(a, b map[*model.Document]bool) bool {
	for d := range b {
		if a[d] {
			return false
		}
	}
	return true
}

// chart draws the figures of a topic's metric across documents as a bar
// chart made of an HTML table: the document's name, linked to its point,
// heads each row, and the figure is text beside its bar, so the chart
// reflows to any width, keeps its labels at the body's size, and reads as
// a table to screen readers and with styles off. An approximate figure is
// drawn hollow, a range as a span from its low to its high end, and a
// figure known only from reports dashed; the legend under the chart says
// which of these it has.
func (b *build) chart(t *model.Topic) template.HTML {
	if t.Metric == nil {
		return ""
	}
	type bar struct {
		c   *model.Clause
		fig *model.Figure
	}
	var bars []bar
	max := 0.0
	var approx, ranges, reported bool
	metric := func(id string) bool { tp := b.ix.Topics[id]; return tp != nil && tp.Metric != nil }
	for _, c := range b.topicClauses(t) {
		f := model.FigureOn(c, t.ID, metric)
		if f == nil {
			continue
		}
		max = math.Max(max, math.Max(f.Value, f.High))
		approx = approx || f.Approx
		ranges = ranges || f.Range
		reported = reported || c.Doc.Availability == "reported"
		bars = append(bars, bar{c, f})
	}
	if len(bars) == 0 {
		return ""
	}
	pct := func(v float64) float64 {
		if max <= 0 {
			return 0
		}
		return math.Round(1000*v/max) / 10
	}
	var s strings.Builder
	name := html.EscapeString(t.Metric.Name)
	unit := html.EscapeString(t.Metric.Unit)
	fmt.Fprintf(&s, `<figure class="chart" aria-labelledby="chart-%s"><figcaption class="chart-title" id="chart-%s">%s, in %s, by document</figcaption>`, t.ID, t.ID, name, unit)
	fmt.Fprintf(&s, `<table class="chart-table"><thead class="visually-hidden"><tr><th scope="col">Document</th><th scope="col">%s (%s)</th></tr></thead><tbody>`, name, unit)
	for _, br := range bars {
		f, c := br.fig, br.c
		from, width, class := 0.0, pct(f.Value), "chart-bar"
		switch {
		case f.Range:
			from, width = pct(f.Value), math.Max(pct(f.High)-pct(f.Value), 1)
			class += " chart-range"
		case f.Approx:
			class += " chart-approx"
		}
		if c.Doc.Availability == "reported" {
			class += " chart-reported"
		}
		fmt.Fprintf(&s, `<tr><th scope="row"><a href="%s">%s</a> <span class="chart-year">%s</span></th>`,
			html.EscapeString(model.ClauseURL(c)), html.EscapeString(c.Doc.Short), html.EscapeString(yearOf(c.Doc.Date)))
		fmt.Fprintf(&s, `<td><span class="chart-track" aria-hidden="true"><span class="%s" style="margin-left:%g%%;width:%g%%"></span></span>`, class, from, math.Max(width, 0.5))
		fmt.Fprintf(&s, `<span class="chart-value">%s</span>`, html.EscapeString(figureText(f)))
		if c.Doc.Availability == "reported" {
			s.WriteString(` <span class="chart-kind">reported</span>`)
		}
		if f.Note != "" {
			fmt.Fprintf(&s, ` <span class="chart-note">%s</span>`, html.EscapeString(f.Note))
		}
		s.WriteString(`</td></tr>`)
	}
	s.WriteString(`</tbody></table><p class="chart-source">`)
	if approx {
		s.WriteString(`Hollow bars are approximate figures. `)
	}
	if ranges {
		s.WriteString(`A bar that starts late spans a range: the figure lies between its two ends. `)
	}
	if reported {
		s.WriteString(`Dashed bars are figures from a document known only from reports. `)
	}
	s.WriteString(`Source: the documents, each linked to its point, which cites where its text comes from.</p></figure>`)
	return template.HTML(s.String())
}

// figureText writes a figure for readers: "600,000", "about 1,950",
// "400–600".
func figureText(f *model.Figure) string {
	switch {
	case f == nil:
		return ""
	case f.Range:
		return formatNumber(f.Value) + "–" + formatNumber(f.High)
	case f.Approx:
		return "about " + formatNumber(f.Value)
	}
	return formatNumber(f.Value)
}

// yearOf is the year a date (see Dates) starts in.
func yearOf(date string) string {
	if len(date) < 4 {
		return date
	}
	return date[:4]
}

// overview is the home page's "what changed, at a glance": topics down,
// documents across, each cell what the document makes of the topic.
type overview struct {
	Docs []*model.Document
	Rows []overviewRow
}

// overviewRow is one topic of the overview.
type overviewRow struct {
	Topic *model.Topic
	Cells []overviewCell // one per document of the overview
}

// overviewCell is what one document makes of one topic: its figure, or
// the fate of its first clause on the topic, or the fate it gave the
// topic's clause of a document it follows when it has none.
type overviewCell struct {
	Text    string // "600k", "point 21", "changed", "removed"; "" for nothing
	Outcome string // a fate, "original" for a first version, "" for nothing
	URL     string // the clause, or the changes page's group of the fate
	More    int    // the document's further clauses on the topic
}

// overview returns the overview. It is made for each build that asks:
// it holds the build's topics, which change while the lineage stays.
func (b *build) overview() *overview {
	ov := &overview{}
	onAny := map[*model.Document]bool{}
	for _, t := range b.p.Topics {
		for _, c := range b.topicClauses(t) {
			onAny[c.Doc] = true
		}
	}
	for _, d := range b.p.Documents {
		if onAny[d] {
			ov.Docs = append(ov.Docs, d)
		}
	}
	metric := func(id string) bool { t := b.ix.Topics[id]; return t != nil && t.Metric != nil }
	for _, t := range b.p.Topics {
		on := b.topicClauses(t)
		if len(on) == 0 {
			continue
		}
		row := overviewRow{Topic: t}
		for _, d := range ov.Docs {
			var mine []*model.Clause
			for _, c := range on {
				if c.Doc == d {
					mine = append(mine, c)
				}
			}
			var cell overviewCell
			switch {
			case len(mine) > 0:
				c := mine[0]
				cell = overviewCell{Outcome: "original", Text: "in the text", URL: model.ClauseURL(c), More: len(mine) - 1}
				if c.Number != "" {
					cell.Text = "point " + c.Number
				}
				if len(d.Follows) > 0 {
					cell.Outcome, cell.Text = "new", "new"
				}
				if f := b.ln.Backward[c]; len(f) > 0 {
					cell.Outcome = f[0].Outcome
					cell.Text = strings.ToLower(lineage.Label(cell.Outcome))
				}
				if fig := model.FigureOn(c, t.ID, metric); fig != nil {
					cell.Text = shortFigure(fig)
				}
			default:
				// The fate this document gave a clause on the topic of a
				// document it follows.
				for _, c := range on {
					for _, f := range b.ln.Forward[c] {
						if f.Doc == d && f.New == nil && cell.Outcome == "" {
							cell = overviewCell{Outcome: f.Outcome, Text: strings.ToLower(lineage.Label(f.Outcome)), URL: model.ChangesURL(d) + "#fate-" + f.Outcome}
						}
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		ov.Rows = append(ov.Rows, row)
	}
	return ov
}

// shortFigure writes a figure for a small cell: "600k", "1.2m", "~1,950",
// "400–600".
func shortFigure(f *model.Figure) string {
	short := func(v float64) string {
		switch a := math.Abs(v); {
		case a >= 1e6:
			return strconv.FormatFloat(math.Round(v/1e5)/10, 'f', -1, 64) + "m"
		case a >= 1e4:
			return strconv.FormatFloat(math.Round(v/1e2)/10, 'f', -1, 64) + "k"
		}
		return formatNumber(v)
	}
	switch {
	case f.Range:
		return short(f.Value) + "–" + short(f.High)
	case f.Approx:
		return "~" + short(f.Value)
	}
	return short(f.Value)
}
