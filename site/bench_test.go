package site_test

import (
	"context"
	"io/fs"
	"os"
	"testing"

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
