package site

import (
	"strings"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/typo"
)

// index looks up everything that can be linked to, by kind and id.
type index struct {
	p        *Project
	sections map[string]*Section
	docs     map[string]*Document
	clauses  map[string]*Clause // by "DOC/CLAUSE"
	topics   map[string]*Topic
	actors   map[string]*Actor
	sources  map[string]*Source
	targets  map[refID]mdext.Target // every link target, resolved once
}

// refID names a link target.
type refID struct{ kind, id string }

func newIndex(p *Project) *index {
	ix := &index{
		p:        p,
		sections: make(map[string]*Section, len(p.Sections)),
		docs:     make(map[string]*Document, len(p.Documents)),
		clauses:  make(map[string]*Clause),
		topics:   make(map[string]*Topic, len(p.Topics)),
		actors:   make(map[string]*Actor, len(p.Actors)),
		sources:  make(map[string]*Source, len(p.Sources)),
	}
	for _, s := range p.Sections {
		ix.sections[s.Slug] = s
	}
	for _, d := range p.Documents {
		ix.docs[d.ID] = d
		for _, c := range d.Clauses {
			ix.clauses[model.ClauseKey(c)] = c
		}
	}
	for _, t := range p.Topics {
		ix.topics[t.ID] = t
	}
	for _, a := range p.Actors {
		ix.actors[a.ID] = a
	}
	for _, s := range p.Sources {
		ix.sources[s.ID] = s
	}
	ix.targets = make(map[refID]mdext.Target, len(p.Sections)+len(p.Documents)+len(ix.clauses)+len(p.Topics)+len(p.Actors)+len(p.Sources))
	for _, s := range p.Sections {
		ix.targets[refID{"section", s.Slug}] = mdext.Target{URL: model.SectionURL(s), Label: s.Title}
	}
	for _, d := range p.Documents {
		ix.targets[refID{"doc", d.ID}] = mdext.Target{URL: model.DocumentURL(d), Label: d.Title}
	}
	for k, c := range ix.clauses {
		ix.targets[refID{"clause", k}] = mdext.Target{URL: model.ClauseURL(c), Label: model.ClauseLabel(c)}
	}
	for _, t := range p.Topics {
		ix.targets[refID{"topic", t.ID}] = mdext.Target{URL: model.TopicURL(t), Label: t.Name}
	}
	for _, a := range p.Actors {
		ix.targets[refID{"actor", a.ID}] = mdext.Target{URL: model.ActorURL(a), Label: a.Name}
	}
	for _, s := range p.Sources {
		ix.targets[refID{"source", s.ID}] = mdext.Target{URL: model.SourceURL(s), Label: s.Title}
	}
	return ix
}

// file is the input file that defines a link target, or "".
func (ix *index) file(kind, id string) string {
	switch kind {
	case "clause":
		if c := ix.clauses[id]; c != nil {
			return model.ClauseUnit(c)
		}
	case "doc":
		if d := ix.docs[id]; d != nil {
			return model.HeadUnit(d)
		}
	case "section":
		if s := ix.sections[id]; s != nil {
			return s.Pos.File
		}
	case "topic":
		return model.TopicsFile
	case "actor":
		return model.ActorsFile
	case "source":
		return model.SourcesFile
	}
	return ""
}

// Resolve implements mdext.Resolver.
func (ix *index) Resolve(kind, id string) (mdext.Target, bool) {
	t, ok := ix.targets[refID{kind, id}]
	return t, ok
}

// Suggest implements mdext.Suggester: the nearest known id of the kind.
func (ix *index) Suggest(kind, id string) string {
	var known []string
	switch kind {
	case "clause":
		// Suggest within the named document when it exists: the nearest
		// clause of us-28 for "us-28/99", else the nearest document.
		if doc, _, ok := strings.Cut(id, "/"); ok {
			if d, ok := ix.docs[doc]; ok {
				for _, c := range d.Clauses {
					known = append(known, model.ClauseKey(c))
				}
				return typo.Nearest(id, known)
			}
		}
		for k := range ix.clauses {
			known = append(known, k)
		}
	case "doc":
		for k := range ix.docs {
			known = append(known, k)
		}
	case "topic":
		for k := range ix.topics {
			known = append(known, k)
		}
	case "actor":
		for k := range ix.actors {
			known = append(known, k)
		}
	case "section":
		for k := range ix.sections {
			known = append(known, k)
		}
	case "source":
		for k := range ix.sources {
			known = append(known, k)
		}
	}
	return typo.Nearest(id, known)
}
