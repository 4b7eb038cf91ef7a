package lineage

import (
	"fmt"
	"strings"
	"testing"

	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
)

// project returns three documents: a draft, a revision of it that keeps
// one point, rewords another, drops a third and adds a fourth, and a
// reply to the revision that takes up none of its points.
func project() (*model.Project, map[*model.Clause]string) {
	draft := &model.Document{ID: "draft", Date: "2025-11-20"}
	revision := &model.Document{ID: "revision", Date: "2025-11-23", Follows: []model.Ref{{ID: "draft"}}, Relation: "revises"}
	reply := &model.Document{ID: "reply", Date: "2025-11-25", Follows: []model.Ref{{ID: "revision"}}, Relation: "revises"}
	texts := map[*model.Clause]string{}
	clause := func(d *model.Document, id, from, outcome, text string) *model.Clause {
		c := &model.Clause{Doc: d, ID: id, Outcome: outcome}
		if from != "" {
			c.From = []model.Ref{{ID: from}}
		}
		d.Clauses = append(d.Clauses, c)
		texts[c] = text
		return c
	}
	clause(draft, "1", "", "", "The army is capped at 600,000.")
	clause(draft, "2", "", "", "Sanctions are lifted in stages.")
	clause(draft, "3", "", "", "An amnesty for all sides.")
	clause(revision, "1", "draft/1", "kept", "The army is capped at 600,000.")
	clause(revision, "2", "draft/2", "", "Sanctions are lifted at once.")
	clause(revision, "4", "", "", "A fund for rebuilding.")
	revision.Removes = []*model.Removal{{Clause: model.Ref{ID: "draft/3"}}}
	return &model.Project{Documents: []*model.Document{draft, revision, reply}}, texts
}

func TestNew(t *testing.T) {
	p, texts := project()
	ln := New(p, links.NewIndex(p), func(c *model.Clause) string { return texts[c] }, nil, nil)
	draft, revision, reply := p.Documents[0], p.Documents[1], p.Documents[2]

	fates := func(d *model.Document) string {
		var out []string
		for _, f := range ln.Changes[d] {
			old, new := "-", "-"
			if f.Old != nil {
				old = f.Old.ID
			}
			if f.New != nil {
				new = f.New.ID
			}
			out = append(out, fmt.Sprintf("%s>%s %s", old, new, f.Outcome))
		}
		return strings.Join(out, ", ")
	}
	if got, want := fates(revision), "1>1 kept, 2>2 changed, 3>- removed, ->4 new"; got != want {
		t.Errorf("revision's fates: %s, want %s", got, want)
	}
	if got, want := fates(reply), "1>- unknown, 2>- unknown, 4>- unknown"; got != want {
		t.Errorf("reply's fates: %s, want %s", got, want)
	}
	if got := ln.Changes[draft]; got != nil {
		t.Errorf("the draft follows nothing, yet has fates %v", got)
	}
	if got := ln.FollowedBy[draft]; len(got) != 1 || got[0] != revision {
		t.Errorf("draft followed by %v, want the revision", got)
	}

	kept, changed := ln.Backward[revision.Clauses[0]][0], ln.Backward[revision.Clauses[1]][0]
	if kept.HasDiff || kept.Similar != 1 {
		t.Errorf("kept text: HasDiff %t, Similar %v; want false, 1", kept.HasDiff, kept.Similar)
	}
	if !changed.HasDiff || changed.Similar <= 0 || changed.Similar >= 1 || !strings.Contains(string(changed.Diff), "<del") {
		t.Errorf("reworded text: HasDiff %t, Similar %v, Diff %q", changed.HasDiff, changed.Similar, changed.Diff)
	}

	// The history of the reworded point, from any of its versions.
	want := "0 draft/2 first, 1 revision/2 changed, 2 end unknown"
	for _, c := range []*model.Clause{draft.Clauses[1], revision.Clauses[1]} {
		if got := history(t, ln, c); got != want {
			t.Errorf("history of %s/%s: %s, want %s", c.Doc.ID, c.ID, got, want)
		}
	}
}

// history writes the history of c in short.
func history(t *testing.T, ln *Lineage, c *model.Clause) string {
	t.Helper()
	var steps []string
	for _, s := range ln.History(c) {
		again := ""
		if s.Again {
			again = " again"
		}
		switch {
		case s.Fate == nil:
			steps = append(steps, fmt.Sprintf("%d %s/%s first", s.Depth, s.Clause.Doc.ID, s.Clause.ID))
		case s.Clause == nil:
			steps = append(steps, fmt.Sprintf("%d end %s", s.Depth, s.Fate.Outcome))
		default:
			steps = append(steps, fmt.Sprintf("%d %s/%s %s%s", s.Depth, s.Clause.Doc.ID, s.Clause.ID, s.Fate.Outcome, again))
		}
		if s.Current != (s.Clause == c && !s.Again) && !(s.Again && s.Clause == c) {
			t.Errorf("history of %s/%s: step %v marked current %t", c.Doc.ID, c.ID, s, s.Current)
		}
	}
	return strings.Join(steps, ", ")
}

// TestRelations checks the fates of each relation: a reply that answers
// two points at once and splits a third, an agreement that puts one point
// into effect, and a resolution that endorses the plan as a whole.
func TestRelations(t *testing.T) {
	plan := &model.Document{ID: "plan", Date: "2025-09-29"}
	reply := &model.Document{ID: "reply", Date: "2025-10-03", Follows: []model.Ref{{ID: "plan"}}, Relation: "responds"}
	deal := &model.Document{ID: "deal", Date: "2025-10-08/2025-10-09", Follows: []model.Ref{{ID: "plan"}, {ID: "reply"}}, Relation: "implements"}
	resolution := &model.Document{ID: "un", Date: "2025-11", Follows: []model.Ref{{ID: "plan"}}, Relation: "endorses"}
	clause := func(d *model.Document, id, outcome string, from ...string) *model.Clause {
		c := &model.Clause{Doc: d, ID: id, Outcome: outcome}
		for _, f := range from {
			c.From = append(c.From, model.Ref{ID: f})
		}
		d.Clauses = append(d.Clauses, c)
		return c
	}
	for _, id := range []string{"1", "2", "3", "4", "5"} {
		clause(plan, id, "")
	}
	clause(reply, "a", "accepts", "plan/1", "plan/2")
	clause(reply, "b1", "accepts", "plan/3")
	clause(reply, "b2", "rejects", "plan/3")
	clause(reply, "c", "")
	reply.Removes = []*model.Removal{{Clause: model.Ref{ID: "plan/5"}}}
	clause(deal, "x", "", "plan/1")
	clause(deal, "y", "partly", "reply/b1")
	clause(resolution, "op1", "qualifies", "plan/2")
	p := &model.Project{Documents: []*model.Document{plan, reply, deal, resolution}}
	ln := New(p, links.NewIndex(p), func(*model.Clause) string { return "" }, nil, nil)

	fates := func(d *model.Document) string {
		var out []string
		for _, f := range ln.Changes[d] {
			old, new := "-", "-"
			if f.Old != nil {
				old = model.ClauseKey(f.Old)
			}
			if f.New != nil {
				new = f.New.ID
			}
			out = append(out, fmt.Sprintf("%s>%s %s", old, new, f.Outcome))
		}
		return strings.Join(out, ", ")
	}
	for _, tt := range []struct {
		d    *model.Document
		want string
	}{
		{reply, "plan/1>a accepts, plan/2>a accepts, plan/3>b1 accepts, plan/3>b2 rejects, plan/4>- not-addressed, plan/5>- rejects, ->c new"},
		{deal, "plan/1>x implements, plan/2>- not-covered, plan/3>- not-covered, plan/4>- not-covered, plan/5>- not-covered, " +
			"reply/a>- not-covered, reply/b1>y partly, reply/b2>- not-covered, reply/c>- not-covered"},
		{resolution, "plan/1>- endorsed, plan/2>op1 qualifies, plan/3>- endorsed, plan/4>- endorsed, plan/5>- endorsed"},
	} {
		if got := fates(tt.d); got != tt.want {
			t.Errorf("fates in %s:\n got %s\nwant %s", tt.d.ID, got, tt.want)
		}
	}
	if got := ln.Backward[reply.Clauses[0]]; len(got) != 2 {
		t.Errorf("the reply's answer to two points continues %d clauses, want 2", len(got))
	}
	// Point 3 split in two in the reply, and one half was put into effect.
	if got, want := history(t, ln, plan.Clauses[2]), "0 plan/3 first, 1 reply/b1 accepts, 2 deal/y partly, 1 reply/b2 rejects, 2 end not-covered, 1 end not-covered, 1 end endorsed"; got != want {
		t.Errorf("history of a split point:\n got %s\nwant %s", got, want)
	}
	// The reply's answer to points 1 and 2 shows both, and itself once in full.
	if got, want := history(t, ln, reply.Clauses[0]), "0 plan/1 first, 1 reply/a accepts, 2 end not-covered, 1 deal/x implements, 1 end endorsed, 0 plan/2 first, 1 reply/a accepts again, 1 end not-covered, 1 un/op1 qualifies"; got != want {
		t.Errorf("history of an answer to two points:\n got %s\nwant %s", got, want)
	}
}

// TestWithText checks that a lineage with one clause's text replaced
// compares that clause's fates again, and leaves the lineage it came from
// as it was.
func TestWithText(t *testing.T) {
	p, texts := project()
	text := func(c *model.Clause) string { return texts[c] }
	ln := New(p, links.NewIndex(p), text, nil, nil)
	revision := p.Documents[1]
	c := revision.Clauses[0] // kept, word for word
	c1 := *c
	texts[&c1] = "The army is capped at 800,000."
	d1 := *revision
	d1.Clauses = []*model.Clause{&c1, revision.Clauses[1], revision.Clauses[2]}

	ln1 := ln.WithText(c, &c1, revision, &d1, text)
	if f := ln1.Backward[&c1]; len(f) != 1 || !f[0].HasDiff || f[0].New != &c1 {
		t.Fatalf("the edited clause's fate: %+v, want a difference to the new text", f)
	}
	if f := ln.Backward[c][0]; f.HasDiff || f.New != c {
		t.Errorf("the lineage it came from changed: %+v", f)
	}
	if got := len(ln1.Changes[&d1]); got != len(ln.Changes[revision]) {
		t.Errorf("the new document has %d fates, want %d", got, len(ln.Changes[revision]))
	}
}

// TestCurrent checks that a lineage is current for the documents it was
// made of and for no other.
func TestCurrent(t *testing.T) {
	p, texts := project()
	ln := New(p, links.NewIndex(p), func(c *model.Clause) string { return texts[c] }, nil, nil)
	if !ln.Current(p) {
		t.Error("a lineage is not current for its own project")
	}
	q := *p
	q.Documents = p.Documents[:2]
	if ln.Current(&q) {
		t.Error("a lineage is current for a project with a document less")
	}
	var none *Lineage
	if none.Current(p) {
		t.Error("no lineage is current")
	}
}
