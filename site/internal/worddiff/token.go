package worddiff

import (
	"unicode"
	"unicode/utf8"
)

// A token is a word or punctuation mark together with the whitespace that
// follows it, so that concatenating a text's tokens gives the text back.
// Only the first token of a text can have an empty core: it holds the
// whitespace the text starts with.
type token struct {
	text string // the token and its trailing whitespace, a slice of the input
	core int    // length in bytes of text without the trailing whitespace
}

// word returns the token without its trailing whitespace.
func (t token) word() string { return t.text[:t.core] }

// space returns the whitespace following the token.
func (t token) space() string { return t.text[t.core:] }

// words reports how many words (0 or 1) the token counts as.
func (t token) words() int {
	if t.core > 0 {
		return 1
	}
	return 0
}

// tokenize splits s into tokens.
func tokenize(toks []token, s string) []token {
	for i := 0; i < len(s); {
		core, end := next(s, i)
		toks = append(toks, token{text: s[i:end], core: core - i})
		i = end
	}
	return toks
}

// countWords returns the number of tokens of s that are not only whitespace.
func countWords(s string) int {
	n := 0
	for i := 0; i < len(s); {
		core, end := next(s, i)
		if core > i {
			n++
		}
		i = end
	}
	return n
}

// next scans the token starting at s[i:]. It returns the offsets where its
// core and its trailing whitespace end.
func next(s string, i int) (core, end int) {
	core = scanCore(s, i)
	end = core
	for end < len(s) {
		r, n := rune(s[end]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(s[end:])
		}
		if !unicode.IsSpace(r) {
			break
		}
		end += n
	}
	return core, end
}

// scanCore returns the end of the word or punctuation mark starting at s[i:],
// or i if s[i:] starts with whitespace.
//
// A word is a run of letters, digits and combining marks. An apostrophe or
// hyphen between two such runes belongs to the word ("Ukraine's",
// "peace-keeping"), and so does a comma or full stop between two digits
// ("600,000", "3.5"). Any other rune is a token of its own. Invalid UTF-8
// bytes are one-byte punctuation tokens, so every input splits losslessly.
func scanCore(s string, i int) int {
	r, n := utf8.DecodeRuneInString(s[i:])
	switch {
	case unicode.IsSpace(r):
		return i
	case !isWordRune(r):
		return i + n
	}
	i += n
	prev := r
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			i += n
			prev = r
			continue
		}
		if !isJoiner(r) {
			break
		}
		after, m := utf8.DecodeRuneInString(s[i+n:])
		if !isWordRune(after) {
			break
		}
		if (r == ',' || r == '.') && !(isDigit(prev) && isDigit(after)) {
			break
		}
		i += n + m
		prev = after
	}
	return i
}

// isWordRune reports whether r can be part of a word.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)
}

// isDigit reports whether r is a decimal digit in any script.
func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsDigit(r)
}

// isJoiner reports whether r may join two word runes into one word.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '\u2019', // apostrophe, right single quotation mark
		'-', '\u2010', '\u2011', // hyphen-minus, hyphen, non-breaking hyphen
		',', '.':
		return true
	}
	return false
}
