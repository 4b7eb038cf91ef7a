package fastyaml

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// reference parses data as yaml/v3 does, one document, and returns its
// root node, or nil with ok false.
func reference(data []byte) (root *yaml.Node, ok bool) {
	defer func() {
		if recover() != nil {
			root, ok = nil, false
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, false
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, false
	}
	return doc.Content[0], true
}

// check fails t if Parse takes data and returns anything but what
// yaml/v3 returns.
func check(t *testing.T, data []byte) (taken bool) {
	t.Helper()
	got, ok := Parse(data)
	if !ok {
		return false
	}
	want, wantOK := reference(data)
	if !wantOK {
		t.Fatalf("Parse took %q, which yaml/v3 rejects", data)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Parse(%q) differs from yaml/v3 (-want +got):\n%s", data, diff)
	}
	return true
}

var cases = []struct {
	src   string
	taken bool // whether Parse should take it rather than give up
}{
	{"id: doc-2\ntitle: \"Revised framework, draft 2\"\ndate: 2025-02-10\nby: [a3, a4]\n", true},
	{"a: 1\nb: true\nc: 1.5\nd: null\ne: ~\nf: 0x1F\ng: 2025-02-10T10:00:00Z\nh: yes\n", true},
	{"clauses:\n  - id: \"1\"\n    text: |\n      First.\n\n      ## A heading: with a colon # and a hash\n        indented\n\n\n    sources: [s1, s2]\n  - id: '2'\n    text: |\n      Second.\n", true},
	{"removes:\n- clause: doc-1/44\n  note: \"Dropped.\"\n- clause: doc-1/76\nnext: x\n", true},
	{"positions:\n  - {actor: a2, stance: mixed, as_of: 2025-02-10, note: \"Says « no », then yes.\"}\n  - {}\n  - []\n", true},
	{"title: Ça va: non\n", false},             // a mapping value inside a plain scalar
	{"text: |\n  no newline at the end", true}, // the last line has no line break
	{"text: |\n  kept\n\n\n", true},
	{"a: b # a comment\n", false},
	{"# a comment\na: b\n", false},
	{"a: &x b\nc: *x\n", false},
	{"a: !!str 1\n", false},
	{"a: >\n  folded\n", false},
	{"a: |-\n  stripped\n", false},
	{"a: \"esc\\\"aped\"\n", false},
	{"a: 'it''s'\n", false},
	{"a: plain\n  continued\n", false},
	{"a:\n", false},
	{"a:\n  b: 1\n c: 2\n", false},
	{"---\na: 1\n", false},
	{"a: 1\r\nb: 2\r\n", false},
	{"a:\tb\n", false},
	{"a: [b,\n  c]\n", false},
	{"a: 1\n- b\n", false},
	{"- a\n- b: c\n  d: e\n- [f]\n", true},
	{"<<: x\n", false},
	{"a: b: c\n", false},
	{"  a: 1\n", false},
	{"", false},
}

func TestParse(t *testing.T) {
	for _, c := range cases {
		if taken := check(t, []byte(c.src)); taken != c.taken {
			t.Errorf("Parse(%q) took it: %v, want %v", c.src, taken, c.taken)
		}
	}
}

// seeds returns the YAML texts of the repository's own explainer and of
// any corpus named by EXPLAINER_CORPUS, and whether each is a document
// file: those have no comments, and Parse must take them.
func seeds(t testing.TB) (texts [][]byte, documents []bool) {
	globs := []string{"../../../content/*.yaml", "../../../content/documents/*.yaml"}
	if dir := os.Getenv("EXPLAINER_CORPUS"); dir != "" {
		globs = append(globs, filepath.Join(dir, "content/documents/*.yaml"))
	}
	for _, g := range globs {
		files, _ := filepath.Glob(g)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			texts = append(texts, data)
			documents = append(documents, filepath.Base(filepath.Dir(f)) == "documents")
		}
	}
	if len(texts) < 8 {
		t.Fatalf("only %d YAML files found", len(texts))
	}
	return texts, documents
}

// TestParseFiles holds Parse to yaml/v3 on every YAML file of the
// repository's explainer, and checks that it takes the document files.
func TestParseFiles(t *testing.T) {
	texts, documents := seeds(t)
	for i, data := range texts {
		if !check(t, data) && documents[i] {
			t.Errorf("Parse gave up on a document file:\n%.200s", data)
		}
	}
}

// FuzzParse holds Parse to yaml/v3: whatever it takes, yaml/v3 takes
// too, with the same nodes.
func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c.src))
	}
	texts, _ := seeds(f)
	for _, data := range texts {
		if len(data) > 4096 {
			data = data[:4096]
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check(t, data)
	})
}

// BenchmarkParse parses the longest document file of the corpus named
// by EXPLAINER_CORPUS, if any, else of the explainer's own.
func BenchmarkParse(b *testing.B) {
	benchParse(b, Parse)
}

// BenchmarkReference is BenchmarkParse with yaml/v3.
func BenchmarkReference(b *testing.B) {
	benchParse(b, reference)
}

func benchParse(b *testing.B, parse func([]byte) (*yaml.Node, bool)) {
	texts, documents := seeds(b)
	var data []byte
	for i, t := range texts {
		if documents[i] && len(t) > len(data) {
			data = t
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := parse(data); !ok {
			b.Fatal("not parsed")
		}
	}
}
