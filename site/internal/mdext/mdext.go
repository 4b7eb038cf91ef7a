// Package mdext is the goldmark extension that renders every Markdown field
// of an explainer: section bodies, the lede, clause text, notes, summaries
// and events. It resolves cross-references, keeps untrusted content from
// injecting script, and reports what it found with exact byte offsets.
//
// # Cross-references
//
// A cross-reference is an ordinary Markdown link whose destination is
// KIND:ID, where KIND is one of clause, doc, topic, actor, section or
// source:
//
//	[the territory clause](clause:us-28/21)
//	[](doc:us-28)
//	[](topic:territory)
//	<actor:russia>
//
// The kind is matched case-insensitively; the id is passed to the
// [Resolver] as written, after Markdown backslash escapes and character
// references are decoded. A resolved link points at [Target.URL]; when its
// text is empty (or it is an autolink) the text becomes [Target.Label]. An
// unknown target is rendered as its text alone (the id when the text is
// empty) and reported as a [Problem]: `unknown clause "us-28/99" (did you
// mean "us-28/9"?)`, the suggestion coming from a [Suggester] when the
// resolver is one. A destination whose scheme is a near miss of a kind
// (`claus:`, `topics:`) is reported as `unknown link kind "claus" (did you
// mean "clause"?)` and rendered as text too.
//
// Reference-style links (`[text][ref]` with `[ref]: clause:us-28/21`) work
// as well; their offset is that of the link's opening bracket.
//
// # Safety
//
// Markdown is untrusted. Raw HTML, block and inline, renders as nothing:
// the text between inline tags is kept, except inside <script> and
// <style>. Links, autolinks and images are
// kept only when their destination is relative, root-absolute, a fragment
// or uses the http, https, mailto or tel scheme. The scheme is judged the
// way a browser would read the rendered attribute: after backslash escapes
// and character references are decoded and with whitespace and control
// characters removed, so `java&#9;script:` and `JaVaScRiPt:` are caught.
// A dropped link is replaced by its text, a dropped image by its alt text
// and a dropped autolink by nothing; each is a warning [Problem]
// (`link to "javascript:alert(1)" dropped: scheme not allowed`).
//
// # Reporting
//
// Results are kept in the [parser.Context] of each conversion, so one
// goldmark instance can serve many goroutines at once. Pass a fresh
// context and read it back with [Refs] and [Problems]:
//
//	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs("whats-next")))
//	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
//	err := md.Renderer().Render(w, src, doc)
//	refs, problems := mdext.Refs(pc), mdext.Problems(pc)
//
// Offsets are byte offsets into src: the start of the destination text
// (`clause:...`) when it can be found, else the start of the link.
//
// # Source notes
//
// A run of source links in parentheses, the way a reporter cites inline,
//
//	Ukraine would cap its army ([Axios](source:axios); [FT](source:ft)).
//
// becomes numbered note marks, and the text ends with the notes, each
// with the link's text (or the source's label when it is empty) linked
// to the source:
//
//	Ukraine would cap its army¹ ².
//	…
//	Sources
//	1. Axios
//	2. FT
//
// Only a run that the parentheses hold alone, with "; " or ", " between
// its links, is turned into notes: a source named in the sentence itself
// ("as [Reuters](source:reuters) reported") stays a link, since the words
// are the sentence's. Notes are numbered within their text, a source
// cited twice keeping its first number; the text shows whole, notes
// and all, on every page it appears on. A mark links to its source, as
// its note does, and neither has an id: a text may show twice on a page.
//
// # Heading ids
//
// [NewIDs] makes heading ids that carry a prefix, so that many sections can
// share one HTML page: "## Background" in the section whats-next gets the
// id "whats-next-background".
//
// # Plain text
//
// [Text] flattens a converted document to plain text, for word-level
// differences between clause versions and for feed summaries.
package mdext

import (
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// Target is where a cross-reference leads. The URL goes through goldmark's
// link rendering like any Markdown destination: character references and
// backslash escapes in it are decoded and unsafe bytes percent-encoded, which
// leaves URLs made of ids ([a-z0-9-]) and slashes as they are.
type Target struct {
	URL   string // root-absolute, e.g. "/documents/us-28/21/"; may carry a #fragment
	Label string // plain text used when the link text is empty
	Tag   string // a word a source note shows beside its source: "mirror"
}

// Resolver looks up the target of a cross-reference. Kind is one of
// clause, doc, topic, actor, section and source, always lower case.
// A Resolver shared by one goldmark instance is called from every
// goroutine converting through it, so it must be safe for concurrent use.
type Resolver interface {
	Resolve(kind, id string) (Target, bool)
}

// Pages is an optional interface of a [Resolver]: HasPage reports whether
// the site has a page at path, root-absolute and without query or
// fragment. A Markdown link to a root-absolute path it does not know is
// reported.
type Pages interface {
	HasPage(path string) bool
}

// Suggester is an optional interface of a [Resolver]: Suggest returns the
// known id nearest to an unknown one, or "" when nothing is near enough.
// It is called only for unresolved references, so it may be slow.
type Suggester interface {
	Suggest(kind, id string) string
}

// Ref is a resolved cross-reference.
type Ref struct {
	Kind   string // clause, doc, topic, actor, section or source
	ID     string // as passed to Resolve
	Offset int    // byte offset of the destination (or of the link) in the source
}

// Problem is something wrong with the Markdown: an unknown cross-reference
// (an error) or a dropped link (a warning).
type Problem struct {
	Offset  int    // byte offset in the source
	Msg     string // lower case, unpunctuated, e.g. `unknown clause "us-28/99"`
	Warning bool   // the output is still fine; an error only in strict builds
	// Unresolved marks a cross-reference to a target that does not exist:
	// unlike the other problems, it goes away when another file adds the
	// target, without a change to this text.
	Unresolved bool
}

// resultKey keys a conversion's *result in its parser.Context, and
// sectionKey marks the conversion of a section's body. Like sentinel
// errors they are set once and never change.
var (
	resultKey  = parser.NewContextKey()
	sectionKey = parser.NewContextKey()
)

// MarkSectionBody tells the conversion that uses pc that it converts a
// section's body, where a level-1 heading is reported: the section's
// title is its page's heading.
func MarkSectionBody(pc parser.Context) { pc.Set(sectionKey, true) }

func isSectionBody(pc parser.Context) bool {
	b, _ := pc.Get(sectionKey).(bool)
	return b
}

// result is what one conversion found.
type result struct {
	refs     []Ref
	problems []Problem
	sources  []sourceLink // the resolved source links, in order, until made notes
}

func getResult(pc parser.Context) *result {
	if pc == nil {
		return nil
	}
	r, _ := pc.Get(resultKey).(*result)
	return r
}

// Refs returns every resolved cross-reference of the conversion that used
// pc, in source order.
func Refs(pc parser.Context) []Ref {
	if r := getResult(pc); r != nil {
		return r.refs
	}
	return nil
}

// Problems returns the problems of the conversion that used pc, in source
// order.
func Problems(pc parser.Context) []Problem {
	if r := getResult(pc); r != nil {
		return r.problems
	}
	return nil
}

// extender is the Extender returned by New.
type extender struct {
	r Resolver
}

// New returns the extension: it resolves cross-references through r (which
// may be nil: then every cross-reference is unknown), drops links with
// unsafe schemes and renders raw HTML as nothing. It does not turn on
// unsafe HTML rendering and must not be combined with it.
func New(r Resolver) goldmark.Extender {
	return &extender{r: r}
}

// Extend implements goldmark.Extender.
func (e *extender) Extend(m goldmark.Markdown) {
	m.Parser().AddOptions(parser.WithASTTransformers(
		util.Prioritized(&transformer{r: e.r}, 500),
	))
	// Priority below the HTML renderer's 1000 makes these functions win.
	m.Renderer().AddOptions(renderer.WithNodeRenderers(
		util.Prioritized(rawHTMLRenderer{}, 100),
		util.Prioritized(notesRenderer{}, 100),
	))
}

// rawHTMLRenderer renders raw HTML, inline and block, as nothing.
type rawHTMLRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (rawHTMLRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(ast.KindRawHTML, renderNothing)
	reg.Register(ast.KindHTMLBlock, renderNothing)
}

func renderNothing(util.BufWriter, []byte, ast.Node, bool) (ast.WalkStatus, error) {
	return ast.WalkSkipChildren, nil
}

// NewMarkdown returns the goldmark instance the generator uses for every
// Markdown field: CommonMark with GFM tables and strikethrough, the
// typographer, automatic heading ids and this extension. Bare URLs are not
// linked and raw HTML is never passed through. The instance is safe for
// concurrent use when r is.
func NewMarkdown(r Resolver) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.Table,
			extension.Strikethrough,
			extension.Typographer,
			New(r),
		),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
	)
}
