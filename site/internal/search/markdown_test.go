package search

import (
	"slices"
	"testing"
)

func TestMarkdownWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"## What was *agreed*?\n\nThe [first plan](doc:us-28) capped\tthe army.\n", "What was agreed ? The first plan capped the army."},
		{"> a quote\n> - item `code`", "a quote - item code"},
		{"  lead and trail  \n", "lead and trail"},
		{"[](clause:us-28/6) and [x](https://e.org/a_(b)) c", "and x ) c"}, // a destination ends at its first ")"
		{"600,000 troops | 28 points", "600,000 troops 28 points"},
	} {
		if got := markdownWords(c.in); got != c.want {
			t.Errorf("markdownWords(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// FuzzMarkdownTerms holds the terms read from Markdown as it lies to
// those of its words made plain.
func FuzzMarkdownTerms(f *testing.F) {
	for _, s := range []string{"## What was *agreed*?", "The [first plan](doc:us-28) capped 600,000", "[a](b)(c) d](e", "5,[6](x)7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got []string
		eachMarkdownTerm(s, func(term string) { got = append(got, term) })
		if want := Terms(markdownWords(s)); !slices.Equal(got, want) {
			t.Fatalf("terms of %q: %q, want %q", s, got, want)
		}
	})
}
