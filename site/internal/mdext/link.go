package mdext

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/explainer/explainer/site/internal/typo"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// kinds are the cross-reference kinds, the schemes of KIND:ID links.
var kinds = [...]string{"clause", "doc", "changes", "topic", "actor", "section", "source"}

// transformer is the parser.ASTTransformer installed by New. It holds no
// per-conversion state: everything it finds goes into the parser.Context.
type transformer struct {
	r Resolver
}

// Transform implements parser.ASTTransformer.
func (t *transformer) Transform(doc *ast.Document, reader text.Reader, pc parser.Context) {
	res := &result{}
	pc.Set(resultKey, res)
	src := reader.Source()

	// Collect first, in one walk: rewriting the tree while walking it
	// would skip nodes. Script text goes before links are handled, so
	// that links inside it are neither rewritten nor reported.
	var html, links []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n.Kind() {
			case ast.KindRawHTML:
				html = append(html, n)
			case ast.KindLink, ast.KindImage, ast.KindAutoLink:
				links = append(links, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range html {
		dropElementText(n.(*ast.RawHTML), src)
	}
	if len(html) > 0 {
		links = slices.DeleteFunc(links, func(n ast.Node) bool { return !inTree(n, doc) })
	}
	for _, n := range links {
		switch n := n.(type) {
		case *ast.Link:
			t.link(n, src, res)
		case *ast.Image:
			t.image(n, src, res)
		case *ast.AutoLink:
			t.autoLink(n, src, res)
		}
	}
	sort.SliceStable(res.refs, func(i, j int) bool { return res.refs[i].Offset < res.refs[j].Offset })
	sort.SliceStable(res.problems, func(i, j int) bool { return res.problems[i].Offset < res.problems[j].Offset })
}

// inTree reports whether n is still in the tree under root: script text
// that dropElementText removed is not.
func inTree(n, root ast.Node) bool {
	for ; n != nil; n = n.Parent() {
		if n == root {
			return true
		}
	}
	return false
}

// dropElementText removes what lies between an inline <script> or <style>
// tag and its end tag: raw HTML renders as nothing, and the text inside
// these is code, not prose.
func dropElementText(n *ast.RawHTML, src []byte) {
	if n.Parent() == nil {
		return // removed with an earlier element
	}
	name := tagName(n, src)
	if name != "script" && name != "style" {
		return
	}
	var between []ast.Node
	for c := n.NextSibling(); c != nil; c = c.NextSibling() {
		if r, ok := c.(*ast.RawHTML); ok && tagName(r, src) == "/"+name {
			for _, b := range between {
				b.Parent().RemoveChild(b.Parent(), b)
			}
			return
		}
		between = append(between, c)
	}
}

// tagName returns the lower-case name of an inline HTML tag, with a
// leading "/" for an end tag.
func tagName(n *ast.RawHTML, src []byte) string {
	if n.Segments.Len() == 0 {
		return ""
	}
	seg := n.Segments.At(0)
	v := seg.Value(src)
	if len(v) < 2 || v[0] != '<' {
		return ""
	}
	i := 1
	if v[i] == '/' {
		i++
	}
	j := i
	for j < len(v) && ('a' <= lower(v[j]) && lower(v[j]) <= 'z' || '0' <= v[j] && v[j] <= '9') {
		j++
	}
	return strings.ToLower(string(v[1:j]))
}

// link handles an inline or reference link.
func (t *transformer) link(n *ast.Link, src []byte, res *result) {
	raw := n.Destination
	dest := decode(raw)
	if kind, id, ok := crossRef(dest); ok {
		off := destOffset(n, n.Reference, raw, src)
		target, ok := t.resolve(kind, id)
		if !ok {
			res.problems = append(res.problems, t.unknown(off, kind, id))
			if n.HasChildren() {
				unwrap(n)
			} else {
				replace(n, plainString(id))
			}
			return
		}
		n.Destination = []byte(target.URL)
		if !n.HasChildren() {
			n.AppendChild(n, plainString(target.Label))
		}
		res.refs = append(res.refs, Ref{Kind: kind, ID: id, Offset: off})
		return
	}
	scheme, ok := schemeOf(dest)
	if !ok || isAllowed(scheme) {
		return
	}
	off := destOffset(n, n.Reference, raw, src)
	if k := nearKind(scheme); k != "" {
		res.problems = append(res.problems, Problem{
			Offset: off,
			Msg:    fmt.Sprintf("unknown link kind %q (did you mean %q?)", scheme, k),
		})
	} else {
		res.problems = append(res.problems, dropped(off, "link to", raw))
	}
	unwrap(n)
}

// image drops an image with an unsafe destination, keeping its alt text.
// Images are never cross-references.
func (t *transformer) image(n *ast.Image, src []byte, res *result) {
	scheme, ok := schemeOf(decode(n.Destination))
	if !ok || isAllowed(scheme) {
		return
	}
	off := destOffset(n, n.Reference, n.Destination, src)
	res.problems = append(res.problems, dropped(off, "image", n.Destination))
	unwrap(n)
}

// autoLink handles <scheme:...> and <user@host>. A cross-reference
// autolink (<clause:us-28/21>) becomes a link labelled with its target;
// one with an unsafe scheme is dropped whole, since its text is the URL.
func (t *transformer) autoLink(n *ast.AutoLink, src []byte, res *result) {
	raw := n.URL(src)
	dest := decode(raw)
	off := clamp(n.Pos()+1, src) // after the '<'
	if kind, id, ok := crossRef(dest); ok {
		target, ok := t.resolve(kind, id)
		if !ok {
			res.problems = append(res.problems, t.unknown(off, kind, id))
			replace(n, plainString(id))
			return
		}
		l := ast.NewLink()
		l.Destination = []byte(target.URL)
		l.AppendChild(l, plainString(target.Label))
		replace(n, l)
		res.refs = append(res.refs, Ref{Kind: kind, ID: id, Offset: off})
		return
	}
	scheme, ok := schemeOf(dest)
	if !ok || isAllowed(scheme) {
		return
	}
	if k := nearKind(scheme); k != "" {
		res.problems = append(res.problems, Problem{
			Offset: off,
			Msg:    fmt.Sprintf("unknown link kind %q (did you mean %q?)", scheme, k),
		})
		replace(n, plainString(string(n.Label(src))))
		return
	}
	res.problems = append(res.problems, dropped(off, "link to", raw))
	n.Parent().RemoveChild(n.Parent(), n)
}

func (t *transformer) resolve(kind, id string) (Target, bool) {
	if t.r == nil {
		return Target{}, false
	}
	return t.r.Resolve(kind, id)
}

// unknown reports an unresolved cross-reference, with a suggestion when
// the resolver offers one.
func (t *transformer) unknown(off int, kind, id string) Problem {
	msg := fmt.Sprintf("unknown %s %q", noun(kind), id)
	if s, ok := t.r.(Suggester); ok {
		if near := s.Suggest(kind, id); near != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", near)
		}
	}
	return Problem{Offset: off, Msg: msg, Unresolved: true}
}

// noun names a kind in messages.
func noun(kind string) string {
	switch kind {
	case "doc":
		return "document"
	case "changes":
		return "changes page of document"
	}
	return kind
}

// dropped reports a link or image removed for its scheme. The URL is
// quoted as written, shortened to about 40 bytes.
func dropped(off int, what string, raw []byte) Problem {
	const limit = 40
	s := string(raw)
	if len(s) > limit {
		i := limit
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "..."
	}
	return Problem{
		Offset:  off,
		Msg:     fmt.Sprintf("%s %q dropped: scheme not allowed", what, s),
		Warning: true,
	}
}

// decode returns a destination as goldmark's HTML renderer writes it into
// the href attribute, before percent-encoding: with backslash escapes and
// character references resolved.
func decode(raw []byte) string {
	v := util.UnescapePunctuations(raw)
	v = util.ResolveNumericReferences(v)
	v = util.ResolveEntityNames(v)
	return string(v)
}

// crossRef splits a decoded destination KIND:ID with a known kind.
func crossRef(dest string) (kind, id string, ok bool) {
	kind, id, ok = strings.Cut(dest, ":")
	if !ok {
		return "", "", false
	}
	kind = strings.ToLower(kind)
	for _, k := range kinds {
		if kind == k {
			return kind, id, true
		}
	}
	return "", "", false
}

// schemeOf returns the lower-cased scheme of a decoded URL, read the way
// a browser reads it: ASCII whitespace and control characters are removed
// wherever they are (browsers strip leading ones and tabs and newlines
// anywhere; removing all is the safe side). A URL with no scheme is
// relative, root-absolute or a fragment.
func schemeOf(dest string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(dest); i++ {
		c := dest[i]
		if c <= ' ' || c == 0x7f {
			continue
		}
		if c == ':' {
			s := b.String()
			return s, isScheme(s)
		}
		if c == '/' || c == '?' || c == '#' {
			break
		}
		b.WriteByte(lower(c))
	}
	return "", false
}

// isScheme reports whether s matches ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
func isScheme(s string) bool {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// isAllowed reports whether a link may use scheme.
func isAllowed(scheme string) bool {
	switch scheme {
	case "http", "https", "mailto", "tel":
		return true
	}
	return false
}

// nearKind returns the kind that scheme is probably a typo of, or "".
// Short kinds allow one edit, others two, so that "irc:" is not taken for
// "doc:".
func nearKind(scheme string) string {
	best, bestD := "", 3
	var row []int
	for _, k := range kinds {
		limit := 2
		if len(k) <= 3 {
			limit = 1
		}
		if d, ok := typo.Distance(scheme, k, limit, &row); ok && d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// destOffset returns the byte offset in src of a link's destination: the
// first occurrence of the raw destination after the link text. Reference
// links, whose destination is elsewhere, and destinations not found give
// the offset of the link itself.
func destOffset(n ast.Node, ref *ast.ReferenceLink, raw, src []byte) int {
	start := clamp(n.Pos(), src)
	if ref != nil || len(raw) == 0 {
		return start
	}
	from := start + 1
	if end := textEnd(n, src); end > from {
		from = end
	}
	if from > len(src) {
		return start
	}
	if i := bytes.Index(src[from:], raw); i >= 0 {
		return from + i
	}
	return start
}

// textEnd returns the offset just past the last source text inside n, or
// -1 when n contains none.
func textEnd(n ast.Node, src []byte) int {
	end := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering || c == n {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			end = max(end, c.Segment.Stop)
		case *ast.RawHTML:
			if l := c.Segments.Len(); l > 0 {
				end = max(end, c.Segments.At(l-1).Stop)
			}
		case *ast.AutoLink:
			if c.Pos() >= 0 {
				end = max(end, c.Pos()+len(c.Label(src))+2) // <label>
			}
		}
		return ast.WalkContinue, nil
	})
	return min(end, len(src))
}

// clamp keeps an offset within [0, len(src)].
func clamp(off int, src []byte) int {
	return max(0, min(off, len(src)))
}

// plainString returns an inline node rendering s as escaped text, free of
// Markdown escapes and character references.
func plainString(s string) *ast.String {
	n := ast.NewString(util.EscapeHTML([]byte(s)))
	n.SetCode(true) // written as is: already HTML
	return n
}

// unwrap replaces n by its children.
func unwrap(n ast.Node) {
	p := n.Parent()
	for c := n.FirstChild(); c != nil; {
		next := c.NextSibling()
		p.InsertBefore(p, n, c)
		c = next
	}
	p.RemoveChild(p, n)
}

// replace puts m in the place of n.
func replace(n, m ast.Node) {
	p := n.Parent()
	p.ReplaceChild(p, n, m)
}
