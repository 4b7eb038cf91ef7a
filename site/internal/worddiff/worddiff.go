// Package worddiff computes word-level differences between two plain texts.
// The site uses it to show readers how a clause's wording changed from one
// version of a document to the next:
//
//	ops := worddiff.Diff("Ukraine's army is capped at 600,000",
//		"Ukraine's army is capped at 800,000 in peacetime")
//	worddiff.HTML(ops)
//	// Ukraine&#39;s army is capped at <del>600,000</del><ins>800,000 in peacetime</ins>
//
// # Words
//
// A text is split into tokens: words, which are runs of letters, digits and
// combining marks in any script, and punctuation marks, one per token. An
// apostrophe or hyphen between two letters or digits belongs to the word
// ("Ukraine's", "peace-keeping"), and so does a comma or full stop between
// two digits, so "600,000" and "3.5" are single words. Whitespace belongs to
// the token before it. Tokens are compared without their whitespace: a word
// followed by a space in one text and by a line break in the other is
// unchanged, and only the whitespace is reported as deleted and inserted.
//
// # Algorithm
//
// Diff strips the common prefix and suffix and runs the linear-space
// variant of Myers' O(ND) algorithm on the rest, so its result has as few
// inserted and deleted tokens as possible. When the texts have so little in
// common that more than 2,000 tokens would have to be inserted or deleted,
// the search gives up and reports the differing middle as deleted and
// inserted as a whole; that bounds the time taken to about a
// millisecond per kilobyte for any input.
//
// # Cleanup
//
// A minimal diff does not always read well: two rewritten sentences that
// happen to share "the" come out as a change, an unchanged "the" and
// another change. Diff therefore folds an unchanged run into the changes
// around it when the run is only whitespace, when it is one short word or
// punctuation mark (three characters at most) between changes of at least
// two words each, or when the changes on both sides are at least four times
// its length in words. Between two unchanged runs, all deleted text comes
// before all inserted text.
package worddiff

import (
	"html/template"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Kind says whether an Op's text is common to both texts or only in one.
type Kind int

// The kinds of Op.
const (
	Equal  Kind = iota // in both texts
	Insert             // only in the new text
	Delete             // only in the old text
)

// String returns the name of the kind, "Equal", "Insert" or "Delete".
func (k Kind) String() string {
	switch k {
	case Equal:
		return "Equal"
	case Insert:
		return "Insert"
	case Delete:
		return "Delete"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// An Op is one step of a diff: a run of tokens that both texts share, or
// that only one of them has.
type Op struct {
	Kind Kind
	Text string // the tokens of the run with their whitespace, never empty
}

// Diff returns the word-level differences turning a into b. Concatenating
// the texts of the Equal and Delete ops gives a; concatenating those of the
// Equal and Insert ops gives b. Ops never have empty texts, two adjacent
// ops never have the same kind, and a Delete always comes before an Insert
// next to it. The result is deterministic, and nil when a and b are empty.
func Diff(a, b string) []Op {
	return new(Differ).Diff(a, b)
}

// A Differ is Diff with the room it needs while it works, used again by
// its next Diff: a caller comparing many texts keeps one per goroutine.
// The zero value is ready to use; a Differ is not safe for concurrent
// use.
type Differ struct {
	ta, tb []token
	ids    map[string]int
	ia, ib []int
	d      differ
	segs   []segment
}

// Diff returns what the function Diff returns.
func (sc *Differ) Diff(a, b string) []Op {
	sc.ta, sc.tb = tokenize(sc.ta[:0], a), tokenize(sc.tb[:0], b)
	ta, tb := sc.ta, sc.tb
	if sc.ids == nil {
		sc.ids = map[string]int{}
	}
	clear(sc.ids)
	sc.ia, sc.ib = intern(sc.ia[:0], sc.ids, ta), intern(sc.ib[:0], sc.ids, tb)
	sc.d.reset(sc.ia, sc.ib)
	sc.segs = newSegments(sc.segs[:0], ta, tb, sc.d.script())
	segs := cleanup(a, sc.segs)
	var ops []Op // nil for two empty texts
	if len(segs) > 0 {
		ops = make([]Op, 0, len(segs)+len(segs)/2)
	}
	for _, s := range segs {
		if s.equal {
			ops = append(ops, Op{Equal, a[s.a0:s.a1]})
			continue
		}
		if s.a0 < s.a1 {
			ops = append(ops, Op{Delete, a[s.a0:s.a1]})
		}
		if s.b0 < s.b1 {
			ops = append(ops, Op{Insert, b[s.b0:s.b1]})
		}
	}
	return ops
}

// intern appends to s, for each token, its word as a small integer, the
// same for the same word, so that the diff compares integers instead of
// strings.
func intern(s []int, ids map[string]int, toks []token) []int {
	for _, t := range toks {
		id, ok := ids[t.word()]
		if !ok {
			id = len(ids)
			ids[t.word()] = id
		}
		s = append(s, id)
	}
	return s
}

// A segment is a stretch of both texts that is either unchanged (a[a0:a1]
// equals b[b0:b1]) or changed (a[a0:a1] was replaced by b[b0:b1]).
// Consecutive segments alternate between the two and cover both texts.
type segment struct {
	equal  bool
	a0, a1 int // byte offsets in a
	b0, b1 int // byte offsets in b
	na, nb int // words in a[a0:a1] and b[b0:b1]
}

// newSegments turns an edit script on tokens into segments. A pair of equal
// words whose whitespace differs becomes the word plus the whitespace both
// share, unchanged, followed by the rest of the whitespace, changed.
func newSegments(segs []segment, ta, tb []token, runs []run) []segment {
	pa, pb := 0, 0 // offsets in a and b
	add := func(equal bool, la, lb, na, nb int) {
		if la == 0 && lb == 0 {
			return
		}
		if n := len(segs); n > 0 && segs[n-1].equal == equal {
			s := &segs[n-1]
			s.a1, s.b1 = s.a1+la, s.b1+lb
			s.na, s.nb = s.na+na, s.nb+nb
		} else {
			segs = append(segs, segment{equal, pa, pa + la, pb, pb + lb, na, nb})
		}
		pa, pb = pa+la, pb+lb
	}
	i, j := 0, 0
	for _, r := range runs {
		for range r.n {
			switch r.kind {
			case Equal:
				x, y := ta[i], tb[j]
				i, j = i+1, j+1
				if x.text == y.text {
					add(true, len(x.text), len(x.text), x.words(), x.words())
					continue
				}
				p := commonPrefix(x.space(), y.space())
				add(true, x.core+p, y.core+p, x.words(), y.words())
				add(false, len(x.text)-x.core-p, len(y.text)-y.core-p, 0, 0)
			case Delete:
				add(false, len(ta[i].text), 0, ta[i].words(), 0)
				i++
			case Insert:
				add(false, 0, len(tb[j].text), 0, tb[j].words())
				j++
			}
		}
	}
	return segs
}

// commonPrefix returns the length in bytes of the longest common prefix of
// s and t that ends on a rune boundary.
func commonPrefix(s, t string) int {
	n := 0
	for n < len(s) && n < len(t) {
		_, size := utf8.DecodeRuneInString(s[n:])
		if !strings.HasPrefix(t[n:], s[n:n+size]) {
			break
		}
		n += size
	}
	return n
}

// cleanup folds unchanged segments that would read as noise into the
// changes around them, as described in the package documentation. a is the
// old text, which the segments' offsets index.
func cleanup(a string, segs []segment) []segment {
	out := segs[:0]
	for _, s := range segs {
		out = append(out, s)
		for len(out) >= 3 {
			l, e, r := out[len(out)-3], out[len(out)-2], out[len(out)-1]
			if l.equal || !e.equal || r.equal || !isNoise(a[e.a0:e.a1], e.na, l, r) {
				break
			}
			l.a1, l.b1 = r.a1, r.b1
			l.na, l.nb = l.na+e.na+r.na, l.nb+e.nb+r.nb
			out = append(out[:len(out)-3], l)
		}
	}
	return out
}

// isNoise reports whether the unchanged text, of n words, between the
// changes l and r should be folded into them.
func isNoise(text string, n int, l, r segment) bool {
	if n == 0 {
		return true
	}
	around := min(max(l.na, l.nb), max(r.na, r.nb))
	if n == 1 && around >= 2 && utf8.RuneCountInString(strings.TrimSpace(text)) <= 3 {
		return true
	}
	return 4*n <= around
}

// HTML renders ops as HTML: the text escaped for html/template, with
// deleted text in <del> and inserted text in <ins> elements. Whitespace at
// the edges of a change is put outside the element, so that only words and
// the spaces between them are marked; a change of whitespace alone is not
// marked at all.
func HTML(ops []Op) template.HTML {
	var sb strings.Builder
	for _, op := range ops {
		var tag string
		switch op.Kind {
		case Insert:
			tag = "ins"
		case Delete:
			tag = "del"
		default:
			sb.WriteString(template.HTMLEscapeString(op.Text))
			continue
		}
		core := strings.TrimSpace(op.Text)
		if core == "" {
			sb.WriteString(template.HTMLEscapeString(op.Text))
			continue
		}
		lead := len(op.Text) - len(strings.TrimLeftFunc(op.Text, unicode.IsSpace))
		sb.WriteString(template.HTMLEscapeString(op.Text[:lead]))
		sb.WriteString("<" + tag + ">")
		sb.WriteString(template.HTMLEscapeString(core))
		sb.WriteString("</" + tag + ">")
		sb.WriteString(template.HTMLEscapeString(op.Text[lead+len(core):]))
	}
	return template.HTML(sb.String())
}

// Similarity returns how much of the two texts of a diff is unchanged, as
// 2*equal/(old+new) where old and new count the words and punctuation
// marks of each text and equal those they share: 1 for identical texts
// and 0 for texts with nothing in common. Texts without words, such as two
// empty ones, are similar: 1.
func Similarity(ops []Op) float64 {
	var equal, total int
	for _, op := range ops {
		n := countWords(op.Text)
		if op.Kind == Equal {
			equal += n
			n *= 2
		}
		total += n
	}
	if total == 0 {
		return 1
	}
	return float64(2*equal) / float64(total)
}

// Changed reports whether ops contain any insertion or deletion, that is,
// whether the two texts differ.
func Changed(ops []Op) bool {
	for _, op := range ops {
		if op.Kind != Equal {
			return true
		}
	}
	return false
}
