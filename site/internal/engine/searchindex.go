package engine

import (
	"bytes"
	"context"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/explainer/explainer/site/internal/search"
)

// searchRecords lists what the search index holds, from the model:
// every clause, section, document, topic, actor and source, in the
// plain text their Markdown converted to (cross-references named as the
// page shows them).
func (b *build) searchRecords() []search.Record {
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
	for _, s := range p.Sections {
		var topics []string
		for _, t := range resolve(s.Topics, b.ix.Topics) {
			topics = append(topics, t.Name)
		}
		recs = append(recs, search.Record{URL: model.SectionURL(s), Kind: "section", Title: s.Title, Sub: "Section", Topics: topics,
			Text: strings.TrimSpace(links.PlainText(s.Summary) + " " + links.PlainText(s.Body)), Prior: 1.1})
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
	return recs
}

// searchScores returns the terms of each search record: those of a record
// the last build scored the same, kept in the Builder's cache, and the
// others worked out now, on all cores, until ctx is done.
func (b *build) searchScores(ctx context.Context) []search.Scored {
	recs := b.searchRecs
	scored := make([]search.Scored, len(recs))
	keys := make([]uint64, len(recs))
	next := make(map[uint64]search.Scored, len(recs))
	var todo []int
	for i := range recs {
		r := &recs[i]
		var h maphash.Hash
		h.SetSeed(b.seed)
		for _, s := range []string{r.URL, r.Kind, r.Title, r.Number, r.Names, r.Text, strconv.FormatFloat(r.Prior, 'g', -1, 64)} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		keys[i] = h.Sum64()
		if old, ok := b.searchCache[keys[i]]; ok {
			scored[i] = old
			next[keys[i]] = old
			continue
		}
		todo = append(todo, i)
	}
	scorers := sync.Pool{New: func() any { return new(search.Scorer) }}
	parallel.Do(len(todo), 8, func(k int, _ *bytes.Buffer) {
		if ctx.Err() != nil {
			return
		}
		sc := scorers.Get().(*search.Scorer)
		scored[todo[k]] = sc.Score(recs[todo[k]])
		scorers.Put(sc)
	})
	if b.keep { // a Builder that builds again keeps them
		for _, i := range todo {
			next[keys[i]] = scored[i]
		}
		b.searchCacheNext = next
	}
	return scored
}
