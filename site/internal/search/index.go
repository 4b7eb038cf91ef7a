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
	// Each term gets a number the first time it is met, and each posting
	// its term's number, in record order; the postings are then laid out
	// term by term in one array, still in record order. (A map of slices
	// of postings took twice as long, most of it in the collector.)
	var sc Scorer
	total := 0
	for i := range recs {
		if scored[i].scores == nil {
			scored[i] = sc.Score(recs[i])
		}
		total += len(scored[i].scores)
	}
	ids := make(map[string]int32, 1<<14)
	var names []string                // by number
	var count []int32                 // postings per term number
	termOf := make([]int32, 0, total) // each posting's term number
	for i := range recs {
		for t := range splitTerms(scored[i].terms) {
			id, ok := ids[t]
			if !ok {
				id = int32(len(names))
				ids[t] = id
				names = append(names, t)
				count = append(count, 0)
			}
			count[id]++
			termOf = append(termOf, id)
		}
	}
	start := make([]int32, len(names)+1) // term n's postings are flat[start[n]:start[n+1]]
	for id, n := range count {
		start[id+1] = start[id] + n
	}
	flat := make([]posting, len(termOf))
	next := slices.Clone(start[:len(names)])
	k := 0
	for i := range recs {
		for _, score := range scored[i].scores {
			id := termOf[k]
			flat[next[id]] = posting{int32(i), score}
			next[id]++
			k++
		}
	}
	postings := func(id int32) []posting { return flat[start[id]:start[id+1]] }

	// A file per first two characters of a term; one grown past chunkMax
	// gives its terms of three characters or more a file per first three.
	order := make([]int32, len(names)) // term numbers, by term
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(names[a], names[b]) })
	chunks := map[string][]int32{} // key -> its terms, in order
	size := map[string]int{}       // key -> about how many bytes its file takes
	for _, id := range order {
		k := chunkKey(names[id], 2)
		chunks[k] = append(chunks[k], id)
		size[k] += len(names[id]) + 8*len(postings(id))
	}
	for k, ids := range chunks {
		if size[k] <= chunkMax {
			continue
		}
		var short []int32
		for _, id := range ids {
			if k3 := chunkKey(names[id], 3); k3 != k {
				chunks[k3] = append(chunks[k3], id)
				n := len(names[id]) + 8*len(postings(id))
				size[k3] += n
				size[k] -= n
			} else {
				short = append(short, id)
			}
		}
		chunks[k] = short
	}
	encode := func(ids []int32, size int) []byte {
		b := make([]byte, 0, size+size/4)
		b = append(b, '{')
		for i, id := range ids {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '"')
			b = append(b, names[id]...) // letters, digits and points: nothing to escape
			b = append(b, '"', ':', '[')
			last := 0
			for j, p := range postings(id) { // in record order
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
		data := encode(chunks[k], size[k])
		h.Write(data)
		files = append(files, File{Dir + "t/" + k + ".json", data})
	}
	meta.Terms = strconv.FormatUint(uint64(h.Sum32()), 36)
	h.Reset()
	for start := 0; start < len(recs); start += blockSize {
		var block [][6]string
		for i, r := range recs[start:min(start+blockSize, len(recs))] {
			block = append(block, [6]string{r.URL, r.Title, r.Sub, r.Fate, scored[start+i].Snippet, r.Kind})
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
// score in the record, and the text of its snippet. Its terms are kept
// in one string and its scores in bytes: far less for the collector to
// scan than a string per term.
type Scored struct {
	terms   string  // each term followed by a space
	scores  []uint8 // each term's score, in order; nil until scored
	Snippet string
}

// splitTerms calls yield with each term of terms, a Scored's.
func splitTerms(terms string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for terms != "" {
			i := strings.IndexByte(terms, ' ')
			if !yield(terms[:i]) {
				return
			}
			terms = terms[i+1:]
		}
	}
}

// A Scorer works out the terms of records and their scores. Its zero
// value is ready; one Scorer scores one record at a time, reusing its
// memory from one to the next.
type Scorer struct {
	ids  map[string]int32  // a term's index in accs
	accs []acc             // the record's terms, in the order first seen
	memo map[string]string // capitalised words' terms (see eachTerm)
}

// acc is what a Scorer gathers of a term: the weight of the best field
// it is in, and its count in the text, up to textCap.
type acc struct {
	term       string
	weight, tf uint8
}

// Score works out the terms of r and their scores: a word of the title
// or the number scores more than a name, which scores more than a word of
// the text, of which a few occurrences count; all times r's prior.
func (s *Scorer) Score(r Record) Scored {
	if s.ids == nil {
		s.ids = make(map[string]int32, 256)
		s.memo = make(map[string]string, 256)
	}
	defer func() {
		clear(s.ids)
		s.accs = s.accs[:0]
	}()
	// One map lookup a word: the map gives where the term's acc is.
	at := func(t string) *acc {
		i, ok := s.ids[t]
		if !ok {
			i = int32(len(s.accs))
			s.ids[t] = i
			s.accs = append(s.accs, acc{term: t})
		}
		return &s.accs[i]
	}
	field := func(weight uint8) func(string) {
		return func(t string) {
			a := at(t)
			a.weight = max(a.weight, weight)
		}
	}
	eachTerm(r.Title+" "+r.Number, s.memo, field(titleWeight))
	if r.Number != "" {
		field(titleWeight)("point")
	}
	eachTerm(r.Names, s.memo, field(nameWeight))
	eachTerm(r.Text, s.memo, func(t string) {
		if a := at(t); a.tf < textCap {
			a.tf++
		}
	})
	prior := r.Prior
	if prior <= 0 {
		prior = 1
	}
	n := 0
	for _, a := range s.accs {
		n += len(a.term) + 1
	}
	var b strings.Builder
	b.Grow(n)
	scores := make([]uint8, len(s.accs))
	for i, a := range s.accs {
		b.WriteString(a.term)
		b.WriteByte(' ')
		sc := float64(a.weight) + float64(a.tf)
		scores[i] = uint8(min(255, max(1, math.Round(sc*prior*4))))
	}
	return Scored{b.String(), scores, clip(r.Text, snippetMax)}
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
