package model

// This file decodes YAML node trees (go.yaml.in/yaml/v3) by hand, so that
// every value keeps the file, line and column it was written at: an unknown
// field, a wrong type, a missing field or a broken reference is reported
// where it is, and so is a broken cross-reference inside a Markdown value.

import (
	"bytes"
	"errors"
	"fmt"
	"go/token"
	"io"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/explainer/explainer/site/internal/dates"
	"github.com/explainer/explainer/site/internal/typo"
	"go.yaml.in/yaml/v3"
)

// lineIndex maps byte offsets of a file to lines and columns, with
// go/token's File. Every '\n' starts a line, a last empty one included.
type lineIndex struct {
	f *token.File
}

// newLineIndex indexes the lines of src.
func newLineIndex(src []byte) lineIndex {
	// One byte more than src, so that a line may start at its end.
	f := token.NewFileSet().AddFile("", -1, len(src)+1)
	lines := make([]int, 1, bytes.Count(src, []byte{'\n'})+1)
	for i := 0; ; {
		j := bytes.IndexByte(src[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		lines = append(lines, i)
	}
	f.SetLines(lines)
	return lineIndex{f}
}

// lines is the number of lines.
func (x lineIndex) lines() int { return x.f.LineCount() }

// position returns the 1-based line and column of the byte at offset.
func (x lineIndex) position(offset int) (line, col int) {
	p := x.f.PositionFor(x.f.Pos(min(max(offset, 0), x.f.Size()-1)), false)
	return p.Line, p.Column
}

// offset returns the byte offset of the 1-based line and column, clamped
// to the file of size n.
func (x lineIndex) offset(line, col, n int) int {
	if line < 1 {
		return 0
	}
	if line > x.lines() {
		return n
	}
	return min(max(x.f.Offset(x.f.LineStart(line))+col-1, 0), n)
}

// text returns line (1-based) of src without its line ending, or "".
func (x lineIndex) text(src []byte, line int) string {
	if line < 1 || line > x.lines() {
		return ""
	}
	start, end := x.f.Offset(x.f.LineStart(line)), len(src)
	if line < x.lines() {
		end = x.f.Offset(x.f.LineStart(line+1)) - 1
	}
	return strings.TrimSuffix(string(src[start:end]), "\r")
}

// A yamlFile is YAML text being decoded, with what is needed to report
// positions in the file it came from: for front matter, the YAML text
// starts on the file's second line.
type yamlFile struct {
	path  string
	src   []byte    // the whole file
	lines lineIndex // of src
	line0 int       // lines of the file before the YAML text
	errs  *ErrorList
}

// newYAMLFile returns a yamlFile for the file at path holding src, whose
// YAML text starts after line0 lines.
func newYAMLFile(path string, src []byte, line0 int, errs *ErrorList) *yamlFile {
	return &yamlFile{path: path, src: src, lines: newLineIndex(src), line0: line0, errs: errs}
}

// pos returns the file position of n.
func (f *yamlFile) pos(n *yaml.Node) Pos {
	return Pos{File: f.path, Line: n.Line + f.line0, Column: max(n.Column, 1)}
}

// lineStart returns the position of the first non-blank byte of line
// (a line of the YAML text), for errors that know only their line.
func (f *yamlFile) lineStart(line int) Pos {
	line += f.line0
	s := f.lines.text(f.src, line)
	col := len(s) - len(strings.TrimLeft(s, " \t")) + 1
	if strings.TrimSpace(s) == "" {
		col = 1
	}
	return Pos{File: f.path, Line: line, Column: col}
}

// parse parses data, the YAML text of f, and returns its root node, nil
// for empty text. It reports a syntax error and returns ok false. Aliases
// are not followed: decoding refuses them.
func (f *yamlFile) parse(data []byte) (root *yaml.Node, ok bool) {
	defer func() {
		// The YAML parser is not ours; a crash in it on hostile input is
		// a content error, not the end of the program.
		if r := recover(); r != nil {
			f.errs.Add(f.lineStart(1), "yaml: cannot parse this file")
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, true
		}
		f.syntaxError(err, data)
		return nil, false
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		f.errs.Add(f.pos(&extra), "yaml: only one document is allowed")
		return nil, false
	case !errors.Is(err, io.EOF):
		f.syntaxError(err, data)
		return nil, false
	}
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			return nil, true
		}
		return doc.Content[0], true
	}
	return &doc, true
}

// yamlLineRE matches the line number that go.yaml.in/yaml/v3 puts in its
// syntax errors: "yaml: line 7: did not find expected key".
var yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): `)

// yamlAnchorRE matches the error for an alias to no anchor, which has no
// line: "yaml: unknown anchor 'a' referenced".
var yamlAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlParserProblems are the syntax errors of the YAML parser proper (as
// opposed to its scanner). go.yaml.in/yaml/v3 numbers their lines from 0,
// where it numbers the scanner's from 1.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// syntaxError reports err, a YAML syntax error in data, at its line. The
// YAML library gives no column; the error points at the line's first
// non-blank character. For an error found while parsing a block or flow
// collection, the library gives the line where the collection starts.
// Errors without a line (bad encoding, control characters, an alias to no
// anchor) point at the offending bytes when they can be found.
func (f *yamlFile) syntaxError(err error, data []byte) {
	msg := err.Error()
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		problem := msg[len(m[0]):]
		if off, hint := yamlHint(data, problem, line); hint != "" {
			// data is the file's text after its first line0 lines.
			base := f.lines.offset(f.line0+1, 1, len(f.src))
			l, col := f.lines.position(base + off)
			f.errs.Add(Pos{File: f.path, Line: l, Column: col}, "yaml: %s", hint)
			return
		}
		if slices.Contains(yamlParserProblems, problem) {
			line++
		}
		f.errs.Add(f.lineStart(line), "yaml: %s", problem)
		return
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	pos := f.lineStart(1)
	off := badByte(data)
	if m := yamlAnchorRE.FindStringSubmatch(msg); m != nil {
		off = bytes.Index(data, []byte("*"+m[1]))
	}
	if off >= 0 {
		// data is the file's text after its first line0 lines.
		base := f.lines.offset(f.line0+1, 1, len(f.src))
		line, col := f.lines.position(base + off)
		pos = Pos{File: f.path, Line: line, Column: col}
	}
	f.errs.Add(pos, "yaml: %s", msg)
}

// yamlHint names the writer's mistake behind a YAML syntax error, where
// it is one of the common three, and returns the offset in data of the
// character at fault: a tab in a line's indentation, a plain value that
// holds ": ", a "[" or "{" never closed. line is the line the library
// reported, which for an unclosed bracket may be far from it. It returns
// "" for any other error, which is reported as the library words it.
func yamlHint(data []byte, problem string, line int) (off int, hint string) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := func(i int) int { // the offset of line i, from 0
		n := 0
		for _, l := range lines[:i] {
			n += len(l)
		}
		return n
	}
	switch {
	case strings.Contains(problem, "tab character") || problem == "found character that cannot start any token":
		for i := 0; i < len(lines) && i <= line; i++ { // the library may name the line before
			indent := len(lines[i]) - len(bytes.TrimLeft(lines[i], " \t"))
			if j := bytes.IndexByte(lines[i][:indent], '\t'); j >= 0 && indent < len(bytes.TrimRight(lines[i], "\r\n")) {
				return start(i) + j, "a tab indents this line: YAML indents with spaces only"
			}
		}
	case problem == "mapping values are not allowed in this context" && line >= 1 && line <= len(lines):
		l := string(bytes.TrimRight(lines[line-1], "\r\n"))
		m := plainColonRE.FindStringSubmatchIndex(l)
		if m == nil {
			break
		}
		key, value := l[m[2]:m[3]], strings.TrimSpace(l[m[4]:])
		return start(line-1) + m[4], fmt.Sprintf("this value holds \": \", which YAML takes for a new key: put it in quotes, %s: %q", key, value)
	case strings.HasPrefix(problem, "did not find expected ',' or"):
		if at, open := unclosedBracket(lines); at >= 0 {
			closer := map[byte]string{'[': "]", '{': "}"}[open]
			return at, fmt.Sprintf("this %q is never closed: close it with %q, or put the value in quotes if the bracket is part of its text", string(open), closer)
		}
	}
	return 0, ""
}

// plainColonRE matches a line "key: value" or "- key: value" whose plain
// value (not quoted, not a flow collection or block scalar) holds ": ".
var plainColonRE = regexp.MustCompile(`^\s*(?:- +)?([^\s:#"'][^:#]*?): +([^\s"'\[{|>&*!#][^#]*?: .*)$`)

// unclosedBracket returns the offset of the first "[" or "{" that opens a
// flow collection in lines and is never closed, and the bracket; -1 if
// none. Brackets inside quotes, comments and plain text are not counted:
// a collection opens only where a value starts.
func unclosedBracket(lines [][]byte) (int, byte) {
	type open struct {
		at int
		b  byte
	}
	var stack []open
	off := 0
	for _, l := range lines {
		var quote byte
		valueStart := true // where a value may start: the line's start, after ": ", "- ", "[", "{" or ","
		for i := 0; i < len(l); i++ {
			c := l[i]
			switch {
			case quote != 0:
				if c == quote {
					quote = 0
				}
				continue
			case c == ' ' || c == '\t':
				continue
			case c == '#' && (i == 0 || l[i-1] == ' '):
				i = len(l)
				continue
			case (c == '"' || c == '\'') && valueStart:
				quote = c
			case (c == '[' || c == '{') && (valueStart || len(stack) > 0):
				stack = append(stack, open{off + i, c})
				valueStart = true
				continue
			case (c == ']' || c == '}') && len(stack) > 0:
				stack = stack[:len(stack)-1]
			case c == ',' && len(stack) > 0:
				valueStart = true
				continue
			case c == ':' && (i+1 == len(l) || l[i+1] == ' ' || l[i+1] == '\n' || l[i+1] == '\r'):
				valueStart = true
				continue
			case c == '-' && valueStart && (i+1 == len(l) || l[i+1] == ' '):
				continue
			}
			valueStart = false
		}
		off += len(l)
	}
	if len(stack) == 0 {
		return -1, 0
	}
	return stack[0].at, stack[0].b
}

// badByte returns the offset of the first byte of data that YAML rejects
// outright (invalid UTF-8 or a control character), or -1.
func badByte(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return i
		}
		i += size
	}
	return -1
}

// markdown returns the Markdown held by the scalar n, with its offsets
// mapped to positions in the file.
func (f *yamlFile) markdown(n *yaml.Node) Markdown {
	if n.Value == "" {
		return Markdown{}
	}
	if msg, long := MarkdownTooLong(n.Value); long {
		f.errs.Add(f.pos(n), "%s", msg)
		return Markdown{}
	}
	segs := f.segments(n)
	path, lines, size := f.path, f.lines, len(f.src)
	text := n.Value
	return Markdown{Text: text, at: func(offset int) Pos {
		offset = min(max(offset, 0), len(text))
		i := sort.Search(len(segs), func(i int) bool { return segs[i].off > offset }) - 1
		s := segs[max(i, 0)]
		line, col := lines.position(min(s.raw+offset-s.off, size))
		return Pos{File: path, Line: line, Column: col}
	}}
}

// A textSegment says that the value's bytes from off onwards were written
// from byte raw of the file onwards, up to the next one.
type textSegment struct {
	off int // offset in the scalar's value
	raw int // offset in the file
}

// segments maps the value of the scalar n back to the file's bytes.
// Literal blocks (|) and single-line scalars map exactly, escapes
// included; folded blocks (>) and multi-line flow scalars map line by line.
func (f *yamlFile) segments(n *yaml.Node) []textSegment {
	line := n.Line + f.line0
	start := f.lines.offset(line, n.Column, len(f.src))
	switch {
	case n.Style&yaml.LiteralStyle != 0:
		return f.literalSegments(n.Value, line+1, start)
	case n.Style&yaml.FoldedStyle != 0:
		return f.foldedSegments(n.Value, line+1, start)
	}
	return f.flowSegments(n, start)
}

// blockIndent returns the indentation of a block scalar whose value is
// value and whose content starts on file line first: the leading spaces of
// its first non-blank line, less those the value keeps.
func (f *yamlFile) blockIndent(value string, first int) int {
	for i, v := range strings.Split(value, "\n") {
		if strings.TrimSpace(v) == "" {
			continue
		}
		raw := f.lines.text(f.src, first+i)
		indent := len(raw) - len(strings.TrimLeft(raw, " ")) - (len(v) - len(strings.TrimLeft(v, " ")))
		return max(indent, 0)
	}
	return 0
}

// literalSegments maps a literal block scalar: line i of the value is
// file line first+i, after the block's indentation.
func (f *yamlFile) literalSegments(value string, first, start int) []textSegment {
	indent := f.blockIndent(value, first)
	segs := []textSegment{{0, start}}
	off := 0
	for i, v := range strings.Split(value, "\n") {
		if first+i > f.lines.lines() {
			break
		}
		raw := f.lines.offset(first+i, 1, len(f.src))
		if rawLen := len(f.lines.text(f.src, first+i)); rawLen >= indent {
			raw += indent
		} else {
			raw += rawLen // a blank line shorter than the indentation
		}
		segs = append(segs, textSegment{off, raw})
		off += len(v) + 1
	}
	return segs
}

// foldedSegments maps a folded block scalar: each non-blank line of the
// block is found in the value in turn.
func (f *yamlFile) foldedSegments(value string, first, start int) []textSegment {
	indent := f.blockIndent(value, first)
	segs := []textSegment{{0, start}}
	off := 0
	for line := first; line <= f.lines.lines() && off < len(value); line++ {
		raw := f.lines.text(f.src, line)
		if strings.TrimSpace(raw) == "" {
			continue
		}
		if len(raw)-len(strings.TrimLeft(raw, " ")) < indent {
			break // the block has ended
		}
		content := strings.TrimRight(raw[indent:], " \t")
		i := strings.Index(value[off:], content)
		if i < 0 {
			continue
		}
		segs = append(segs, textSegment{off + i, f.lines.offset(line, indent+1, len(f.src))})
		off += i + len(content)
	}
	return segs
}

// flowSegments maps a plain, single-quoted or double-quoted scalar that
// starts at byte start of the file, undoing quotes, escapes and line
// folding as the YAML parser does.
func (f *yamlFile) flowSegments(n *yaml.Node, start int) []textSegment {
	src, value := f.src, n.Value
	var quote byte
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		quote = '"'
	case n.Style&yaml.SingleQuotedStyle != 0:
		quote = '\''
	}
	r := start
	if quote != 0 && r < len(src) && src[r] == quote {
		r++
	}
	segs := []textSegment{{0, r}}
	off, spaces := 0, 0 // spaces: trailing blanks so far on this line
	escaped := false    // the line break ahead is escaped by a backslash
	for off < len(value) && r < len(src) {
		c := src[r]
		switch {
		case quote == '\'' && c == '\'':
			if r+1 >= len(src) || src[r+1] != '\'' {
				return segs // the closing quote
			}
			segs = append(segs, textSegment{off, r + 1})
			r += 2
			off++
			segs = append(segs, textSegment{off, r})
			spaces = 0
		case quote == '"' && c == '"':
			return segs
		case quote == '"' && c == '\\' && r+1 < len(src) && src[r+1] != '\n' && src[r+1] != '\r':
			in, out := escapeSize(src[r+1:])
			segs = append(segs, textSegment{off, r})
			r += in
			off += out
			segs = append(segs, textSegment{off, r})
			spaces = 0
		case c == '\n' || c == '\r':
			// Fold the line break: trailing blanks go, blank lines
			// become newlines, a lone break becomes a space. An
			// escaped break keeps the blanks and yields nothing.
			if !escaped {
				off -= spaces
			}
			blank := 0
			r = nextLine(src, r)
			for {
				s := r
				for s < len(src) && (src[s] == ' ' || src[s] == '\t') {
					s++
				}
				if s < len(src) && (src[s] == '\n' || src[s] == '\r') {
					blank++
					r = nextLine(src, s)
					continue
				}
				r = s
				break
			}
			switch {
			case blank > 0:
				off += blank
			case !escaped:
				off++
			}
			segs = append(segs, textSegment{off, r})
			spaces, escaped = 0, false
		case quote == '"' && c == '\\':
			// An escaped line break: the backslash itself yields nothing.
			r++
			escaped = true
		default:
			if c == ' ' || c == '\t' {
				spaces++
			} else {
				spaces = 0
			}
			r++
			off++
		}
	}
	return segs
}

// nextLine returns the offset just after the line break at src[r].
func nextLine(src []byte, r int) int {
	if src[r] == '\r' && r+1 < len(src) && src[r+1] == '\n' {
		return r + 2
	}
	return r + 1
}

// escapeSize returns how many bytes the double-quoted escape after a
// backslash takes in the file (backslash included) and in the value.
func escapeSize(esc []byte) (in, out int) {
	hex := func(n int) (int, int) {
		if len(esc) < 1+n {
			return 1 + len(esc), 1
		}
		v, err := strconv.ParseUint(string(esc[1:1+n]), 16, 32)
		if err != nil || v > utf8.MaxRune {
			return 1 + 1 + n, 1
		}
		return 1 + 1 + n, max(utf8.RuneLen(rune(v)), 1)
	}
	switch esc[0] {
	case 'x':
		return hex(2)
	case 'u':
		return hex(4)
	case 'U':
		return hex(8)
	case 'N', '_':
		return 2, 2
	case 'L', 'P':
		return 2, 3
	}
	return 2, 1
}

// A mapping is a YAML mapping being decoded into a model value. Its
// accessors report values of the wrong type where they are and return
// zero values, so decoding carries on and finds every problem.
type mapping struct {
	f    *yamlFile
	pos  Pos
	keys map[string]*yaml.Node
	vals map[string]*yaml.Node
	bad  bool // not a mapping: already reported, report nothing more
}

// mapping checks that n is a mapping whose keys are all among keys and
// returns it for decoding; what names it in errors ("clause must be a
// mapping"). A null n is an empty mapping, and so is an absent one, placed
// at at.
func (f *yamlFile) mapping(n *yaml.Node, at Pos, what string, keys ...string) *mapping {
	m := &mapping{f: f, pos: at, keys: map[string]*yaml.Node{}, vals: map[string]*yaml.Node{}}
	if n != nil && n.Line > 0 {
		m.pos = f.pos(n)
	}
	if n == nil || isNull(n) {
		return m
	}
	if !f.noAlias(n) {
		m.bad = true
		return m
	}
	if n.Kind != yaml.MappingNode {
		f.errs.Add(f.pos(n), "%s must be a mapping", what)
		m.bad = true
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !f.noAlias(k) || !f.noAlias(v) {
			continue
		}
		name := k.Value
		if k.Kind != yaml.ScalarNode {
			name = ""
		}
		switch prev, dup := m.keys[name]; {
		case !slices.Contains(keys, name):
			if s := typo.Nearest(name, keys); s != "" {
				f.errs.Add(f.pos(k), "unknown field %q (did you mean %q?)", name, s)
			} else {
				f.errs.Add(f.pos(k), "unknown field %q", name)
			}
		case dup:
			f.errs.Add(f.pos(k), "duplicate field %q (first defined at %s)", name, f.pos(prev))
		default:
			m.keys[name] = k
			m.vals[name] = v
		}
	}
	return m
}

// noAlias reports whether n is not an alias, reporting it if it is.
// Aliases are refused: decoding follows no pointers, so no input can
// expand into more work than its size.
func (f *yamlFile) noAlias(n *yaml.Node) bool {
	if n.Kind == yaml.AliasNode {
		f.errs.Add(f.pos(n), "yaml aliases are not supported")
		return false
	}
	return true
}

// isNull reports whether n is a null scalar: "~", "null" or nothing.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// node returns the value of key, or nil when it is absent or null.
func (m *mapping) node(key string) *yaml.Node {
	v := m.vals[key]
	if v == nil || isNull(v) {
		return nil
	}
	return v
}

// at returns the position of key's value, or of the mapping.
func (m *mapping) at(key string) Pos {
	if v := m.vals[key]; v != nil {
		if isNull(v) {
			return m.f.pos(m.keys[key])
		}
		return m.f.pos(v)
	}
	return m.pos
}

// required reports each of keys that is absent, null or empty.
func (m *mapping) required(keys ...string) {
	if m.bad {
		return
	}
	for _, key := range keys {
		v := m.node(key)
		if v != nil && (v.Kind != yaml.ScalarNode || v.Value != "") {
			continue
		}
		pos := m.pos
		if k := m.keys[key]; k != nil {
			pos = m.f.pos(k)
		}
		m.f.errs.Add(pos, "missing required field %q", key)
	}
}

// scalar returns the scalar value of key, reporting any other kind of
// value as not a want.
func (m *mapping) scalar(key, want string) *yaml.Node {
	v := m.node(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.ScalarNode {
		m.f.errs.Add(m.f.pos(v), "%q must be %s", key, want)
		return nil
	}
	return v
}

// str returns the string value of key. Numbers and booleans are taken as
// written ("number: 6" is "6").
func (m *mapping) str(key string) string {
	if v := m.scalar(key, "a string"); v != nil {
		return v.Value
	}
	return ""
}

// markdown returns the Markdown value of key.
func (m *mapping) markdown(key string) Markdown {
	if v := m.scalar(key, "a string"); v != nil {
		return m.f.markdown(v)
	}
	return Markdown{}
}

// ref returns the id that key holds, where it is written.
func (m *mapping) ref(key string) Ref {
	if v := m.scalar(key, "an id"); v != nil {
		return Ref{ID: v.Value, Pos: m.f.pos(v)}
	}
	return Ref{}
}

// idOrList returns the ids that key holds: one id, or a list of them.
func (m *mapping) idOrList(key string) []Ref {
	v := m.node(key)
	switch {
	case v == nil:
		return nil
	case v.Kind == yaml.ScalarNode:
		if isNull(v) || v.Value == "" {
			return nil
		}
		return []Ref{{ID: v.Value, Pos: m.f.pos(v)}}
	case v.Kind != yaml.SequenceNode:
		m.f.errs.Add(m.f.pos(v), "%q must be an id or a list of ids", key)
		return nil
	}
	return m.refs(key)
}

// list returns the items of key's list.
func (m *mapping) list(key string) []*yaml.Node {
	v := m.node(key)
	if v == nil {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		m.f.errs.Add(m.f.pos(v), "%q must be a list", key)
		return nil
	}
	var items []*yaml.Node
	for _, item := range v.Content {
		if m.f.noAlias(item) {
			items = append(items, item)
		}
	}
	return items
}

// refs returns the ids that key lists, each where it is written.
func (m *mapping) refs(key string) []Ref {
	var refs []Ref
	for _, item := range m.list(key) {
		switch {
		case item.Kind != yaml.ScalarNode:
			m.f.errs.Add(m.f.pos(item), "%q must be a list of ids", key)
		case isNull(item) || item.Value == "":
			m.f.errs.Add(m.f.pos(item), "empty id in %q", key)
		default:
			refs = append(refs, Ref{ID: item.Value, Pos: m.f.pos(item)})
		}
	}
	return refs
}

// date returns the date that key holds, in one of the forms checkDate
// takes.
func (m *mapping) date(key string) string {
	v := m.scalar(key, dates.Forms)
	if v == nil {
		return ""
	}
	if p := dates.Check(v.Value); p != "" {
		m.f.errs.Add(m.f.pos(v), "%q: %s", key, p)
	}
	return v.Value
}

// enum returns the value of key, which must be one of allowed.
func (m *mapping) enum(key string, allowed ...string) string {
	v := m.scalar(key, "one of "+orList(allowed))
	if v == nil {
		return ""
	}
	if !slices.Contains(allowed, v.Value) {
		m.f.errs.Add(m.f.pos(v), "invalid %s %q: use %s", key, v.Value, orList(allowed))
	}
	return v.Value
}

// orList formats a list of words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// integer returns the whole number that key holds, and whether it is set.
func (m *mapping) integer(key string) (int, bool) {
	v := m.scalar(key, "a whole number")
	if v == nil {
		return 0, false
	}
	var i int
	if v.ShortTag() != "!!int" || v.Decode(&i) != nil {
		m.f.errs.Add(m.f.pos(v), "%q must be a whole number", key)
		return 0, false
	}
	return i, true
}

// number returns the finite number that key holds, or nil.
func (m *mapping) number(key string) *float64 {
	v := m.scalar(key, "a number")
	if v == nil {
		return nil
	}
	x, ok := m.f.numberNode(v)
	if !ok {
		m.f.errs.Add(m.f.pos(v), "%q must be a number", key)
		return nil
	}
	return &x
}

// numberNode returns the finite number the scalar v holds.
func (f *yamlFile) numberNode(v *yaml.Node) (float64, bool) {
	var x float64
	tag := v.ShortTag()
	if tag != "!!int" && tag != "!!float" || v.Decode(&x) != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, false
	}
	return x, true
}

// roughNumber matches a figure written in words, "about 1,950", and holds
// its number.
var roughNumber = regexp.MustCompile(`(?i)^\s*(?:about|around|some|roughly|approximately|nearly|almost|~|c\.)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*$`)

// figureKeys are the keys of a figure written as a mapping.
var figureKeys = []string{"value", "approx", "low", "high", "note"}

// figure returns the figure that key holds: a number, {value: N,
// approx: true}, or {low: N, high: M}, each mapping with an optional note.
func (m *mapping) figure(key string) *Figure {
	v := m.node(key)
	if v == nil || isNull(v) {
		return nil
	}
	return m.f.figure(v, key, m.pos)
}

// figure reads the figure n, the value of key.
func (f *yamlFile) figure(n *yaml.Node, key string, at Pos) *Figure {
	const want = "a number, {value: N, approx: true} or {low: N, high: M}"
	switch n.Kind {
	case yaml.ScalarNode:
		x, ok := f.numberNode(n)
		if !ok {
			if m := roughNumber.FindStringSubmatch(n.Value); m != nil {
				v := strings.ReplaceAll(m[1], ",", "")
				f.errs.Add(f.pos(n), "%q must be %s: write %q as {value: %s, approx: true}", key, want, n.Value, v)
				return nil
			}
			f.errs.Add(f.pos(n), "%q must be %s", key, want)
			return nil
		}
		return &Figure{Value: x}
	case yaml.MappingNode:
	default:
		f.errs.Add(f.pos(n), "%q must be %s", key, want)
		return nil
	}
	fm := f.mapping(n, at, key, figureKeys...)
	fig := &Figure{Approx: fm.boolean("approx"), Note: fm.str("note")}
	value, low, high := fm.number("value"), fm.number("low"), fm.number("high")
	switch {
	case value != nil && (low != nil || high != nil):
		f.errs.Add(fm.pos, "%q: give value, or low and high, not both", key)
	case value != nil:
		fig.Value = *value
	case low != nil && high != nil:
		fig.Value, fig.High, fig.Range = *low, *high, true
		if fig.High <= fig.Value {
			f.errs.Add(fm.at("high"), "%q: high must be above low", key)
		}
		if fig.Approx {
			f.errs.Add(fm.at("approx"), "%q: a range needs no approx; it says the value lies between low and high", key)
		}
	case low != nil || high != nil:
		f.errs.Add(fm.pos, "%q: a range needs both low and high", key)
		return nil
	default:
		f.errs.Add(fm.pos, "%q needs value, or low and high", key)
		return nil
	}
	return fig
}

// figures returns the figures that key holds, by topic id; each topic
// must be one of topics.
func (m *mapping) figures(key string, topics []Ref) map[string]*Figure {
	v := m.node(key)
	if v == nil || isNull(v) {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		m.f.errs.Add(m.f.pos(v), "%q must map topic ids to figures: {army-size: 600000}", key)
		return nil
	}
	out := map[string]*Figure{}
	for i := 0; i+1 < len(v.Content); i += 2 {
		k, val := v.Content[i], v.Content[i+1]
		if !m.f.noAlias(val) {
			continue
		}
		if _, dup := out[k.Value]; dup {
			m.f.errs.Add(m.f.pos(k), "topic %q is given twice in %q", k.Value, key)
			continue
		}
		if !slices.ContainsFunc(topics, func(r Ref) bool { return r.ID == k.Value }) {
			m.f.errs.Add(m.f.pos(k), "%s: %q is not one of the clause's topics%s", key, k.Value, didYouMean(k.Value, refIDs(topics)))
			continue
		}
		if fig := m.f.figure(val, key+"."+k.Value, m.f.pos(k)); fig != nil {
			out[k.Value] = fig
		}
	}
	return out
}

// boolean returns the true or false that key holds.
func (m *mapping) boolean(key string) bool {
	v := m.scalar(key, "true or false")
	if v == nil {
		return false
	}
	var b bool
	if v.ShortTag() != "!!bool" || v.Decode(&b) != nil {
		m.f.errs.Add(m.f.pos(v), "%q must be true or false", key)
		return false
	}
	return b
}

// link returns the http or https URL that key holds.
func (m *mapping) link(key string) string {
	const want = "an http or https URL"
	v := m.scalar(key, want)
	if v == nil {
		return ""
	}
	u, err := url.Parse(v.Value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		m.f.errs.Add(m.f.pos(v), "%q must be %s", key, want)
		return ""
	}
	return v.Value
}
