package mdext

import (
	"bytes"
	"html"
	"strings"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	ghtml "github.com/yuin/goldmark/renderer/html"
)

// Text returns the plain text of n, a document (or any node of one)
// parsed from src and transformed by this extension: what a reader sees,
// without markup. Blocks (paragraphs, headings, list items, code blocks,
// table rows) are separated by "\n\n"; within a block, soft line breaks
// become spaces and hard ones "\n"; table cells are separated by a space.
// Escapes and character references are decoded, typographer quotes and
// dashes are Unicode, images give their alt text, raw HTML gives nothing.
func Text(n ast.Node, src []byte) string {
	var blocks []string
	textBlocks(n, src, &blocks, BufWriter{new(bytes.Buffer)})
	return strings.Join(blocks, "\n\n")
}

// BufWriter lets goldmark write straight into a bytes.Buffer, as its
// renderer and HTML writer take a util.BufWriter: given any other
// writer, they wrap it in a new 4 KiB bufio.Writer every time.
type BufWriter struct{ *bytes.Buffer }

// Buffered implements util.BufWriter.
func (w BufWriter) Buffered() int { return w.Len() }

// Flush implements util.BufWriter: there is nothing to flush.
func (w BufWriter) Flush() error { return nil }

// textBlocks appends the text of each block under n that has any.
// w is scratch space.
func textBlocks(n ast.Node, src []byte, blocks *[]string, w BufWriter) {
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			*blocks = append(*blocks, s)
		}
	}
	switch n.Kind() {
	case ast.KindHTMLBlock, ast.KindThematicBreak, KindNotes:
		return
	case ast.KindCodeBlock, ast.KindFencedCodeBlock:
		var b strings.Builder
		lines := n.Lines()
		for i := 0; i < lines.Len(); i++ {
			seg := lines.At(i)
			b.Write(seg.Value(src))
		}
		add(b.String())
		return
	case east.KindTableRow, east.KindTableHeader:
		var cells []string
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			if s := strings.TrimSpace(inlineText(c, src, w)); s != "" {
				cells = append(cells, s)
			}
		}
		add(strings.Join(cells, " "))
		return
	}
	if n.Type() == ast.TypeInline {
		add(inlineText(n, src, w))
		return
	}
	if n.Type() == ast.TypeBlock && n.HasChildren() && n.FirstChild().Type() == ast.TypeInline {
		add(inlineText(n, src, w))
		return
	}
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		textBlocks(c, src, blocks, w)
	}
}

// inlineText returns the text of the inline content of n. w is scratch
// space.
func inlineText(n ast.Node, src []byte, w BufWriter) string {
	w.Reset()
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch c := c.(type) {
		case *ast.Text:
			v := c.Segment.Value(src)
			if c.IsRaw() { // code span text; its line ends are spaces
				ghtml.DefaultWriter.RawWrite(w, bytes.ReplaceAll(v, []byte("\n"), []byte(" ")))
			} else {
				ghtml.DefaultWriter.Write(w, v)
			}
			switch {
			case c.HardLineBreak():
				_ = w.WriteByte('\n')
			case c.SoftLineBreak():
				_ = w.WriteByte(' ')
			}
		case *ast.String:
			switch {
			case c.IsCode():
				_, _ = w.Write(c.Value) // HTML already
			case c.IsRaw():
				ghtml.DefaultWriter.RawWrite(w, c.Value)
			default:
				ghtml.DefaultWriter.Write(w, c.Value)
			}
		case *ast.AutoLink:
			ghtml.DefaultWriter.RawWrite(w, c.Label(src))
		case *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	// The writer produced HTML; the reader sees it decoded.
	return html.UnescapeString(w.String())
}
