package search

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestBuild builds an index big enough to split files of terms, and
// finds every term where the script looks for it, with its records.
func TestBuild(t *testing.T) {
	var recs []Record
	for i := range 3000 {
		recs = append(recs, Record{
			URL: fmt.Sprintf("/r/%d/", i), Kind: []string{"clause", "section"}[i%2], Title: fmt.Sprintf("Point %d", i%40),
			Number: fmt.Sprintf("%d", i%40), Doc: fmt.Sprintf("doc %d", i%5), Topics: []string{"Territory"},
			Text: fmt.Sprintf("rebuild rebuilt reform record%d report%d resolve%d the 600,000 cap", i, i%300, i%700),
		})
	}
	files := Build(recs, make([]Scored, len(recs)))
	byName := map[string][]byte{}
	for _, f := range files {
		byName[f.Name] = f.Data
	}
	var meta struct {
		N      int
		Chunks string
	}
	var filters struct {
		Docs, Topics []string
		Doc          []int
		Topic        []string
	}
	if err := json.Unmarshal(byName["search/meta.json"], &meta); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(byName["search/filters.json"], &filters); err != nil {
		t.Fatal(err)
	}
	if meta.N != len(recs) || len(filters.Doc) != len(recs) || len(filters.Topic) != len(recs) {
		t.Fatalf("%d records, %d documents, %d topic lists", meta.N, len(filters.Doc), len(filters.Topic))
	}
	if len(filters.Docs) != 5 || len(filters.Topics) != 1 {
		t.Errorf("filters name %q and %q", filters.Docs, filters.Topics)
	}
	chunks := map[string]bool{}
	for _, k := range strings.Fields(meta.Chunks) {
		chunks[k] = true
	}
	if _, ok := byName[fmt.Sprintf("search/r/%d.json", (len(recs)-1)/blockSize)]; !ok {
		t.Errorf("the last file of records is missing")
	}
	if !chunks["rep"] {
		t.Errorf("the file of terms re was not split: %d bytes", len(byName["search/t/re.json"]))
	}
	for k := range chunks {
		if data := byName["search/t/"+k+".json"]; len(data) > 2*chunkMax && len(k) == 2 {
			t.Errorf("file of terms %s: %d bytes", k, len(data))
		}
	}
	find := func(term string) []int {
		k := chunkKey(term, 2)
		if k3 := chunkKey(term, 3); len([]rune(term)) >= 3 {
			if chunks[k3] {
				k = k3
			}
		}
		var chunk map[string][]int
		data, ok := byName["search/t/"+k+".json"]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(data, &chunk); err != nil {
			t.Fatalf("search/t/%s.json: %v", k, err)
		}
		var recs []int
		for i, rec := 0, 0; i < len(chunk[term]); i += 2 {
			rec += chunk[term][i]
			recs = append(recs, rec)
		}
		return recs
	}
	for term, want := range map[string]int{"rebuild": 3000, "record17": 1, "report17": 10, "600000": 3000, "cap": 3000, "point": 3000, "21": 75} {
		if got := find(term); len(got) != want {
			t.Errorf("%q: in %d records, want %d", term, len(got), want)
		}
	}
	if got := find("record17"); len(got) == 1 {
		var block [][]string
		if err := json.Unmarshal(byName[fmt.Sprintf("search/r/%d.json", got[0]/blockSize)], &block); err != nil {
			t.Fatal(err)
		}
		if r := block[got[0]%blockSize]; r[0] != "/r/17/" || r[5] != "section" {
			t.Errorf("record17's record is %q, want /r/17/, a section", r)
		}
	}
	if len(find("the")) != 0 {
		t.Errorf("a stop word is indexed")
	}
}

// BenchmarkScore scores the default explainer's sections as records,
// Markdown and all: the bulk of the index's work in a build.
func BenchmarkScore(b *testing.B) {
	recs, size := sectionRecords(b, "../../..")
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var sc Scorer
	for b.Loop() {
		for _, r := range recs {
			sc.Score(r)
		}
	}
}

// sectionRecords makes a record of each section file of the project in
// dir, Markdown and all, and returns them with their size in bytes.
func sectionRecords(b *testing.B, dir string) ([]Record, int) {
	names, err := filepath.Glob(filepath.Join(dir, "content/sections/*.md"))
	if err != nil || len(names) == 0 {
		b.Fatalf("no sections in %s: %v", dir, err)
	}
	var recs []Record
	size := 0
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		base := filepath.Base(name)
		recs = append(recs, Record{URL: "/" + base + "/", Kind: "section", Title: base, Sub: "Section", Text: string(data), Prior: 1.1})
		size += len(data)
	}
	return recs, size
}

// TestSnippet: a record's snippet is the start of its text, cut at
// snippetMax on a character.
func TestSnippet(t *testing.T) {
	var sc Scorer
	got := sc.Score(Record{Text: "A summary. " + strings.Repeat("é", 400)}).Snippet
	if !strings.HasPrefix(got, "A summary. éé") || len(got) > snippetMax || !utf8.ValidString(got) {
		t.Errorf("snippet %q (%d bytes)", got[:min(len(got), 60)], len(got))
	}
	if got := sc.Score(Record{Text: "Only text."}).Snippet; got != "Only text." {
		t.Errorf("snippet %q", got)
	}
}

// BenchmarkIndex makes the index of a benchmark corpus's sections
// ($EXPLAINER_CORPUS), one record each: "score" scores them, "build"
// makes the index's files of records already scored.
func BenchmarkIndex(b *testing.B) {
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("EXPLAINER_CORPUS names no corpus")
	}
	recs, size := sectionRecords(b, dir)
	var sc Scorer
	scored := make([]Scored, len(recs))
	for i, r := range recs {
		scored[i] = sc.Score(r)
	}
	b.Run("score", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for i, r := range recs {
				scored[i] = sc.Score(r)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Build(recs, slices.Clone(scored))
		}
	})
}
