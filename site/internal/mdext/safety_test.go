package mdext

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var (
	// eventAttr finds an on* attribute inside a tag. Text is escaped, so
	// every '<' in the output opens a real tag.
	eventAttr = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	// urlAttr finds the URL attributes goldmark writes, always quoted.
	urlAttr = regexp.MustCompile(`\s(?:href|src)="([^"]*)"`)
	// schemePrefix matches a URL scheme.
	schemePrefix = regexp.MustCompile(`^([a-zA-Z][a-zA-Z0-9+.-]*):`)
)

// checkSafe fails the test when out could run script.
func checkSafe(t *testing.T, src, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	if strings.Contains(lower, "<script") {
		t.Errorf("Convert(%q) = %q, contains <script", src, out)
	}
	if eventAttr.MatchString(out) {
		t.Errorf("Convert(%q) = %q, contains an on* attribute", src, out)
	}
	for _, m := range urlAttr.FindAllStringSubmatch(out, -1) {
		if s := attrScheme(m[1]); s != "" && s != "http" && s != "https" && s != "mailto" && s != "tel" {
			t.Errorf("Convert(%q) = %q, has a URL with scheme %q", src, out, s)
		}
	}
}

// attrScheme returns the scheme a browser would find in a URL attribute
// value, or "". It is written apart from schemeOf on purpose.
func attrScheme(v string) string {
	v = html.UnescapeString(v)
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, v)
	if m := schemePrefix.FindStringSubmatch(v); m != nil {
		return strings.ToLower(m[1])
	}
	return ""
}

func TestHostile(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	tests := []struct {
		src  string
		warn int // dropped links expected
	}{
		{"[x](javascript:alert(1))", 1},
		{"[x](JaVaScRiPt:alert(1))", 1},
		{"[x](<java\tscript:alert(1)>)", 1},
		{"[x](<java\nscript:alert(1)>)", 0}, // not a link at all
		{"[x](<  javascript:alert(1)>)", 1},
		{"[x](java&#9;script:alert(1))", 1},
		{"[x](java&Tab;script:alert(1))", 1},
		{"[x](javascript&#58;alert(1))", 1},
		{"[x](javascript&colon;alert(1))", 1},
		{"[x](&#106;avascript:alert(1))", 1},
		{"[x](&#x6A;avascript:alert(1))", 1},
		{"[x](javascript\\:alert(1))", 1},
		{"[x](%6Aavascript:alert(1))", 0}, // a relative URL to browsers
		{"[x](\njavascript:alert(1))", 1},
		{"[x](javascript:alert(1) \"t\")", 1},
		{"[x](vbscript:msgbox(1))", 1},
		{"[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", 1},
		{"[x](file:///etc/passwd)", 1},
		{"[x][r]\n\n[r]: javascript:alert(1)\n", 1},
		{"[x][r]\n\n[r]: <JAVASCRIPT:alert(1)> 'title'\n", 1},
		{"![x](javascript:alert(1))", 1},
		{"![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)", 1},
		{"![x](vbscript:x)", 1},
		{"<javascript:alert(1)>", 1},
		{"<JAVASCRIPT:alert(1)>", 1},
		{"<vbscript:msgbox(1)>", 1},
		{"<data:text/html,x>", 1},
		{"<script>alert(1)</script>", 0},
		{"a <script>alert(1)</script> b", 0},
		{"<SCRIPT SRC=//evil/x.js></SCRIPT>", 0},
		{"<img src=x onerror=alert(1)>", 0},
		{"text <img src=x onerror=alert(1)> text", 0},
		{"<a href=\"javascript:alert(1)\">x</a>", 0},
		{"x <a href=\"javascript:alert(1)\">x</a> y", 0},
		{"<svg onload=alert(1)>", 0},
		{"<iframe src=\"javascript:alert(1)\"></iframe>", 0},
		{"<div onclick=\"alert(1)\">\n\n*md*\n\n</div>", 0},
		{"<!-- <script>alert(1)</script> -->", 0},
		{"> <script>alert(1)</script>\n> [x](javascript:alert(1))", 1},
		{"- <img src=x onerror=alert(1)>\n- [x](javascript:alert(1))", 1},
		{"| a |\n| - |\n| <script>alert(1)</script> [x](javascript:alert(1)) |", 1},
		{"[<img src=x onerror=alert(1)>](javascript:alert(1))", 1},
		{"![<script>](javascript:alert(1))", 1},
		{"[![x](javascript:alert(1))](javascript:alert(2))", 2},
		{"[](source:axios)", 0}, // a label with <script> in it
		{"`<script>` and \\<script>", 0},
		{"<script>[x](javascript:alert(1)) [](clause:nope)</script>", 0},
		{"[x](java\\script:alert(1))", 0}, // relative: '\' is no scheme character
		{"[x](\x01javascript:alert(1))", 1},
		{"[x](< javascript:alert(1)>)", 1},
		{"[x](&#32;javascript:alert(1))", 1},
		{"![x](data:image/png;base64,iVBORw0KGgo=)", 1}, // images come from static/: no data: at all
		{"# h {data-x><!--}", 0},
		{"# h {#id .cls onclick=alert(1)}", 0},
	}
	for _, tt := range tests {
		got := convert(t, md, tt.src)
		checkSafe(t, tt.src, got.HTML)
		if strings.Contains(strings.ToLower(got.HTML), "javascript:") {
			t.Errorf("Convert(%q) = %q, contains javascript:", tt.src, got.HTML)
		}
		if strings.Contains(got.HTML, "raw HTML omitted") {
			t.Errorf("Convert(%q) = %q, want raw HTML rendered as nothing", tt.src, got.HTML)
		}
		warn := 0
		for _, p := range got.Problems {
			switch {
			case p.Warning && strings.Contains(p.Msg, "HTML"):
				// Dropped HTML is reported too; TestDroppedHTML checks how.
			case !p.Warning || !strings.HasSuffix(p.Msg, "dropped: scheme not allowed"):
				t.Errorf("Convert(%q) problem %q, want only dropped-link warnings", tt.src, p.Msg)
			default:
				warn++
			}
		}
		if warn != tt.warn {
			t.Errorf("Convert(%q) gave %d warnings %v, want %d", tt.src, warn, got.Problems, tt.warn)
		}
	}

	// Heading attributes are not parsed: the braces stay text
	// (goldmark's WithAttribute is off; goldmark #600).
	for _, src := range []string{"# h {data-x><!--}", "# h {#id .cls onclick=alert(1)}"} {
		got := convert(t, md, src)
		tag, _, _ := strings.Cut(got.HTML, ">")
		if tag != "<h1" && (!strings.HasPrefix(tag, `<h1 id="h-`) || strings.Count(tag, "=") != 1) {
			t.Errorf("Convert(%q) = %q: the heading has attributes besides its id", src, got.HTML)
		}
	}

	// These stay links, to relative URLs that merely contain the text
	// "javascript:" in their path.
	for _, src := range []string{
		"[x](&#x0;javascript:alert(1))", // U+FFFD is no scheme character
		"[x](/javascript:alert(1))",
		"[x](./javascript:alert(1))",
	} {
		got := convert(t, md, src)
		checkSafe(t, src, got.HTML)
		if !strings.Contains(got.HTML, "<a href=") || len(got.Problems) != 0 {
			t.Errorf("Convert(%q) = %q, %v, want a relative link and no problems", src, got.HTML, got.Problems)
		}
	}
}

func TestDropped(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	tests := []struct {
		src      string // ⟪ marks each problem offset
		html     string
		problems []string
	}{
		{
			src:      "See [the *text*](⟪javascript:alert(1)) here",
			html:     "<p>See the <em>text</em> here</p>\n",
			problems: []string{`link to "javascript:alert(1)" dropped: scheme not allowed`},
		},
		{
			src:      "![alt *text*](⟪data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
			html:     "<p>alt <em>text</em></p>\n",
			problems: []string{`image "data:image/png;base64,iVBORw0KGgoAAAANSU..." dropped: scheme not allowed`},
		},
		{
			src:      "a <⟪javascript:alert(1)> b",
			html:     "<p>a  b</p>\n",
			problems: []string{`link to "javascript:alert(1)" dropped: scheme not allowed`},
		},
		{
			src:      "[x](<⟪java\tscript:alert(1)>)",
			html:     "<p>x</p>\n",
			problems: []string{`link to "java\tscript:alert(1)" dropped: scheme not allowed`},
		},
		{
			src:  "a <script>alert(1)</script> b <STYLE type=x>p{}</style> c <script>no end",
			html: "<p>a  b  c no end</p>\n",
		},
		{
			// Links in script text are neither rendered nor reported.
			src:  "a <script>[x](javascript:y) *[](nowhere:z)*</script> b",
			html: "<p>a  b</p>\n",
		},
		{
			src:  "a <b>bold</b> <!-- note --> c\n\n<div>\nblock\n</div>\n\nd",
			html: "<p>a bold  c</p>\n<p>d</p>\n",
		},
	}
	for _, tt := range tests {
		src, _, offs := mark(tt.src)
		got := convert(t, md, src)
		var want []Problem
		for i, msg := range tt.problems {
			want = append(want, Problem{Offset: offs[i], Msg: msg, Warning: true})
		}
		if diff := cmp.Diff(tt.html, got.HTML); diff != "" {
			t.Errorf("Convert(%q) HTML (-want +got):\n%s", src, diff)
		}
		// Dropped HTML is reported too; TestDroppedHTML checks how.
		links := slices.DeleteFunc(slices.Clone(got.Problems), func(p Problem) bool { return strings.Contains(p.Msg, "HTML") })
		if diff := cmp.Diff(want, links, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Convert(%q) problems (-want +got):\n%s", src, diff)
		}
	}
}

// TestConcurrent converts through one instance from many goroutines; run
// it with -race.
func TestConcurrent(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	srcs := make([]string, 20)
	for i := range srcs {
		srcs[i] = fmt.Sprintf("# Part %d\n\nSee [](clause:us-28/21), [x](clause:us-28/%d) and [y](javascript:%d).\n\n## Part %d\n", i, 90+i, i, i)
	}
	want := make([]converted, len(srcs))
	for i, src := range srcs {
		want[i] = convert(t, md, src)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 32 {
		wg.Go(func() {
			for k := range 50 {
				i := (g + k) % len(srcs)
				got := convert(t, md, srcs[i])
				if diff := cmp.Diff(want[i], got); diff != "" {
					select {
					case errs <- fmt.Sprintf("Convert(%q) concurrently (-want +got):\n%s", srcs[i], diff):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if n := len(want[3].Refs); n != 1 {
		t.Errorf("Convert(%q) gave %d refs, want 1", srcs[3], n)
	}
	if n := len(want[3].Problems); n != 2 {
		t.Errorf("Convert(%q) gave %d problems, want 2", srcs[3], n)
	}
}

// TestDroppedHTML checks that raw HTML, which renders as nothing, is
// reported where it stands, and that comments are not.
func TestDroppedHTML(t *testing.T) {
	md := NewMarkdown(nil)
	tests := []struct {
		src  string
		want []string // "offset: message"
	}{
		{"a <b>bold</b> c", []string{
			`2: raw HTML dropped: "<b>"; write it in Markdown`,
			`9: raw HTML dropped: "</b>"; write it in Markdown`,
		}},
		{"Intro.\n\n<div class=\"note\">Editor: check the date.</div>\n\nMore.", []string{
			`8: an HTML block, with every line of it, dropped: "<div class=\"note\">Editor: check the date…"; write it in Markdown`,
		}},
		{"<!-- a note to the desk -->\n\nText <!-- inline --> here.", nil},
		{"`<b>` in code", nil},
	}
	for _, tt := range tests {
		got := convert(t, md, tt.src)
		var msgs []string
		for _, p := range got.Problems {
			if !p.Warning {
				t.Errorf("Convert(%q): %q is an error, want a warning", tt.src, p.Msg)
			}
			msgs = append(msgs, fmt.Sprintf("%d: %s", p.Offset, p.Msg))
		}
		if !slices.Equal(msgs, tt.want) {
			t.Errorf("Convert(%q) problems:\n got %q\nwant %q", tt.src, msgs, tt.want)
		}
	}
}
