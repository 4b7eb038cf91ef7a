package site_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// trustedHTML lists the files that may turn a string into template.HTML,
// which html/template then writes out unescaped, and why each may.
// Anything else that needs HTML must go through a template.
var trustedHTML = map[string]string{
	"site/internal/links/markdown.go":    "goldmark's output, with raw HTML and unsafe links dropped (mdext)",
	"site/internal/engine/funcs.go":      "JSON-LD from json.Marshal, which escapes <, > and &",
	"site/internal/engine/topic.go":      "the chart table: every text in it through template.HTMLEscapeString",
	"site/internal/worddiff/worddiff.go": "word differences: every text through template.HTMLEscapeString",
}

// TestTrustedHTML fails when a file not in trustedHTML converts to
// template.HTML (SECURITY-CHECKLIST.md, 29), and when one that is no
// longer does.
func TestTrustedHTML(t *testing.T) {
	conv := regexp.MustCompile(`template\.HTML\(`)
	found := map[string]bool{}
	for _, dir := range []string{".", "../cmd"} {
		err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				return err
			}
			data, err := os.ReadFile(name)
			if err != nil {
				return err
			}
			if conv.Match(data) {
				rel := filepath.ToSlash(filepath.Join("site", name))
				if strings.HasPrefix(name, "../") {
					rel = filepath.ToSlash(strings.TrimPrefix(name, "../"))
				}
				found[rel] = true
				if _, ok := trustedHTML[rel]; !ok {
					t.Errorf("%s converts to template.HTML: render it with a template, or add the file to trustedHTML with the reason it is safe", rel)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for name := range trustedHTML {
		if !found[name] {
			t.Errorf("%s no longer converts to template.HTML: take it out of trustedHTML", name)
		}
	}
}
