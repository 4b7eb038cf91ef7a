package model

import (
	"bytes"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
)

// FuzzFrontMatter loads a section file of any bytes: every problem has a
// position, and every Markdown field maps each byte back into the file.
func FuzzFrontMatter(f *testing.F) {
	f.Add([]byte("---\ntitle: What's next?\nsummary: \"a [b](topic:c)\"\ntopics: [territory]\n---\nBody.\n"))
	f.Add([]byte("---\ntitle: |\n  block\n---\n"))
	f.Add([]byte("---\r\ntitle: x\r\nweight: 2\r\n---\r\n"))
	f.Add([]byte("---\ntitle: [\n---\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\xef\xbb\xbf---\ntitle: bom\n---\n"))
	f.Add([]byte("no front matter"))
	f.Add([]byte("---\n0: [:!00 \xef\n---\n")) // go-yaml's crasher, CVE-2022-28948
	f.Add([]byte("---\ntitle: x\n---\nab\xffcd\n"))
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
		file := readMarkdownFile("x.md", data, &errs)
		body := file.body
		// Where the library, left to read to the end, puts the body.
		found := false
		rest, err := frontmatter.Parse(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF"))), nil,
			frontmatter.NewFormat("---", "---", func([]byte, any) error { found = true; return nil }))
		// (A file that is not UTF-8, or whose body is over the limit, is
		// an error, with no body.)
		if err == nil && found && body.Text != string(rest) && utf8.Valid(data) && len(rest) <= MaxMarkdown {
			t.Fatalf("body %q of %q, want the library's %q", body.Text, data, rest)
		}
		if body.Text == "" {
			return
		}
		pos := body.Position(0)
		if off := newLineIndex(data).offset(pos.Line, pos.Column, len(data)); !bytes.HasSuffix(data, []byte(body.Text)) || string(data[off:]) != body.Text {
			t.Fatalf("body %q of %q placed at %d:%d", body.Text, data, pos.Line, pos.Column)
		}
	})
}
