package site_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// importProject is a project with no document yet, for the imported ones.
func importProject() fstest.MapFS {
	return fstest.MapFS{
		"content/_index.md":            {Data: []byte("---\ntitle: The lake\n---\nLede.\n")},
		"content/sections/01-plan.md":  {Data: []byte("---\ntitle: What is the plan?\n---\nBody.\n")},
		"content/actors.yaml":          {Data: []byte("")},
		"content/sources.yaml":         {Data: []byte("")},
		"content/topics.yaml":          {Data: []byte("")},
		"content/documents/.gitignore": {Data: []byte("")},
	}
}

// golden compares got with the file want, or rewrites it with -update.
func golden(t *testing.T, want string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(want, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(data), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got):\n%s", want, diff)
	}
}

// TestImport imports numbered texts in three styles, with sub-points,
// page headers and a year that starts a line, and checks the YAML against
// testdata/import/*.yaml and that each builds as it is.
func TestImport(t *testing.T) {
	files, _ := filepath.Glob("testdata/import/numbered-*.txt")
	if len(files) < 3 {
		t.Fatalf("found %d numbered texts, want 3", len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".txt")
		t.Run(name, func(t *testing.T) {
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			yaml, err := site.Import(context.Background(), nil, text, site.ImportOptions{ID: name, Date: "2025-10-03", Source: filepath.Base(file)})
			if err != nil {
				t.Fatal(err)
			}
			golden(t, strings.TrimSuffix(file, ".txt")+".yaml", yaml)
			src := importProject()
			src["content/documents/"+name+".yaml"] = &fstest.MapFile{Data: yaml}
			checkOnlyUnsourced(t, src)
		})
	}
}

// checkOnlyUnsourced builds src and fails unless it builds with no
// warning but those of clauses that cite no source.
func checkOnlyUnsourced(t *testing.T, src fstest.MapFS) {
	t.Helper()
	out, err := site.Build(context.Background(), src, site.Options{})
	if err != nil {
		t.Fatalf("the imported YAML does not build: %v", err)
	}
	for _, w := range out.Warnings {
		if !strings.HasSuffix(w.Msg, "cites no source") {
			t.Errorf("unexpected warning: %v", w)
		}
	}
}

// TestImportFollows imports a reply to an imported plan with -follows,
// and checks the from it proposes for each point against
// testdata/import/reply.yaml; then Align, on the reply without its from
// lines, proposes the same.
func TestImportFollows(t *testing.T) {
	ctx := context.Background()
	src := importProject()
	plan, err := os.ReadFile("testdata/import/numbered-dots.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src["content/documents/plan.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(string(plan), "id: numbered-dots", "id: plan", 1))}
	text, err := os.ReadFile("testdata/import/reply.txt")
	if err != nil {
		t.Fatal(err)
	}
	yaml, err := site.Import(ctx, src, text, site.ImportOptions{ID: "reply", Date: "2025-10-03", Follows: "plan", Relation: "responds", Source: "reply.txt"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/import/reply.yaml", yaml)
	src["content/documents/reply.yaml"] = &fstest.MapFile{Data: yaml}
	checkOnlyUnsourced(t, src)

	fromLine := regexp.MustCompile(`(?m)^    from: (\S+) # (.*)\n`)
	var want []string
	for _, m := range fromLine.FindAllStringSubmatch(string(yaml), -1) {
		want = append(want, m[1]+" # "+m[2])
	}
	src["content/documents/reply.yaml"] = &fstest.MapFile{Data: fromLine.ReplaceAll(yaml, nil)}
	sugg, err := site.Align(ctx, src, "reply")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sugg {
		if s.From != "" {
			got = append(got, s.From+" # "+s.Comment)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Align's suggestions differ from Import's (-import +align):\n%s", diff)
	}
	if _, err := site.Align(ctx, src, "plan"); err == nil || !strings.Contains(err.Error(), "follows no document") {
		t.Errorf("Align of a document that follows none: %v", err)
	}

	// A revision that reorders the points: the wording finds each.
	text, err = os.ReadFile("testdata/import/revised.txt")
	if err != nil {
		t.Fatal(err)
	}
	yaml, err = site.Import(ctx, src, text, site.ImportOptions{ID: "revised", Date: "2025-10-10", Follows: "plan", Source: "revised.txt"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "testdata/import/revised.yaml", yaml)
	src["content/documents/revised.yaml"] = &fstest.MapFile{Data: yaml}
	checkOnlyUnsourced(t, src)
}

// FuzzImport imports any bytes: what Import returns builds, with no
// warning but those of an unsourced document and of dropped HTML.
func FuzzImport(f *testing.F) {
	for _, file := range []string{"numbered-dots.txt", "numbered-parens.txt", "numbered-articles.txt", "revised.txt"} {
		data, err := os.ReadFile("testdata/import/" + file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	f.Add("1. \"quoted\" and 'single' and #hash: colon\n2) [bracket {brace\n(a) - dash\n(b) | pipe > gt *star &amp\n")
	f.Add("Point 1\n\n   \n§ 2 x\n3. ---\n4. ...\n")
	f.Add("1. a\fpage two\x00\uFEFF\xff\n2. b\v\u0085c\n")
	f.Fuzz(func(t *testing.T, text string) {
		yaml, err := site.Import(context.Background(), nil, []byte(text), site.ImportOptions{ID: "fuzz", Date: "2025-10-03"})
		if err != nil {
			return
		}
		src := importProject()
		src["content/documents/fuzz.yaml"] = &fstest.MapFile{Data: yaml}
		out, err := site.Build(context.Background(), src, site.Options{})
		if err != nil {
			t.Fatalf("the YAML of %q does not build: %v\n%s", text, err, yaml)
		}
		for _, w := range out.Warnings {
			if !strings.HasSuffix(w.Msg, "cites no source") && !strings.Contains(w.Msg, "HTML") && !strings.Contains(w.Msg, "dropped") {
				t.Errorf("the YAML of %q: unexpected warning %v", text, w)
			}
		}
	})
}

// TestImportTitleBreaks: a title given with the characters YAML reads as
// line breaks (next line, line and paragraph separators, carriage
// return) or refuses (control characters, a byte order mark) comes back
// from the YAML as it was given.
func TestImportTitleBreaks(t *testing.T) {
	title := "A\u0085B\u2028C\u2029D\rE\r\nF\x01G\x7fH\u0091I\uFEFFJ\\\"K\tL"
	data, err := site.Import(context.Background(), nil, []byte("1. One.\n"), site.ImportOptions{ID: "plan", Date: "2025-10-03", Title: title})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Title string }
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	if doc.Title != title {
		t.Errorf("title %q, want %q", doc.Title, title)
	}
}
