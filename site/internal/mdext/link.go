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
	var code [][2]int // the byte ranges of code spans and blocks
	body := isSectionBody(pc)
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n.Kind() {
			case ast.KindRawHTML:
				html = append(html, n)
			case ast.KindHTMLBlock:
				if p, ok := droppedHTML(n, src); ok {
					res.problems = append(res.problems, p)
				}
			case ast.KindLink, ast.KindImage, ast.KindAutoLink:
				links = append(links, n)
			case ast.KindCodeSpan:
				if start, end, ok := span(n); ok {
					code = append(code, [2]int{start, end})
				}
			case ast.KindFencedCodeBlock, ast.KindCodeBlock:
				if l := n.Lines(); l.Len() > 0 {
					code = append(code, [2]int{l.At(0).Start, l.At(l.Len() - 1).Stop})
				}
			case ast.KindHeading:
				if h := n.(*ast.Heading); body && h.Level == 1 {
					res.problems = append(res.problems, Problem{Offset: clamp(n.Pos(), src), Warning: true,
						Msg: "a level-1 heading in a section: the section's title is its page's only one; use ## here"})
				}
			}
		}
		return ast.WalkContinue, nil
	})
	for _, n := range html {
		if p, ok := droppedHTML(n, src); ok {
			res.problems = append(res.problems, p)
		}
		dropElementText(n.(*ast.RawHTML), src)
	}
	res.problems = append(res.problems, spacedRefs(src, code)...)
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
	makeNotes(doc, src, res.sources)
	res.sources = nil
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
			if p, ok := doubledStop(n, target.Label, src, off); ok {
				res.problems = append(res.problems, p)
			}
		}
		res.refs = append(res.refs, Ref{Kind: kind, ID: id, Offset: off})
		if kind == "source" {
			res.sources = append(res.sources, sourceLink{n, target.Tag})
		}
		return
	}
	scheme, ok := schemeOf(dest)
	if !ok && strings.HasPrefix(dest, "/") && !strings.HasPrefix(dest, "//") {
		if p, ok := t.checkPath(dest, destOffset(n, n.Reference, raw, src)); ok {
			res.problems = append(res.problems, p)
		}
		return
	}
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
		if kind == "source" {
			res.sources = append(res.sources, sourceLink{l, target.Tag})
		}
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

// checkPath reports a root-absolute link to a page the site does not
// have, when the resolver knows the site's pages. A path with a file
// extension other than .html names an asset, which it does not check.
func (t *transformer) checkPath(dest string, off int) (Problem, bool) {
	pages, ok := t.r.(Pages)
	if !ok {
		return Problem{}, false
	}
	p := dest
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	last := p[strings.LastIndexByte(p, '/')+1:]
	if strings.Contains(last, ".") && !strings.HasSuffix(last, ".html") {
		return Problem{}, false
	}
	if pages.HasPage(p) {
		return Problem{}, false
	}
	return Problem{Offset: off, Msg: fmt.Sprintf("link to %q: the site has no such page", dest), Unresolved: true}, true
}

// doubledStop reports a link whose filled label ends in "?" and which a
// "." or ";" follows in the text: "What's next?." reads as a typo.
func doubledStop(n *ast.Link, label string, src []byte, off int) (Problem, bool) {
	if !strings.HasSuffix(label, "?") {
		return Problem{}, false
	}
	next, ok := n.NextSibling().(*ast.Text)
	if !ok {
		return Problem{}, false
	}
	v := next.Segment.Value(src)
	if len(v) == 0 || v[0] != '.' && v[0] != ';' {
		return Problem{}, false
	}
	return Problem{Offset: off, Warning: true,
		Msg: fmt.Sprintf("the link's label %q ends in \"?\" and a %q follows it: drop the %q or write the link text yourself", label, string(v[0]), string(v[0]))}, true
}

// droppedHTML reports raw HTML, which renders as nothing, at its position,
// so that no text is lost unseen. An HTML comment is a note the writer
// meant to hide, and is not reported.
func droppedHTML(n ast.Node, src []byte) (Problem, bool) {
	var start, end int
	switch n := n.(type) {
	case *ast.RawHTML:
		if n.Segments.Len() > 0 {
			start, end = n.Segments.At(0).Start, n.Segments.At(n.Segments.Len()-1).Stop
		}
	default:
		if l := n.Lines(); l.Len() > 0 {
			start, end = l.At(0).Start, l.At(l.Len()-1).Stop
		}
	}
	start, end = clamp(start, src), clamp(end, src)
	s := strings.TrimSpace(string(src[start:max(start, end)]))
	if strings.HasPrefix(s, "<!--") {
		return Problem{}, false
	}
	what := "raw HTML"
	if n.Kind() == ast.KindHTMLBlock {
		what = "an HTML block, with every line of it,"
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + "…"
	}
	if len(s) > 40 {
		i := 40
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		s = s[:i] + "…"
	}
	return Problem{Offset: start, Warning: true, Msg: fmt.Sprintf("%s dropped: %q; write it in Markdown", what, s)}, true
}

// spacedRefs reports cross-references written with a space after the
// colon, [](clause: us-28/21), which Markdown does not take for a link
// and would publish as written. code holds the byte ranges of code, where
// such text is meant literally.
func spacedRefs(src []byte, code [][2]int) []Problem {
	var out []Problem
	for i := 0; ; {
		j := bytes.Index(src[i:], []byte("]("))
		if j < 0 {
			return out
		}
		i += j + 2
		k := i
		for k < len(src) && k-i < 10 && ('a' <= lower(src[k]) && lower(src[k]) <= 'z') {
			k++
		}
		if k == i || k+1 >= len(src) || src[k] != ':' || (src[k+1] != ' ' && src[k+1] != '\t') {
			continue
		}
		kind := strings.ToLower(string(src[i:k]))
		if !slices.Contains(kinds[:], kind) || slices.ContainsFunc(code, func(r [2]int) bool { return r[0] <= i && i < r[1] }) {
			continue
		}
		id := k + 1
		for id < len(src) && (src[id] == ' ' || src[id] == '\t') {
			id++
		}
		end := id
		for end < len(src) && src[end] != ')' && src[end] != ' ' && src[end] != '\n' {
			end++
		}
		out = append(out, Problem{Offset: i,
			Msg: fmt.Sprintf("a space after %q makes this plain text, not a link: write (%s:%s)", kind+":", kind, src[id:end])})
	}
}

// span returns the byte range of the text inside n.
func span(n ast.Node) (start, end int, ok bool) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		t, isText := c.(*ast.Text)
		if !isText {
			continue
		}
		if !ok {
			start, ok = t.Segment.Start, true
		}
		end = t.Segment.Stop
	}
	return start, end, ok
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
