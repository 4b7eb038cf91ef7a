package mdext

import (
	"strings"
	"testing"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// TestNotes checks which source links become numbered notes and what the
// text and its notes then read.
func TestNotes(t *testing.T) {
	res := fakeResolver{
		"source:a":       {URL: "/sources/#source-a", Label: "Agency"},
		"source:b":       {URL: "/sources/#source-b", Label: "Bulletin", Tag: "mirror"},
		"clause:us-28/9": {URL: "/documents/us-28/9/", Label: "Point 9"},
	}
	md := NewMarkdown(res)
	mark := func(n int, url, label string) string {
		return `<sup class="note-ref"><a href="` + url + `" title="` + label + `" aria-label="source ` + string(rune('0'+n)) + `, ` + label + `">` + string(rune('0'+n)) + `</a></sup>`
	}
	a, b := mark(1, "/sources/#source-a", "AP"), mark(2, "/sources/#source-b", "Bulletin")
	for _, tc := range []struct {
		name, src  string
		text       string   // the first paragraph, as HTML
		notes      []string // the notes, as HTML; none when nil
		plainStart string   // what Text starts with
	}{
		{"one", "Capped at 600,000 ([AP](source:a)).", "<p>Capped at 600,000" + mark(1, "/sources/#source-a", "AP") + ".</p>",
			[]string{`<li><a href="/sources/#source-a">AP</a></li>`}, "Capped at 600,000."},
		{"two with a tag", "Capped ([AP](source:a); [](source:b)).", "<p>Capped" + a + b + ".</p>",
			[]string{`<li><a href="/sources/#source-a">AP</a></li>`, `<li><a href="/sources/#source-b">Bulletin</a> <span class="source-kind">mirror</span></li>`}, "Capped."},
		{"comma", "Capped ([AP](source:a), [](source:b)) today.", "<p>Capped" + a + b + " today.</p>", []string{"", ""}, "Capped today."},
		{"again keeps its number", "One ([AP](source:a)). Two ([AP](source:a)).", "<p>One" + a + ". Two" + a + ".</p>",
			[]string{`<li><a href="/sources/#source-a">AP</a></li>`}, "One. Two."},
		{"in the sentence", "As [AP](source:a) reported.", `<p>As <a href="/sources/#source-a">AP</a> reported.</p>`, nil, "As AP reported."},
		{"with other words", "Capped ([AP](source:a) says).", `<p>Capped (<a href="/sources/#source-a">AP</a> says).</p>`, nil, ""},
		{"with a clause link", "Capped ([AP](source:a); [](clause:us-28/9)).", `<p>Capped (<a href="/sources/#source-a">AP</a>; <a href="/documents/us-28/9/">Point 9</a>).</p>`, nil, ""},
		{"unknown source", "Capped ([AP](source:zz)).", `<p>Capped (AP).</p>`, nil, ""},
		{"unclosed", "Capped ([AP](source:a)", `<p>Capped (<a href="/sources/#source-a">AP</a></p>`, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := convert(t, md, tc.src).HTML
			para, rest, _ := strings.Cut(got, "\n")
			if para != tc.text {
				t.Errorf("text:\n got %s\nwant %s", para, tc.text)
			}
			if tc.notes == nil {
				if strings.Contains(got, "notes") {
					t.Errorf("notes made: %s", got)
				}
			} else {
				if n := strings.Count(rest, "<li>"); n != len(tc.notes) {
					t.Errorf("%d notes, want %d: %s", n, len(tc.notes), rest)
				}
				for _, n := range tc.notes {
					if !strings.Contains(rest, n) {
						t.Errorf("notes lack %s:\n%s", n, rest)
					}
				}
			}
			if tc.plainStart != "" {
				pc := parser.NewContext(parser.WithIDs(NewIDs("")))
				doc := md.Parser().Parse(text.NewReader([]byte(tc.src)), parser.WithContext(pc))
				if plain := Text(doc, []byte(tc.src)); plain != tc.plainStart {
					t.Errorf("Text = %q, want %q (no marks, no notes)", plain, tc.plainStart)
				}
			}
		})
	}
}
