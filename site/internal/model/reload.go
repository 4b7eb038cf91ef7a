package model

import (
	"hash/maphash"
	"io/fs"
)

// This file serves a caller that reads one edited file again without a
// whole load, as the site package's Preview does: what the last load
// made of the file, and the file read again on its own.

// Section returns the section that the file at name held at the load
// that made c, with the file's bytes, when the file held one section and
// no problem.
func (c *Cache) Section(name string) (*Section, []byte, bool) {
	r := c.files[name]
	if r == nil || len(r.sections) != 1 || r.unparsed || len(r.errs.Errors()) > 0 {
		return nil, nil, false
	}
	return r.sections[0], r.data, true
}

// A Reading is a document file as one load read it: the document, with
// hashes of what the file says of it, to compare with another reading.
type Reading struct {
	Doc     *Document
	head    uint64
	clauses map[*Clause][2]uint64 // with and without its text
}

// Document is Section for a document file.
func (c *Cache) Document(name string) (*Reading, []byte, bool) {
	r := c.files[name]
	if r == nil || len(r.docs) != 1 || r.unparsed || len(r.errs.Errors()) > 0 || r.heads == nil {
		return nil, nil, false
	}
	d := r.docs[0]
	return &Reading{Doc: d, head: r.heads[d], clauses: r.clauses}, r.data, true
}

// SectionBody returns the body of the section file at name, data, whose
// front matter, with its closing line, takes the first head bytes; false
// where loading the file reports a problem with its bytes or its body
// (invalid UTF-8, a body over MaxMarkdown), which a build is to give.
func SectionBody(name string, data []byte, head int) (Markdown, bool) {
	if invalidUTF8(data) >= 0 {
		return Markdown{}, false
	}
	var errs ErrorList
	return (&mdFile{yaml: newYAMLFile(name, data, 1, &errs)}).checkedBody(head, &errs)
}

// ReadDocument reads data as the document file at name, on its own, and
// returns it when the file has no problem of its own.
func ReadDocument(seed maphash.Seed, src fs.FS, opts Options, name string, data []byte) (*Reading, bool) {
	l := newFileLoader(seed, true, src, opts)
	f, root, ok := l.yamlData(name, data)
	if !ok || root == nil {
		return nil, false
	}
	d := l.document(f, root)
	return &Reading{Doc: d, head: l.heads[d], clauses: l.clauseSums}, len(l.errs.Errors()) == 0
}

// SameHead reports whether two readings of a document file say the same
// besides their clauses.
func (a *Reading) SameHead(b *Reading) bool { return a.head == b.head }

// CompareClause compares the i-th clause of two readings: whether they
// say the same, and whether they differ, if at all, in their text alone.
func (a *Reading) CompareClause(b *Reading, i int) (same, textOnly bool) {
	x, y := a.clauses[a.Doc.Clauses[i]], b.clauses[b.Doc.Clauses[i]]
	return x[0] == y[0], x[1] == y[1]
}
