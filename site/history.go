package site

import (
	"bytes"
	"html/template"
	"slices"
	"sort"
	"sync"

	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/explainer/explainer/site/internal/worddiff"
)

// The fates a clause of a followed document can meet in a later document,
// plus "new" for a clause with no predecessor. The order is the order in
// which changes pages list their counts.
var fateOrder = []string{"kept", "changed", "deferred", "moved", "removed", "unknown", "new"}

// fate is what became of one clause of a followed document in a later one.
type fate struct {
	Outcome string    // kept | changed | deferred | moved | removed | unknown | new
	Doc     *Document // the later document
	Old     *Clause   // the clause of the followed document; nil for new
	New     *Clause   // the clause that continues it; nil for removed and unknown
	Removal *Removal  // for removed
	Diff    template.HTML
	Similar float64 // word similarity of the two texts, when both exist
	HasDiff bool    // both sides have text and it differs
}

// lineage holds the fates of every document against the one it follows.
type lineage struct {
	changes    map[*Document][]*fate // for a following document: every fate, followed clauses first
	forward    map[*Clause][]*fate   // a clause -> its fates in each later document
	backward   map[*Clause]*fate     // a clause -> the fate that produced it (nil for originals)
	followedBy map[*Document][]*Document
	histories  sync.Map // *Clause -> []step, computed once

	// What it was made from, for reuse: the documents, and the plain
	// text each clause had (see current).
	docs  []*Document
	texts []*links.Rendered

	mu     sync.Mutex
	tables map[string]*topicTable // by topic id, made once (see build.topicTable)
}

// current reports whether ln, made by an earlier build, is what
// newLineage would make for p: the same documents, holding the same
// clauses with the same converted texts (a text's links show the labels
// of what they link to, which may change while its file does not).
func (ln *lineage) current(p *Project) bool {
	if ln == nil || len(ln.docs) != len(p.Documents) {
		return false
	}
	i := 0
	for k, d := range p.Documents {
		if ln.docs[k] != d {
			return false
		}
		for _, c := range d.Clauses {
			if i == len(ln.texts) || ln.texts[i] != links.Conv(c.Text) {
				return false
			}
			i++
		}
	}
	return i == len(ln.texts)
}

// diffCache holds word-level differences by the pair of texts compared.
type diffCache struct {
	entries map[string]*diffResult
}

// diffResult is the comparison of two texts.
type diffResult struct {
	html    template.HTML
	similar float64
	changed bool
}

func newDiffCache() *diffCache { return &diffCache{entries: map[string]*diffResult{}} }

// compare compares a and b word by word, with d.
func compare(d *worddiff.Differ, a, b string) *diffResult {
	ops := d.Diff(a, b)
	r := &diffResult{similar: worddiff.Similarity(ops), changed: worddiff.Changed(ops)}
	if r.changed {
		r.html = worddiff.HTML(ops)
	}
	return r
}

func (c *diffCache) lookup(key string) *diffResult {
	if c == nil {
		return nil
	}
	return c.entries[key]
}

// newLineage computes every fate. texts gives a clause's plain text for
// the word-level differences, which cache, if not nil, may already hold;
// next, if not nil, receives every difference the lineage holds.
func newLineage(p *Project, ix *links.Index, texts func(*Clause) string, cache, next *diffCache) *lineage {
	ln := &lineage{
		changes:    map[*Document][]*fate{},
		forward:    map[*Clause][]*fate{},
		backward:   map[*Clause]*fate{},
		followedBy: map[*Document][]*Document{},
		docs:       slices.Clone(p.Documents),
		tables:     map[string]*topicTable{},
	}
	for _, d := range p.Documents {
		for _, c := range d.Clauses {
			ln.texts = append(ln.texts, links.Conv(c.Text))
		}
	}
	var compared []*fate // the fates with two versions to compare
	for _, d := range p.Documents {
		prev := ix.Docs[d.Follows.ID]
		if prev == nil {
			continue
		}
		ln.followedBy[prev] = append(ln.followedBy[prev], d)
		continued := map[string]*Clause{}
		for _, c := range d.Clauses {
			if c.From.ID != "" {
				continued[c.From.ID] = c
			}
		}
		removed := map[string]*Removal{}
		for _, r := range d.Removes {
			removed[r.Clause.ID] = r
		}
		var fates []*fate
		for _, old := range prev.Clauses {
			f := &fate{Doc: d, Old: old}
			key := model.ClauseKey(old)
			switch {
			case continued[key] != nil:
				f.New = continued[key]
				f.Outcome = outcomeOf(f.New)
				ln.backward[f.New] = f
			case removed[key] != nil:
				f.Outcome = "removed"
				f.Removal = removed[key]
			default:
				f.Outcome = "unknown"
			}
			if f.New != nil {
				compared = append(compared, f)
			}
			ln.forward[old] = append(ln.forward[old], f)
			fates = append(fates, f)
		}
		for _, c := range d.Clauses {
			if c.From.ID == "" || ix.Clauses[c.From.ID] == nil {
				fates = append(fates, &fate{Outcome: "new", Doc: d, New: c})
			}
		}
		ln.changes[d] = fates
	}
	// The word-level differences, on all cores, each with a Differ of its
	// own.
	results := make([]*diffResult, len(compared))
	keys := make([]string, len(compared))
	differs := sync.Pool{New: func() any { return new(worddiff.Differ) }}
	parallel.Do(len(compared), 16, func(i int, _ *bytes.Buffer) {
		f := compared[i]
		a, b := texts(f.Old), texts(f.New)
		if a == "" || b == "" {
			return
		}
		if cache != nil || next != nil {
			keys[i] = a + "\x00" + b
			results[i] = cache.lookup(keys[i])
		}
		if results[i] == nil {
			d := differs.Get().(*worddiff.Differ)
			results[i] = compare(d, a, b)
			differs.Put(d)
		}
	})
	for i, f := range compared {
		if r := results[i]; r != nil {
			f.Similar, f.HasDiff, f.Diff = r.similar, r.changed, r.html
			if next != nil {
				next.entries[keys[i]] = r
			}
		}
	}
	return ln
}

// outcomeOf is a continuing clause's outcome, "changed" by default.
func outcomeOf(c *Clause) string {
	if c.Outcome == "" {
		return "changed"
	}
	return c.Outcome
}

// step is one entry of a clause's history: one version of it, or its end.
type step struct {
	Fate    *fate   // how this version came about; nil for the first version
	Clause  *Clause // this version; nil when the fate ended the line
	Depth   int     // how many revisions from the first version
	Current bool    // the clause whose page this is
}

// history returns the whole family of versions c belongs to: from its
// first version through every later document that continued, changed,
// removed or said nothing about it, in order.
func (ln *lineage) history(c *Clause) []step {
	if h, ok := ln.histories.Load(c); ok {
		return h.([]step)
	}
	h := ln.computeHistory(c)
	ln.histories.Store(c, h)
	return h
}

func (ln *lineage) computeHistory(c *Clause) []step {
	root := c
	for seen := 0; ln.backward[root] != nil && seen < 1000; seen++ {
		root = ln.backward[root].Old
	}
	var steps []step
	var walk func(cl *Clause, via *fate, depth int)
	walk = func(cl *Clause, via *fate, depth int) {
		if depth > 1000 {
			return
		}
		steps = append(steps, step{Fate: via, Clause: cl, Depth: depth, Current: cl == c})
		fates := append([]*fate(nil), ln.forward[cl]...)
		sort.SliceStable(fates, func(i, j int) bool {
			if fates[i].Doc.Date != fates[j].Doc.Date {
				return fates[i].Doc.Date < fates[j].Doc.Date
			}
			return fates[i].Doc.ID < fates[j].Doc.ID
		})
		for _, f := range fates {
			if f.New != nil {
				walk(f.New, f, depth+1)
			} else {
				steps = append(steps, step{Fate: f, Depth: depth + 1})
			}
		}
	}
	walk(root, nil, 0)
	return steps
}
