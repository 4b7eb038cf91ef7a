package search

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Record is one thing a reader may look for: a page, or a place on
// one (a source on the sources page).
type Record struct {
	URL    string // root-absolute
	Kind   string // clause, section, document, topic, actor, source
	Title  string
	Number string // a clause's number: "21"
	Sub    string // what the result shows under its title: "28-point draft · point 21"
	Fate   string // a clause's fate, as its badge reads: "Changed"; "" for none
	Doc    string // the short name of the clause's or changes page's document, for the filter; "" for none
	Topics []string
	Names  string // names it goes by besides its title: its document's, its topics', a source's publisher
	Text   string // plain text, searched and shown in snippets
	Prior  float64
}

// Field weights: a word of the title (or the number) counts for more
// than a name, which counts for more than a word of the text, of which
// only the first few count.
const (
	titleWeight = 8
	nameWeight  = 3
	textCap     = 3
	blockSize   = 4        // records per file of records
	chunkMax    = 24 << 10 // bytes, about, of a file of terms before it is split
	snippetMax  = 600      // bytes of text a record keeps for snippets
)

// Dir is the folder of the index in the output.
const Dir = "search/"

// A File is one file of the index.
type File struct {
	Name string // under Dir: "search/meta.json"
	Data []byte
}

// Build makes the index of recs:
//   - search/meta.json, which the script fetches first, as small as it
//     can be: the number of records, the keys of the files of terms, and
//     the hashes for the ?v= queries of the other files (the files of
//     terms share one, and so do the files of records);
//   - search/t/KEY.json, a file of terms per first two characters of a
//     term, split by the third when it grows past chunkMax: each term
//     with the records it is in, as pairs of the record's number,
//     counted from the one before, and its score;
//   - search/r/N.json, the records, four to a file, each as
//     [url, title, sub, fate, text, kind];
//   - search/filters.json, the documents' and topics' names and each
//     record's, which only the search page's filters need.
//
// scored[i] holds what a Scorer made of recs[i] when it is known, the
// zero Scored otherwise; Build fills it in.
func Build(recs []Record, scored []Scored) []File {
	type posting struct {
		rec   int32
		score uint8
	}
	postings := map[string][]posting{}
	var sc Scorer
	for i := range recs {
		if scored[i].Terms == nil && scored[i].Snippet == "" {
			scored[i] = sc.Score(recs[i])
		}
		for _, ts := range scored[i].Terms {
			postings[ts.Term] = append(postings[ts.Term], posting{int32(i), ts.Score})
		}
	}

	// A file per first two characters of a term; one grown past chunkMax
	// gives its terms of three characters or more a file per first three.
	terms := make([]string, 0, len(postings))
	for t := range postings {
		terms = append(terms, t)
	}
	slices.Sort(terms)
	chunks := map[string][]string{} // key -> its terms, in order
	size := map[string]int{}
	for _, t := range terms {
		k := chunkKey(t, 2)
		chunks[k] = append(chunks[k], t)
		size[k] += len(t) + 8*len(postings[t])
	}
	for k, ts := range chunks {
		if size[k] <= chunkMax {
			continue
		}
		var short []string
		for _, t := range ts {
			if k3 := chunkKey(t, 3); k3 != k {
				chunks[k3] = append(chunks[k3], t)
			} else {
				short = append(short, t)
			}
		}
		chunks[k] = short
	}
	encode := func(ts []string) []byte {
		var b []byte
		b = append(b, '{')
		for i, t := range ts {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, t...) // letters, digits and points: nothing to escape
			b = append(b, '"', ':', '[')
			last := 0
			for j, p := range postings[t] { // in record order
				if j > 0 {
					b = append(b, ',')
				}
				b = strconv.AppendInt(b, int64(int(p.rec)-last), 10)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(p.score), 10)
				last = int(p.rec)
			}
			b = append(b, ']')
		}
		return append(b, '}')
	}
	var files []File
	meta := struct {
		V       int    `json:"v"`
		N       int    `json:"n"`
		Chunks  string `json:"chunks"`  // the keys of the files of terms, space-separated
		Terms   string `json:"terms"`   // one hash for all the files of terms
		Records string `json:"records"` // one hash for all the files of records
		Per     int    `json:"per"`     // records per file
		Filters string `json:"filters"` // the hash of filters.json
	}{V: 2, N: len(recs), Per: blockSize}
	// What the filters of the search page need, in a file of its own:
	// the names of the documents and topics, and per record its
	// document's index in Docs (-1 for none) and its topics' indexes in
	// Topics, comma-separated.
	filters := struct {
		Docs   []string `json:"docs"`
		Topics []string `json:"topics"`
		Doc    []int    `json:"doc"`
		Topic  []string `json:"topic"`
	}{}
	for _, r := range recs {
		d := -1
		if r.Doc != "" {
			if d = slices.Index(filters.Docs, r.Doc); d < 0 {
				d = len(filters.Docs)
				filters.Docs = append(filters.Docs, r.Doc)
			}
		}
		filters.Doc = append(filters.Doc, d)
		var ts []string
		for _, t := range r.Topics {
			i := slices.Index(filters.Topics, t)
			if i < 0 {
				i = len(filters.Topics)
				filters.Topics = append(filters.Topics, t)
			}
			ts = append(ts, strconv.Itoa(i))
		}
		filters.Topic = append(filters.Topic, strings.Join(ts, ","))
	}
	keys := make([]string, 0, len(chunks))
	for k, ts := range chunks {
		if len(ts) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	meta.Chunks = strings.Join(keys, " ")
	h := crc32.New(castagnoli())
	for _, k := range keys {
		data := encode(chunks[k])
		h.Write(data)
		files = append(files, File{Dir + "t/" + k + ".json", data})
	}
	meta.Terms = strconv.FormatUint(uint64(h.Sum32()), 36)
	h.Reset()
	for start := 0; start < len(recs); start += blockSize {
		var block [][]any
		for i, r := range recs[start:min(start+blockSize, len(recs))] {
			block = append(block, []any{r.URL, r.Title, r.Sub, r.Fate, scored[start+i].Snippet, r.Kind})
		}
		data := mustJSON(block)
		h.Write(data)
		files = append(files, File{Dir + "r/" + strconv.Itoa(start/blockSize) + ".json", data})
	}
	meta.Records = strconv.FormatUint(uint64(h.Sum32()), 36)
	data := mustJSON(filters)
	meta.Filters = hash(data)
	files = append(files, File{Dir + "filters.json", data})
	return append([]File{{Dir + "meta.json", mustJSON(meta)}}, files...)
}

// Scored is what a Scorer makes of a record: its terms, each with its
// score in the record, and the text of its snippet.
type Scored struct {
	Terms   []TermScore
	Snippet string
}

// TermScore is a term and its score in a record.
type TermScore struct {
	Term  string
	Score uint8
}

// A Scorer works out the terms of records and their scores. Its zero
// value is ready; one Scorer scores one record at a time, reusing its
// memory from one to the next.
type Scorer struct {
	m map[string]acc
}

// acc is what a Scorer gathers of a term: the weight of the best field
// it is in, and its count in the text, up to textCap.
type acc struct{ weight, tf uint8 }

// Score works out the terms of r and their scores: a word of the title
// or the number scores more than a name, which scores more than a word of
// the text, of which a few occurrences count; all times r's prior.
func (s *Scorer) Score(r Record) Scored {
	if s.m == nil {
		s.m = make(map[string]acc, 256)
	}
	m := s.m
	defer clear(m)
	field := func(weight uint8) func(string) {
		return func(t string) {
			if a := m[t]; a.weight < weight {
				a.weight = weight
				m[t] = a
			}
		}
	}
	eachTerm(r.Title+" "+r.Number, field(titleWeight))
	if r.Number != "" {
		field(titleWeight)("point")
	}
	eachTerm(r.Names, field(nameWeight))
	count := func(t string) {
		if a := m[t]; a.tf < textCap {
			a.tf++
			m[t] = a
		}
	}
	eachTerm(r.Text, count)
	prior := r.Prior
	if prior <= 0 {
		prior = 1
	}
	terms := make([]TermScore, 0, len(m))
	for t, a := range m {
		s := float64(a.weight) + float64(a.tf)
		terms = append(terms, TermScore{t, uint8(min(255, max(1, math.Round(s*prior*4))))})
	}
	return Scored{terms, clip(r.Text, snippetMax)}
}

// chunkKey is the name of a file of terms that may hold t: its first
// runes characters, written in hexadecimal unless they are ASCII letters or
// digits, so that every name is safe in a URL.
func chunkKey(t string, runes int) string {
	n := 0
	for i := range t {
		if n == runes {
			t = t[:i]
			break
		}
		n++
	}
	for _, c := range []byte(t) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return fmt.Sprintf("x%x", t)
		}
	}
	return t
}

// clip cuts s to at most n bytes, at a rune.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// hash is a short hash of data, for a ?v= query.
func hash(data []byte) string {
	return strconv.FormatUint(uint64(crc32.Checksum(data, castagnoli())), 36)
}

// castagnoli is the CRC-32 table the ?v= hashes use: they need only
// change when a file does, and the processor computes this one. The
// package crc32 makes the table once.
func castagnoli() *crc32.Table { return crc32.MakeTable(crc32.Castagnoli) }

func mustJSON(v any) []byte {
	data, err := json.Marshal(v)
	if err != nil {
		panic("search: " + err.Error()) // maps, strings and numbers only
	}
	return data
}
