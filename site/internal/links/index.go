// Package links is what an explainer's cross-references need: the index
// of everything a link can name (Index, which resolves and suggests for
// site/internal/mdext), every Markdown field converted once with its
// links checked, reusing conversions whose targets did not change
// (Render, Cache), and the backlinks those fields make (Set).
package links

import (
	"strings"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/typo"
)

// Index looks up everything that can be linked to, by kind and id.
type Index struct {
	p        *model.Project
	Sections map[string]*model.Section
	Docs     map[string]*model.Document
	Clauses  map[string]*model.Clause // by "DOC/CLAUSE"
	Topics   map[string]*model.Topic
	Actors   map[string]*model.Actor
	Sources  map[string]*model.Source
	targets  map[ID]mdext.Target // every link target, resolved once
}

// ID names a link target: its kind ("clause", "doc", "section",
// "topic", "actor", "source") and its id.
type ID struct{ Kind, ID string }

func NewIndex(p *model.Project) *Index {
	ix := &Index{
		p:        p,
		Sections: make(map[string]*model.Section, len(p.Sections)),
		Docs:     make(map[string]*model.Document, len(p.Documents)),
		Clauses:  make(map[string]*model.Clause),
		Topics:   make(map[string]*model.Topic, len(p.Topics)),
		Actors:   make(map[string]*model.Actor, len(p.Actors)),
		Sources:  make(map[string]*model.Source, len(p.Sources)),
	}
	for _, s := range p.Sections {
		ix.Sections[s.Slug] = s
	}
	for _, d := range p.Documents {
		ix.Docs[d.ID] = d
		for _, c := range d.Clauses {
			ix.Clauses[model.ClauseKey(c)] = c
		}
	}
	for _, t := range p.Topics {
		ix.Topics[t.ID] = t
	}
	for _, a := range p.Actors {
		ix.Actors[a.ID] = a
	}
	for _, s := range p.Sources {
		ix.Sources[s.ID] = s
	}
	ix.targets = make(map[ID]mdext.Target, len(p.Sections)+len(p.Documents)+len(ix.Clauses)+len(p.Topics)+len(p.Actors)+len(p.Sources))
	for _, s := range p.Sections {
		ix.targets[ID{"section", s.Slug}] = mdext.Target{URL: model.SectionURL(s), Label: s.Title}
	}
	for _, d := range p.Documents {
		ix.targets[ID{"doc", d.ID}] = mdext.Target{URL: model.DocumentURL(d), Label: d.Title}
	}
	for _, d := range p.Documents {
		if ix.HasChanges(d) {
			ix.targets[ID{"changes", d.ID}] = mdext.Target{URL: model.ChangesURL(d), Label: model.ChangesTitle(d, ix.Docs)}
		}
	}
	for k, c := range ix.Clauses {
		ix.targets[ID{"clause", k}] = mdext.Target{URL: model.ClauseURL(c), Label: model.ClauseLabel(c)}
	}
	for _, t := range p.Topics {
		ix.targets[ID{"topic", t.ID}] = mdext.Target{URL: model.TopicURL(t), Label: t.Name}
	}
	for _, a := range p.Actors {
		ix.targets[ID{"actor", a.ID}] = mdext.Target{URL: model.ActorURL(a), Label: a.Name}
	}
	for _, s := range p.Sources {
		label := s.Title
		if s.Cite != "" {
			label = s.Cite
		}
		ix.targets[ID{"source", s.ID}] = mdext.Target{URL: model.SourceURL(s), Label: label, Tag: s.Kind}
	}
	return ix
}

// HasPage implements mdext.Pages: whether the site has a page at path,
// a root-absolute path with or without its final "index.html".
func (ix *Index) HasPage(path string) bool {
	path = strings.TrimSuffix(path, "index.html")
	if !strings.HasSuffix(path, "/") && !strings.HasSuffix(path, ".html") {
		path += "/"
	}
	switch path {
	case "/", "/documents/", "/topics/", "/actors/", "/sources/", "/404.html":
		return true
	case "/timeline/":
		return ix.p.HasTimeline
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "sections":
		return ix.Sections[parts[1]] != nil
	case len(parts) == 2 && parts[0] == "documents":
		return ix.Docs[parts[1]] != nil
	case len(parts) == 3 && parts[0] == "documents" && parts[2] == "changes":
		d := ix.Docs[parts[1]]
		return d != nil && ix.HasChanges(d)
	case len(parts) == 3 && parts[0] == "documents":
		return ix.Clauses[parts[1]+"/"+parts[2]] != nil
	case len(parts) == 2 && parts[0] == "topics":
		return ix.Topics[parts[1]] != nil
	case len(parts) == 2 && parts[0] == "actors":
		return ix.Actors[parts[1]] != nil
	}
	return false
}

// HasChanges reports whether d has a changes page: whether it follows a
// document the project has.
func (ix *Index) HasChanges(d *model.Document) bool {
	for _, r := range d.Follows {
		if ix.Docs[r.ID] != nil {
			return true
		}
	}
	return false
}

// file is the input file that defines a link target, or "".
func (ix *Index) file(kind, id string) string {
	switch kind {
	case "clause":
		if c := ix.Clauses[id]; c != nil {
			return model.ClauseUnit(c)
		}
	case "doc", "changes":
		if d := ix.Docs[id]; d != nil {
			return model.HeadUnit(d)
		}
	case "section":
		if s := ix.Sections[id]; s != nil {
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
func (ix *Index) Resolve(kind, id string) (mdext.Target, bool) {
	t, ok := ix.targets[ID{kind, id}]
	return t, ok
}

// Suggest implements mdext.Suggester: the nearest known id of the kind.
func (ix *Index) Suggest(kind, id string) string {
	var known []string
	switch kind {
	case "clause":
		// Suggest within the named document when it exists: the nearest
		// clause of us-28 for "us-28/99", else the nearest document.
		if doc, _, ok := strings.Cut(id, "/"); ok {
			if d, ok := ix.Docs[doc]; ok {
				for _, c := range d.Clauses {
					known = append(known, model.ClauseKey(c))
				}
				return typo.Nearest(id, known)
			}
		}
		for k := range ix.Clauses {
			known = append(known, k)
		}
	case "doc":
		for k := range ix.Docs {
			known = append(known, k)
		}
	case "changes":
		for k, d := range ix.Docs {
			if ix.HasChanges(d) {
				known = append(known, k)
			}
		}
	case "topic":
		for k := range ix.Topics {
			known = append(known, k)
		}
	case "actor":
		for k := range ix.Actors {
			known = append(known, k)
		}
	case "section":
		for k := range ix.Sections {
			known = append(known, k)
		}
	case "source":
		for k := range ix.Sources {
			known = append(known, k)
		}
	}
	return typo.Nearest(id, known)
}
