package site

import (
	"bytes"
	"testing"
	"testing/fstest"
)

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

func FuzzFrontMatter(f *testing.F) {
	f.Add([]byte("---\ntitle: What's next?\nsummary: \"a [b](topic:c)\"\ntopics: [territory]\n---\nBody.\n"))
	f.Add([]byte("---\ntitle: |\n  block\n---\n"))
	f.Add([]byte("---\r\ntitle: x\r\nweight: 2\r\n---\r\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\xef\xbb\xbf---\ntitle: bom\n---\n"))
	f.Add([]byte("no front matter"))
	f.Add([]byte("---\ntitle: &a x\nslug: *a\n---\n"))
	f.Add([]byte("\n \n---\ntitle: after blank lines\n---\nBody.\n"))
	f.Add([]byte("---\ntitle: unclosed\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys := project(nil)
		fsys["content/sections/03-fuzz.md"] = &fstest.MapFile{Data: data}
		checkLoad(t, fsys)
		// The body is the end of the file, and its first byte is where
		// its position says.
		var errs ErrorList
		body := readMarkdownFile("x.md", data, &errs).body
		if body.Text == "" {
			return
		}
		pos := body.Position(0)
		if off := newLineIndex(data).offset(pos.Line, pos.Column, len(data)); !bytes.HasSuffix(data, []byte(body.Text)) || string(data[off:]) != body.Text {
			t.Fatalf("body %q of %q placed at %d:%d", body.Text, data, pos.Line, pos.Column)
		}
	})
}

func FuzzDocumentYAML(f *testing.F) {
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
