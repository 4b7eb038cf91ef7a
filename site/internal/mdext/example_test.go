package mdext_test

import (
	"bytes"
	"fmt"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// clauses is a Resolver that knows one clause.
type clauses map[string]string

func (c clauses) Resolve(kind, id string) (mdext.Target, bool) {
	label, ok := c[id]
	if kind != "clause" || !ok {
		return mdext.Target{}, false
	}
	return mdext.Target{URL: "/documents/" + id + "/", Label: label}, true
}

func ExampleNewMarkdown() {
	md := mdext.NewMarkdown(clauses{"us-28/21": "Point 21: Territory"})
	src := []byte(`## Territory

[](clause:us-28/21) cedes land; [the army cap](clause:us-28/6) is
unclear. <script>alert(1)</script>[Click](javascript:alert(1)).
`)
	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs("first-plan")))
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	var buf bytes.Buffer
	if err := md.Renderer().Render(&buf, src, doc); err != nil {
		panic(err)
	}
	fmt.Print(buf.String())
	for _, r := range mdext.Refs(pc) {
		fmt.Printf("%d: ref %s:%s\n", r.Offset, r.Kind, r.ID)
	}
	for _, p := range mdext.Problems(pc) {
		fmt.Printf("%d: %s (warning %t)\n", p.Offset, p.Msg, p.Warning)
	}
	fmt.Printf("%q\n", mdext.Text(doc, src))
	// Output:
	// <h2 id="first-plan-territory">Territory</h2>
	// <p><a href="/documents/us-28/21/">Point 21: Territory</a> cedes land; the army cap is
	// unclear. Click.</p>
	// 17: ref clause:us-28/21
	// 61: unknown clause "us-28/6" (warning false)
	// 89: raw HTML dropped: "<script>"; write it in Markdown (warning true)
	// 105: raw HTML dropped: "</script>"; write it in Markdown (warning true)
	// 122: link to "javascript:alert(1)" dropped: scheme not allowed (warning true)
	// "Territory\n\nPoint 21: Territory cedes land; the army cap is unclear. Click."
}
