package site

// This file splits a Markdown file into its YAML front matter and its body,
// keeping the positions of both.

import (
	"strings"

	"go.yaml.in/yaml/v3"
)

// An mdFile is a Markdown file split into front matter and body.
type mdFile struct {
	yaml *yamlFile  // the file, for decoding the front matter
	root *yaml.Node // the front matter's root node; nil when empty or broken
	ok   bool       // the front matter was found and parsed
	body Markdown   // everything after the closing "---" line
}

// readMarkdownFile splits the Markdown file at path holding src. The
// front matter is YAML between a first line "---" and the next line "---";
// it is parsed here, so that a YAML error points at its line in the file
// (the YAML line plus one for the opening "---"). The front matter is not
// passed through adrg/frontmatter: that package skips blank lines before
// the opening "---", trims the delimiter lines and quietly takes a file
// without a closing "---" for all body, all of which would move or hide
// positions.
func readMarkdownFile(path string, src []byte, errs *ErrorList) *mdFile {
	p := &mdFile{yaml: newYAMLFile(path, src, 1, errs)}
	lines := p.yaml.lines
	first := Pos{File: path, Line: 1, Column: 1}
	if !isDelimiter(strings.TrimPrefix(lines.text(src, 1), "\uFEFF")) {
		errs.Add(first, "missing front matter: start the file with a \"---\" line")
		p.body = p.bodyFrom(0)
		return p
	}
	for line := 2; line <= lines.lines(); line++ {
		if !isDelimiter(lines.text(src, line)) {
			continue
		}
		start := lines.offset(2, 1, len(src))
		end := lines.offset(line, 1, len(src))
		p.body = p.bodyFrom(lines.offset(line+1, 1, len(src)))
		p.root, p.ok = p.yaml.parse(src[start:end])
		return p
	}
	errs.Add(first, "front matter has no closing \"---\" line")
	p.body = p.bodyFrom(len(src))
	return p
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

// isDelimiter reports whether a line opens or closes front matter.
func isDelimiter(line string) bool {
	return trimBlanks(line) == "---"
}

// trimBlanks trims trailing spaces and tabs.
func trimBlanks(s string) string {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}
