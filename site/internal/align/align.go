// Package align suggests, for the clauses of a document, the clauses of
// a followed document they continue: by number and by wording. explainer
// import and explainer align print its suggestions as from lines.
//
// Wording is compared as sets of words: lower-cased, stripped of
// punctuation, of the commonest English words and of link destinations,
// and of their commonest endings ("fishing" and "fishes" are one word). The similarity of two texts is the Dice coefficient of
// their sets, 2|A∩B|/(|A|+|B|), from 0 (no word in common) to 1.
package align

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
)

// Clause is a clause to match or to match against.
type Clause struct {
	Key    string // "DOC/CLAUSE"
	Number string // its display number, "" if none
	Title  string
	Text   string // Markdown or plain text
}

// Match is a suggested from for one clause.
type Match struct {
	Clause     Clause  // the followed clause it most resembles
	Similar    float64 // the similarity of the two texts, 0 to 1
	SameNumber bool    // the two have the same number
}

// Comment says why a match was made: "same number, 64% of words in
// common".
func (m Match) Comment() string {
	words := fmt.Sprintf("%d%% of words in common", int(m.Similar*100+0.5))
	if m.SameNumber {
		return "same number, " + words
	}
	return words
}

// Thresholds of a match: the wording alone must share this much, or this
// much with the same number.
const (
	minSimilar       = 0.2
	minSimilarNumber = 0.1
	// A same-numbered clause wins over one worded a little more alike.
	numberMargin = 0.15
)

// Best returns the clause of among that c most resembles, and false when
// none is near enough.
func Best(c Clause, among []Clause) (Match, bool) {
	words := Words(c.Title + " " + c.Text)
	var best, same Match
	found, foundSame := false, false
	for _, o := range among {
		s := Dice(words, Words(o.Title+" "+o.Text))
		m := Match{Clause: o, Similar: s, SameNumber: c.Number != "" && o.Number == c.Number}
		if !found || s > best.Similar {
			best, found = m, true
		}
		if m.SameNumber && (!foundSame || s > same.Similar) {
			same, foundSame = m, true
		}
	}
	switch {
	case foundSame && same.Similar >= minSimilarNumber && same.Similar >= best.Similar-numberMargin:
		return same, true
	case found && best.Similar >= minSimilar:
		return best, true
	}
	return Match{}, false
}

// linkDest matches the destination of a Markdown link, which names a
// page, not what the text says.
var linkDest = regexp.MustCompile(`\]\([^)]*\)`)

// Words returns the set of words of s that say something.
func Words(s string) map[string]bool {
	s = linkDest.ReplaceAllString(s, "]")
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if !stopWord(w) {
			out[stem(w)] = true
		}
	}
	return out
}

// stem strips the commonest English endings from w, so that "fishing"
// and "fishes" are the same word: -ies, -es after a hissing sound, -s,
// -ing and -ed, leaving at least three letters.
func stem(w string) string {
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "xes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && len(w) > 3:
		return w[:len(w)-1]
	case strings.HasSuffix(w, "ing") && len(w) > 5:
		return w[:len(w)-3]
	case strings.HasSuffix(w, "ed") && len(w) > 4:
		return w[:len(w)-2]
	}
	return w
}

// Dice is the Dice coefficient of two sets of words.
func Dice(a, b map[string]bool) float64 {
	if len(a)+len(b) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// stopWord reports whether w is one of the commonest English words, which
// every text shares.
func stopWord(w string) bool {
	switch w {
	case "a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "at", "as",
		"is", "are", "be", "will", "would", "shall", "should", "its", "it", "this", "that", "which",
		"from", "not", "no", "all", "any", "their", "they", "his", "her", "has", "have", "been", "was", "were":
		return true
	}
	return false
}
