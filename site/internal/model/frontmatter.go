package model

// This file splits a Markdown file into its YAML front matter and its body,
// keeping the positions of both.

import (
	"bytes"
	"errors"
	"unicode/utf8"

	"github.com/adrg/frontmatter"
	"go.yaml.in/yaml/v3"
)

// An mdFile is a Markdown file split into front matter and body.
type mdFile struct {
	yaml *yamlFile  // the file, for decoding the front matter
	root *yaml.Node // the front matter's root node; nil when empty or broken
	ok   bool       // the front matter was found and parsed
	body Markdown   // everything after the closing "---" line
}

// readMarkdownFile splits the Markdown file at path holding src with
// github.com/adrg/frontmatter. The front matter is YAML between a first
// line "---" (blank lines before it aside) and the next line "---"; it is
// parsed here, from the file's own bytes, so that a YAML error points at
// its line and column in the file. A file that opens no front matter, or
// never closes it, is an error: the library would take it all for body.
func readMarkdownFile(path string, src []byte, errs *ErrorList) *mdFile {
	if i := invalidUTF8(src); i >= 0 {
		p := &mdFile{yaml: newYAMLFile(path, src, 0, errs)}
		line, col := p.yaml.lines.position(i)
		errs.Add(Pos{File: path, Line: line, Column: col}, "invalid UTF-8: byte 0x%02x is not part of a character (save the file as UTF-8)", src[i])
		return p
	}
	text := bytes.TrimPrefix(src, []byte("\uFEFF")) // the file without its byte order mark, if any
	var front []byte
	found := false
	// The library is told to stop once it has the front matter: the body
	// is in src already, and copying it out would cost a build about 5%.
	stop := errors.New("front matter found")
	format := frontmatter.NewFormat("---", "---", func(data []byte, _ any) error {
		front, found = data, true
		return stop
	})
	_, err := frontmatter.Parse(bytes.NewReader(text), nil, format)
	first := Pos{File: path, Line: 1, Column: 1}
	opening := len(src) - len(text) + openingEnd(text) // where the front matter's YAML starts
	p := &mdFile{yaml: newYAMLFile(path, src, bytes.Count(src[:opening], []byte{'\n'}), errs)}
	switch {
	case err != nil && err != stop: // only reading can fail, and src is in memory
		errs.Add(first, "front matter: %v", err)
		p.body = p.bodyFrom(len(src))
	case !found && string(bytes.TrimSpace(src[len(src)-len(text):opening])) == "---":
		line, _ := p.yaml.lines.position(opening - 1) // the opening line, after any blank ones
		errs.Add(Pos{File: path, Line: line, Column: 1}, "front matter has no closing \"---\" line")
		p.body = p.bodyFrom(len(src))
	case !found:
		errs.Add(first, "missing front matter: start the file with a \"---\" line")
		p.body = p.bodyFrom(0)
	default:
		body := len(src) // after the closing line
		if i := bytes.IndexByte(src[opening+len(front):], '\n'); i >= 0 {
			body = opening + len(front) + i + 1
		}
		p.root, p.ok = p.yaml.parse(src[opening : opening+len(front)])
		var short bool
		if p.body, short = p.checkedBody(body, errs); !short {
			p.ok = false
		}
	}
	return p
}

// checkedBody is bodyFrom(start), unless the body is over MaxMarkdown:
// then an error at its start, and false.
func (p *mdFile) checkedBody(start int, errs *ErrorList) (Markdown, bool) {
	body := p.bodyFrom(start)
	if msg, long := MarkdownTooLong(body.Text); long {
		errs.Add(body.Position(0), "%s", msg)
		return Markdown{}, false
	}
	return body, true
}

// invalidUTF8 returns the offset of the first byte of src that is not
// part of a UTF-8 character, or -1.
func invalidUTF8(src []byte) int {
	if utf8.Valid(src) {
		return -1
	}
	for i := 0; i < len(src); {
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return -1
}

// openingEnd returns the offset just after the first line of text that is
// not blank: the front matter's opening line, when there is one.
func openingEnd(text []byte) int {
	for i := 0; i < len(text); {
		end := len(text)
		if j := bytes.IndexByte(text[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		if len(bytes.TrimSpace(text[i:end])) > 0 {
			return end
		}
		i = end
	}
	return len(text)
}

// fields returns the front matter for decoding, with keys its only
// allowed keys. When the front matter is missing or broken, which is
// already reported, it is empty and reports nothing more.
func (p *mdFile) fields(keys ...string) *mapping {
	at := Pos{File: p.yaml.path, Line: 1, Column: 1}
	m := p.yaml.mapping(p.root, at, "front matter", keys...)
	if !p.ok {
		m.bad = true
	}
	return m
}

// bodyFrom returns the Markdown from byte start of the file to its end.
func (p *mdFile) bodyFrom(start int) Markdown {
	f := p.yaml
	start = min(start, len(f.src))
	text := string(f.src[start:])
	if text == "" {
		return Markdown{}
	}
	path, lines, n := f.path, f.lines, len(text) // not text: a lean build drops it
	return Markdown{Text: text, at: func(offset int) Pos {
		line, col := lines.position(start + min(max(offset, 0), n))
		return Pos{File: path, Line: line, Column: col}
	}}
}
