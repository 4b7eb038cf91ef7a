package exports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

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
