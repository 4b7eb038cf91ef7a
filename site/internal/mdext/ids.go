package mdext

import (
	"html"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
)

// NewIDs returns the element ids of one conversion: "PREFIX-slug" where
// slug is the heading text in lower case, its words joined by "-", with
// only a-z, 0-9 and "-" kept; a repeated id gets "-1", "-2" … appended.
// The prefix, itself slugged, keeps ids unique when many sections share a
// page (the home page); "" gives plain slugs.
//
// Goldmark asks for an id before it parses the heading's inline Markdown,
// so the slug is made from the heading's source: link destinations and
// HTML tags are left out, character references decoded, common accented
// Latin letters folded ("Côte" gives "cote") and other letters dropped. A
// heading with no usable text gets "heading".
//
// Use a new IDs for every conversion, through parser.WithIDs: it records
// the ids it gave and is not safe for concurrent use.
func NewIDs(prefix string) parser.IDs {
	return &ids{prefix: prefix}
}

// ids implements parser.IDs. Most texts have no heading: what it needs is
// made on first use.
type ids struct {
	prefix string // as given, until slugged
	ready  bool   // prefix is slugged, used and next made
	used   map[string]bool
	next   map[string]int // base id -> last suffix given
}

func (s *ids) init() {
	if !s.ready {
		s.prefix, s.ready = slug(s.prefix), true
		s.used, s.next = map[string]bool{}, map[string]int{}
	}
}

// Generate implements parser.IDs.
func (s *ids) Generate(value []byte, kind ast.NodeKind) []byte {
	s.init()
	base := slug(headingText(string(value)))
	if base == "" {
		base = "id"
		if kind == ast.KindHeading {
			base = "heading"
		}
	}
	if s.prefix != "" {
		base = s.prefix + "-" + base
	}
	id := base
	if s.used[id] {
		for i := s.next[base] + 1; ; i++ {
			id = base + "-" + strconv.Itoa(i)
			if !s.used[id] {
				s.next[base] = i
				break
			}
		}
	}
	s.used[id] = true
	return []byte(id)
}

// Put implements parser.IDs: it records an id given explicitly.
func (s *ids) Put(value []byte) {
	s.init()
	s.used[string(value)] = true
}

// headingText strips the parts of heading Markdown a reader never sees:
// link destinations "](...)" and HTML tags, and decodes character
// references.
func headingText(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); i++ {
		c := md[i]
		switch {
		case c == '\\' && i+1 < len(md):
			i++
			b.WriteByte(md[i])
			continue
		case c == ']' && i+1 < len(md) && md[i+1] == '(':
			depth := 0
			j := i + 1
			for ; j < len(md); j++ {
				if md[j] == '(' {
					depth++
				} else if md[j] == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
			i = j
			continue
		case c == '<' && i+1 < len(md) && isTagStart(md[i+1]):
			if j := strings.IndexByte(md[i:], '>'); j > 0 {
				i += j
				continue
			}
		}
		b.WriteByte(c)
	}
	return html.UnescapeString(b.String())
}

func isTagStart(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '/' || c == '!' || c == '?'
}

// slug reduces s to lower-case words of a-z and 0-9 joined by "-".
func slug(s string) string {
	var b strings.Builder
	dash := false
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case 'A' <= r && r <= 'Z':
			r += 'a' - 'A'
		case r >= utf8.RuneSelf:
			if f, ok := folds[r]; ok {
				r = f
			}
			r = unicode.ToLower(r)
		}
		switch {
		case 'a' <= r && r <= 'z' || '0' <= r && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case unicode.IsSpace(r) || r == '-' || r == '_' || r == '/':
			dash = true
		}
	}
	return b.String()
}

// folds maps accented Latin letters to their base letter.
var folds = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ã': 'a', 'ä': 'a', 'å': 'a', 'ā': 'a', 'ă': 'a', 'ą': 'a',
	'À': 'a', 'Á': 'a', 'Â': 'a', 'Ã': 'a', 'Ä': 'a', 'Å': 'a', 'Ā': 'a', 'Ă': 'a', 'Ą': 'a',
	'ç': 'c', 'ć': 'c', 'č': 'c', 'Ç': 'c', 'Ć': 'c', 'Č': 'c',
	'ď': 'd', 'đ': 'd', 'Ď': 'd', 'Đ': 'd',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e', 'ė': 'e', 'ę': 'e', 'ě': 'e',
	'È': 'e', 'É': 'e', 'Ê': 'e', 'Ë': 'e', 'Ē': 'e', 'Ė': 'e', 'Ę': 'e', 'Ě': 'e',
	'ğ': 'g', 'Ğ': 'g',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ī': 'i', 'į': 'i', 'ı': 'i',
	'Ì': 'i', 'Í': 'i', 'Î': 'i', 'Ï': 'i', 'Ī': 'i', 'Į': 'i', 'İ': 'i',
	'ł': 'l', 'Ł': 'l', 'ľ': 'l', 'Ľ': 'l',
	'ñ': 'n', 'ń': 'n', 'ň': 'n', 'Ñ': 'n', 'Ń': 'n', 'Ň': 'n',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'õ': 'o', 'ö': 'o', 'ø': 'o', 'ō': 'o', 'ő': 'o',
	'Ò': 'o', 'Ó': 'o', 'Ô': 'o', 'Õ': 'o', 'Ö': 'o', 'Ø': 'o', 'Ō': 'o', 'Ő': 'o',
	'ř': 'r', 'Ř': 'r',
	'ś': 's', 'š': 's', 'ş': 's', 'Ś': 's', 'Š': 's', 'Ş': 's', 'ß': 's',
	'ť': 't', 'ţ': 't', 'Ť': 't', 'Ţ': 't',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ū': 'u', 'ů': 'u', 'ű': 'u', 'ų': 'u',
	'Ù': 'u', 'Ú': 'u', 'Û': 'u', 'Ü': 'u', 'Ū': 'u', 'Ů': 'u', 'Ű': 'u', 'Ų': 'u',
	'ý': 'y', 'ÿ': 'y', 'Ý': 'y',
	'ź': 'z', 'ż': 'z', 'ž': 'z', 'Ź': 'z', 'Ż': 'z', 'Ž': 'z',
}
