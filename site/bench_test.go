package site_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// corpus returns the directory named by $EXPLAINER_CORPUS, the explainer/
// folder of a corpus that ../shared/bench/gencorpus writes, and skips the
// benchmark when it is not set.
func corpus(b *testing.B) string {
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("set EXPLAINER_CORPUS to a gencorpus explainer/ folder (see README)")
	}
	return dir
}

// BenchmarkBuildCorpus builds the corpus that ../shared/bench/gencorpus
// writes, at the directory named by $EXPLAINER_CORPUS (its explainer/
// folder). It is skipped when the variable is not set.
func BenchmarkBuildCorpus(b *testing.B) {
	benchBuild(b, os.DirFS(corpus(b)))
}

// BenchmarkBuildDefault builds the repository's own explainer.
func BenchmarkBuildDefault(b *testing.B) {
	benchBuild(b, os.DirFS(".."))
}

func benchBuild(b *testing.B, src fs.FS) {
	b.ReportAllocs()
	pages := 0
	for b.Loop() {
		out, err := site.Build(context.Background(), src, site.Options{})
		if err != nil {
			b.Fatal(err)
		}
		pages = out.Pages
	}
	b.ReportMetric(float64(pages), "pages")
}

// BenchmarkRebuildCorpus measures the dev server's case: one section of
// the $EXPLAINER_CORPUS corpus edited, then the project built again by a
// Builder that built it before.
func BenchmarkRebuildCorpus(b *testing.B) {
	dir := corpus(b)
	src := copyProject(b, dir)
	var section string
	for name := range src {
		if strings.HasPrefix(name, "content/sections/") && (section == "" || name < section) {
			section = name
		}
	}
	bd := site.NewBuilder(site.Options{})
	if _, err := bd.Build(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	orig := src[section].Data
	n := 0
	for b.Loop() {
		n++
		src[section] = &fstest.MapFile{Data: append(append([]byte{}, orig...), fmt.Sprintf("\nEdit %d.\n", n)...)}
		if _, err := bd.Build(context.Background(), src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRebuildCorpusDisk is BenchmarkRebuildCorpus with the project
// on disk, in a copy of $EXPLAINER_CORPUS, built as the dev server builds
// it: told which file changed.
func BenchmarkRebuildCorpusDisk(b *testing.B) {
	benchDisk(b, firstSection, editSection, rebuild)
}

// BenchmarkRebuildClauseDisk is BenchmarkRebuildCorpusDisk for an edit of
// a clause's text in a document file that others follow and revise.
func BenchmarkRebuildClauseDisk(b *testing.B) {
	benchDisk(b, middleDocument, editClause, rebuild)
}

// BenchmarkPreviewDisk measures Builder.Preview after the edits of
// BenchmarkRebuildCorpusDisk: what the dev server does before the rebuild
// so that the edited page shows at once.
func BenchmarkPreviewDisk(b *testing.B) {
	benchDisk(b, firstSection, editSection, preview)
}

// BenchmarkPreviewClauseDisk measures Builder.Preview after the edits of
// BenchmarkRebuildClauseDisk.
func BenchmarkPreviewClauseDisk(b *testing.B) {
	benchDisk(b, middleDocument, editClause, preview)
}

// benchDisk measures step, after edits of the file of a copy of
// $EXPLAINER_CORPUS that pick names: edit returns its content for the
// n-th edit.
func benchDisk(b *testing.B, pick func(b *testing.B, dir string) string, edit func(b *testing.B, orig []byte, n int) []byte, step func(b *testing.B, bd *site.Builder, src fs.FS, name string)) {
	dir := corpus(b)
	tmp := b.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(dir)); err != nil {
		b.Fatal(err)
	}
	name := pick(b, tmp)
	orig, err := os.ReadFile(tmp + "/" + name)
	if err != nil {
		b.Fatal(err)
	}
	src := os.DirFS(tmp)
	bd := site.NewBuilder(site.Options{LiveReload: "/_live.js"}) // as serve builds
	if _, err := bd.Build(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		if err := os.WriteFile(tmp+"/"+name, edit(b, orig, n), 0o644); err != nil {
			b.Fatal(err)
		}
		step(b, bd, src, name)
	}
}

// rebuild is the dev server's rebuild after an edit of name.
func rebuild(b *testing.B, bd *site.Builder, src fs.FS, name string) {
	out, err := bd.BuildChanged(context.Background(), src, []string{name})
	if err != nil {
		b.Fatal(err)
	}
	// A rebuild returns before the JSON export is made again, as the dev
	// server needs no more to show the pages; the next edit comes later
	// than it is done.
	b.StopTimer()
	out.File("data/explainer.json")
	b.StartTimer()
}

// preview is the dev server's preview after an edit of name.
func preview(b *testing.B, bd *site.Builder, src fs.FS, name string) {
	if _, ok := bd.Preview(context.Background(), src, []string{name}); !ok {
		b.Fatal("no preview")
	}
}

// firstSection names the first section file of the project in dir.
func firstSection(b *testing.B, dir string) string {
	entries, err := os.ReadDir(dir + "/content/sections")
	if err != nil || len(entries) == 0 {
		b.Fatal("no sections", err)
	}
	return "content/sections/" + entries[0].Name()
}

// middleDocument names the document file in the middle of the project in
// dir: one that others follow and revise.
func middleDocument(b *testing.B, dir string) string {
	entries, err := os.ReadDir(dir + "/content/documents")
	if err != nil || len(entries) == 0 {
		b.Fatal("no documents", err)
	}
	return "content/documents/" + entries[len(entries)/2].Name()
}

// editSection returns a section file with its n-th edit at the end.
func editSection(_ *testing.B, orig []byte, n int) []byte {
	return fmt.Appendf(append([]byte{}, orig...), "\nEdit %d.\n", n)
}

// editClause returns a document file with the n-th edit of its first
// clause's text.
func editClause(b *testing.B, orig []byte, n int) []byte {
	const text = "    text: |\n      "
	i := bytes.Index(orig, []byte(text))
	if i < 0 {
		b.Fatal("no clause text")
	}
	i += len(text)
	return fmt.Appendf(append([]byte{}, orig[:i]...), "Edit %d. %s", n, orig[i:])
}

// BenchmarkCheckCorpus checks the $EXPLAINER_CORPUS corpus as
// "explainer check" does.
func BenchmarkCheckCorpus(b *testing.B) {
	benchCorpus(b, func(src fs.FS) error {
		_, err := site.Check(context.Background(), src, site.Options{})
		return err
	})
}

// BenchmarkBuildToCorpus is BenchmarkBuildCorpus as "explainer build"
// builds, handing every file to a writer (here one that drops them), and
// with a card cache, which a build before the timed ones fills.
func BenchmarkBuildToCorpus(b *testing.B) {
	opts := site.Options{CardCache: b.TempDir()}
	run := func(src fs.FS) error {
		_, err := site.BuildTo(context.Background(), src, opts, func(string, [][]byte) error { return nil })
		return err
	}
	if err := run(os.DirFS(corpus(b))); err != nil {
		b.Fatal(err)
	}
	benchCorpus(b, run)
}

// benchCorpus measures run on the $EXPLAINER_CORPUS corpus.
func benchCorpus(b *testing.B, run func(src fs.FS) error) {
	src := os.DirFS(corpus(b))
	b.ReportAllocs()
	for b.Loop() {
		if err := run(src); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWorstMarkdown builds the basic fixture with a section whose
// body is a pathological shape of Markdown, as long as a Markdown text
// may be (model.MaxMarkdown, 128 KiB): the shapes known to cost parsers
// most. "link" ("]([" and a newline, repeated) is goldmark's worst: its
// time grows with the square of the length, and the limit is meant to
// keep it under a second.
func BenchmarkWorstMarkdown(b *testing.B) {
	const size = 128<<10 - 64
	fill := func(unit string) string { return strings.Repeat(unit, size/len(unit)) }
	for _, c := range []struct{ name, body string }{
		{"link", fill("]([\n")},
		{"brackets", strings.Repeat("[", size/2) + strings.Repeat("]", size/2)},
		{"emphasis", fill("*a _b ")},
		{"blockquotes", strings.Repeat(">", 10000) + " deep\n"},
		{"lists", func() string {
			var sb strings.Builder
			for i := 0; sb.Len() < size-400; i++ {
				sb.WriteString(strings.Repeat("  ", i%200) + "- item\n")
			}
			return sb.String()
		}()},
		{"comments", fill("<!-- ")},
		{"instructions", fill("<? ")},
		{"cdata", fill("<![CDATA[ ")},
		{"entities", fill("&#x6A;&amp")},
		{"backticks", fill("`` ` ")},
	} {
		b.Run(c.name, func(b *testing.B) {
			src := sitetest.Project(b, "testdata/build/basic.txtar")
			src["content/sections/09-worst.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Worst?\n---\n\n" + c.body)}
			if _, err := site.Build(context.Background(), src, site.Options{}); err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if _, err := site.Build(context.Background(), src, site.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
