package model

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in a source file, shaped like go/token.Position.
// File is slash-separated and relative to the project root.
type Pos struct {
	File   string // path relative to the project, e.g. "content/sections/01-a.md"
	Line   int    // 1-based line; 0 means unknown
	Column int    // 1-based column, in bytes; 0 means unknown
}

// FileStart is the position of a problem with a file as a whole, such as
// one that cannot be read: its first line and column.
func FileStart(name string) Pos { return Pos{File: name, Line: 1, Column: 1} }

// IsValid reports whether the position names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// String formats the position as "file:line:col", dropping unknown parts.
func (p Pos) String() string {
	s := p.File
	if p.Line > 0 {
		s += fmt.Sprintf(":%d", p.Line)
		if p.Column > 0 {
			s += fmt.Sprintf(":%d", p.Column)
		}
	}
	return s
}

// Error is one problem in the content, at a position.
type Error struct {
	Pos     Pos
	Msg     string // lower case, unpunctuated
	Warning bool   // a warning fails the build only with Options.Strict
}

// Error formats the error as "file:line:col: message".
func (e *Error) Error() string {
	if e.Warning {
		return e.Pos.String() + ": warning: " + e.Msg
	}
	return e.Pos.String() + ": " + e.Msg
}

// ErrorList is a list of content errors. Build reports all the problems
// it finds in one run, sorted by file and position.
type ErrorList []*Error

// Add appends an error at pos.
func (l *ErrorList) Add(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)})
}

// Warn appends a warning at pos.
func (l *ErrorList) Warn(pos Pos, format string, args ...any) {
	*l = append(*l, &Error{Pos: pos, Msg: fmt.Sprintf(format, args...), Warning: true})
}

// Len, Swap and Less implement sort.Interface.
func (l ErrorList) Len() int      { return len(l) }
func (l ErrorList) Swap(i, j int) { l[i], l[j] = l[j], l[i] }
func (l ErrorList) Less(i, j int) bool {
	a, b := l[i].Pos, l[j].Pos
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return l[i].Msg < l[j].Msg
}

// Sort sorts the list by position and removes exact duplicates.
func (l *ErrorList) Sort() {
	sort.Stable(*l)
	out := (*l)[:0]
	for i, e := range *l {
		if i > 0 && *e == *(*l)[i-1] {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

// HasErrors reports whether any entry is not a warning.
func (l ErrorList) HasErrors() bool {
	for _, e := range l {
		if !e.Warning {
			return true
		}
	}
	return false
}

// Errors returns the entries that are not warnings.
func (l ErrorList) Errors() ErrorList {
	var out ErrorList
	for _, e := range l {
		if !e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// Warnings returns the entries that are warnings.
func (l ErrorList) Warnings() ErrorList {
	var out ErrorList
	for _, e := range l {
		if e.Warning {
			out = append(out, e)
		}
	}
	return out
}

// Error joins the list, one problem per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err returns the list as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}
