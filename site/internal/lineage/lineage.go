// Package lineage works out what became of each clause of a document in
// the documents that follow it: its fate, worded for how the later
// document stands to it (a revision changes or keeps a point, a reply
// accepts or rejects it, an agreement puts it into effect, a resolution
// endorses it), with the word-level difference between the two texts,
// and the whole history of every version of a clause.
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

// FateOrder is every fate a clause of a followed document can meet in a
// later document, relation by relation (see model.Outcomes), plus "new"
// for a clause with no predecessor. It is the order in which changes
// pages count them.
func FateOrder() []string {
	return []string{
		"kept", "changed", "deferred", "moved", "removed", "unknown", // revises
		"accepts", "qualifies", "rejects", "defers", "not-addressed", // responds
		"implements", "partly", "not-covered", // implements
		"endorses", "endorsed", // endorses
		"new",
	}
}

// Label is how a fate reads as a badge, "original" for a first version.
func Label(outcome string) string {
	switch outcome {
	case "kept":
		return "Kept"
	case "changed":
		return "Changed"
	case "deferred", "defers":
		return "Deferred"
	case "moved":
		return "Moved"
	case "removed":
		return "Removed"
	case "unknown":
		return "Not reported"
	case "accepts":
		return "Accepted"
	case "qualifies":
		return "Qualified"
	case "rejects":
		return "Rejected"
	case "not-addressed":
		return "Not addressed"
	case "implements":
		return "In effect"
	case "partly":
		return "Partly in effect"
	case "not-covered":
		return "Not covered"
	case "endorses", "endorsed":
		return "Endorsed"
	case "new":
		return "New"
	case "original":
		return "Original"
	}
	return outcome
}

// Fate is what became of one clause of a followed document in a later
// one. A clause continued by several clauses of the later document (a
// split) has one fate for each of them.
type Fate struct {
	Outcome string          // one of FateOrder
	Doc     *model.Document // the later document
	Old     *model.Clause   // the clause of the followed document; nil for new
	New     *model.Clause   // the clause that continues it; nil when none does
	Removal *model.Removal  // for a fate a removal gives
	Diff    template.HTML
	Similar float64 // word similarity of the two texts, when both exist
	HasDiff bool    // both sides have text and it differs
}

// Lineage holds the fates of every document against the one it follows.
type Lineage struct {
	Changes    map[*model.Document][]*Fate // for a following document: every fate, followed clauses first
	Forward    map[*model.Clause][]*Fate   // a clause -> its fates in each later document
	Backward   map[*model.Clause][]*Fate   // a clause -> the fates that produced it, one per clause it continues
	FollowedBy map[*model.Document][]*model.Document
	histories  sync.Map // *model.Clause -> []Step, computed once

	// What it was made from, for reuse: the documents, and the plain
	// text each clause had (see Current).
	docs  []*model.Document
	texts []*links.Rendered
	order map[*model.Clause]int // clauses in document order, then their order

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
		Backward:   map[*model.Clause][]*Fate{},
		FollowedBy: map[*model.Document][]*model.Document{},
		docs:       slices.Clone(p.Documents),
		order:      map[*model.Clause]int{},
		memo:       map[string]any{},
	}
	for _, d := range p.Documents {
		for _, c := range d.Clauses {
			ln.order[c] = len(ln.texts)
			ln.texts = append(ln.texts, links.Conv(c.Text))
		}
	}
	var compared []*Fate // the fates with two versions to compare
	for _, d := range p.Documents {
		continued := map[*model.Clause][]*model.Clause{}
		for _, c := range d.Clauses {
			for _, from := range c.From {
				if old := ix.Clauses[from.ID]; old != nil {
					continued[old] = append(continued[old], c)
				}
			}
		}
		removed := map[string]*model.Removal{}
		for _, r := range d.Removes {
			removed[r.Clause.ID] = r
		}
		var fates []*Fate
		follows := false // d follows a known document
		for _, ref := range d.Follows {
			prev := ix.Docs[ref.ID]
			if prev == nil || prev == d || slices.Contains(ln.FollowedBy[prev], d) {
				continue
			}
			follows = true
			ln.FollowedBy[prev] = append(ln.FollowedBy[prev], d)
			for _, old := range prev.Clauses {
				var these []*Fate
				for _, c := range continued[old] {
					f := &Fate{Doc: d, Old: old, New: c, Outcome: model.OutcomeOf(c)}
					ln.Backward[c] = append(ln.Backward[c], f)
					compared = append(compared, f)
					these = append(these, f)
				}
				if len(these) == 0 {
					f := &Fate{Doc: d, Old: old, Outcome: model.Unmatched(d.Relation)}
					if r := removed[model.ClauseKey(old)]; r != nil {
						f.Outcome, f.Removal = model.RemovalOutcome(d.Relation), r
					}
					these = append(these, f)
				}
				ln.Forward[old] = append(ln.Forward[old], these...)
				fates = append(fates, these...)
			}
		}
		if !follows {
			continue
		}
		for _, c := range d.Clauses {
			if len(ln.Backward[c]) == 0 {
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

// Step is one entry of a clause's history: one version of it, or its end.
type Step struct {
	Fate    *Fate         // how this version came about; nil for a first version
	Clause  *model.Clause // this version; nil when the fate ended the line
	Depth   int           // how many documents from the first version
	Current bool          // the clause whose page this is
	Again   bool          // a version shown above already, reached a second way (points answered together)
}

// History returns the whole family of versions c belongs to: from its
// first versions through every later document that continued, changed,
// answered, removed or said nothing about it, in order.
func (ln *Lineage) History(c *model.Clause) []Step {
	if h, ok := ln.histories.Load(c); ok {
		return h.([]Step)
	}
	h := ln.computeHistory(c)
	ln.histories.Store(c, h)
	return h
}

func (ln *Lineage) computeHistory(c *model.Clause) []Step {
	// The first versions: every clause c descends from that continues
	// nothing, in document order.
	var roots []*model.Clause
	up := map[*model.Clause]bool{}
	var climb func(cl *model.Clause)
	climb = func(cl *model.Clause) {
		if up[cl] || len(up) > 10000 {
			return
		}
		up[cl] = true
		if len(ln.Backward[cl]) == 0 {
			roots = append(roots, cl)
		}
		for _, f := range ln.Backward[cl] {
			climb(f.Old)
		}
	}
	climb(c)
	sort.SliceStable(roots, func(i, j int) bool { return ln.order[roots[i]] < ln.order[roots[j]] })

	var steps []Step
	shown := map[*model.Clause]bool{}
	var walk func(cl *model.Clause, via *Fate, depth int)
	walk = func(cl *model.Clause, via *Fate, depth int) {
		if depth > 1000 || len(steps) > 10000 {
			return
		}
		steps = append(steps, Step{Fate: via, Clause: cl, Depth: depth, Current: cl == c, Again: shown[cl]})
		if shown[cl] {
			return
		}
		shown[cl] = true
		fates := slices.Clone(ln.Forward[cl])
		sort.SliceStable(fates, func(i, j int) bool {
			if a, b := fates[i].Doc.Date, fates[j].Doc.Date; a != b {
				return a < b
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
	for _, r := range roots {
		walk(r, nil, 0)
	}
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
		FollowedBy: maps.Clone(ln.FollowedBy), docs: ln.docs, texts: ln.texts, order: maps.Clone(ln.order), memo: map[string]any{},
	}
	ln1.order[c1] = ln.order[c]
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
	for _, fb := range ln.Backward[c] {
		fb1 := *fb
		fb1.New = c1
		recompare(&fb1)
		ln1.Backward[c1] = append(ln1.Backward[c1], &fb1)
		ln1.Forward[fb.Old] = replace(ln1.Forward[fb.Old], fb, &fb1)
		ln1.Changes[fb.Doc] = replace(ln1.Changes[fb.Doc], fb, &fb1)
	}
	for _, f := range ln.Changes[d] {
		if f.New == c && f.Old == nil {
			f1 := *f
			f1.New = c1
			ln1.Changes[d] = replace(ln1.Changes[d], f, &f1)
		}
	}
	for _, f := range ln.Forward[c] {
		f1 := *f
		f1.Old = c1
		if f.New != nil {
			recompare(&f1)
			ln1.Backward[f.New] = replace(ln1.Backward[f.New], f, &f1)
		}
		ln1.Forward[c1] = append(ln1.Forward[c1], &f1)
		ln1.Changes[f.Doc] = replace(ln1.Changes[f.Doc], f, &f1)
	}
	if fates, ok := ln1.Changes[d]; ok {
		ln1.Changes[d1] = fates
	}
	if by, ok := ln.FollowedBy[d]; ok {
		ln1.FollowedBy[d1] = by
	}
	return ln1
}
