package model

import (
	"fmt"
	"hash/maphash"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/google/go-cmp/cmp"
)

// load is Load without a cache, as a first build loads.
func load(src fs.FS, opts Options) (*Project, ErrorList) {
	p, errs, _ := Load(src, opts, maphash.MakeSeed(), nil, nil, false)
	return p, errs
}

// project returns a small valid project, with files replaced or added
// by edits; an edit to "" deletes the file.
func project(edits map[string]string) fstest.MapFS {
	files := map[string]string{
		"content/_index.md": `---
title: The peace plan explained
published: 2025-11-20
base_url: https://example.org/plan/
---
The lede.
`,
		"content/sections/01-first-plan.md": `---
title: What was the first plan?
topics: [territory]
sources: [axios]
---
The body.
`,
		"content/sections/02-whats-next.md": `---
title: What's next?
---
More.
`,
		"content/documents/us-28.yaml": `id: us-28
title: US 28-point peace plan
date: 2025-11-20
by: [us]
sources: [axios]
clauses:
  - id: "6"
    number: 6
    title: Army capped at 600,000
    topics: [army-size]
    figure: 600000
    sources: [axios]
  - id: "21"
    title: Territory
    topics: [territory]
    sources: [axios]
`,
		"content/documents/geneva-19.yaml": `id: geneva-19
title: Geneva 19-point draft
short: Geneva draft
date: 2025-11-23
follows: us-28
by: [us, ukraine]
availability: reported
sources: [axios]
removes:
  - clause: us-28/21
    sources: [axios]
clauses:
  - id: "6"
    title: Army capped at 800,000
    topics: [army-size]
    figure: 800000
    from: us-28/6
    sources: [axios]
    positions:
      - {actor: ukraine, stance: accepts, as_of: 2025-11-24, sources: [axios]}
`,
		"content/topics.yaml": `- id: territory
  name: Territory
- id: army-size
  name: Army size
  metric: {name: Army cap, unit: troops}
`,
		"content/actors.yaml": `- id: us
  name: United States
  kind: state
- id: ukraine
  name: Ukraine
  kind: state
`,
		"content/sources.yaml": `- id: axios
  title: Scoop
  publisher: Axios
  url: https://www.axios.com/x
  date: 2025-11-20
`,
	}
	for name, data := range edits {
		if data == "" {
			delete(files, name)
		} else {
			files[name] = data
		}
	}
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// messages formats errs as "file:line:col: message" lines.
func messages(errs ErrorList) []string {
	var out []string
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

func TestLoad(t *testing.T) {
	p, errs := load(project(nil), Options{})
	if len(errs) > 0 {
		t.Fatalf("load(project) errors = %q, want none", messages(errs))
	}
	e := p.Explainer
	if e.Title != "The peace plan explained" || e.BaseURL != "https://example.org/plan" || e.Language != "en" || e.Published != "2025-11-20" {
		t.Errorf("load(project) explainer = %+v", e)
	}
	if e.Lede.Text != "The lede.\n" {
		t.Errorf("lede = %q, want %q", e.Lede.Text, "The lede.\n")
	}

	type section struct {
		Slug, Title string
		Weight      int
		Topics      []string
	}
	var sections []section
	for _, s := range p.Sections {
		sections = append(sections, section{s.Slug, s.Title, s.Weight, refIDs(s.Topics)})
	}
	wantSections := []section{
		{"first-plan", "What was the first plan?", 1, []string{"territory"}},
		{"whats-next", "What's next?", 2, nil},
	}
	if diff := cmp.Diff(wantSections, sections); diff != "" {
		t.Errorf("sections mismatch (-want +got):\n%s", diff)
	}

	type clause struct {
		Doc, ID, Number, Outcome string
		From                     []string
		Figure                   float64
	}
	type document struct {
		ID, Short, Relation, Availability string
		Follows                           []string
		Clauses                           []clause
		Removes                           []string
	}
	var docs []document
	for _, d := range p.Documents {
		doc := document{ID: d.ID, Short: d.Short, Relation: d.Relation, Follows: refIDs(d.Follows), Availability: d.Availability}
		for _, c := range d.Clauses {
			cl := clause{Doc: c.Doc.ID, ID: c.ID, Number: c.Number, From: refIDs(c.From), Outcome: c.Outcome}
			if c.Figure != nil {
				cl.Figure = c.Figure.Value
			}
			doc.Clauses = append(doc.Clauses, cl)
		}
		for _, r := range d.Removes {
			doc.Removes = append(doc.Removes, r.Clause.ID)
		}
		docs = append(docs, doc)
	}
	wantDocs := []document{
		{ID: "us-28", Short: "US 28-point peace plan", Relation: "revises", Availability: "full", Clauses: []clause{
			{Doc: "us-28", ID: "6", Number: "6", Figure: 600000},
			{Doc: "us-28", ID: "21"},
		}},
		{ID: "geneva-19", Short: "Geneva draft", Relation: "revises", Follows: []string{"us-28"}, Availability: "reported", Clauses: []clause{
			{Doc: "geneva-19", ID: "6", From: []string{"us-28/6"}, Outcome: "changed", Figure: 800000},
		}, Removes: []string{"us-28/21"}},
	}
	if diff := cmp.Diff(wantDocs, docs); diff != "" {
		t.Errorf("documents mismatch (-want +got):\n%s", diff)
	}
	if p.HasTimeline {
		t.Errorf("HasTimeline = true without content/timeline.yaml")
	}
	if got := p.Topics[1].Metric; got == nil || *got != (Metric{Name: "Army cap", Unit: "troops"}) {
		t.Errorf("army-size metric = %+v, want {Army cap troops}", got)
	}
}

func TestLoadOrder(t *testing.T) {
	p, errs := load(project(map[string]string{
		"content/sections/03-draft.md":  "---\ntitle: Draft?\ndraft: true\n---\nSoon.\n",
		"content/sections/04-first.md":  "---\ntitle: First?\nweight: -1\nslug: opening\n---\nHi.\n",
		"content/documents/a-late.yaml": "id: a-late\ntitle: Late\ndate: 2025-12-01\n",
		"content/documents/b-same.yaml": "id: b-same\ntitle: Same day\ndate: 2025-11-20\n",
		"content/timeline.yaml": `- {date: 2025-11-23, title: Geneva, sources: [axios]}
- {date: 2025-11-20, title: Leak, sources: [axios]}
`,
	}), Options{})
	if len(errs) > 0 {
		t.Fatalf("load errors = %q, want none", messages(errs))
	}
	var got []string
	for _, s := range p.Sections {
		got = append(got, s.Slug)
	}
	for _, d := range p.Documents {
		got = append(got, d.ID)
	}
	for _, e := range p.Events {
		got = append(got, e.Title)
	}
	want := []string{"opening", "first-plan", "whats-next", "b-same", "us-28", "geneva-19", "a-late", "Leak", "Geneva"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order mismatch (-want +got):\n%s", diff)
	}
	if !p.HasTimeline {
		t.Errorf("HasTimeline = false with content/timeline.yaml")
	}

	p, _ = load(project(map[string]string{
		"content/sections/03-draft.md": "---\ntitle: Draft?\ndraft: true\n---\nSoon.\n",
	}), Options{Drafts: true})
	if n := len(p.Sections); n != 3 || p.Sections[2].Slug != "draft" || !p.Sections[2].Draft {
		t.Errorf("load with Drafts: %d sections, want the draft last", n)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		edits map[string]string
		want  []string
	}{{
		name:  "no content",
		edits: map[string]string{"content/_index.md": "", "content/sections/01-first-plan.md": "", "content/sections/02-whats-next.md": "", "content/documents/us-28.yaml": "", "content/documents/geneva-19.yaml": "", "content/topics.yaml": "", "content/actors.yaml": "", "content/sources.yaml": ""},
		want:  []string{"content: missing content directory"},
	}, {
		name:  "no index",
		edits: map[string]string{"content/_index.md": ""},
		want:  []string{"content/_index.md: missing file"},
	}, {
		name:  "front matter syntax",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\ntitle: What's next?\nsummary: [unclosed\n---\nMore.\n"},
		want:  []string{`content/sections/02-whats-next.md:3:10: yaml: this "[" is never closed: close it with "]", or put the value in quotes if the bracket is part of its text`},
	}, {
		name:  "front matter node content",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\ntitle: What's next?\nsummary: - x\n---\nMore.\n"},
		want:  []string{`content/sections/02-whats-next.md:3:1: yaml: block sequence entries are not allowed in this context`},
	}, {
		name:  "front matter mapping values",
		edits: map[string]string{"content/_index.md": "---\ntitle: T\n  byline: x: y\n---\n"},
		want:  []string{`content/_index.md:3:11: yaml: this value holds ": ", which YAML takes for a new key: put it in quotes, byline: "x: y"`},
	}, {
		name:  "no front matter",
		edits: map[string]string{"content/sections/02-whats-next.md": "# What's next?\n"},
		want:  []string{`content/sections/02-whats-next.md:1:1: missing front matter: start the file with a "---" line`},
	}, {
		name:  "unclosed front matter",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\ntitle: x\n"},
		want:  []string{`content/sections/02-whats-next.md:1:1: front matter has no closing "---" line`},
	}, {
		name:  "front matter after blank lines",
		edits: map[string]string{"content/sections/02-whats-next.md": "\n  \n---\ntitle: What's next?\nsummary: [unclosed\n---\nMore.\n"},
		want:  []string{`content/sections/02-whats-next.md:5:10: yaml: this "[" is never closed: close it with "]", or put the value in quotes if the bracket is part of its text`},
	}, {
		name: "front matter after a byte order mark, with CRLF line ends",
		edits: map[string]string{
			"content/_index.md": "\uFEFF---\r\ntitle: T\r\n  byline: x: y\r\n---\r\n",
		},
		want: []string{`content/_index.md:3:11: yaml: this value holds ": ", which YAML takes for a new key: put it in quotes, byline: "x: y"`},
	}, {
		name:  "unclosed front matter after blank lines",
		edits: map[string]string{"content/sections/02-whats-next.md": "\n---\ntitle: x\n--\n"},
		want:  []string{`content/sections/02-whats-next.md:2:1: front matter has no closing "---" line`},
	}, {
		name:  "missing title",
		edits: map[string]string{"content/_index.md": "---\ndescription: d\n---\nLede.\n"},
		want:  []string{`content/_index.md:2:1: missing required field "title"`},
	}, {
		name:  "empty front matter",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\n---\nBody.\n"},
		want:  []string{`content/sections/02-whats-next.md:1:1: missing required field "title"`},
	}, {
		name:  "empty title",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\nweight: 3\ntitle:\n---\nBody.\n"},
		want:  []string{`content/sections/02-whats-next.md:3:1: missing required field "title"`},
	}, {
		name:  "unknown field in front matter",
		edits: map[string]string{"content/sections/02-whats-next.md": "---\ntitel: What's next?\nlayout: wide\n---\nMore.\n"},
		want: []string{
			`content/sections/02-whats-next.md:2:1: missing required field "title"`,
			`content/sections/02-whats-next.md:2:1: unknown field "titel" (did you mean "title"?)`,
		},
	}, {
		name:  "yaml syntax",
		edits: map[string]string{"content/topics.yaml": "- id: territory\n  name: Territory\n - id: army-size\n"},
		want:  []string{`content/topics.yaml:3:2: yaml: did not find expected '-' indicator`},
	}, {
		name:  "yaml key",
		edits: map[string]string{"content/topics.yaml": "- id: territory\n  name: Territory\n  metric:\n    name: Area\n   unit: km2\n"},
		want:  []string{`content/topics.yaml:5:4: yaml: did not find expected key`},
	}, {
		name:  "yaml tab",
		edits: map[string]string{"content/actors.yaml": "- id: us\n\tname: United States\n"},
		want:  []string{`content/actors.yaml:2:1: yaml: a tab indents this line: YAML indents with spaces only`},
	}, {
		name:  "unknown field in yaml",
		edits: map[string]string{"content/sources.yaml": "- id: axios\n  titel: Scoop\n  title: Scoop\n  publsher: Axios\n  zzz: 1\n"},
		want: []string{
			`content/sources.yaml:2:3: unknown field "titel" (did you mean "title"?)`,
			`content/sources.yaml:4:3: unknown field "publsher" (did you mean "publisher"?)`,
			`content/sources.yaml:5:3: unknown field "zzz"`,
		},
	}, {
		name:  "duplicate field",
		edits: map[string]string{"content/sources.yaml": "- id: axios\n  title: Scoop\n  title: Other\n"},
		want:  []string{`content/sources.yaml:3:3: duplicate field "title" (first defined at content/sources.yaml:2:3)`},
	}, {
		name:  "missing fields",
		edits: map[string]string{"content/documents/a.yaml": "status: leaked\nclauses:\n  - number: 1\n"},
		want: []string{
			`content/documents/a.yaml:1:1: missing required field "date"`,
			`content/documents/a.yaml:1:1: missing required field "id"`,
			`content/documents/a.yaml:1:1: missing required field "title"`,
			`content/documents/a.yaml:3:5: warning: clause "" cites no source`,
			`content/documents/a.yaml:3:5: missing required field "id"`,
			`content/documents/a.yaml:3:5: missing required field "title"`,
		},
	}, {
		name:  "null clause",
		edits: map[string]string{"content/documents/a.yaml": "id: a\ntitle: A\ndate: 2025-11-20\nclauses:\n  -\n"},
		want: []string{
			`content/documents/a.yaml:5:4: missing required field "id"`,
			`content/documents/a.yaml:5:4: missing required field "title"`,
		},
	}, {
		name:  "empty document",
		edits: map[string]string{"content/documents/a.yaml": "# nothing yet\n"},
		want: []string{
			`content/documents/a.yaml:1:1: missing required field "date"`,
			`content/documents/a.yaml:1:1: missing required field "id"`,
			`content/documents/a.yaml:1:1: missing required field "title"`,
		},
	}, {
		name: "bad types",
		edits: map[string]string{
			"content/documents/a.yaml":          "id: a\ntitle: [A]\ndate: 2025-11-31\nby: us\nclauses:\n  - id: x\n    title: X\n    figure: lots\n    sources: [axios]\n  - just text\n",
			"content/sections/02-whats-next.md": "---\ntitle: What's next?\nweight: first\ndraft: maybe\nupdated: 25-11-20\n---\nMore.\n",
		},
		want: []string{
			`content/documents/a.yaml:2:8: "title" must be a string`,
			`content/documents/a.yaml:3:7: "date": 2025-11-31 is not a day: November 2025 has 30 days`,
			`content/documents/a.yaml:4:5: "by" must be a list`,
			`content/documents/a.yaml:8:13: "figure" must be a number, {value: N, approx: true} or {low: N, high: M}`,
			`content/documents/a.yaml:10:5: clause must be a mapping`,
			`content/sections/02-whats-next.md:3:9: "weight" must be a whole number`,
			`content/sections/02-whats-next.md:4:8: "draft" must be true or false`,
			`content/sections/02-whats-next.md:5:10: "updated": "25-11-20" is not ` + dates.Forms,
		},
	}, {
		name: "bad enums",
		edits: map[string]string{
			"content/documents/a.yaml": `id: a
title: A
date: 2025-11-20
availability: rumoured
clauses:
  - id: x
    title: X
    confidence: certain
    outcome: kept
    sources: [axios]
    positions:
      - {actor: us, stance: oppose, sources: [axios]}
`,
			"content/actors.yaml": "- {id: us, name: US, kind: country}\n- {id: ukraine, name: Ukraine}\n",
		},
		want: []string{
			`content/actors.yaml:1:28: invalid kind "country": use state, coalition, organisation or person`,
			`content/documents/a.yaml:4:15: invalid availability "rumoured": use full, partial or reported`,
			`content/documents/a.yaml:8:17: invalid confidence "certain": use high, medium or low`,
			`content/documents/a.yaml:9:14: "outcome" needs "from"`,
			`content/documents/a.yaml:12:9: warning: position of "us" has no as_of date: say when it was taken`,
			`content/documents/a.yaml:12:29: invalid stance "oppose": use proposes, supports, accepts, mixed, opposes or rejects`,
		},
	}, {
		name:  "bad url",
		edits: map[string]string{"content/sources.yaml": "- {id: axios, title: Scoop, url: \"javascript:alert(1)\"}\n"},
		want:  []string{`content/sources.yaml:1:34: "url" must be an http or https URL`},
	}, {
		name:  "protocol-relative url",
		edits: map[string]string{"content/sources.yaml": "- {id: axios, title: Scoop, url: \"//evil.example/x\"}\n"},
		want:  []string{`content/sources.yaml:1:34: "url" must be an http or https URL`},
	}, {
		name:  "backslash url",
		edits: map[string]string{"content/sources.yaml": "- {id: axios, title: Scoop, url: '\\\\evil\\x'}\n"},
		want:  []string{`content/sources.yaml:1:34: "url" must be an http or https URL`},
	}, {
		name:  "nesting 10,001 deep",
		edits: map[string]string{"content/topics.yaml": strings.Repeat("[", 10001) + "\n"},
		want:  []string{`content/topics.yaml:1:1: yaml: exceeded max depth of 10000`},
	}, {
		name: "billion laughs",
		edits: map[string]string{"content/topics.yaml": func() string {
			s := "- {id: a0, name: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]}\n"
			for i := 1; i < 10; i++ {
				s += fmt.Sprintf("- {id: a%d, name: &a%d [%s]}\n", i, i, strings.Repeat(fmt.Sprintf("*a%d,", i-1), 8)+fmt.Sprintf("*a%d", i-1))
			}
			return s
		}(), "content/actors.yaml": "- [\n"}, // and another file's problem, still reported
		// Aliases are never expanded: each name is one node.
		want: func() []string {
			out := []string{`content/actors.yaml:2:1: yaml: did not find expected node content`}
			for i := 1; i <= 10; i++ {
				out = append(out, fmt.Sprintf(`content/topics.yaml:%d:18: "name" must be a string`, i))
			}
			return out
		}(),
	}, {
		name:  "the go-yaml crasher (CVE-2022-28948)",
		edits: map[string]string{"content/topics.yaml": "0: [:!00 \xef"},
		want:  []string{`content/topics.yaml:1:10: yaml: incomplete UTF-8 octet sequence`},
	}, {
		name:  "invalid UTF-8 in YAML",
		edits: map[string]string{"content/topics.yaml": "- id: territory\n  name: Terr\xffitory\n"},
		want:  []string{`content/topics.yaml:2:13: yaml: invalid leading UTF-8 octet`},
	}, {
		name:  "JSON, TOML and other openings are Markdown, not front matter",
		edits: map[string]string{"content/sections/02-whats-next.md": "{\"title\": \"x\"}\n", "content/sections/03-toml.md": "+++\ntitle = \"x\"\n+++\n", "content/sections/04-semi.md": ";;;\ntitle: x\n;;;\n"},
		want: []string{
			`content/sections/02-whats-next.md:1:1: missing front matter: start the file with a "---" line`,
			`content/sections/03-toml.md:1:1: missing front matter: start the file with a "---" line`,
			`content/sections/04-semi.md:1:1: missing front matter: start the file with a "---" line`,
		},
	}, {
		name:  "alias",
		edits: map[string]string{"content/topics.yaml": "- &t {id: territory, name: Territory}\n- *t\n- id: army-size\n  name: Army\n  metric: {name: Army cap}\n"},
		want:  []string{`content/topics.yaml:2:3: yaml aliases are not supported`},
	}, {
		name:  "unknown anchor",
		edits: map[string]string{"content/topics.yaml": "- {id: territory, name: Territory}\n- {id: army-size, name: *army}\n"},
		want:  []string{`content/topics.yaml:2:25: yaml: unknown anchor 'army' referenced`},
	}, {
		name:  "two documents",
		edits: map[string]string{"content/topics.yaml": "- {id: territory, name: Territory}\n---\n- {id: army-size, name: Army}\n"},
		want:  []string{`content/topics.yaml:2:1: yaml: only one document is allowed`},
	}, {
		name:  "not a list",
		edits: map[string]string{"content/actors.yaml": "us: United States\n"},
		want:  []string{`content/actors.yaml:1:1: expected a list of actors`},
	}, {
		name:  "control character",
		edits: map[string]string{"content/actors.yaml": "- {id: us, name: \"U\x01S\"}\n"},
		want:  []string{`content/actors.yaml:1:20: yaml: control characters are not allowed`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := project(tt.edits)
			_, errs := load(fsys, Options{})
			got := messages(errs)
			// The fixture's other files are fine; keep the cases short by
			// ignoring the knock-on unknown references of a broken file.
			got = dropKnockOn(got, tt.want)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("load(%s) errors mismatch (-want +got):\n%s", tt.name, diff)
			}
		})
	}
}

// dropKnockOn removes "unknown ..." errors that want does not mention, so
// a test of a broken topics.yaml needs not list every reference to it.
func dropKnockOn(got, want []string) []string {
	var out []string
	for _, g := range got {
		if strings.Contains(g, ": unknown topic ") || strings.Contains(g, ": unknown actor ") || strings.Contains(g, ": unknown source ") || strings.Contains(g, ": unknown clause ") || strings.Contains(g, "cites no source") || strings.Contains(g, "has a figure but") {
			found := false
			for _, w := range want {
				if w == g {
					found = true
				}
			}
			if !found {
				continue
			}
		}
		out = append(out, g)
	}
	return out
}

// markdownAt returns the position of the first byte of needle in m.
func markdownAt(t *testing.T, m Markdown, needle string) Pos {
	t.Helper()
	i := strings.Index(m.Text, needle)
	if i < 0 {
		t.Fatalf("%q not found in %q", needle, m.Text)
	}
	return m.Position(i)
}

func TestMarkdownPositions(t *testing.T) {
	p, errs := load(project(map[string]string{
		"content/sections/02-whats-next.md": "---\ntitle: What's next?\nsummary: \"Talks in [Abu Dhabi](topic:x)\"\n---\n\nMore talks\nin [Geneva](doc:y).\n",
		"content/documents/us-28.yaml": `id: us-28
title: US plan
date: 2025-11-20
summary: 'It''s [here](doc:a)'
sources: [axios]
clauses:
  - id: "6"
    title: Army
    text: |
      The army is capped.

        Indented [cap](topic:army-size).
    sources: [axios]
    claims:
      - text: "A \"quoted\" \u00e9 [claim](source:b)"
        sources: [axios]
      - text: >
          Folded text
          with [a link](source:c)
        sources: [axios]
      - text: plain
          continued [here](source:d)
        sources: [axios]
  - {id: "21", title: Territory, sources: [axios]}
`,
	}), Options{})
	if len(errs) > 0 {
		t.Fatalf("load errors = %q, want none", messages(errs))
	}
	var s *Section
	for _, sec := range p.Sections {
		if sec.Slug == "whats-next" {
			s = sec
		}
	}
	var d *Document
	for _, doc := range p.Documents {
		if doc.ID == "us-28" {
			d = doc
		}
	}
	c := d.Clauses[0]
	const sec, doc = "content/sections/02-whats-next.md", "content/documents/us-28.yaml"
	tests := []struct {
		name   string
		m      Markdown
		needle string
		want   Pos
	}{
		{"body first line", s.Body, "More", Pos{sec, 6, 1}},
		{"body second line", s.Body, "[Geneva]", Pos{sec, 7, 4}},
		{"front matter double-quoted", s.Summary, "[Abu", Pos{sec, 3, 20}},
		{"single-quoted with escape", d.Summary, "[here]", Pos{doc, 4, 17}},
		{"literal block", c.Text, "The army", Pos{doc, 10, 7}},
		{"literal block indented line", c.Text, "[cap]", Pos{doc, 12, 18}},
		{"double-quoted with escapes", c.Claims[0].Text, "[claim]", Pos{doc, 15, 36}},
		{"folded block", c.Claims[1].Text, "[a link]", Pos{doc, 19, 16}},
		{"plain multi-line", c.Claims[2].Text, "[here]", Pos{doc, 22, 21}},
	}
	for _, tt := range tests {
		if got := markdownAt(t, tt.m, tt.needle); got != tt.want {
			t.Errorf("%s: Position(%q) = %v, want %v", tt.name, tt.needle, got, tt.want)
		}
	}
}

// TestMarkdownMapsBack checks, for scalars of every style, that each
// non-blank byte of the value maps to the same byte in the file.
func TestMarkdownMapsBack(t *testing.T) {
	values := []string{
		"plain text [x](topic:a) here",
		"'single ''quoted'' text'",
		`"double \"quoted\" text"`,
		"|\n    literal\n      more indented\n\n    after blank\n",
		"|-\n    strip\n    chomp\n",
		"|2\n      explicit\n     indent\n",
		">\n    folded\n    lines\n\n    paragraph\n",
		"plain\n    over\n\n    lines",
		"'single\n    over lines'",
		"\"double\n    over   \n    lines\"",
	}
	for _, v := range values {
		src := "- id: x\n  name: X\n  description: " + v + "\n"
		p, errs := load(project(map[string]string{"content/topics.yaml": src}), Options{})
		if len(errs.Errors()) > 0 && !strings.Contains(errs.Error(), "unknown topic") {
			t.Errorf("topics %q: errors %q", src, messages(errs))
			continue
		}
		m := p.Topics[0].Description
		if m.Text == "" {
			t.Errorf("topics %q: empty description", src)
		}
		lines := newLineIndex([]byte(src))
		for i := 0; i < len(m.Text); i++ {
			b := m.Text[i]
			if b == ' ' || b == '\n' || b == '"' || b == '\'' {
				continue
			}
			pos := m.Position(i)
			off := lines.offset(pos.Line, pos.Column, len(src))
			if pos.File != "content/topics.yaml" || off >= len(src) || src[off] != b {
				t.Errorf("value %q: byte %d (%q) maps to %v", v, i, b, pos)
				break
			}
		}
	}
}

// checkLoad loads fsys and fails if an error has no file, or if a Markdown
// field maps an offset to no file or to no line.
// Empty fields have no position.
func checkLoad(t *testing.T, fsys fstest.MapFS) {
	t.Helper()
	p, errs := load(fsys, Options{Drafts: true})
	for _, e := range errs {
		if !e.Pos.IsValid() || e.Pos.Line < 0 || e.Pos.Column < 0 || e.Msg == "" {
			t.Errorf("load: error without a position: %#v", e)
		}
	}
	check := func(m Markdown) {
		t.Helper()
		if m.Text == "" {
			return // an empty field has no position
		}
		for off := 0; off <= len(m.Text) && off < 4096; off++ {
			if pos := m.Position(off); !pos.IsValid() || pos.Line < 1 || pos.Column < 1 {
				t.Fatalf("Markdown %q: Position(%d) = %#v", m.Text, off, pos)
			}
		}
	}
	check(p.Explainer.Lede)
	for _, s := range p.Sections {
		check(s.Body)
		check(s.Summary)
	}
	for _, d := range p.Documents {
		check(d.Summary)
		for _, r := range d.Removes {
			check(r.Note)
		}
		for _, c := range d.Clauses {
			check(c.Text)
			for _, cl := range c.Claims {
				check(cl.Text)
			}
			for _, pos := range c.Positions {
				check(pos.Note)
			}
		}
	}
	for _, tp := range p.Topics {
		check(tp.Description)
	}
}

func FuzzDocumentYAML(f *testing.F) {
	f.Add([]byte("0: [:!00 \xef")) // go-yaml's crasher, CVE-2022-28948
	f.Add([]byte("id: x\ntitle: " + strings.Repeat("[", 10001)))
	f.Add([]byte(`id: geneva-19
title: Geneva
date: 2025-11-23
follows: us-28
summary: |
  A *summary*.
removes:
  - {clause: us-28/21, note: 'gone', sources: [axios]}
clauses:
  - id: "6"
    title: Army
    figure: 8e5
    from: us-28/6
    outcome: kept
    text: >
      folded
      text
    claims: [{text: "a \"b\" \u00e9", sources: [axios], confidence: low}]
    positions:
      - {actor: ukraine, stance: opposes, as_of: 2025-11-24, note: plain
           continued, sources: [axios]}
`))
	f.Add([]byte("id: x\nclauses: [&a {id: a}, *a]\n"))
	f.Add([]byte("- a\n- b\n"))
	f.Add([]byte("id: [\n"))
	f.Add([]byte("text: \"\\\n  x\"\n"))
	f.Add([]byte("a: |2-\n   x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := project(nil)
		fsys["content/documents/fuzz.yaml"] = &fstest.MapFile{Data: data}
		checkLoad(t, fsys)
	})
}
