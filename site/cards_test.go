package site_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/explainer/explainer/site"
)

// ogImage matches a page's social card URL.
var ogImage = regexp.MustCompile(`<meta property="og:image" content="([^"]*)">`)

// TestCards checks the social cards: every page but the 404 names one
// that the build wrote, a 1200×630 PNG, when the base URL is known, and
// none otherwise; and a card in the card cache is taken from it.
func TestCards(t *testing.T) {
	const base = "https://example.org/plan"
	cache := t.TempDir()
	out := build(t, os.DirFS(".."), site.Options{BaseURL: base, CardCache: cache})
	cards := map[string]bool{}
	for _, name := range out.Names() {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		page, _ := out.File(name)
		m := ogImage.FindSubmatch(page)
		switch {
		case name == "404.html":
			if m != nil {
				t.Errorf("404.html has a card")
			}
			continue
		case m == nil:
			t.Errorf("%s has no og:image", name)
			continue
		}
		file, ok := strings.CutPrefix(string(m[1]), base+"/")
		if !ok {
			t.Errorf("%s: card %s is not under the base URL", name, m[1])
			continue
		}
		if cards[file] {
			continue // checked already
		}
		cards[file] = true
		data, ok := out.File(file)
		if !ok {
			t.Errorf("%s: card %s not written", name, file)
			continue
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil || image.Pt(cfg.Width, cfg.Height) != image.Pt(1200, 630) {
			t.Errorf("%s: %v, %d×%d; want a 1200×630 PNG", file, err, cfg.Width, cfg.Height)
		}
	}
	if len(cards) < 100 {
		t.Errorf("%d cards, want one for nearly every page", len(cards))
	}

	// The cache holds every card; one changed there is what the next build
	// writes.
	entries, _ := os.ReadDir(cache)
	if len(entries) != len(cards) {
		t.Errorf("the card cache holds %d files, want the %d cards", len(entries), len(cards))
	}
	page, _ := out.File("documents/us-28/6/index.html")
	card := strings.TrimPrefix(string(ogImage.FindSubmatch(page)[1]), base+"/")
	if err := os.WriteFile(filepath.Join(cache, filepath.Base(card)), []byte("from the cache"), 0o644); err != nil {
		t.Fatal(err)
	}
	again := build(t, os.DirFS(".."), site.Options{BaseURL: base, CardCache: cache})
	if data, _ := again.File(card); string(data) != "from the cache" {
		t.Errorf("the second build drew %s again instead of taking it from the cache", card)
	}

	// No base URL, no absolute URL to give a card: none are made.
	plain := build(t, os.DirFS(".."), site.Options{})
	for _, name := range plain.Names() {
		if strings.HasPrefix(name, "cards/") {
			t.Fatalf("without a base URL, the build wrote %s", name)
		}
	}
	if page, _ := plain.File("index.html"); ogImage.Match(page) {
		t.Errorf("without a base URL, the home page names a card")
	}
}
