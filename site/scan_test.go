package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// The fuzz targets of this file hold the hand-written scans of the
// package to the plainer code they replace.

// FuzzDemoteHeadings holds demoteHeadings to the strings.Replacer it
// stands for.
func FuzzDemoteHeadings(f *testing.F) {
	replacer := strings.NewReplacer(
		"<h1", "<h2", "</h1>", "</h2>", "<h2", "<h3", "</h2>", "</h3>",
		"<h3", "<h4", "</h3>", "</h4>", "<h4", "<h5", "</h4>", "</h5>",
		"<h5", "<h6", "</h5>", "</h6>",
	)
	for _, s := range []string{
		"", "<h2 id=\"a\">A</h2>\n<p>x</p>", "<h1>T</h1><h6>six</h6></h6>", "</h2 >", "<h", "</h", "</h3", "<<h2", "<h0><h9></h5><hr>", "a<b>c</b>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := demoteHeadings(s), replacer.Replace(s); got != want {
			t.Errorf("demoteHeadings(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzLineIndex holds newLineIndex to the byte loop it stands for: every
// line starts after a '\n', and its first byte is at column 1 of it.
func FuzzLineIndex(f *testing.F) {
	for _, s := range []string{"", "a", "\n", "a\nb\n", "\n\n\nx", "no end\nof line"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		want := []int{0}
		for i, c := range src {
			if c == '\n' {
				want = append(want, i+1)
			}
		}
		x := newLineIndex(src)
		if x.lines() != len(want) {
			t.Fatalf("newLineIndex(%q) has %d lines, want %d", src, x.lines(), len(want))
		}
		for i, start := range want {
			if got := x.offset(i+1, 1, len(src)); got != start {
				t.Errorf("newLineIndex(%q): line %d starts at %d, want %d", src, i+1, got, start)
			}
			if line, col := x.position(start); line != i+1 || col != 1 {
				t.Errorf("newLineIndex(%q): offset %d is at %d:%d, want %d:1", src, start, line, col, i+1)
			}
		}
	})
}

// TestJSONStream holds jsonStream to encoding/json: an object of lists,
// written in parts, is the object json.Marshal writes, and a long one
// comes in parts of about jsonChunk bytes.
func TestJSONStream(t *testing.T) {
	type item struct {
		Name  string   `json:"name"`
		Note  string   `json:"note,omitempty"`
		Tags  []string `json:"tags"`
		Share *int     `json:"share,omitempty"`
	}
	type whole struct {
		Title string `json:"title"`
		A     []item `json:"a"`
		B     []item `json:"b"`
		C     []item `json:"c"`
	}
	pct := 42
	want := whole{Title: "<Fees> & \u2028 \xff", A: []item{}, B: []item{}, C: []item{{Name: "only"}}}
	for i := range 3000 {
		want.A = append(want.A, item{Name: fmt.Sprintf("item %d <b>", i), Tags: []string{"x", "y&z"}, Share: &pct})
	}
	w := newJSONStream()
	w.raw(`{"title":`)
	w.value(want.Title)
	for _, l := range []struct {
		name  string
		items []item
	}{{"a", want.A}, {"b", want.B}, {"c", want.C}} {
		w.list(l.name)
		for _, it := range l.items {
			w.item(it)
		}
	}
	w.raw("]}\n")
	parts := w.done()
	wantJSON, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Join(parts, nil); string(got) != string(wantJSON)+"\n" {
		t.Errorf("jsonStream wrote\n%.300s\nwant\n%.300s", got, wantJSON)
	}
	if n := len(wantJSON) / jsonChunk; len(parts) < n {
		t.Errorf("%d bytes in %d parts, want at least %d", len(wantJSON), len(parts), n)
	}
	for _, p := range parts[:len(parts)-1] {
		if len(p) < jsonChunk || len(p) > 2*jsonChunk {
			t.Errorf("a part of %d bytes, want about %d", len(p), jsonChunk)
		}
	}
}
