package search

import (
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// termCases reads testdata/terms.tsv: words and the terms they make. The
// browser test runs the same cases through static/js/search.js.
func termCases(t testing.TB) [][2]string {
	data, err := os.ReadFile("testdata/terms.tsv")
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		if in, want, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			out = append(out, [2]string{in, want})
		}
	}
	return out
}

func TestTerms(t *testing.T) {
	cases := termCases(t)
	if len(cases) < 20 {
		t.Fatalf("testdata/terms.tsv has %d cases", len(cases))
	}
	for _, c := range cases {
		got, want := Terms(c[0]), strings.Fields(c[1])
		if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("Terms(%q) = %q, want %q", c[0], got, want)
		}
	}
}

// FuzzTerms holds Terms to what the index needs of any text: terms that
// are valid UTF-8, never empty, with no space, folded already, and the
// same every time.
func FuzzTerms(f *testing.F) {
	for _, c := range termCases(f) {
		f.Add(c[0])
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms := Terms(s)
		for _, term := range terms {
			if term == "" || !utf8.ValidString(term) || strings.ContainsFunc(term, unicode.IsSpace) || Fold(term) != term {
				t.Fatalf("Terms(%q) has the term %q", s, term)
			}
		}
		if again := Terms(s); !slices.Equal(again, terms) {
			t.Fatalf("Terms(%q) = %q, then %q", s, terms, again)
		}
	})
}

// TestStopWords holds isStop to StopWords, which the script is given.
func TestStopWords(t *testing.T) {
	for _, w := range strings.Fields(StopWords) {
		if !isStop(w) {
			t.Errorf("isStop(%q) = false", w)
		}
	}
	for _, w := range []string{"army", "not", "no", "point", "thes", "an?"} {
		if isStop(w) {
			t.Errorf("isStop(%q) = true", w)
		}
	}
}

// FuzzWords holds the terms of ASCII text, read where it lies, to those
// of the general way: the text folded, split into words, each made a
// term.
func FuzzWords(f *testing.F) {
	for _, s := range []string{"the 600,000 cap", "1.5m,2", "a,1,2.3.b", ".5,", "x1,2y", "Capped AMNESTY, 600K"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []string
		for _, w := range words(s) {
			if t := Term(w); t != "" {
				want = append(want, t)
			}
		}
		if got := Terms(s); !slices.Equal(got, want) {
			t.Fatalf("Terms(%q) = %q, want %q", s, got, want)
		}
		// With a memo, the second time reads capitalised words from it.
		memo := map[string]string{}
		for range 2 {
			var got []string
			eachTerm(s, memo, func(t string) { got = append(got, t) })
			if !slices.Equal(got, want) {
				t.Fatalf("eachTerm(%q) with a memo = %q, want %q", s, got, want)
			}
		}
	})
}
