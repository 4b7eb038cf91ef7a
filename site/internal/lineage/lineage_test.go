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
	revision := &model.Document{ID: "revision", Date: "2025-11-23", Follows: model.Ref{ID: "draft"}}
	reply := &model.Document{ID: "reply", Date: "2025-11-25", Follows: model.Ref{ID: "revision"}}
	texts := map[*model.Clause]string{}
	clause := func(d *model.Document, id, from, outcome, text string) *model.Clause {
		c := &model.Clause{Doc: d, ID: id, From: model.Ref{ID: from}, Outcome: outcome}
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

	kept, changed := ln.Backward[revision.Clauses[0]], ln.Backward[revision.Clauses[1]]
	if kept.HasDiff || kept.Similar != 1 {
		t.Errorf("kept text: HasDiff %t, Similar %v; want false, 1", kept.HasDiff, kept.Similar)
	}
	if !changed.HasDiff || changed.Similar <= 0 || changed.Similar >= 1 || !strings.Contains(string(changed.Diff), "<del") {
		t.Errorf("reworded text: HasDiff %t, Similar %v, Diff %q", changed.HasDiff, changed.Similar, changed.Diff)
	}

	// The history of the reworded point, from any of its versions.
	want := "0 draft/2 first, 1 revision/2 changed, 2 end unknown"
	for _, c := range []*model.Clause{draft.Clauses[1], revision.Clauses[1]} {
		var steps []string
		for _, s := range ln.History(c) {
			switch {
			case s.Fate == nil:
				steps = append(steps, fmt.Sprintf("%d %s/%s first", s.Depth, s.Clause.Doc.ID, s.Clause.ID))
			case s.Clause == nil:
				steps = append(steps, fmt.Sprintf("%d end %s", s.Depth, s.Fate.Outcome))
			default:
				steps = append(steps, fmt.Sprintf("%d %s/%s %s", s.Depth, s.Clause.Doc.ID, s.Clause.ID, s.Fate.Outcome))
			}
			if s.Current != (s.Clause == c) {
				t.Errorf("history of %s/%s: step %v marked current %t", c.Doc.ID, c.ID, s, s.Current)
			}
		}
		if got := strings.Join(steps, ", "); got != want {
			t.Errorf("history of %s/%s: %s, want %s", c.Doc.ID, c.ID, got, want)
		}
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
	if f := ln1.Backward[&c1]; f == nil || !f.HasDiff || f.New != &c1 {
		t.Fatalf("the edited clause's fate: %+v, want a difference to the new text", f)
	}
	if f := ln.Backward[c]; f.HasDiff || f.New != c {
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
