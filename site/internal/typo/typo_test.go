package typo

import (
	"fmt"
	"testing"
)

func TestSuggest(t *testing.T) {
	known := []string{"territory", "army-size", "nato", "sanctions", "us-28", "us-82", "ukraine", "uk", "us"}
	tests := []struct {
		id   string
		want string
	}{
		{"teritory", "territory"},
		{"territroy", "territory"},
		{"nato", "nato"},
		{"atno", "nato"},
		{"army", ""},
		{"armysize", "army-size"},
		{"ukrain", "ukraine"},
		{"us-29", "us-28"}, // a tie between us-28 and us-82 goes to the smaller
		{"x", ""},          // one letter shares nothing with "us" or "uk"
		{"ua", "uk"},       // a tie between uk and us goes to the smaller
		{"completely-different", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Nearest(tt.id, known); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.id, got, tt.want)
		}
	}
	if got := Nearest("anything", nil); got != "" {
		t.Errorf("Nearest(%q, nil) = %q, want %q", "anything", got, "")
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
		{"same", "same", 0},
	}
	var row []int
	for _, tt := range tests {
		if got, _ := Distance(tt.a, tt.b, 100, &row); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

// levenshtein is the textbook distance, to check distance against.
func levenshtein(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
		}
	}
	return d[len(a)][len(b)]
}

func TestDistanceLimit(t *testing.T) {
	words := []string{"", "a", "ab", "ba", "abc", "acb", "territory", "teritory", "terrirtoy", "army-size", "armsize", "us-28", "us-82", "uk", "kitten", "sitting", "aaaa", "bbbb", "abab", "baba"}
	var row []int
	for _, a := range words {
		for _, b := range words {
			want := levenshtein(a, b)
			for limit := 0; limit <= 6; limit++ {
				got, ok := Distance(a, b, limit, &row)
				if ok != (want <= limit) || ok && got != want {
					t.Errorf("Distance(%q, %q, %d) = %d, %v; want %d, %v", a, b, limit, got, ok, want, want <= limit)
				}
			}
		}
	}
}

// manyIDs returns n distinct ids like those of a large project.
func manyIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("doc-%d/clause-%d", i/50, i%50)
	}
	return ids
}

func TestSuggestMany(t *testing.T) {
	ids := manyIDs(10000)
	if got, want := Nearest("doc-123/clause-7x", ids), "doc-123/clause-7"; got != want {
		t.Errorf("Nearest(%q, 10000 ids) = %q, want %q", "doc-123/clause-7x", got, want)
	}
}

func BenchmarkSuggest(b *testing.B) {
	ids := manyIDs(10000)
	for b.Loop() {
		Nearest("doc-123/clause-7x", ids)
	}
}
