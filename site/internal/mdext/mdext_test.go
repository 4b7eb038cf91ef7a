package mdext

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// fakeResolver knows a few targets, keyed "kind:id".
type fakeResolver map[string]Target

func (f fakeResolver) Resolve(kind, id string) (Target, bool) {
	t, ok := f[kind+":"+id]
	return t, ok
}

// suggester adds suggestions to a fakeResolver.
type suggester struct {
	fakeResolver
	near map[string]string // "kind:id" -> suggestion
}

func (s suggester) Suggest(kind, id string) string {
	return s.near[kind+":"+id]
}

func newTestResolver() suggester {
	return suggester{
		fakeResolver: fakeResolver{
			"clause:us-28/21":  {URL: "/documents/us-28/21/", Label: "Point 21: Territory"},
			"clause:us-28/9":   {URL: "/documents/us-28/9/", Label: "Point 9: Security"},
			"doc:us-28":        {URL: "/documents/us-28/", Label: "US 28-point peace plan"},
			"topic:territory":  {URL: "/topics/territory/", Label: "Territory"},
			"actor:russia":     {URL: "/actors/russia/", Label: "Russia"},
			"section:next":     {URL: "/#whats-next", Label: "What's next?"},
			"source:axios":     {URL: "/sources/#axios", Label: `Axios & "friends" <script>alert(1)</script>`},
			"clause:us-28/a&b": {URL: "/documents/us-28/a-b/", Label: "A & B"},
		},
		near: map[string]string{"clause:us-28/99": "us-28/9"},
	}
}

// result is what converting one Markdown text gives.
type converted struct {
	HTML     string
	Refs     []Ref
	Problems []Problem
}

// convert runs src through md with a fresh context, as the generator does.
func convert(t testing.TB, md goldmark.Markdown, src string) converted {
	t.Helper()
	pc := parser.NewContext(parser.WithIDs(NewIDs("")))
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
		t.Fatalf("Convert(%q): %v", src, err)
	}
	return converted{HTML: buf.String(), Refs: Refs(pc), Problems: Problems(pc)}
}

// mark removes the marks from src that tests put where they expect
// offsets: "⟦" for each ref, "⟪" for each problem. It returns the clean
// source and the offsets of each kind of mark.
func mark(src string) (clean string, refs, problems []int) {
	var b strings.Builder
	for _, r := range src {
		switch r {
		case '⟦':
			refs = append(refs, b.Len())
		case '⟪':
			problems = append(problems, b.Len())
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), refs, problems
}

func TestResolve(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	tests := []struct {
		name     string
		src      string // ⟦ marks the offset of each ref, ⟪ of each problem
		html     string
		refs     []Ref
		problems []Problem
	}{{
		name: "kept text",
		src:  "See [the territory clause](⟦clause:us-28/21).",
		html: "<p>See <a href=\"/documents/us-28/21/\">the territory clause</a>.</p>\n",
		refs: []Ref{{Kind: "clause", ID: "us-28/21"}},
	}, {
		name: "empty text gets the label",
		src:  "[](⟦doc:us-28)",
		html: "<p><a href=\"/documents/us-28/\">US 28-point peace plan</a></p>\n",
		refs: []Ref{{Kind: "doc", ID: "us-28"}},
	}, {
		name: "label is escaped text",
		src:  "[](⟦source:axios)",
		html: "<p><a href=\"/sources/#axios\">Axios &amp; &quot;friends&quot; &lt;script&gt;alert(1)&lt;/script&gt;</a></p>\n",
		refs: []Ref{{Kind: "source", ID: "axios"}},
	}, {
		name: "label is not Markdown",
		src:  "[](⟦section:next)",
		html: "<p><a href=\"/#whats-next\">What's next?</a></p>\n",
		refs: []Ref{{Kind: "section", ID: "next"}},
	}, {
		name: "title and emphasis kept",
		src:  "[*the* actor](⟦actor:russia \"Moscow\")",
		html: "<p><a href=\"/actors/russia/\" title=\"Moscow\"><em>the</em> actor</a></p>\n",
		refs: []Ref{{Kind: "actor", ID: "russia"}},
	}, {
		name: "kind is case-insensitive",
		src:  "[](⟦Topic:territory)",
		html: "<p><a href=\"/topics/territory/\">Territory</a></p>\n",
		refs: []Ref{{Kind: "topic", ID: "territory"}},
	}, {
		name: "escapes and references in the id are decoded",
		src:  "[](⟦clause:us\\-28/a&amp;b)",
		html: "<p><a href=\"/documents/us-28/a-b/\">A &amp; B</a></p>\n",
		refs: []Ref{{Kind: "clause", ID: "us-28/a&b"}},
	}, {
		name: "angle-bracket destination",
		src:  "[x](<⟦clause:us-28/21>)",
		html: "<p><a href=\"/documents/us-28/21/\">x</a></p>\n",
		refs: []Ref{{Kind: "clause", ID: "us-28/21"}},
	}, {
		name: "autolink",
		src:  "<⟦clause:us-28/21>",
		html: "<p><a href=\"/documents/us-28/21/\">Point 21: Territory</a></p>\n",
		refs: []Ref{{Kind: "clause", ID: "us-28/21"}},
	}, {
		name: "reference link points at its bracket",
		src:  "⟦[x][r] and ⟦[r]\n\n[r]: clause:us-28/21\n",
		html: "<p><a href=\"/documents/us-28/21/\">x</a> and <a href=\"/documents/us-28/21/\">r</a></p>\n",
		refs: []Ref{{Kind: "clause", ID: "us-28/21"}, {Kind: "clause", ID: "us-28/21"}},
	}, {
		name:     "unresolved keeps its text",
		src:      "See [the *clause*](⟪clause:us-28/99).",
		html:     "<p>See the <em>clause</em>.</p>\n",
		problems: []Problem{{Msg: `unknown clause "us-28/99" (did you mean "us-28/9"?)`, Unresolved: true}},
	}, {
		name:     "unresolved without text shows the id",
		src:      "[](⟪topic:nowhere)",
		html:     "<p>nowhere</p>\n",
		problems: []Problem{{Msg: `unknown topic "nowhere"`, Unresolved: true}},
	}, {
		name:     "unresolved document",
		src:      "[](⟪doc:us-29)",
		html:     "<p>us-29</p>\n",
		problems: []Problem{{Msg: `unknown document "us-29"`, Unresolved: true}},
	}, {
		name:     "unresolved autolink",
		src:      "<⟪actor:nobody>",
		html:     "<p>nobody</p>\n",
		problems: []Problem{{Msg: `unknown actor "nobody"`, Unresolved: true}},
	}, {
		name:     "typo of a kind",
		src:      "[the clause](⟪claus:us-28/21)",
		html:     "<p>the clause</p>\n",
		problems: []Problem{{Msg: `unknown link kind "claus" (did you mean "clause"?)`}},
	}, {
		name:     "plural kind",
		src:      "[territory](⟪topics:territory)",
		html:     "<p>territory</p>\n",
		problems: []Problem{{Msg: `unknown link kind "topics" (did you mean "topic"?)`}},
	}, {
		name:     "transposed kind",
		src:      "[x](⟪scetion:next)",
		html:     "<p>x</p>\n",
		problems: []Problem{{Msg: `unknown link kind "scetion" (did you mean "section"?)`}},
	}, {
		name: "ordinary links are kept",
		src:  "[a](https://example.com/x?y=1) [b](../up) [c](#frag) [d](/root/) [e](mailto:desk@example.com) [f](tel:+15551234) [g](HTTP://EXAMPLE.COM)",
		html: "<p><a href=\"https://example.com/x?y=1\">a</a> <a href=\"../up\">b</a> <a href=\"#frag\">c</a> <a href=\"/root/\">d</a> <a href=\"mailto:desk@example.com\">e</a> <a href=\"tel:+15551234\">f</a> <a href=\"HTTP://EXAMPLE.COM\">g</a></p>\n",
	}, {
		name: "a short unknown scheme is no typo",
		src:  "[x](⟪irc:example)",
		html: "<p>x</p>\n",
		problems: []Problem{{
			Msg:     `link to "irc:example" dropped: scheme not allowed`,
			Warning: true,
		}},
	}, {
		name: "several, in source order",
		src:  "1. [](⟦doc:us-28)\n2. [x](⟪clause:nope)\n3. <⟦clause:us-28/21>\n4. [y](⟪javascript:alert(1))\n",
		html: "<ol>\n<li><a href=\"/documents/us-28/\">US 28-point peace plan</a></li>\n<li>x</li>\n<li><a href=\"/documents/us-28/21/\">Point 21: Territory</a></li>\n<li>y</li>\n</ol>\n",
		refs: []Ref{{Kind: "doc", ID: "us-28"}, {Kind: "clause", ID: "us-28/21"}},
		problems: []Problem{
			{Msg: `unknown clause "nope"`, Unresolved: true},
			{Msg: `link to "javascript:alert(1)" dropped: scheme not allowed`, Warning: true},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, refOffs, problemOffs := mark(tt.src)
			if len(refOffs) != len(tt.refs) || len(problemOffs) != len(tt.problems) {
				t.Fatalf("bad test: marks do not match refs and problems")
			}
			want := converted{HTML: tt.html}
			for i, r := range tt.refs {
				r.Offset = refOffs[i]
				want.Refs = append(want.Refs, r)
			}
			for i, p := range tt.problems {
				p.Offset = problemOffs[i]
				want.Problems = append(want.Problems, p)
			}
			got := convert(t, md, src)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Convert(%q) mismatch (-want +got):\n%s", src, diff)
			}
		})
	}
}

func TestOffsets(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	tests := []struct {
		name string
		src  string // ⟦ marks each expected ref offset; every link here resolves
	}{
		{"paragraph", "Text [a](⟦clause:us-28/21) and [](⟦doc:us-28)."},
		{"multi-line paragraph", "First line\nsecond [line\ncontinues](⟦clause:us-28/21)\nthird [x](\n⟦doc:us-28) end"},
		{"emphasis", "*[a](⟦clause:us-28/21)* and **b [*c*](⟦doc:us-28)** ~~[d](⟦topic:territory)~~"},
		{"emphasis around text", "[**strong** and _em_](⟦clause:us-28/21)"},
		{"list", "- one [a](⟦clause:us-28/21)\n- two\n  [b](⟦doc:us-28)\n  1. nested [](⟦actor:russia)\n"},
		{"block quote", "> quoted [a](⟦clause:us-28/21)\n> and [lazy\n> text](⟦doc:us-28)\n>\n> > deep [](⟦topic:territory)\n"},
		{"list in block quote", "> - [a](⟦clause:us-28/21)\n>   - [b](⟦doc:us-28)\n"},
		{"table", "| a | b |\n| --- | --- |\n| [x](⟦clause:us-28/21) | [](⟦doc:us-28) |\n"},
		{"heading", "# Title [x](⟦clause:us-28/21)\n\nSetext [](⟦doc:us-28)\n---\n"},
		{"text repeats the destination", "[clause:us-28/21](⟦clause:us-28/21)"},
		{"code span text", "[`clause:us-28/21]`](⟦clause:us-28/21)"},
		{"spaces before destination", "[a](   ⟦clause:us-28/21   \"t\")"},
		{"tabs in a list", "-\t[a](⟦clause:us-28/21)\n\n\t[b](⟦doc:us-28)\n"},
		{"after an image", "![clause:us-28/21](pic.png) [a](⟦clause:us-28/21)"},
		{"link in image alt", "![see [a](⟦clause:us-28/21)](pic.png)"},
		{"multibyte text", "Zaporizhzhia’s «plan» — [Запоріжжя](⟦clause:us-28/21)"},
		{"CRLF", "line\r\n[a](⟦clause:us-28/21)\r\n"},
		{"footnote-like brackets", "[^1] [a [b] c](⟦clause:us-28/21)"},
		{"inline HTML in text", "[<span title=\"clause:us-28/21\">a</span>](⟦clause:us-28/21)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, offs, _ := mark(tt.src)
			got := convert(t, md, src)
			for _, p := range got.Problems {
				if !strings.Contains(p.Msg, "HTML") {
					t.Errorf("Convert(%q) problem: %v", src, p)
				}
			}
			var gotOffs []int
			for _, r := range got.Refs {
				gotOffs = append(gotOffs, r.Offset)
			}
			if diff := cmp.Diff(offs, gotOffs); diff != "" {
				t.Errorf("Convert(%q) ref offsets (-want +got):\n%s\nHTML: %s", src, diff, got.HTML)
			}
		})
	}
}

// TestResultsPerContext checks that a context reused for a second
// conversion reports only that conversion.
func TestResultsPerContext(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	pc := parser.NewContext()
	for _, src := range []string{"[](doc:us-28) [](doc:nope)", "[](topic:territory)"} {
		md.Parser().Parse(text.NewReader([]byte(src)), parser.WithContext(pc))
	}
	if got := len(Refs(pc)); got != 1 {
		t.Errorf("Refs after two conversions = %d refs, want 1", got)
	}
	if got := len(Problems(pc)); got != 0 {
		t.Errorf("Problems after two conversions = %v, want none", Problems(pc))
	}
	if Refs(parser.NewContext()) != nil || Problems(nil) != nil {
		t.Errorf("Refs or Problems of an unused context are not nil")
	}
}

func TestNilResolver(t *testing.T) {
	md := NewMarkdown(nil)
	got := convert(t, md, "[a](clause:x) [](doc:y)")
	want := converted{
		HTML: "<p>a y</p>\n",
		Problems: []Problem{
			{Offset: 4, Msg: `unknown clause "x"`, Unresolved: true},
			{Offset: 17, Msg: `unknown document "y"`, Unresolved: true},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Convert with nil resolver mismatch (-want +got):\n%s", diff)
	}
}

func TestNearKind(t *testing.T) {
	tests := []struct{ scheme, want string }{
		{"clause", "clause"},
		{"claus", "clause"},
		{"topics", "topic"},
		{"scetion", "section"},
		{"", ""},
		{"irc", ""}, // two edits from "doc", which allows one
		{"dox", "doc"},
		{"author", "actor"},
		{"https", ""},
	}
	for _, tt := range tests {
		if got := nearKind(tt.scheme); got != tt.want {
			t.Errorf("nearKind(%q) = %q, want %q", tt.scheme, got, tt.want)
		}
	}
}
