// Package fastyaml parses the plain kind of YAML that explainer projects
// are written in into the node trees that go.yaml.in/yaml/v3 makes, at a
// fraction of its cost, and gives up on anything else.
//
// Parse takes block mappings and block sequences (a sequence may sit at
// its key's indentation), plain scalars on one line, double- and
// single-quoted scalars on one line without escapes, literal block
// scalars ("|", with no indicators), and flow sequences and flow mappings
// of such scalars on one line. It gives up, and the caller parses the
// text with yaml/v3 instead, on everything else: comments, anchors,
// aliases, tags, directives, document markers, folded scalars, escapes,
// scalars over several lines, tabs, carriage returns, empty values, and
// any text that is not valid YAML. What it returns is exactly what
// yaml/v3 returns, node for node, with the same kinds, styles, tags,
// values, lines and columns; FuzzParse holds it to that.
package fastyaml

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// Parse parses data, a YAML document, and returns its root node, as
// yaml/v3's Decoder would inside its document node, with ok true; or ok
// false where it gives up.
func Parse(data []byte) (root *yaml.Node, ok bool) {
	if !plainText(data) {
		return nil, false
	}
	p := &parser{unended: len(data) > 0 && data[len(data)-1] != '\n'}
	p.lines = make([][]byte, 0, bytes.Count(data, []byte{'\n'})+1)
	for start := 0; start < len(data); {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start
		}
		p.lines = append(p.lines, data[start:end])
		start = end + 1
	}
	p.skipBlank()
	if p.i == len(p.lines) || indent(p.lines[p.i]) != 0 {
		return nil, false
	}
	for _, l := range p.lines {
		if bytes.HasPrefix(l, []byte("---")) || bytes.HasPrefix(l, []byte("...")) || bytes.HasPrefix(l, []byte("%")) {
			return nil, false // directives and document markers
		}
	}
	root = p.block(0)
	if p.failed {
		return nil, false
	}
	if p.skipBlank(); p.i != len(p.lines) {
		return nil, false
	}
	return root, true
}

// plainText reports whether data is valid UTF-8 with no tab, carriage
// return, control character, byte order mark or line break other than
// '\n', which yaml/v3 either rejects or treats in ways Parse does not.
func plainText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\n' || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1,
			r <= 0x9f, // C1 controls, with NEL
			r == 0x2028, r == 0x2029, r == 0xfeff, r == 0xfffe, r == 0xffff:
			return false
		}
		i += size
	}
	return true
}

type parser struct {
	lines   [][]byte         // without their '\n'
	slab    []yaml.Node      // nodes to hand out
	slabs   int              // slab allocations so far
	stack   []*yaml.Node     // the children of the collections being parsed
	arena   []*yaml.Node     // room for their Content, once complete
	arenas  int              // arena allocations so far
	plains  map[string]plain // short plain scalars, made and resolved once (see scalar)
	unended bool             // the last line has no '\n'
	i       int              // the line being parsed
	failed  bool
}

// fail gives up and returns nil.
func (p *parser) fail() *yaml.Node {
	p.failed = true
	return nil
}

// skipBlank moves to the next line that is not blank.
func (p *parser) skipBlank() {
	for p.i < len(p.lines) && blank(p.lines[p.i]) {
		p.i++
	}
}

// next moves to the next line that is not blank and reports whether it
// is at indentation col, and whether it is a sequence's item there. A
// line indented more, in a collection at col, is not YAML: next fails.
func (p *parser) next(col int) (at, item bool) {
	p.skipBlank()
	if p.i == len(p.lines) {
		return false, false
	}
	l := p.lines[p.i]
	switch in := indent(l); {
	case in > col:
		p.fail()
		return false, false
	case in < col:
		return false, false
	}
	return true, isItem(l, col)
}

// isItem reports whether l has a sequence's '-' indicator at byte i.
func isItem(l []byte, i int) bool {
	return l[i] == '-' && (i+1 == len(l) || l[i+1] == ' ')
}

// content pops the children of a collection, the nodes of the stack from
// start up, and returns them as its Content.
func (p *parser) content(start int) []*yaml.Node {
	n := len(p.stack) - start
	if n == 0 {
		return nil
	}
	if len(p.arena) < n {
		p.arenas++
		p.arena = make([]*yaml.Node, max(n, 8<<min(p.arenas, 6)))
	}
	c := p.arena[:n:n]
	p.arena = p.arena[n:]
	copy(c, p.stack[start:])
	clear(p.stack[start:])
	p.stack = p.stack[:start]
	return c
}

func blank(l []byte) bool {
	return indent(l) == len(l)
}

func indent(l []byte) int {
	n := 0
	for n < len(l) && l[n] == ' ' {
		n++
	}
	return n
}

// node returns a node at byte col of line i.
func (p *parser) node(kind yaml.Kind, tag string, i, col int) *yaml.Node {
	if len(p.slab) == 0 {
		// One allocation for many nodes, more as the text proves long.
		p.slabs++
		p.slab = make([]yaml.Node, 4<<min(p.slabs, 7))
	}
	n := &p.slab[0]
	p.slab = p.slab[1:]
	*n = yaml.Node{Kind: kind, Tag: tag, Line: i + 1, Column: utf8.RuneCount(p.lines[i][:col]) + 1}
	return n
}

// block parses the block node that starts at byte col of the current
// line.
func (p *parser) block(col int) *yaml.Node {
	l := p.lines[p.i]
	switch {
	case isItem(l, col):
		return p.sequence(col)
	case keyEnd(l, col) > 0:
		return p.mapping(col)
	}
	return p.fail()
}

// maxKey is the longest key Parse takes, in bytes: yaml/v3 looks for the
// ':' after a key for 1024 characters at most.
const maxKey = 512

// keyEnd returns the end of the plain key that starts at byte col of l,
// where a ':' follows it, then a space or the end of the line; or -1.
func keyEnd(l []byte, col int) int {
	i := bytes.IndexByte(l[col:], ':')
	for i >= 0 {
		end := col + i
		if end+1 == len(l) || l[end+1] == ' ' {
			if end == col || end-col > maxKey || !plainScalar(l[col:end], false) {
				return -1
			}
			return end
		}
		j := bytes.IndexByte(l[end+1:], ':')
		if j < 0 {
			return -1
		}
		i += 1 + j
	}
	return -1
}

// plainScalar reports whether s, trimmed, is a plain scalar Parse takes:
// in a flow collection, when flow is set, or else in a block.
func plainScalar(s []byte, flow bool) bool {
	if len(s) == 0 || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	if string(s) == "<<" || bytes.Contains(s, []byte(" #")) || bytes.Contains(s, []byte(": ")) || s[len(s)-1] == ':' {
		return false
	}
	return !flow || bytes.IndexAny(s, ",[]{}:?") < 0
}

// scalar returns a scalar node of value at byte col of line i, with the
// tag yaml/v3 resolves it to and the style given.
func (p *parser) scalar(value []byte, style yaml.Style, i, col int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "!!str", i, col)
	n.Style = style
	switch {
	case style != 0:
		n.Value = string(value)
	case len(value) <= 24:
		// Short plain scalars, keys above all, come again and again: a
		// file says "id" or "topics" hundreds of times, and the same
		// dates. Each is made a string and resolved once.
		r, ok := p.plains[string(value)]
		if !ok {
			r.value = string(value)
			r.tag = resolve(r.value)
			if p.plains == nil {
				p.plains = map[string]plain{}
			}
			p.plains[r.value] = r
		}
		n.Value, n.Tag = r.value, r.tag
	default:
		n.Value = string(value)
		n.Tag = resolve(n.Value)
	}
	return n
}

// A plain is a plain scalar's value with the tag it resolves to.
type plain struct{ value, tag string }

// resolve returns the tag yaml/v3 resolves the plain scalar value to.
func resolve(value string) string {
	if strings.IndexByte("+-0123456789yYnNtTfFoO~<.", value[0]) < 0 {
		return "!!str" // as yaml/v3 resolves a plain scalar it has no hint for
	}
	n := yaml.Node{Kind: yaml.ScalarNode, Value: value}
	return n.ShortTag() // as yaml/v3 itself resolves it
}

// mapping parses a block mapping whose keys are at byte col.
func (p *parser) mapping(col int) *yaml.Node {
	n := p.node(yaml.MappingNode, "!!map", p.i, col)
	start := len(p.stack)
	for {
		l := p.lines[p.i]
		end := keyEnd(l, col)
		if end < 0 {
			return p.fail()
		}
		key := p.scalar(l[col:end], 0, p.i, col)
		v := end + 1
		v += indent(l[v:])
		var value *yaml.Node
		if v < len(l) {
			value = p.inline(v, col)
		} else {
			p.i++
			p.skipBlank()
			if p.i == len(p.lines) {
				return p.fail() // an empty value
			}
			next := p.lines[p.i]
			in := indent(next)
			switch {
			case in > col:
				value = p.block(in)
			case in == col && isItem(next, in):
				value = p.sequence(in) // at its key's indentation
			default:
				return p.fail() // an empty value
			}
		}
		if p.failed {
			return nil
		}
		p.stack = append(p.stack, key, value)
		// A sequence at the indentation of the mapping that holds it ends
		// it, as does anything less indented.
		if at, dash := p.next(col); p.failed {
			return nil
		} else if !at || dash {
			break
		}
	}
	n.Content = p.content(start)
	return n
}

// sequence parses a block sequence whose '-' indicators are at byte col.
func (p *parser) sequence(col int) *yaml.Node {
	n := p.node(yaml.SequenceNode, "!!seq", p.i, col)
	start := len(p.stack)
	for {
		l := p.lines[p.i]
		v := col + 1
		v += indent(l[v:])
		if v == len(l) || v == col+1 {
			return p.fail() // an item on the lines below, or "-x"
		}
		var item *yaml.Node
		switch {
		case l[v] == '-':
			return p.fail()
		case keyEnd(l, v) > 0:
			item = p.mapping(v)
		default:
			item = p.inline(v, col)
		}
		if p.failed {
			return nil
		}
		p.stack = append(p.stack, item)
		// The key after a sequence at its key's indentation ends it, as
		// does anything less indented.
		if at, dash := p.next(col); p.failed {
			return nil
		} else if !at || !dash {
			break
		}
	}
	n.Content = p.content(start)
	return n
}

// inline parses the value that starts at byte v of the current line and
// is the value of a key, or the item of a sequence, at indentation col,
// and moves past it.
func (p *parser) inline(v, col int) *yaml.Node {
	l := p.lines[p.i]
	i := p.i
	switch l[v] {
	case '|':
		if v+1 != len(l) {
			return p.fail() // indicators, or what follows them
		}
		return p.literal(v, col)
	case '[', '{':
		n, end := p.flow(v)
		if p.failed || !blank(l[end:]) {
			return p.fail()
		}
		p.i++
		return n
	case '"', '\'':
		n, end := p.quoted(v)
		if p.failed || !blank(l[end:]) {
			return p.fail()
		}
		p.i++
		return n
	}
	s := bytes.TrimRight(l[v:], " ")
	if !plainScalar(s, false) {
		return p.fail()
	}
	p.i++
	return p.scalar(s, 0, i, v)
}

// quoted parses the quoted scalar that starts at byte v of the current
// line and returns it with the offset just after its closing quote.
func (p *parser) quoted(v int) (*yaml.Node, int) {
	l := p.lines[p.i]
	q := l[v]
	end := bytes.IndexByte(l[v+1:], q)
	if end < 0 {
		return p.fail(), 0 // over several lines
	}
	end += v + 1
	value := l[v+1 : end]
	if q == '"' && bytes.IndexByte(value, '\\') >= 0 || q == '\'' && end+1 < len(l) && l[end+1] == '\'' {
		return p.fail(), 0 // escapes
	}
	style := yaml.DoubleQuotedStyle
	if q == '\'' {
		style = yaml.SingleQuotedStyle
	}
	return p.scalar(value, style, p.i, v), end + 1
}

// flow parses the flow sequence or mapping that starts at byte v of the
// current line and ends on it, and returns it with the offset just after
// its closing bracket.
func (p *parser) flow(v int) (*yaml.Node, int) {
	l := p.lines[p.i]
	n := p.node(yaml.SequenceNode, "!!seq", p.i, v)
	closing := byte(']')
	if l[v] == '{' {
		n.Kind, n.Tag, closing = yaml.MappingNode, "!!map", '}'
	}
	n.Style = yaml.FlowStyle
	at := v + 1
	at += indent(l[at:])
	if at < len(l) && l[at] == closing {
		return n, at + 1
	}
	start := len(p.stack)
	for {
		if n.Kind == yaml.MappingNode {
			end := bytes.IndexByte(l[at:], ':')
			if end <= 0 {
				return p.fail(), 0
			}
			end += at
			if end+1 == len(l) || l[end+1] != ' ' || end-at > maxKey || !plainScalar(l[at:end], true) {
				return p.fail(), 0
			}
			p.stack = append(p.stack, p.scalar(l[at:end], 0, p.i, at))
			at = end + 1
			at += indent(l[at:])
		}
		var item *yaml.Node
		if at == len(l) {
			return p.fail(), 0
		}
		switch l[at] {
		case '"', '\'':
			item, at = p.quoted(at)
			if p.failed {
				return nil, 0
			}
		default:
			end := bytes.IndexAny(l[at:], ",]}")
			if end < 0 {
				return p.fail(), 0
			}
			s := bytes.TrimRight(l[at:at+end], " ")
			if !plainScalar(s, true) {
				return p.fail(), 0
			}
			item = p.scalar(s, 0, p.i, at)
			at += end
		}
		p.stack = append(p.stack, item)
		at += indent(l[at:])
		switch {
		case at == len(l):
			return p.fail(), 0
		case l[at] == closing:
			n.Content = p.content(start)
			return n, at + 1
		case l[at] != ',':
			return p.fail(), 0
		}
		at++
		at += indent(l[at:])
	}
}

// literal parses the literal block scalar whose '|' is at byte v of the
// current line, the value of a key or the item of a sequence at
// indentation col, and moves past its last line.
func (p *parser) literal(v, col int) *yaml.Node {
	n := p.node(yaml.ScalarNode, "!!str", p.i, v)
	n.Style = yaml.LiteralStyle
	p.i++
	if p.i == len(p.lines) || blank(p.lines[p.i]) {
		return p.fail() // leading blank lines, or no content
	}
	in := indent(p.lines[p.i])
	if in <= col {
		return p.fail() // empty
	}
	var value []byte
	breaks := 0 // blank lines not yet in value
	for ; p.i < len(p.lines); p.i++ {
		l := p.lines[p.i]
		if blank(l) {
			if len(l) > in {
				return p.fail() // spaces past the indentation
			}
			breaks++
			continue
		}
		if indent(l) < in {
			break
		}
		for ; breaks > 0; breaks-- {
			value = append(value, '\n')
		}
		value = append(value, l[in:]...)
		if p.i < len(p.lines)-1 || !p.unended {
			value = append(value, '\n')
		}
	}
	// Clipped: trailing blank lines are not part of it. The lines after
	// it are parsed again by the caller.
	p.i -= breaks
	n.Value = string(value)
	return n
}
