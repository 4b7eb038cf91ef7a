package mdext

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
)

var headingID = regexp.MustCompile(`<h[1-6] id="([^"]*)"`)

func TestHeadingIDs(t *testing.T) {
	md := NewMarkdown(newTestResolver())
	src := `# Background
## Background
## Background
## What's next?
## The [territory clause](clause:us-28/21) and [](doc:us-28)
## Côte d’Ivoire & <em>Zaporizhzhia</em>
## Army: 600,000 -- or 800,000?
## us-28/21 vs  __us_28__
## Запоріжжя
#
Setext heading
--------------
## Background 1
`
	tests := []struct {
		prefix string
		want   []string
	}{
		{"first-plan", []string{
			"first-plan-background",
			"first-plan-background-1",
			"first-plan-background-2",
			"first-plan-whats-next",
			"first-plan-the-territory-clause-and",
			"first-plan-cote-divoire-zaporizhzhia",
			"first-plan-army-600000-or-800000",
			"first-plan-us-28-21-vs-us-28",
			"first-plan-heading",
			"first-plan-heading-1",
			"first-plan-setext-heading",
			"first-plan-background-1-1",
		}},
		{"", []string{
			"background",
			"background-1",
			"background-2",
			"whats-next",
			"the-territory-clause-and",
			"cote-divoire-zaporizhzhia",
			"army-600000-or-800000",
			"us-28-21-vs-us-28",
			"heading",
			"heading-1",
			"setext-heading",
			"background-1-1",
		}},
		{"  What's Next? ", []string{"whats-next-background"}},
	}
	for _, tt := range tests {
		pc := parser.NewContext(parser.WithIDs(NewIDs(tt.prefix)))
		var buf bytes.Buffer
		if err := md.Convert([]byte(src), &buf, parser.WithContext(pc)); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range headingID.FindAllStringSubmatch(buf.String(), -1) {
			got = append(got, m[1])
		}
		if len(tt.want) < len(got) {
			got = got[:len(tt.want)]
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("heading ids with prefix %q (-want +got):\n%s", tt.prefix, diff)
		}
	}
}

func TestIDsPut(t *testing.T) {
	ids := NewIDs("p")
	ids.Put([]byte("p-a"))
	if got := string(ids.Generate([]byte("A"), ast.KindHeading)); got != "p-a-1" {
		t.Errorf("Generate(%q) after Put(%q) = %q, want %q", "A", "p-a", got, "p-a-1")
	}
	if got := string(ids.Generate([]byte("!"), ast.KindLink)); got != "p-id" {
		t.Errorf("Generate(%q) = %q, want %q", "!", got, "p-id")
	}
}
