// Package search makes the site's search index: every page worth finding
// as a record, and its words as terms, split into small files so that a
// query fetches only the part it needs. The reader's words are matched
// by static/js/search.js, which normalizes them exactly as Terms does
// here: the tests hold the two to the same list of cases.
package search

import (
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Terms splits s into the terms the index holds and a query is made of:
// folded (lower case, no diacritics, no apostrophes), numbers written
// one way ("600,000", "600000" and "600k" are all "600000"), English
// words stemmed, and the most common words left out.
func Terms(s string) []string {
	var out []string
	eachTerm(s, nil, func(t string) { out = append(out, t) })
	return out
}

// eachTerm calls f with each term of Terms(s), in order. It cuts s at
// the ASCII characters that end a word whatever surrounds them (a space,
// most punctuation); a piece of letters and digits alone, which most
// are once a comma or full stop at either end is dropped, is a word as
// it lies, copied only if it has a capital; any other piece (an
// apostrophe, a non-ASCII letter or dash, a number with a comma) goes the
// general way. (Folding all text first took five times as long.)
//
// memo, unless nil, keeps the terms of capitalised words, which would
// otherwise each be copied to be lowered: most are names, met again and
// again.
func eachTerm(s string, memo map[string]string, f func(string)) {
	for i := 0; i < len(s); {
		for i < len(s) && endsWord(s[i]) {
			i++
		}
		// One pass finds the piece's end and whether it has a capital or
		// anything but ASCII letters and digits.
		j := i
		upper, other := false, false
	scan:
		for ; j < len(s); j++ {
			switch c := s[j]; {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case 'A' <= c && c <= 'Z':
				upper = true
			case endsWord(c):
				break scan
			default:
				other = true
			}
		}
		piece := s[i:j]
		i = j
		if other {
			for piece != "" && (piece[0] == ',' || piece[0] == '.') {
				piece = piece[1:]
			}
			for piece != "" && (piece[len(piece)-1] == ',' || piece[len(piece)-1] == '.') {
				piece = piece[:len(piece)-1]
			}
			if piece == "" {
				continue
			}
			other = !alnum(piece)
		}
		if !other {
			t, known := "", false
			if upper && memo != nil {
				t, known = memo[piece]
			}
			if !known {
				w := piece
				if upper {
					w = strings.ToLower(piece)
				}
				t = Term(w)
				if upper && memo != nil {
					if len(memo) >= memoMax {
						clear(memo)
					}
					memo[piece] = t
				}
			}
			if t != "" {
				f(t)
			}
			continue
		}
		for _, w := range words(piece) {
			if t := Term(w); t != "" {
				f(t)
			}
		}
	}
}

// memoMax is the most capitalised words a memo of eachTerm holds.
const memoMax = 1 << 12

// endsWord reports whether c, wherever it stands, is not part of a word:
// ASCII but not a letter, a digit, an apostrophe, or a comma or point,
// which may stand inside a number.
func endsWord(c byte) bool {
	return c < 0x80 && !isAlnum(c) && c != ',' && c != '.' && c != '\''
}

// alnum reports whether s is all ASCII letters and digits.
func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || isDigit(c) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Term is the term of one word of words: its number, or its stem, or ""
// for a stop word.
func Term(w string) string {
	if n, ok := number(w); ok {
		return n
	}
	if isStop(w) {
		return ""
	}
	return Stem(w)
}

// Fold lowers s and strips its diacritics and apostrophes.
func Fold(s string) string {
	if ascii(s) { // most text: nothing to decompose
		var b strings.Builder
		b.Grow(len(s))
		for i := 0; i < len(s); i++ {
			switch c := s[i]; {
			case c == '\'':
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToValidUTF8(s, " ")) {
		switch {
		case unicode.Is(unicode.M, r), r == '\'' || r == '’' || r == 'ʼ':
		case r == 'ς': // final sigma: JavaScript lowers Σ to it at a word's end
			b.WriteRune('σ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// ascii reports whether s is all ASCII.
func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// words splits s, folded, into words: runs of letters and digits, where
// a comma or a point between two digits stays in the word ("600,000",
// "1.5m").
func words(s string) []string {
	return runeWords(Fold(s))
}

// runeWords is words for any text, folded.
func runeWords(s string) []string {
	rs := []rune(s)
	var out []string
	start := -1
	for i, r := range rs {
		in := unicode.IsLetter(r) || unicode.IsDigit(r) ||
			(r == ',' || r == '.') && i > 0 && i+1 < len(rs) && unicode.IsDigit(rs[i-1]) && unicode.IsDigit(rs[i+1])
		switch {
		case in && start < 0:
			start = i
		case !in && start >= 0:
			out = append(out, string(rs[start:i]))
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, string(rs[start:]))
	}
	return out
}

// number reads w as a number, with thousands separators and a k, m or bn
// suffix, and writes it one way: "600,000", "600000" and "600k" are all
// "600000", "1.5m" is "1500000".
func number(w string) (string, bool) {
	if w == "" || w[0] < '0' || w[0] > '9' {
		return "", false
	}
	mult := 1.0
	switch {
	case strings.HasSuffix(w, "bn"):
		w, mult = w[:len(w)-2], 1e9
	case strings.HasSuffix(w, "k"):
		w, mult = w[:len(w)-1], 1e3
	case strings.HasSuffix(w, "m"):
		w, mult = w[:len(w)-1], 1e6
	}
	digits := strings.ReplaceAll(w, ",", "")
	for _, c := range digits {
		if (c < '0' || c > '9') && c != '.' {
			return "", false
		}
	}
	if mult == 1 {
		return digits, true
	}
	v, err := strconv.ParseFloat(digits, 64)
	if err != nil {
		return "", false
	}
	// Past what both sides write one way (the script writes 1e21 and
	// 1e-7 with an exponent), it is a word as written.
	if x := v * mult; x != 0 && (x < 1e-6 || x >= 1e21) {
		return "", false
	}
	return strconv.FormatFloat(v*mult, 'f', -1, 64), true
}

// Stem cuts the common English endings off w, a folded word: "assets"
// and "asset" are "asset", "capped" and "capping" "cap", "amnesty" and
// "amnesties" "amnesti". It is a small cousin of Porter's stemmer, made
// to be written the same way in JavaScript.
func Stem(w string) string {
	if len(w) < 4 || !isLetters(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ies"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	}
	cut := false
	switch {
	case len(w) > 5 && strings.HasSuffix(w, "ing"):
		w, cut = w[:len(w)-3], true
	case len(w) > 4 && strings.HasSuffix(w, "ed"):
		w, cut = w[:len(w)-2], true
	case len(w) > 4 && strings.HasSuffix(w, "ly"):
		w = w[:len(w)-2]
	}
	if n := len(w); cut && n > 2 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) {
		w = w[:n-1] // capp -> cap
	}
	switch n := len(w); {
	case !cut && n > 4 && w[n-1] == 'e':
		w = w[:n-1]
	case n > 3 && w[n-1] == 'y':
		w = w[:n-1] + "i"
	}
	return w
}

// isLetters reports whether w is all ASCII letters: the endings are
// English; words of other scripts are left whole.
func isLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] < 'a' || w[i] > 'z' {
			return false
		}
	}
	return true
}

// isStop reports whether w is one of StopWords.
func isStop(w string) bool {
	switch w {
	case "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is", "it", "its",
		"of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "will", "with", "would":
		return true
	}
	return false
}

// StopWords are the words left out of the index and of queries. isStop
// and the script's copy hold to it (TestStopWords; testdata/terms.tsv,
// which both sides read).
const StopWords = "a an and are as at be by for from has have in is it its of on or that the their this to was were will with would"
