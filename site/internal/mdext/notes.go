package mdext

import (
	"bytes"
	"strconv"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"
)

// KindNoteRef is the kind of a NoteRef.
var KindNoteRef = ast.NewNodeKind("NoteRef")

// NoteRef is the mark in the text that stands for a source note. It
// links to the source itself, as its note does: a text may show twice on
// one page (a clause's text in its history, say), so marks and notes
// carry no ids to jump between.
type NoteRef struct {
	ast.BaseInline
	N     int
	URL   string // the source's
	Label string // the note's text, as plain text
}

// Kind implements ast.Node.
func (n *NoteRef) Kind() ast.NodeKind { return KindNoteRef }

// Dump implements ast.Node.
func (n *NoteRef) Dump(src []byte, level int) {
	ast.DumpHelper(n, src, level, map[string]string{"N": strconv.Itoa(n.N)}, nil)
}

// KindNotes is the kind of a Notes.
var KindNotes = ast.NewNodeKind("Notes")

// Notes is the list of source notes at the end of a text, one child
// per note, each holding the link to its source.
type Notes struct {
	ast.BaseBlock
	Refs []*NoteRef // the first mark of each note, in order, one per child
}

// kindNoteItem is the kind of a noteItem.
var kindNoteItem = ast.NewNodeKind("NoteItem")

// noteItem is one note of a Notes.
type noteItem struct {
	ast.BaseBlock
	tag string // the source's Target.Tag
}

// sourceLink is a resolved source link, with its target's tag.
type sourceLink struct {
	link *ast.Link
	tag  string
}

func (n *noteItem) Kind() ast.NodeKind         { return kindNoteItem }
func (n *noteItem) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// Kind implements ast.Node.
func (n *Notes) Kind() ast.NodeKind { return KindNotes }

// Dump implements ast.Node.
func (n *Notes) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// makeNotes turns each parenthesized run of the resolved source links
// in sources into note marks, and adds the notes to the end of doc.
func makeNotes(doc *ast.Document, src []byte, sources []sourceLink) {
	isSource := map[*ast.Link]bool{}
	tags := map[*ast.Link]string{}
	for _, l := range sources {
		isSource[l.link] = true
		tags[l.link] = l.tag
	}
	done := map[*ast.Link]bool{}
	byDest := map[string]*NoteRef{} // the first mark of each source
	notes := &Notes{}
	for _, l := range sources {
		first := l.link
		if done[first] || first.Parent() == nil {
			continue
		}
		run, open, close := citationRun(first, src, isSource)
		if run == nil {
			continue
		}
		trimEnd(open, src, 1)
		if t, ok := open.(*ast.Text); ok && bytes.HasSuffix(t.Segment.Value(src), []byte(" ")) {
			trimEnd(open, src, 1) // the space before the parenthesis
		}
		trimStart(close, src, 1)
		for _, n := range run {
			link, ok := n.(*ast.Link)
			if !ok {
				n.Parent().RemoveChild(n.Parent(), n) // a separator
				continue
			}
			done[link] = true
			label := inlineText(link, src, BufWriter{new(bytes.Buffer)})
			if note := byDest[string(link.Destination)]; note != nil {
				// A source cited again keeps its number.
				replace(link, &NoteRef{N: note.N, URL: note.URL, Label: note.Label})
				continue
			}
			ref := &NoteRef{N: len(notes.Refs) + 1, URL: string(link.Destination), Label: label}
			byDest[string(link.Destination)] = ref
			replace(link, ref)
			notes.Refs = append(notes.Refs, ref)
			item := &noteItem{tag: tags[link]}
			item.AppendChild(item, link)
			notes.AppendChild(notes, item)
		}
	}
	if len(notes.Refs) > 0 {
		doc.AppendChild(doc, notes)
	}
}

// citationRun returns the run of source links and separators that begins
// at first, when a parenthesis opens just before it and closes just after
// the run, with the text nodes that hold the two parentheses.
func citationRun(first *ast.Link, src []byte, isSource map[*ast.Link]bool) (run []ast.Node, open, close ast.Node) {
	open = first.PreviousSibling()
	if !endsWith(open, src, '(') {
		return nil, nil, nil
	}
	for n := ast.Node(first); n != nil; n = n.NextSibling() {
		if l, ok := n.(*ast.Link); ok && isSource[l] {
			run = append(run, n)
			if next := n.NextSibling(); startsWith(next, src, ')') {
				return run, open, next
			}
			continue
		}
		if t, ok := n.(*ast.Text); ok && isSeparator(t.Segment.Value(src)) && !t.SoftLineBreak() && !t.HardLineBreak() {
			run = append(run, n)
			continue
		}
		return nil, nil, nil
	}
	return nil, nil, nil
}

// isSeparator reports whether s is what stands between two citations.
func isSeparator(s []byte) bool {
	s = bytes.TrimSpace(s)
	return len(s) == 1 && (s[0] == ';' || s[0] == ',')
}

// endsWith reports whether n is a text node whose text ends with c.
func endsWith(n ast.Node, src []byte, c byte) bool {
	t, ok := n.(*ast.Text)
	if !ok || t.SoftLineBreak() || t.HardLineBreak() {
		return false
	}
	v := t.Segment.Value(src)
	return len(v) > 0 && v[len(v)-1] == c
}

// startsWith reports whether n is a text node whose text starts with c.
func startsWith(n ast.Node, src []byte, c byte) bool {
	t, ok := n.(*ast.Text)
	if !ok {
		return false
	}
	v := t.Segment.Value(src)
	return len(v) > 0 && v[0] == c
}

// trimEnd drops k bytes from the end of the text node n; an emptied one
// goes.
func trimEnd(n ast.Node, src []byte, k int) {
	t := n.(*ast.Text)
	t.Segment = t.Segment.WithStop(t.Segment.Stop - k)
	if t.Segment.Len() == 0 && !t.SoftLineBreak() && !t.HardLineBreak() {
		t.Parent().RemoveChild(t.Parent(), t)
	}
}

// trimStart drops k bytes from the start of the text node n; an emptied
// one goes.
func trimStart(n ast.Node, src []byte, k int) {
	t := n.(*ast.Text)
	t.Segment = t.Segment.WithStart(t.Segment.Start + k)
	if t.Segment.Len() == 0 && !t.SoftLineBreak() && !t.HardLineBreak() {
		t.Parent().RemoveChild(t.Parent(), t)
	}
}

// notesRenderer renders note marks and notes.
type notesRenderer struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (notesRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(KindNoteRef, renderNoteRef)
	reg.Register(KindNotes, renderNotes)
	reg.Register(kindNoteItem, renderNoteItem)
}

func renderNoteRef(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		r := n.(*NoteRef)
		label := util.EscapeHTML([]byte(r.Label))
		w.WriteString(`<sup class="note-ref"><a href="`)
		w.Write(util.EscapeHTML(util.URLEscape([]byte(r.URL), false)))
		w.WriteString(`" title="`)
		w.Write(label)
		w.WriteString(`" aria-label="source `)
		w.WriteString(strconv.Itoa(r.N))
		w.WriteString(`, `)
		w.Write(label)
		w.WriteString(`">`)
		w.WriteString(strconv.Itoa(r.N))
		w.WriteString(`</a></sup>`)
	}
	return ast.WalkSkipChildren, nil
}

func renderNotes(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	if entering {
		w.WriteString("<div class=\"notes\"><p class=\"notes-head\">Sources</p>\n<ol class=\"notes-list\">\n")
	} else {
		w.WriteString("</ol></div>\n")
	}
	return ast.WalkContinue, nil
}

func renderNoteItem(w util.BufWriter, src []byte, n ast.Node, entering bool) (ast.WalkStatus, error) {
	item := n.(*noteItem)
	if entering {
		w.WriteString("<li>")
		return ast.WalkContinue, nil
	}
	if item.tag != "" {
		w.WriteString(` <span class="source-kind">`)
		w.Write(util.EscapeHTML([]byte(item.tag)))
		w.WriteString(`</span>`)
	}
	w.WriteString("</li>\n")
	return ast.WalkContinue, nil
}
