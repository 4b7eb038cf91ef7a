package engine

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"strings"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/explainer/explainer/site/internal/search"
)

// searchRecords lists what the search index holds, from the model:
// every clause, section, document, topic, actor and source; and, by
// record, the Markdown of a section's body as written (see b.bodies),
// which searchScores makes plain.
func (b *build) searchRecords() ([]search.Record, []string) {
	p := b.p
	refs := func(kind, id string) float64 {
		return float64(min(len(b.ms.Backlinks[links.ID{Kind: kind, ID: id}]), 20))
	}
	var recs []search.Record
	for _, d := range p.Documents {
		docPrior := 1 + 0.02*refs("doc", d.ID)
		for _, c := range d.Clauses {
			sub := d.Short
			if c.Number != "" {
				sub += " · point " + c.Number
			}
			fate := ""
			if f := b.ln.Backward[c]; len(f) > 0 {
				fate = lineage.Label(f[0].Outcome)
			}
			var topics, names []string
			names = append(names, d.Short, d.Title)
			for _, t := range resolve(c.Topics, b.ix.Topics) {
				topics = append(topics, t.Name)
				names = append(names, t.Name)
			}
			text := []string{links.PlainText(c.Text)}
			for _, cl := range c.Claims {
				text = append(text, links.PlainText(cl.Text))
			}
			recs = append(recs, search.Record{
				URL: model.ClauseURL(c), Kind: "clause", Title: c.Title, Number: c.Number, Sub: sub, Fate: fate,
				Doc: d.Short, Topics: topics, Names: strings.Join(names, " "), Text: strings.Join(text, " "),
				Prior: docPrior + 0.03*refs("clause", model.ClauseKey(c)),
			})
		}
	}
	bodies := make([]string, len(recs), len(recs)+len(p.Sections))
	for i, s := range p.Sections {
		recs = append(recs, search.Record{URL: model.SectionURL(s), Kind: "section", Title: s.Title, Sub: "Section",
			Text: links.PlainText(s.Summary), Prior: 1.1})
		bodies = append(bodies, b.bodies[i])
	}
	for _, d := range p.Documents {
		var names []string
		for _, a := range resolve(d.By, b.ix.Actors) {
			names = append(names, a.Name)
		}
		recs = append(recs, search.Record{URL: model.DocumentURL(d), Kind: "document", Title: d.Title,
			Sub: d.Short + " · " + plural(len(d.Clauses), "point"), Doc: d.Short,
			Names: d.Short + " " + strings.Join(names, " "), Text: links.PlainText(d.Summary), Prior: 1.2})
	}
	for _, t := range p.Topics {
		recs = append(recs, search.Record{URL: model.TopicURL(t), Kind: "topic", Title: t.Name, Sub: "Topic",
			Topics: []string{t.Name}, Text: links.PlainText(t.Description), Prior: 1.2})
	}
	for _, a := range p.Actors {
		recs = append(recs, search.Record{URL: model.ActorURL(a), Kind: "actor", Title: a.Name, Sub: "Actor",
			Text: links.PlainText(a.Description), Prior: 1.1})
	}
	for _, s := range p.Sources {
		sub := strings.TrimSpace(s.Publisher + " " + s.Kind)
		recs = append(recs, search.Record{URL: model.SourceURL(s), Kind: "source", Title: s.Title, Sub: sub,
			Names: s.Publisher + " " + s.Cite, Text: links.PlainText(s.Note), Prior: 0.6})
	}
	return recs, append(bodies, make([]string, len(recs)-len(bodies))...)
}

// markdownWords is the words of Markdown source, roughly: without link
// destinations, which are not what a reader sees, and with the marks of
// emphasis, headings, lists and links made spaces. A section body is
// converted with no plain text kept (bodies are long), and this is
// enough to find it by and to quote a snippet of.
func markdownWords(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case ']':
			if i+1 < len(src) && src[i+1] == '(' { // a link's destination
				if j := strings.IndexByte(src[i:], ')'); j > 0 {
					i += j
				}
			}
			b.WriteByte(' ')
		case '[', '*', '_', '#', '`', '>', '|':
			b.WriteByte(' ')
		case '\n', '\t', '\r':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// searchScores returns the terms of each search record: those of a record
// the last build scored the same, kept in the Builder's cache, and the
// others worked out now, on all cores. A section's body, made plain,
// joins its record's text, which the cache keeps too.
func (b *build) searchScores() []search.Scored {
	recs, bodies := b.searchRecs, b.searchBodies
	scored := make([]search.Scored, len(recs))
	keys := make([]uint64, len(recs))
	next := make(map[uint64]scoredRecord, len(recs))
	var todo []int
	for i := range recs {
		r := &recs[i]
		var h maphash.Hash
		h.SetSeed(b.seed)
		for _, s := range []string{r.URL, r.Kind, r.Title, r.Number, r.Names, r.Text, bodies[i], strconv.FormatFloat(r.Prior, 'g', -1, 64)} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		keys[i] = h.Sum64()
		if old, ok := b.searchCache[keys[i]]; ok {
			scored[i], r.Text = old.scored, old.text
			next[keys[i]] = old
			continue
		}
		todo = append(todo, i)
	}
	parallel.Do(len(todo), 8, func(k int, _ *bytes.Buffer) {
		i := todo[k]
		if bodies[i] != "" {
			recs[i].Text = strings.TrimSpace(recs[i].Text + " " + markdownWords(bodies[i]))
		}
		scored[i] = search.Score(recs[i])
	})
	if b.keep { // a Builder that builds again keeps them
		for _, i := range todo {
			next[keys[i]] = scoredRecord{scored[i], recs[i].Text}
		}
		b.searchCacheNext = next
	}
	return scored
}

// scoredRecord is a search record's terms and its text, as made plain.
type scoredRecord struct {
	scored search.Scored
	text   string
}
