package mdext

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

func TestText(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	tests := []struct {
		name, src, want string
	}{
		{"paragraphs", "One\ntwo  three.\n\n\nFour.", "One two  three.\n\nFour."},
		{"hard break", "One  \ntwo\\\nthree", "One\ntwo\nthree"},
		{"inline markup", "*em* **strong** ~~gone~~ `a  *b*`", "em strong gone a  *b*"},
		{"multi-line code span", "`a\nb`", "a b"},
		{"escapes and references", `\*not em\* &amp; &#x41; &copy; \\`, `*not em* & A © \`},
		{"typographer", `"Quoted" -- it's... <<ok>>`, "“Quoted” – it’s… «ok»"},
		{"links", "[](clause:us-28/21), [kept *text*](doc:us-28), [x](clause:nope), [](topic:none) <https://example.com> [y](javascript:z)",
			"Point 21: Territory, kept text, x, none https://example.com y"},
		{"label with markup characters", "[](source:axios)", `Axios & "friends" <script>alert(1)</script>`},
		{"images", "![a *picture*](p.png) and ![bad](javascript:x)", "a picture and bad"},
		{"raw HTML", "a <b>bold</b> c\n\n<div>\ngone\n</div>\n\nd", "a bold c\n\nd"},
		{"headings and lists", "# Title\n\n- one\n- two\n  continued\n\n  para\n\n1. three\n", "Title\n\none\n\ntwo continued\n\npara\n\nthree"},
		{"block quote and code", "> quoted\n\n```go\nx := 1\n\ny\n```\n\n    indented\n", "quoted\n\nx := 1\n\ny\n\nindented"},
		{"table", "| a | b |\n| - | - |\n| [](doc:us-28) | *c* |\n|  | d |\n", "a b\n\nUS 28-point peace plan c\n\nd"},
		{"thematic break", "a\n\n---\n\nb", "a\n\nb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		src := []byte(tt.src)
		doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(parser.NewContext()))
		if diff := cmp.Diff(tt.want, Text(doc, src)); diff != "" {
			t.Errorf("%s: Text(%q) (-want +got):\n%s", tt.name, tt.src, diff)
		}
	}
}

func TestTextOfNode(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	src := []byte("# Head *line*\n\nBody.")
	doc := md.Parser().Parse(text.NewReader(src))
	if got, want := Text(doc.FirstChild(), src), "Head line"; got != want {
		t.Errorf("Text(heading) = %q, want %q", got, want)
	}
	if got, want := Text(doc.FirstChild().FirstChild(), src), "Head"; got != want {
		t.Errorf("Text(first inline) = %q, want %q", got, want)
	}
}
