package model

// This file checks what needs the whole project: ids and slugs (valid and
// unique), references to topics, actors, sources and documents, how a
// document follows another, and the warnings about missing sources.

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/typo"
)

// The values each enumerated field allows.
var (
	availabilities = []string{"full", "partial", "reported"}
	wordings       = []string{"quoted", "paraphrased"}
	roles          = []string{"mediator", "guarantor", "signatory", "endorser", "observer"}
	stances        = []string{"proposes", "supports", "accepts", "mixed", "opposes", "rejects"}
	confidences    = []string{"high", "medium", "low"}
	actorKinds     = []string{"state", "coalition", "organisation", "person"}
)

// IDProblem says what is wrong with id ("" if nothing: see ValidID),
// as the rest of a message that starts "invalid id", "invalid slug"...
func IDProblem(id string) string {
	switch {
	case len(id) > MaxIDLength:
		short := []rune(id[:4*24])[:24] // 24 characters take at most 96 bytes: not the whole id
		return fmt.Sprintf("%q… is %d bytes long: make it %d or fewer (it names a folder of the site)", string(short), len(id), MaxIDLength)
	case windowsDevice(id):
		return fmt.Sprintf("%q: Windows keeps the name for a device, and a folder of the site cannot have it", id)
	case !ValidID(id):
		return fmt.Sprintf("%q: use lower-case letters, digits and hyphens", id)
	}
	return ""
}

// windowsDevice reports whether id is a name Windows keeps for a device,
// which no file or folder may have there.
func windowsDevice(id string) bool {
	switch id {
	case "con", "prn", "aux", "nul":
		return true
	}
	return len(id) == 4 && (strings.HasPrefix(id, "com") || strings.HasPrefix(id, "lpt")) && id[3] >= '1' && id[3] <= '9'
}

// MaxIDLength is the most bytes an id or slug may have, characters too
// since a valid one is ASCII: it names a
// folder of the site, and every file system takes a name this long,
// with room for the path above it.
const MaxIDLength = 100

// ValidID reports whether id may name a page: lower-case letters and
// digits in runs joined by single hyphens, as ^[a-z0-9]+(-[a-z0-9]+)*$
// says, at most MaxIDLength long, and not a name Windows keeps for a
// device (con, nul, com1...). Such an id is one safe path segment on any
// system: it cannot climb out of the output directory, hide a file or
// need escaping in a URL.
func ValidID(id string) bool {
	if id == "" || len(id) > MaxIDLength || windowsDevice(id) || id[0] == '-' || id[len(id)-1] == '-' || strings.Contains(id, "--") {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// refIDs returns the ids of refs.
func refIDs(refs []Ref) []string {
	var ids []string
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	return ids
}

// didYouMean returns the " (did you mean ...?)" suffix for an unknown id,
// or "" when no known id is close.
func didYouMean(id string, known []string) string {
	if s := typo.Nearest(id, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	return ""
}

// An idSet is the ids of one kind declared so far, with where each was
// declared.
type idSet struct {
	kind  string // "topic", "clause", "section"
	word  string // what the key is called: "id" or "slug"
	first map[string]Pos
	ids   []string          // in declaration order, for suggestions
	hints map[string]string // suggestions made so far, by unknown id
	errs  *ErrorList
}

// newIDSet returns an empty set of ids of kind, called word ("id").
func (l *loader) newIDSet(kind, word string) *idSet {
	return &idSet{kind: kind, word: word, first: map[string]Pos{}, hints: map[string]string{}, errs: &l.errs}
}

// declare adds id, written at pos, reporting an invalid or repeated id.
// A missing id is reported where it is decoded, not here.
func (s *idSet) declare(id string, pos Pos) {
	if id == "" {
		return
	}
	if first, dup := s.first[id]; dup {
		s.errs.Add(pos, "duplicate %s %s %q (first defined at %s)", s.kind, s.word, id, first)
		return
	}
	if why := IDProblem(id); why != "" {
		s.errs.Add(pos, "invalid %s %s", s.word, why)
	}
	s.first[id] = pos
	s.ids = append(s.ids, id)
}

// has reports whether id is declared.
func (s *idSet) has(id string) bool {
	_, ok := s.first[id]
	return ok
}

// check reports each of refs that names no declared id.
func (s *idSet) check(refs ...Ref) {
	for _, r := range refs {
		if r.ID == "" || s.has(r.ID) {
			continue
		}
		hint, ok := s.hints[r.ID]
		if !ok {
			// The same typo tends to recur; look it up once.
			hint = didYouMean(r.ID, s.ids)
			s.hints[r.ID] = hint
		}
		s.errs.Add(r.Pos, "unknown %s %q%s", s.kind, r.ID, hint)
	}
}

// validate checks the project as a whole once everything is read, in file
// order, so that a duplicate is reported at its second place.
func (l *loader) validate() {
	p := l.p
	topics := l.newIDSet("topic", "id")
	for _, t := range p.Topics {
		topics.declare(t.ID, l.idPos[t])
	}
	actors := l.newIDSet("actor", "id")
	for _, a := range p.Actors {
		actors.declare(a.ID, l.idPos[a])
	}
	sources := l.newIDSet("source", "id")
	for _, s := range p.Sources {
		sources.declare(s.ID, l.idPos[s])
	}
	sections := l.newIDSet("section", "slug")
	for _, s := range p.Sections {
		if s.Slug == "" {
			l.errs.Add(l.idPos[s], "invalid slug %q: use lower-case letters, digits and hyphens", s.Slug)
		}
		sections.declare(s.Slug, l.idPos[s])
		topics.check(s.Topics...)
		sources.check(s.Sources...)
	}

	metrics := map[string]bool{} // topics that have a metric
	for _, t := range p.Topics {
		if t.Metric != nil {
			metrics[t.ID] = true
		}
	}

	docs := l.newIDSet("document", "id")
	byID := map[string]*Document{}
	clauses := map[*Document]*idSet{}
	for _, d := range p.Documents {
		docs.declare(d.ID, l.idPos[d])
		if _, dup := byID[d.ID]; !dup && d.ID != "" {
			byID[d.ID] = d
		}
		actors.check(d.By...)
		sources.check(d.Sources...)
		for _, pt := range d.Parties {
			actors.check(pt.Actor)
		}
		for _, pos := range d.Positions {
			actors.check(pos.Actor)
			sources.check(pos.Sources...)
		}
		ids := l.newIDSet("clause", "id")
		clauses[d] = ids
		for _, c := range d.Clauses {
			if c.ID == "changes" {
				l.errs.Add(l.idPos[c], "clause id %q is reserved", c.ID)
			}
			ids.declare(c.ID, l.idPos[c])
			topics.check(c.Topics...)
			sources.check(c.Sources...)
			for _, cl := range c.Claims {
				sources.check(cl.Sources...)
			}
			for _, pos := range c.Positions {
				actors.check(pos.Actor)
				sources.check(pos.Sources...)
			}
			l.checkFigure(c, metrics)
		}
		for _, r := range d.Removes {
			sources.check(r.Sources...)
		}
	}
	for _, d := range p.Documents {
		l.checkFollows(d, byID, docs, clauses)
		l.checkParents(d, clauses[d])
	}
	l.checkCycles(p.Documents, byID)

	for _, e := range p.Events {
		sources.check(e.Sources...)
		if len(e.Sources) == 0 {
			l.errs.Warn(e.Pos, "event %q cites no source", e.Title)
		}
	}
}

// checkBody warns about a section with nothing under its question.
func (l *loader) checkBody(s *Section) {
	if strings.TrimSpace(s.Body.Text) == "" {
		l.errs.Warn(s.Pos, "section %q has no body", s.Slug)
	}
}

// citesSource reports whether c, or one of the claims about it, cites a
// source.
// warnUnsourced warns about what a document says without citing a
// source: its clauses, their positions and its removals. It looks at the
// document alone, so the warnings are made once per version of its file.
func warnUnsourced(d *Document, errs *ErrorList) {
	warnPositions(d, d.Positions, errs)
	for _, c := range d.Clauses {
		warnPositions(d, c.Positions, errs)
		if !citesSource(c) {
			errs.Warn(c.Pos, "clause %q cites no source", c.ID)
		}
	}
	for _, r := range d.Removes {
		if len(r.Sources) == 0 {
			errs.Warn(r.Pos, "removal of %q cites no source", r.Clause.ID)
		}
	}
}

// warnPositions warns about positions on d or its clauses that cite no
// source, have no date, or are dated before d.
func warnPositions(d *Document, ps []*Position, errs *ErrorList) {
	for _, pos := range ps {
		if len(pos.Sources) == 0 {
			errs.Warn(pos.Pos, "position of %q cites no source", pos.Actor.ID)
		}
		switch {
		case pos.AsOf == "":
			errs.Warn(pos.Pos, "position of %q has no as_of date: say when it was taken", pos.Actor.ID)
		case d.Date != "" && dates.Check(pos.AsOf) == "" && dates.Check(d.Date) == "" && dates.LastDay(pos.AsOf) < dates.FirstDay(d.Date):
			errs.Warn(pos.Pos, "position of %q is dated %s, before its document (%s)", pos.Actor.ID, pos.AsOf, d.Date)
		}
	}
}

func citesSource(c *Clause) bool {
	if len(c.Sources) > 0 {
		return true
	}
	for _, cl := range c.Claims {
		if len(cl.Sources) > 0 {
			return true
		}
	}
	return false
}

// checkFigure warns about a figure that no chart can show, because none of
// the clause's topics has a metric (metrics holds the topics that have
// one).
func (l *loader) checkFigure(c *Clause, metrics map[string]bool) {
	at := l.figurePos[c]
	var charted []string // c's topics that have a metric
	for _, r := range c.Topics {
		if metrics[r.ID] && !slices.Contains(charted, r.ID) {
			charted = append(charted, r.ID)
		}
	}
	if c.Figures != nil {
		if c.Figure != nil {
			l.errs.Add(at, "clause %q gives both figure and figures: keep figures", c.ID)
		}
		for _, t := range slices.Sorted(maps.Keys(c.Figures)) {
			if !metrics[t] {
				l.errs.Warn(at, "figures: topic %q has no metric, so no chart shows this figure", t)
			}
		}
		return
	}
	switch {
	case c.Figure == nil:
	case len(charted) == 0:
		l.errs.Warn(at, "clause %q has a figure but none of its topics has a metric", c.ID)
	case len(charted) > 1:
		l.errs.Add(at, "clause %q is on %s, which each have a metric: give figures: {%s: …} to say which the figure is for",
			c.ID, quotedAnd(charted), strings.Join(charted, ": …, "))
	}
}

// quotedAnd quotes words and joins them as "a", "b" and "c".
func quotedAnd(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = fmt.Sprintf("%q", w)
	}
	return andList(q)
}

// checkFollows checks what d follows, and that its clauses' from and its
// removals name clauses of those documents.
func (l *loader) checkFollows(d *Document, byID map[string]*Document, docs *idSet, clauses map[*Document]*idSet) {
	followed := map[string]*Document{} // by id; nil for one that is broken, which is reported
	var names []string
	for _, f := range d.Follows {
		switch _, dup := followed[f.ID]; {
		case f.ID == d.ID:
			l.errs.Add(f.Pos, "document %q follows itself", d.ID)
		case dup:
			l.errs.Add(f.Pos, "document %q is followed twice", f.ID)
		case !docs.has(f.ID):
			docs.check(f)
			followed[f.ID] = nil
		default:
			followed[f.ID] = byID[f.ID]
			names = append(names, fmt.Sprintf("%q", f.ID))
			if g := byID[f.ID]; g.Date != "" && d.Date != "" && dates.LastDay(d.Date) < dates.FirstDay(g.Date) {
				l.errs.Warn(f.Pos, "document %q is dated %s, before %q, which it follows (%s)", d.ID, d.Date, g.ID, g.Date)
			}
		}
	}
	// target checks that ref, the value of key, names a clause of a
	// followed document, and returns the clause's key.
	target := func(key string, ref Ref) (string, bool) {
		doc, clause, ok := strings.Cut(ref.ID, "/")
		g, isFollowed := followed[doc]
		switch {
		case len(d.Follows) == 0:
			l.errs.Add(ref.Pos, "%s needs the document to follow another", key)
		case !ok || doc == "" || clause == "" || strings.Contains(clause, "/"):
			l.errs.Add(ref.Pos, "invalid %s %q: use DOC/CLAUSE", key, ref.ID)
		case !isFollowed && len(names) == 1:
			l.errs.Add(ref.Pos, "%s %q is not in the followed document %s", key, ref.ID, names[0])
		case !isFollowed:
			l.errs.Add(ref.Pos, "%s %q is not in any followed document (%s)", key, ref.ID, orList(names))
		case g == nil:
			// The follows is broken, which is reported.
		case !clauses[g].has(clause):
			l.errs.Add(ref.Pos, "%s %q: unknown clause %q in %q%s", key, ref.ID, clause, doc, didYouMean(clause, clauses[g].ids))
		default:
			return ref.ID, true
		}
		return "", false
	}
	continued := map[string]*Clause{}
	for _, c := range d.Clauses {
		seen := map[string]bool{}
		for _, from := range c.From {
			key, ok := target("from", from)
			switch {
			case !ok:
			case seen[key]:
				l.errs.Add(from.Pos, "%q is listed twice in from", from.ID)
			default:
				seen[key] = true
				if _, first := continued[key]; !first {
					continued[key] = c
				}
			}
		}
	}
	removed := map[string]Pos{}
	for _, r := range d.Removes {
		if r.Clause.ID == "" {
			continue
		}
		if RemovalOutcome(d.Relation) == "" {
			l.errs.Add(r.Pos, "a document that %s cannot remove points: leave %q out (a point it does not take up is shown as %s)", d.Relation, "removes", strings.ReplaceAll(Unmatched(d.Relation), "-", " "))
			continue
		}
		key, ok := target("removes", r.Clause)
		if !ok {
			continue
		}
		if first, dup := removed[key]; dup {
			l.errs.Add(r.Clause.Pos, "%q is removed twice (first at %s)", r.Clause.ID, first)
			continue
		}
		removed[key] = r.Clause.Pos
		if c := continued[key]; c != nil {
			l.errs.Add(r.Clause.Pos, "%q is both removed and continued by clause %q", r.Clause.ID, c.ID)
		}
	}
}

// checkParents checks that each sub-point of d names a clause of d as its
// parent, and that no clause is, through its parents, under itself.
func (l *loader) checkParents(d *Document, ids *idSet) {
	byID := map[string]*Clause{}
	for _, c := range d.Clauses {
		if _, dup := byID[c.ID]; !dup {
			byID[c.ID] = c
		}
	}
	for _, c := range d.Clauses {
		switch p := c.Parent; {
		case p.ID == "":
		case p.ID == c.ID:
			l.errs.Add(p.Pos, "clause %q cannot be its own parent", c.ID)
		case byID[p.ID] == nil:
			l.errs.Add(p.Pos, "unknown parent %q: not a clause of %q%s", p.ID, d.ID, didYouMean(p.ID, ids.ids))
		}
	}
	reported := map[*Clause]bool{}
	for _, c := range d.Clauses {
		var chain []*Clause
		for at := c; at != nil && at.Parent.ID != "" && at.Parent.ID != at.ID; at = byID[at.Parent.ID] {
			if i := slices.Index(chain, at); i >= 0 {
				cycle := chain[i:]
				if !reported[cycle[0]] {
					var names []string
					for _, x := range append(cycle, cycle[0]) {
						names = append(names, fmt.Sprintf("%q", x.ID))
						reported[x] = true
					}
					l.errs.Add(cycle[0].Parent.Pos, "parent makes a cycle: %s", strings.Join(names, " is under "))
				}
				break
			}
			chain = append(chain, at)
		}
	}
}

// checkCycles reports documents that follow each other round in a
// circle, once per circle, at the follows of its first document in file
// order. A document that follows itself is reported by checkFollows.
func (l *loader) checkCycles(docs []*Document, byID map[string]*Document) {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[*Document]int{}
	var path []*Document
	var visit func(d *Document)
	visit = func(d *Document) {
		state[d] = onPath
		path = append(path, d)
		for _, f := range d.Follows {
			next := byID[f.ID]
			switch {
			case next == nil || next == d:
			case state[next] == unseen:
				visit(next)
			case state[next] == onPath:
				i := slices.Index(path, next)
				cycle := path[i:]
				first := 0
				for j, c := range cycle {
					if c.Pos.File < cycle[first].Pos.File {
						first = j
					}
				}
				var names []string
				for j := range len(cycle) + 1 {
					names = append(names, fmt.Sprintf("%q", cycle[(first+j)%len(cycle)].ID))
				}
				// Reported at the follows of the cycle's first document
				// that names the next one.
				from, to := cycle[first], cycle[(first+1)%len(cycle)]
				at := from.Pos
				for _, g := range from.Follows {
					if g.ID == to.ID {
						at = g.Pos
						break
					}
				}
				l.errs.Add(at, "follows makes a cycle: %s", strings.Join(names, " follows "))
			}
		}
		path = path[:len(path)-1]
		state[d] = done
	}
	for _, d := range docs {
		if state[d] == unseen {
			visit(d)
		}
	}
}
