package engine

import (
	"slices"

	"github.com/explainer/explainer/site/internal/model"
)

// This file nests sub-points under their clauses: a clause with a parent
// is shown under it on document, changes and topic pages.

// outlineItem is one clause of a document in outline order.
type outlineItem struct {
	Clause *model.Clause
	Depth  int // 0 for a clause, 1 for its sub-points, and so on
}

// outline returns the clauses of d with each sub-point right after its
// parent and the sub-points before it, siblings in the document's order.
// A clause whose parent is unknown or part of a cycle, which is reported,
// stands at the top.
func outline(d *model.Document) []outlineItem {
	children := map[string][]*model.Clause{}
	byID := map[string]*model.Clause{}
	for _, c := range d.Clauses {
		byID[c.ID] = c
	}
	var roots []*model.Clause
	for _, c := range d.Clauses {
		if p := byID[c.Parent.ID]; p != nil && p != c && depth(c) >= 0 {
			children[p.ID] = append(children[p.ID], c)
		} else {
			roots = append(roots, c)
		}
	}
	out := make([]outlineItem, 0, len(d.Clauses))
	var add func(c *model.Clause, depth int)
	add = func(c *model.Clause, depth int) {
		out = append(out, outlineItem{c, depth})
		for _, k := range children[c.ID] {
			add(k, depth+1)
		}
	}
	for _, c := range roots {
		add(c, 0)
	}
	return out
}

// depth is how many parents c has above it, -1 when its parents make a
// cycle.
func depth(c *model.Clause) int {
	n := 0
	for at := c; at.Parent.ID != ""; n++ {
		at = clauseIn(at.Doc, at.Parent.ID)
		if at == nil {
			return n
		}
		if at == c || n > len(c.Doc.Clauses) {
			return -1
		}
	}
	return n
}

// parentOf returns the clause c is a sub-point of, or nil.
func parentOf(c *model.Clause) *model.Clause {
	if c.Parent.ID == "" || c.Parent.ID == c.ID {
		return nil
	}
	return clauseIn(c.Doc, c.Parent.ID)
}

// subpoints returns the clauses whose parent is c, in order.
func subpoints(c *model.Clause) []*model.Clause {
	var out []*model.Clause
	for _, k := range c.Doc.Clauses {
		if k.Parent.ID == c.ID && k != c {
			out = append(out, k)
		}
	}
	return out
}

// prevClause and nextClause return the clause before and after c in its
// document's outline, or nil.
func prevClause(c *model.Clause) *model.Clause { return outlineStep(c, -1) }
func nextClause(c *model.Clause) *model.Clause { return outlineStep(c, 1) }

func outlineStep(c *model.Clause, step int) *model.Clause {
	// Without sub-points, the outline is the document's order: no need to
	// make it for each of the document's clause pages.
	if !slices.ContainsFunc(c.Doc.Clauses, func(k *model.Clause) bool { return k.Parent.ID != "" }) {
		i := slices.Index(c.Doc.Clauses, c)
		if i < 0 || i+step < 0 || i+step >= len(c.Doc.Clauses) {
			return nil
		}
		return c.Doc.Clauses[i+step]
	}
	o := outline(c.Doc)
	for i, it := range o {
		if it.Clause == c && i+step >= 0 && i+step < len(o) {
			return o[i+step].Clause
		}
	}
	return nil
}

// clauseIn returns the clause id of d, or nil.
func clauseIn(d *model.Document, id string) *model.Clause {
	for _, c := range d.Clauses {
		if c.ID == id {
			return c
		}
	}
	return nil
}
