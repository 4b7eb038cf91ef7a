package mdext

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// fuzzResolver resolves every id that starts with a letter; its labels and
// URLs are built from the id, escaped, as the generator's are.
type fuzzResolver struct{}

func (fuzzResolver) Resolve(kind, id string) (Target, bool) {
	if id == "" || id[0] < 'a' || id[0] > 'z' {
		return Target{}, false
	}
	return Target{URL: "/" + kind + "/x/", Label: "<" + id + ">"}, true
}

func (fuzzResolver) Suggest(kind, id string) string { return strings.ToLower(id) }

var jsHref = regexp.MustCompile(`(?i)(href|src)\s*=\s*"\s*javascript:`)

func FuzzCrossRefs(f *testing.F) {
	for _, s := range []string{
		"[the territory clause](clause:us-28/21)",
		"[](doc:us-28) [x](clause:9) <topic:t> [y](claus:a) [z](topics:b)",
		"- [a](actor:russia)\n  > [b](\nsection:next \"t\")\n",
		"| a |\n| - |\n| [](source:x) |",
		"[x][r]\n\n[r]: <clause:a b>\n",
		"[x](javascript:alert(1)) ![y](JaVaScRiPt:x) <vbscript:z> [w](java&#9;script:q)",
		"<script>alert(1)</script> a <img src=x onerror=alert(1)> b",
		"# Head [x](clause:a)\n\n*[`]`](doc:b)*",
		"[a [b](clause:c) d](doc:e)",
		"![a [b](javascript:c)](clause:d)",
		"\t- \t[x](\tclause:a)",
		"[\\](clause:a)](doc:b)",
		"[x](clause:us\\-28 'title')",
		"<script>[x](javascript:a) <b>[](clause:b)</b></script>",
	} {
		f.Add(s)
	}
	md := NewMarkdown(fuzzResolver{})
	f.Fuzz(func(t *testing.T, s string) {
		src := []byte(s)
		pc := parser.NewContext(parser.WithIDs(NewIDs("p")))
		doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
		var buf bytes.Buffer
		if err := md.Renderer().Render(&buf, src, doc); err != nil {
			t.Fatalf("Render(%q): %v", s, err)
		}
		_ = Text(doc, src)
		out := buf.String()
		for _, r := range Refs(pc) {
			if r.Offset < 0 || r.Offset > len(src) {
				t.Errorf("Convert(%q) ref %+v: offset out of range", s, r)
			}
		}
		prev := -1
		for _, p := range Problems(pc) {
			if p.Offset < 0 || p.Offset > len(src) {
				t.Errorf("Convert(%q) problem %+v: offset out of range", s, p)
			}
			if p.Offset < prev {
				t.Errorf("Convert(%q) problems out of order: %v", s, Problems(pc))
			}
			prev = p.Offset
		}
		if strings.Contains(strings.ToLower(out), "<script") {
			t.Errorf("Convert(%q) = %q, contains <script", s, out)
		}
		if jsHref.MatchString(out) {
			t.Errorf("Convert(%q) = %q, contains a javascript: URL", s, out)
		}
		if eventAttr.MatchString(out) {
			t.Errorf("Convert(%q) = %q, contains an on* attribute", s, out)
		}
		for _, m := range urlAttr.FindAllStringSubmatch(out, -1) {
			if sc := attrScheme(m[1]); sc != "" && sc != "http" && sc != "https" && sc != "mailto" && sc != "tel" {
				t.Errorf("Convert(%q) = %q, has a URL with scheme %q", s, out, sc)
			}
		}
	})
}
