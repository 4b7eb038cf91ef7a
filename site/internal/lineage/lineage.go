// Package lineage works out what became of each clause of a document in
// the documents that follow it: its fate (kept, changed, deferred, moved,
// removed, not reported, or new), with the word-level difference between
// the two texts, and the whole history of every version of a clause.
package lineage

import (
	"bytes"
	"html/template"
	"maps"
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
var FateOrder = []string{"kept", "changed", "deferred", "moved", "removed", "unknown", "new"}

// Fate is what became of one clause of a followed document in a later one.
type Fate struct {
	Outcome string          // kept | changed | deferred | moved | removed | unknown | new
	Doc     *model.Document // the later document
	Old     *model.Clause   // the clause of the followed document; nil for new
	New     *model.Clause   // the clause that continues it; nil for removed and unknown
	Removal *model.Removal  // for removed
	Diff    template.HTML
	Similar float64 // word similarity of the two texts, when both exist
	HasDiff bool    // both sides have text and it differs
}

// Lineage holds the fates of every document against the one it follows.
type Lineage struct {
	Changes    map[*model.Document][]*Fate // for a following document: every fate, followed clauses first
	Forward    map[*model.Clause][]*Fate   // a clause -> its fates in each later document
	Backward   map[*model.Clause]*Fate     // a clause -> the fate that produced it (nil for originals)
	FollowedBy map[*model.Document][]*model.Document
	histories  sync.Map // *model.Clause -> []Step, computed once

	// What it was made from, for reuse: the documents, and the plain
	// text each clause had (see Current).
	docs  []*model.Document
	texts []*links.Rendered

	mu   sync.Mutex
	memo map[string]any // see Memo
}

// Current reports whether ln, made by an earlier build, is what
// New would make for p: the same documents, holding the same
// clauses with the same converted texts (a text's links show the labels
// of what they link to, which may change while its file does not).
func (ln *Lineage) Current(p *model.Project) bool {
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

// DiffCache holds word-level differences by the pair of texts compared.
type DiffCache struct {
	entries map[string]*diffResult
}

// diffResult is the comparison of two texts.
type diffResult struct {
	html    template.HTML
	similar float64
	changed bool
}

// NewDiffCache returns an empty cache.
func NewDiffCache() *DiffCache { return &DiffCache{entries: map[string]*diffResult{}} }

// compare compares a and b word by word, with d.
func compare(d *worddiff.Differ, a, b string) *diffResult {
	ops := d.Diff(a, b)
	r := &diffResult{similar: worddiff.Similarity(ops), changed: worddiff.Changed(ops)}
	if r.changed {
		r.html = worddiff.HTML(ops)
	}
	return r
}

func (c *DiffCache) lookup(key string) *diffResult {
	if c == nil {
		return nil
	}
	return c.entries[key]
}

// New computes every fate. texts gives a clause's plain text for
// the word-level differences, which cache, if not nil, may already hold;
// next, if not nil, receives every difference the lineage holds.
func New(p *model.Project, ix *links.Index, texts func(*model.Clause) string, cache, next *DiffCache) *Lineage {
	ln := &Lineage{
		Changes:    map[*model.Document][]*Fate{},
		Forward:    map[*model.Clause][]*Fate{},
		Backward:   map[*model.Clause]*Fate{},
		FollowedBy: map[*model.Document][]*model.Document{},
		docs:       slices.Clone(p.Documents),
		memo:       map[string]any{},
	}
	for _, d := range p.Documents {
		for _, c := range d.Clauses {
			ln.texts = append(ln.texts, links.Conv(c.Text))
		}
	}
	var compared []*Fate // the fates with two versions to compare
	for _, d := range p.Documents {
		prev := ix.Docs[d.Follows.ID]
		if prev == nil {
			continue
		}
		ln.FollowedBy[prev] = append(ln.FollowedBy[prev], d)
		continued := map[string]*model.Clause{}
		for _, c := range d.Clauses {
			if c.From.ID != "" {
				continued[c.From.ID] = c
			}
		}
		removed := map[string]*model.Removal{}
		for _, r := range d.Removes {
			removed[r.Clause.ID] = r
		}
		var fates []*Fate
		for _, old := range prev.Clauses {
			f := &Fate{Doc: d, Old: old}
			key := model.ClauseKey(old)
			switch {
			case continued[key] != nil:
				f.New = continued[key]
				f.Outcome = OutcomeOf(f.New)
				ln.Backward[f.New] = f
			case removed[key] != nil:
				f.Outcome = "removed"
				f.Removal = removed[key]
			default:
				f.Outcome = "unknown"
			}
			if f.New != nil {
				compared = append(compared, f)
			}
			ln.Forward[old] = append(ln.Forward[old], f)
			fates = append(fates, f)
		}
		for _, c := range d.Clauses {
			if c.From.ID == "" || ix.Clauses[c.From.ID] == nil {
				fates = append(fates, &Fate{Outcome: "new", Doc: d, New: c})
			}
		}
		ln.Changes[d] = fates
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

// OutcomeOf is a continuing clause's outcome, "changed" by default.
func OutcomeOf(c *model.Clause) string {
	if c.Outcome == "" {
		return "changed"
	}
	return c.Outcome
}

// Step is one entry of a clause's history: one version of it, or its end.
type Step struct {
	Fate    *Fate         // how this version came about; nil for the first version
	Clause  *model.Clause // this version; nil when the fate ended the line
	Depth   int           // how many revisions from the first version
	Current bool          // the clause whose page this is
}

// History returns the whole family of versions c belongs to: from its
// first version through every later document that continued, changed,
// removed or said nothing about it, in order.
func (ln *Lineage) History(c *model.Clause) []Step {
	if h, ok := ln.histories.Load(c); ok {
		return h.([]Step)
	}
	h := ln.computeHistory(c)
	ln.histories.Store(c, h)
	return h
}

func (ln *Lineage) computeHistory(c *model.Clause) []Step {
	root := c
	for seen := 0; ln.Backward[root] != nil && seen < 1000; seen++ {
		root = ln.Backward[root].Old
	}
	var steps []Step
	var walk func(cl *model.Clause, via *Fate, depth int)
	walk = func(cl *model.Clause, via *Fate, depth int) {
		if depth > 1000 {
			return
		}
		steps = append(steps, Step{Fate: via, Clause: cl, Depth: depth, Current: cl == c})
		fates := append([]*Fate(nil), ln.Forward[cl]...)
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
				steps = append(steps, Step{Fate: f, Depth: depth + 1})
			}
		}
	}
	walk(root, nil, 0)
	return steps
}

// Memo returns what f returns for key, made once for ln: what depends
// only on the lineage, such as a topic's table, is made once while the
// documents stay the same.
func (ln *Lineage) Memo(key string, f func() any) any {
	ln.mu.Lock()
	v, ok := ln.memo[key]
	ln.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	ln.mu.Lock()
	ln.memo[key] = v
	ln.mu.Unlock()
	return v
}

// WithText returns ln with clause c of document d replaced by c1 of d1,
// which differ from them in the text of c alone, and every fate of the
// clause compared again, with texts giving a clause's plain text. ln is
// left as it was.
func (ln *Lineage) WithText(c, c1 *model.Clause, d, d1 *model.Document, texts func(*model.Clause) string) *Lineage {
	ln1 := &Lineage{
		Changes: maps.Clone(ln.Changes), Forward: maps.Clone(ln.Forward), Backward: maps.Clone(ln.Backward),
		FollowedBy: maps.Clone(ln.FollowedBy), docs: ln.docs, texts: ln.texts, memo: map[string]any{},
	}
	replace := func(fates []*Fate, was, now *Fate) []*Fate {
		fates = slices.Clone(fates)
		if i := slices.Index(fates, was); i >= 0 {
			fates[i] = now
		}
		return fates
	}
	var differ worddiff.Differ
	recompare := func(f *Fate) {
		f.Similar, f.HasDiff, f.Diff = 0, false, ""
		if a, b := texts(f.Old), texts(f.New); a != "" && b != "" {
			res := compare(&differ, a, b)
			f.Similar, f.HasDiff, f.Diff = res.similar, res.changed, res.html
		}
	}
	if fb := ln.Backward[c]; fb != nil {
		fb1 := *fb
		fb1.New = c1
		recompare(&fb1)
		ln1.Backward[c1] = &fb1
		ln1.Forward[fb.Old] = replace(ln.Forward[fb.Old], fb, &fb1)
		ln1.Changes[fb.Doc] = replace(ln1.Changes[fb.Doc], fb, &fb1)
	} else {
		for _, f := range ln.Changes[d] {
			if f.New == c {
				f1 := *f
				f1.New = c1
				ln1.Changes[d] = replace(ln1.Changes[d], f, &f1)
			}
		}
	}
	for _, f := range ln.Forward[c] {
		f1 := *f
		f1.Old = c1
		if f.New != nil {
			recompare(&f1)
			ln1.Backward[f.New] = &f1
		}
		ln1.Forward[c1] = append(ln1.Forward[c1], &f1)
		ln1.Changes[f.Doc] = replace(ln1.Changes[f.Doc], f, &f1)
	}
	ln1.Changes[d1] = ln1.Changes[d]
	ln1.FollowedBy[d1] = ln.FollowedBy[d]
	return ln1
}
