package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string]string
		want  []string
	}{{
		name: "unknown references",
		edits: map[string]string{
			"content/sections/02-whats-next.md": "---\ntitle: What's next?\ntopics: [teritory, zzz]\nsources: [axois]\n---\nMore.\n",
			"content/documents/a.yaml": `id: a
title: A
date: 2025-11-20
by: [russia]
sources: [axios]
clauses:
  - id: x
    title: X
    topics: [army]
    sources: [axios]
    claims:
      - {text: Said, sources: [ft]}
    positions:
      - {actor: ukrain, stance: opposes, sources: [axios]}
`,
			"content/timeline.yaml": "- {date: 2025-11-20, title: Leak, sources: [axioss]}\n",
		},
		want: []string{
			`content/documents/a.yaml:4:6: unknown actor "russia"`,
			`content/documents/a.yaml:9:14: unknown topic "army"`,
			`content/documents/a.yaml:12:32: unknown source "ft"`,
			`content/documents/a.yaml:14:9: warning: position of "ukrain" has no as_of date: say when it was taken`,
			`content/documents/a.yaml:14:17: unknown actor "ukrain" (did you mean "ukraine"?)`,
			`content/sections/02-whats-next.md:3:10: unknown topic "teritory" (did you mean "territory"?)`,
			`content/sections/02-whats-next.md:3:20: unknown topic "zzz"`,
			`content/sections/02-whats-next.md:4:11: unknown source "axois" (did you mean "axios"?)`,
			`content/timeline.yaml:1:45: unknown source "axioss" (did you mean "axios"?)`,
		},
	}, {
		name: "duplicate ids",
		edits: map[string]string{
			"content/topics.yaml":               "- id: territory\n  name: Territory\n- id: army-size\n  name: Army\n  metric: {name: Cap}\n- name: Land\n  id: territory\n",
			"content/documents/zz-copy.yaml":    "id: us-28\ntitle: Copy\ndate: 2025-11-20\nclauses:\n  - {id: a, title: A, sources: [axios]}\n  - {id: a, title: B, sources: [axios]}\n",
			"content/actors.yaml":               "- {id: us, name: US}\n- {id: ukraine, name: Ukraine}\n- {id: us, name: USA}\n",
			"content/sources.yaml":              "- {id: axios, title: A}\n- {id: axios, title: B}\n",
			"content/sections/03-first-plan.md": "---\ntitle: Again?\n---\nBody.\n",
		},
		want: []string{
			`content/actors.yaml:3:8: duplicate actor id "us" (first defined at content/actors.yaml:1:8)`,
			`content/documents/zz-copy.yaml:1:5: duplicate document id "us-28" (first defined at content/documents/us-28.yaml:1:5)`,
			`content/documents/zz-copy.yaml:6:10: duplicate clause id "a" (first defined at content/documents/zz-copy.yaml:5:10)`,
			`content/sections/03-first-plan.md:1:1: duplicate section slug "first-plan" (first defined at content/sections/01-first-plan.md:1:1)`,
			`content/sources.yaml:2:8: duplicate source id "axios" (first defined at content/sources.yaml:1:8)`,
			`content/topics.yaml:7:7: duplicate topic id "territory" (first defined at content/topics.yaml:1:7)`,
		},
	}, {
		name: "invalid and reserved ids",
		edits: map[string]string{
			"content/documents/a.yaml":        "id: Us 28\ntitle: A\ndate: 2025-11-20\nclauses:\n  - {id: changes, title: C, sources: [axios]}\n  - {id: ../x, title: D, sources: [axios]}\n  - {id: -a, title: E, sources: [axios]}\n",
			"content/topics.yaml":             "- {id: territory, name: T}\n- {id: army-size, name: A, metric: {name: Cap}}\n- {id: a--b, name: B}\n",
			"content/sections/03-Bad Name.md": "---\ntitle: Bad?\n---\nBody.\n",
			"content/sections/04-ok.md":       "---\ntitle: Slug?\nslug: good/../bad\n---\nBody.\n",
			"content/sections/05-.md":         "---\ntitle: Nothing?\n---\nBody.\n",
		},
		want: []string{
			`content/documents/a.yaml:1:5: invalid id "Us 28": use lower-case letters, digits and hyphens`,
			`content/documents/a.yaml:5:10: clause id "changes" is reserved`,
			`content/documents/a.yaml:6:10: invalid id "../x": use lower-case letters, digits and hyphens`,
			`content/documents/a.yaml:7:10: invalid id "-a": use lower-case letters, digits and hyphens`,
			`content/sections/03-Bad Name.md:1:1: invalid slug "Bad Name": use lower-case letters, digits and hyphens`,
			`content/sections/04-ok.md:3:7: invalid slug "good/../bad": use lower-case letters, digits and hyphens`,
			`content/sections/05-.md:1:1: invalid slug "": use lower-case letters, digits and hyphens`,
			`content/topics.yaml:3:8: invalid id "a--b": use lower-case letters, digits and hyphens`,
		},
	}, {
		name: "bad from",
		edits: map[string]string{
			"content/documents/geneva-19.yaml": `id: geneva-19
title: Geneva
date: 2025-11-23
follows: us-28
clauses:
  - {id: a, title: A, from: us-28/99, sources: [axios]}
  - {id: b, title: B, from: x/1, sources: [axios]}
  - {id: c, title: C, from: us-28, sources: [axios]}
  - {id: d, title: D, from: us-28/2, sources: [axios]}
`,
			"content/documents/z.yaml": "id: z\ntitle: Z\ndate: 2025-11-24\nclauses:\n  - {id: a, title: A, from: us-28/6, outcome: kept, sources: [axios]}\n",
		},
		want: []string{
			`content/documents/geneva-19.yaml:6:29: from "us-28/99": unknown clause "99" in "us-28"`,
			`content/documents/geneva-19.yaml:7:29: from "x/1" is not in the followed document "us-28"`,
			`content/documents/geneva-19.yaml:8:29: invalid from "us-28": use DOC/CLAUSE`,
			`content/documents/geneva-19.yaml:9:29: from "us-28/2": unknown clause "2" in "us-28" (did you mean "21"?)`,
			`content/documents/z.yaml:5:29: from needs the document to follow another`,
		},
	}, {
		name: "bad removes",
		edits: map[string]string{
			"content/documents/geneva-19.yaml": `id: geneva-19
title: Geneva
date: 2025-11-23
follows: us-28
removes:
  - {clause: us-28/6, sources: [axios]}
  - {clause: us-28/7, sources: [axios]}
  - {clause: eu/1, sources: [axios]}
  - {clause: us-28/6, sources: [axios]}
  - {clause: us-28/21}
clauses:
  - {id: a, title: A, from: us-28/6, sources: [axios]}
`,
			"content/documents/z.yaml": "id: z\ntitle: Z\ndate: 2025-11-24\nremoves:\n  - {clause: us-28/6, sources: [axios]}\n",
		},
		want: []string{
			`content/documents/geneva-19.yaml:6:14: "us-28/6" is both removed and continued by clause "a"`,
			`content/documents/geneva-19.yaml:7:14: removes "us-28/7": unknown clause "7" in "us-28"`,
			`content/documents/geneva-19.yaml:8:14: removes "eu/1" is not in the followed document "us-28"`,
			`content/documents/geneva-19.yaml:9:14: "us-28/6" is removed twice (first at content/documents/geneva-19.yaml:6:14)`,
			`content/documents/geneva-19.yaml:10:5: warning: removal of "us-28/21" cites no source`,
			`content/documents/z.yaml:5:14: removes needs the document to follow another`,
		},
	}, {
		name: "follows",
		edits: map[string]string{
			"content/documents/a.yaml": "id: a\ntitle: A\ndate: 2025-11-20\nfollows: c\n",
			"content/documents/b.yaml": "id: b\ntitle: B\ndate: 2025-11-21\nfollows: a\n",
			"content/documents/c.yaml": "id: c\ntitle: C\ndate: 2025-11-22\nfollows: b\n",
			"content/documents/d.yaml": "id: d\ntitle: D\ndate: 2025-11-22\nfollows: d\n",
			"content/documents/e.yaml": "id: e\ntitle: E\ndate: 2025-11-22\nfollows: us-82\n",
			"content/documents/f.yaml": "id: f\ntitle: F\ndate: 2025-11-22\nfollows: c\n",
		},
		want: []string{
			`content/documents/a.yaml:4:10: warning: document "a" is dated 2025-11-20, before "c", which it follows (2025-11-22)`,
			`content/documents/a.yaml:4:10: follows makes a cycle: "a" follows "c" follows "b" follows "a"`,
			`content/documents/d.yaml:4:10: document "d" follows itself`,
			`content/documents/e.yaml:4:10: unknown document "us-82" (did you mean "us-28"?)`,
		},
	}, {
		name: "warnings",
		edits: map[string]string{
			"content/sections/02-whats-next.md": "---\ntitle: What's next?\n---\n\n",
			"content/documents/a.yaml": `id: a
title: A
date: 2025-11-20
clauses:
  - id: x
    title: X
    topics: [territory]
    figure: 3
    positions:
      - {actor: us, stance: proposes}
  - id: "y"
    title: "Y"
    claims:
      - {text: Said, sources: [axios]}
`,
			"content/timeline.yaml": "- {date: 2025-11-20, title: Leak}\n",
		},
		want: []string{
			`content/documents/a.yaml:5:5: warning: clause "x" cites no source`,
			`content/documents/a.yaml:8:13: warning: clause "x" has a figure but none of its topics has a metric`,
			`content/documents/a.yaml:10:9: warning: position of "us" cites no source`,
			`content/documents/a.yaml:10:9: warning: position of "us" has no as_of date: say when it was taken`,
			`content/sections/02-whats-next.md:1:1: warning: section "whats-next" has no body`,
			`content/timeline.yaml:1:3: warning: event "Leak" cites no source`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, errs := load(project(tt.edits), Options{})
			if diff := cmp.Diff(tt.want, messages(errs)); diff != "" {
				t.Errorf("load(%s) errors mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"us-28", true},
		{"6", true},
		{"a1-b2-c3", true},
		{"", false},
		{"Us-28", false},
		{"us 28", false},
		{"-us", false},
		{"us-", false},
		{"us--28", false},
		{"..", false},
		{"a/b", false},
		{"a.b", false},
		{"a_b", false},
		{"é", false},
		{"/abs", false},
		{"a\\b", false},
		{"C:x", false},
		{"c:x", false},
		{".", false},
		{"name.", false},
		{"name ", false},
		{"a\x00b", false},
		{"../../etc", false},
		{"a/../../b", false},
		{"con", false},
		{"nul", false},
		{"aux", false},
		{"prn", false},
		{"com1", false},
		{"lpt9", false},
		{"console", true},
		{"com10", true},
		{"nul-1", true},
		{strings.Repeat("a", 100), true},
		{strings.Repeat("a", 101), false},
	}
	for _, tt := range tests {
		if got := ValidID(tt.id); got != tt.want {
			t.Errorf("ValidID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}

// TestOverSize: a size over a limit never reads as the limit itself.
func TestOverSize(t *testing.T) {
	for _, tt := range []struct {
		n, limit int64
		want     string
	}{
		{1<<20 + 1, 1 << 20, "1048577 bytes"},
		{128<<10 + 1, 128 << 10, "131073 bytes"},
		{100 << 20, 1 << 20, "100 MiB"},
		{2 << 30, 1 << 20, "2.0 GiB"},
		{158 << 10, 128 << 10, "158 KiB"},
	} {
		if got := overSize(tt.n, tt.limit); got != tt.want {
			t.Errorf("overSize(%d, %d) = %q, want %q", tt.n, tt.limit, got, tt.want)
		}
	}
}
