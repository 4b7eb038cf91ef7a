package site_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
)

// BenchmarkBuildCorpus builds the corpus that ../shared/bench/gencorpus
// writes, at the directory named by $EXPLAINER_CORPUS (its explainer/
// folder). It is skipped when the variable is not set.
func BenchmarkBuildCorpus(b *testing.B) {
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("set EXPLAINER_CORPUS to a gencorpus explainer/ folder (see README)")
	}
	benchBuild(b, os.DirFS(dir))
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
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("set EXPLAINER_CORPUS to a gencorpus explainer/ folder (see README)")
	}
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
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("set EXPLAINER_CORPUS to a gencorpus explainer/ folder (see README)")
	}
	tmp := b.TempDir()
	if err := os.CopyFS(tmp, os.DirFS(dir)); err != nil {
		b.Fatal(err)
	}
	entries, err := os.ReadDir(tmp + "/content/sections")
	if err != nil || len(entries) == 0 {
		b.Fatal("no sections", err)
	}
	section := tmp + "/content/sections/" + entries[0].Name()
	orig, err := os.ReadFile(section)
	if err != nil {
		b.Fatal(err)
	}
	src := os.DirFS(tmp)
	bd := site.NewBuilder(site.Options{})
	if _, err := bd.Build(context.Background(), src); err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		n++
		if err := os.WriteFile(section, fmt.Appendf(append([]byte{}, orig...), "\nEdit %d.\n", n), 0o644); err != nil {
			b.Fatal(err)
		}
		changed := []string{"content/sections/" + entries[0].Name()}
		if _, err := bd.BuildChanged(context.Background(), src, changed); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckCorpus checks the $EXPLAINER_CORPUS corpus as
// "explainer check" does.
func BenchmarkCheckCorpus(b *testing.B) {
	dir := os.Getenv("EXPLAINER_CORPUS")
	if dir == "" {
		b.Skip("set EXPLAINER_CORPUS to a gencorpus explainer/ folder (see README)")
	}
	b.ReportAllocs()
	src := os.DirFS(dir)
	for b.Loop() {
		if _, err := site.Check(context.Background(), src, site.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
