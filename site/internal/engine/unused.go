package engine

import (
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
)

// warnUnused warns about an explainer with no sections, and about topics,
// actors and sources that are declared and that nothing uses: no section,
// document, clause, position, event or link names them.
func (b *build) warnUnused(errs *model.ErrorList) {
	p := b.p
	if len(p.Sections) == 0 {
		errs.Warn(p.Explainer.Pos, "the explainer has no sections: add a file content/sections/01-SLUG.md for each question it answers")
	}
	used := map[links.ID]bool{}
	for id := range b.ms.Backlinks {
		used[id] = true
	}
	mark := func(kind string, refs ...model.Ref) {
		for _, r := range refs {
			used[links.ID{Kind: kind, ID: r.ID}] = true
		}
	}
	positions := func(ps []*model.Position) {
		for _, ps := range ps {
			mark("actor", ps.Actor)
			mark("source", ps.Sources...)
		}
	}
	for _, s := range p.Sections {
		mark("topic", s.Topics...)
		mark("source", s.Sources...)
	}
	for _, d := range p.Documents {
		mark("actor", d.By...)
		mark("source", d.Sources...)
		for _, pt := range d.Parties {
			mark("actor", pt.Actor)
		}
		positions(d.Positions)
		for _, r := range d.Removes {
			mark("source", r.Sources...)
		}
		for _, c := range d.Clauses {
			mark("topic", c.Topics...)
			mark("source", c.Sources...)
			for _, cl := range c.Claims {
				mark("source", cl.Sources...)
			}
			positions(c.Positions)
		}
	}
	for _, e := range p.Events {
		mark("source", e.Sources...)
	}
	for _, t := range p.Topics {
		if !used[links.ID{Kind: "topic", ID: t.ID}] {
			errs.Warn(t.Pos, "topic %q is declared but nothing is on it: give it to a clause or section, link to it, or remove it", t.ID)
		}
	}
	for _, a := range p.Actors {
		if !used[links.ID{Kind: "actor", ID: a.ID}] {
			errs.Warn(a.Pos, "actor %q is declared but takes no part: name it in a document's by, parties or positions, link to it, or remove it", a.ID)
		}
	}
	for _, s := range p.Sources {
		if !used[links.ID{Kind: "source", ID: s.ID}] {
			errs.Warn(s.Pos, "source %q is declared but nothing cites it: cite it, link to it, or remove it", s.ID)
		}
	}
}
