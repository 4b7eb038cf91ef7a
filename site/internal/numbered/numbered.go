// Package numbered reads a numbered text, a plan pasted from a PDF or a
// web page, into its points and sub-points, for explainer import.
//
// A line starts a point when it begins with a number in one of the ways
// plans number their points:
//
//  1. Ukraine's sovereignty will be confirmed.
//  1. Ukraine's sovereignty will be confirmed.
//     Point 1: Ukraine's sovereignty will be confirmed.
//     Article 1. Ukraine's sovereignty will be confirmed.
//     § 1 Ukraine's sovereignty will be confirmed.
//
// and a sub-point when it begins with a letter, "(a)" or "a)". The text
// of each runs to the next start. A number is taken for a point only
// after a line that ends a sentence, and only when it is the next one or,
// before a capital letter, a later one (a counter-proposal that keeps the
// plan's numbering skips the points it drops): a line that happens to
// begin "2025. " or "600. " in the middle of a point stays part of its
// text.
// Likewise a letter must be the next one of the current point's
// sub-points, starting at "a".
package numbered

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Point is one numbered point, or a sub-point of one.
type Point struct {
	Number string   // as the text numbers it: "9", or "9(a)" for a sub-point
	ID     string   // a clause id made from it: "9", "9a"
	Parent string   // the id of the point a sub-point belongs to
	Title  string   // its first words, at most about eight
	Text   string   // its whole text, paragraphs separated by blank lines
	Line   int      // the line it starts on, from 1
	Sub    []*Point // its sub-points
}

// Text is a parsed numbered text.
type Text struct {
	Heading  string   // the first line before the first point, often the text's title
	Preamble string   // what comes before the first point
	Points   []*Point // the points, each with its sub-points
}

// All returns every point and sub-point in the order of the text.
func (t *Text) All() []*Point {
	var out []*Point
	for _, p := range t.Points {
		out = append(out, p)
		out = append(out, p.Sub...)
	}
	return out
}

// pointRE matches the start of a point numbered "1." or "1)", and
// namedRE one introduced by a word or sign: "Point 1", "Article 1",
// "Art. 1", "§ 1", which may stand alone on its line, as a heading.
var (
	pointRE = regexp.MustCompile(`^([0-9]{1,3})[.)]\s+(.*)$`)
	namedRE = regexp.MustCompile(`^(?:(?i:point|article|art\.|clause|section)\s+|§\s*)([0-9]{1,3})(?:[.):]|\s+[-–—]|\s|$)\s*(.*)$`)
)

// subRE matches the start of a sub-point: "(a)" or "a)".
var subRE = regexp.MustCompile(`^\(?([a-z])\)\s+(.*)$`)

// Parse reads src, a numbered text.
func Parse(src string) *Text {
	t := &Text{}
	var cur *Point // the point or sub-point whose text is being read
	var body []string
	flush := func() {
		if cur != nil {
			cur.Text = joinLines(body)
			if cur.Title == "" {
				cur.Title = title(cur.Text)
			}
		} else {
			t.Preamble = joinLines(body)
		}
		body = nil
	}
	src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	src = strings.Map(printable, strings.ToValidUTF8(src, "\uFFFD"))
	prevEnds := true // the line before ends a sentence, or is blank
	for i, raw := range strings.Split(src, "\n") {
		line := strings.TrimSpace(strings.Map(normalizeSpace, raw))
		ends := prevEnds
		prevEnds = line == "" || strings.ContainsAny(line[len(line)-1:], ".;:!?\"”)")
		m, named := pointRE.FindStringSubmatch(line), false
		if m == nil {
			m, named = namedRE.FindStringSubmatch(line), true
		}
		if m != nil && expectedPoint(t, m[1], m[2], ends) {
			flush()
			cur = &Point{Number: m[1], ID: m[1], Line: i + 1}
			t.Points = append(t.Points, cur)
			body = []string{m[2]}
			if named && isHeading(m[2]) {
				// "Article 2 – Boats": a heading, the text below it.
				cur.Title, body = m[2], nil
			}
			continue
		}
		if cur == nil && t.Heading == "" {
			t.Heading = line
		}
		if m := subRE.FindStringSubmatch(line); m != nil && len(t.Points) > 0 && expectedSub(t.Points[len(t.Points)-1], m[1]) {
			flush()
			p := t.Points[len(t.Points)-1]
			cur = &Point{Number: p.Number + "(" + m[1] + ")", ID: p.ID + m[1], Parent: p.ID, Line: i + 1}
			p.Sub = append(p.Sub, cur)
			body = []string{m[2]}
			continue
		}
		body = append(body, line)
	}
	flush()
	return t
}

// expectedPoint reports whether n may number the next point of t, whose
// text would begin with rest: a number up to 100 for the first, and then
// the next number, or a later one (a counter-proposal that keeps the
// numbering of the plan it answers skips the points it drops) when the
// line before ends a sentence (after is true) and rest begins one.
// Numbers of four digits are years.
func expectedPoint(t *Text, n, rest string, after bool) bool {
	v, _ := strconv.Atoi(n)
	if len(t.Points) == 0 {
		return v >= 1 && v <= 100
	}
	last, _ := strconv.Atoi(t.Points[len(t.Points)-1].Number)
	if v == last+1 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return after && v > last && v < 1000 && (unicode.IsUpper(r) || r == '"' || r == '“')
}

// isHeading reports whether s, the rest of a line that starts a named
// point, is a heading: a few words that end no sentence.
func isHeading(s string) bool {
	return s != "" && len(strings.Fields(s)) <= 8 && !strings.ContainsAny(s[len(s)-1:], ".;:!?,")
}

// expectedSub reports whether letter is the next sub-point of p.
func expectedSub(p *Point, letter string) bool {
	return letter[0] == byte('a'+len(p.Sub))
}

// printable keeps what a text may hold: a page break (form feed), a
// vertical tab, and the line breaks of Unicode that YAML also reads as
// line breaks (next line, line and paragraph separators) become line
// breaks, and control characters, byte order marks and non-characters,
// which a PDF's text may carry and YAML refuses, go.
func printable(r rune) rune {
	switch {
	case r == '\f' || r == '\v' || r == 0x85 || r == 0x2028 || r == 0x2029:
		return '\n'
	case r == '\n' || r == '\t' || r >= 0x20 && r <= 0x7e || r >= 0xa0 && r <= 0xd7ff ||
		r >= 0xe000 && r <= 0xfffd && r != 0xfeff || r >= 0x10000 && r <= 0x10ffff:
		return r
	}
	return -1
}

// normalizeSpace turns the spaces a PDF leaves (no-break, thin, tabs)
// into plain spaces.
func normalizeSpace(r rune) rune {
	if r == '\t' || r == '\u00a0' || r == '\u2009' || r == '\u202f' {
		return ' '
	}
	return r
}

// joinLines joins the lines of a point's text: lines wrapped by the PDF
// are joined with a space, blank lines separate paragraphs, and a word
// hyphenated across two lines is joined again.
func joinLines(lines []string) string {
	var paras []string
	var cur strings.Builder
	for _, l := range lines {
		if l == "" {
			if cur.Len() > 0 {
				paras = append(paras, cur.String())
				cur.Reset()
			}
			continue
		}
		switch s := cur.String(); {
		case s == "":
		case strings.HasSuffix(s, "-") && len(s) > 1 && unicode.IsLetter(rune(s[len(s)-2])) && l[0] >= 'a' && l[0] <= 'z':
			t := strings.TrimSuffix(s, "-")
			cur.Reset()
			cur.WriteString(t)
		default:
			cur.WriteByte(' ')
		}
		cur.WriteString(l)
	}
	if cur.Len() > 0 {
		paras = append(paras, cur.String())
	}
	return strings.Join(paras, "\n\n")
}

// title returns the first words of text, at most about eight, ending at
// its first sentence or clause if that comes sooner.
func title(text string) string {
	first, _, _ := strings.Cut(text, "\n")
	for _, stop := range []string{". ", ": ", "; "} {
		if i := strings.Index(first, stop); i > 0 {
			first = first[:i]
		}
	}
	words := strings.Fields(first)
	more := len(words) > 8
	if more {
		words = words[:8]
	}
	t := strings.TrimRight(strings.Join(words, " "), ".,;:")
	if more && t != "" {
		t += "…"
	}
	if t == "" {
		return "Untitled point"
	}
	r := []rune(t)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
