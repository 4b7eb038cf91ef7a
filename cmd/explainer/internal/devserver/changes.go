package devserver

import (
	"bytes"
	"path"
	"slices"
	"strings"

	"github.com/explainer/explainer/site"
)

// Changes is what one build changed compared with the previous good
// build, as URL paths of the served site. Each list is sorted.
type Changes struct {
	Pages  []string // HTML pages changed, added or removed: "/", "/documents/us-28/", "/404.html"
	Styles []string // stylesheets (.css) changed, added or removed: "/css/site.css"
	Other  bool     // whether any other file changed
	Files  []string // those other files: "/data/explainer.json", "/sitemap.xml"
}

// Empty reports whether nothing changed.
func (c Changes) Empty() bool {
	return len(c.Pages) == 0 && len(c.Styles) == 0 && !c.Other
}

// diff compares two builds; old is nil before the first good build.
//
// Pages are compared ignoring the ?v=HEX cache-busting queries of the
// URLs they link (href="css/site.css?v=e84bb5d9"): a stylesheet edit
// changes that query on every page, and those pages need the new
// stylesheet swapped in, not a reload.
func diff(old, cur files) Changes {
	var c Changes
	var oldNames []string
	if old != nil {
		oldNames = old.Names()
	}
	newNames := cur.Names()
	note := func(name string, a, b [][]byte, inOld, inNew bool) {
		if inOld && inNew && equalParts(a, b, bytes.Equal) {
			return
		}
		switch path.Ext(name) {
		case ".html":
			if inOld && inNew && equalParts(a, b, equalIgnoringVersions) {
				return
			}
			c.Pages = append(c.Pages, pageURL(name))
		case ".css":
			c.Styles = append(c.Styles, "/"+name)
		default:
			c.Files = append(c.Files, "/"+name)
		}
	}
	// Walk the two sorted name lists side by side. A file only one build
	// has changed, whatever it holds.
	i, j := 0, 0
	for i < len(oldNames) || j < len(newNames) {
		switch {
		case j == len(newNames) || i < len(oldNames) && oldNames[i] < newNames[j]:
			note(oldNames[i], nil, nil, true, false)
			i++
		case i == len(oldNames) || newNames[j] < oldNames[i]:
			note(newNames[j], nil, nil, false, true)
			j++
		default:
			name := newNames[j]
			if same, known := sameByKey(old, cur, name); known {
				if !same {
					note(name, nil, nil, false, true)
				}
			} else {
				a, _ := old.Parts(name)
				b, _ := cur.Parts(name)
				note(name, a, b, true, true)
			}
			i++
			j++
		}
	}
	c.Other = len(c.Files) > 0
	// pageURL keeps the order of names except that "x/index.html" sorts
	// after "x/a.html" while "/x/" sorts before "/x/a.html"; sort again.
	slices.Sort(c.Pages)
	return c
}

// sameByKey reports whether a file is the same in two builds by the keys
// of its inputs, when both are site.Outputs that know them: the JSON
// export of a rebuild is still being made when the server gets it.
func sameByKey(old, cur files, name string) (same, known bool) {
	o, ok := old.(*site.Output)
	c, ok2 := cur.(*site.Output)
	if !ok || !ok2 {
		return false, false
	}
	return c.Same(o, name)
}

// equalParts compares two files given in parts with equal. Files of as
// many parts are compared part by part, which spares joining the home
// page, whose parts are the blocks of its sections, and costs nothing for
// a part two builds share (bytes.Equal of a slice with itself returns at
// once). That can find a difference where the joined files have none,
// which only makes a page update needlessly, never miss one.
func equalParts(a, b [][]byte, equal func(a, b []byte) bool) bool {
	if len(a) != len(b) {
		return equal(bytes.Join(a, nil), bytes.Join(b, nil))
	}
	for i := range a {
		if !equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// pageURL returns the URL path that serves the page at name:
// "index.html" is "/", "documents/x/index.html" is "/documents/x/", and
// any other page is served under its own name.
func pageURL(name string) string {
	if name == "index.html" || strings.HasSuffix(name, "/index.html") {
		return "/" + strings.TrimSuffix(name, "index.html")
	}
	return "/" + name
}

// equalIgnoringVersions reports whether the pages a and b are the same
// once every ?v=HEX query ending an attribute value (followed by a quote)
// is removed from both.
func equalIgnoringVersions(a, b []byte) bool {
	marker := []byte("?v=")
	for {
		i := bytes.Index(a, marker)
		j := bytes.Index(b, marker)
		if i < 0 || j < 0 {
			return i == j && bytes.Equal(a, b)
		}
		if !bytes.Equal(a[:i], b[:j]) {
			return false
		}
		a = skipVersion(a[i+len(marker):])
		b = skipVersion(b[j+len(marker):])
	}
}

// skipVersion returns b after a leading run of hex digits that ends an
// attribute value, or b itself if it does not start with one.
func skipVersion(b []byte) []byte {
	n := 0
	for n < len(b) && isHex(b[n]) {
		n++
	}
	if n > 0 && n < len(b) && (b[n] == '"' || b[n] == '\'') {
		return b[n:]
	}
	return b
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
