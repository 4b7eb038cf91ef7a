package devserver

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
	"github.com/google/go-cmp/cmp"
)

// fakeFiles is a build as a map from name to content, whose parts (see
// site.Output.Parts) are separated by "|".
type fakeFiles map[string]string

func (f fakeFiles) File(name string) ([]byte, bool) {
	s, ok := f[name]
	return []byte(strings.ReplaceAll(s, "|", "")), ok
}

func (f fakeFiles) Parts(name string) ([][]byte, bool) {
	s, ok := f[name]
	if !ok {
		return nil, false
	}
	var parts [][]byte
	for p := range strings.SplitSeq(s, "|") {
		parts = append(parts, []byte(p))
	}
	return parts, true
}

func (f fakeFiles) Names() []string { return slices.Sorted(maps.Keys(f)) }

func TestDiff(t *testing.T) {
	page := func(css, body string) string {
		return `<link rel="stylesheet" href="../css/site.css?v=` + css + `"><p>` + body
	}
	old := fakeFiles{
		"index.html":             page("aaaa1111", "home"),
		"404.html":               page("aaaa1111", "not found"),
		"a/index.html":           page("aaaa1111", "a"),
		"a/b/index.html":         page("aaaa1111", "b"),
		"a/x.html":               page("aaaa1111", "x"),
		"gone/index.html":        page("aaaa1111", "gone"),
		"css/site.css":           "body{}",
		"css/print.css":          "@media print{}",
		"img/logo.svg":           "<svg/>",
		"data/explainer.json":    "{}",
		"quoted/index.html":      `<a href="https://example.com/?v=1234abcd">x</a>`,
		"versiontext/index.html": "<p>?v=1234 is a query</p>",
		"parts/index.html":       page("aaaa1111", "head|<p>one|<p>two|tail"),
	}
	tests := []struct {
		name string
		new  fakeFiles
		want Changes
	}{
		{"identical", maps.Clone(old), Changes{}},
		{
			"first build",
			nil,
			Changes{},
		},
		{
			"one page",
			with(old, "a/b/index.html", page("aaaa1111", "b, edited")),
			Changes{Pages: []string{"/a/b/"}},
		},
		{
			"home and 404",
			with(with(old, "index.html", page("aaaa1111", "home!")), "404.html", page("aaaa1111", "lost")),
			Changes{Pages: []string{"/", "/404.html"}},
		},
		{
			"a page not named index.html",
			with(old, "a/x.html", page("aaaa1111", "y")),
			Changes{Pages: []string{"/a/x.html"}},
		},
		{
			"stylesheet only: every page's ?v= changes",
			func() fakeFiles {
				n := fakeFiles{}
				for name, data := range old {
					n[name] = data
					if name != "quoted/index.html" && name != "versiontext/index.html" && name[len(name)-5:] == ".html" {
						n[name] = page("bbbb2222", data[len(page("aaaa1111", "")):])
					}
				}
				n["css/site.css"] = "body{color:red}"
				return n
			}(),
			Changes{Styles: []string{"/css/site.css"}},
		},
		{
			"stylesheet and one page",
			with(with(old, "css/site.css", "p{}"), "a/index.html", page("bbbb2222", "a, edited")),
			Changes{Pages: []string{"/a/"}, Styles: []string{"/css/site.css"}},
		},
		{
			"added and removed pages",
			with(without(old, "gone/index.html"), "new/index.html", page("aaaa1111", "new")),
			Changes{Pages: []string{"/gone/", "/new/"}},
		},
		{
			"removed stylesheet",
			without(old, "css/print.css"),
			Changes{Styles: []string{"/css/print.css"}},
		},
		{
			"other files",
			with(with(old, "img/logo.svg", "<svg></svg>"), "data/explainer.json", "[]"),
			Changes{Other: true, Files: []string{"/data/explainer.json", "/img/logo.svg"}},
		},
		{
			"a ?v= that is not a cache-busting query is content",
			with(old, "versiontext/index.html", "<p>?v=1235 is a query</p>"),
			Changes{Pages: []string{"/versiontext/"}},
		},
		{
			"an external link's ?v= is ignored (documented)",
			with(old, "quoted/index.html", `<a href="https://example.com/?v=ffff0000">x</a>`),
			Changes{},
		},
		{
			"a page in parts, one part changed",
			with(old, "parts/index.html", page("aaaa1111", "head|<p>one|<p>2|tail")),
			Changes{Pages: []string{"/parts/"}},
		},
		{
			"a page in parts, a part added",
			with(old, "parts/index.html", page("aaaa1111", "head|<p>one|<p>two|<p>three|tail")),
			Changes{Pages: []string{"/parts/"}},
		},
		{
			"a page in parts, the same content in other parts",
			with(old, "parts/index.html", page("aaaa1111", "head|<p>one<p>two|tail")),
			Changes{},
		},
		{
			"a page in parts, a new version",
			with(old, "parts/index.html", page("bbbb2222", "head|<p>one|<p>two|tail")),
			Changes{},
		},
		{
			"a version of another length",
			with(old, "a/index.html", page("aaaa1111bb", "a")),
			Changes{},
		},
	}
	for _, tt := range tests {
		var got Changes
		if tt.new == nil {
			got = diff(nil, old)
			tt.want = Changes{
				Pages:  []string{"/", "/404.html", "/a/", "/a/b/", "/a/x.html", "/gone/", "/parts/", "/quoted/", "/versiontext/"},
				Styles: []string{"/css/print.css", "/css/site.css"},
				Other:  true,
				Files:  []string{"/data/explainer.json", "/img/logo.svg"},
			}
		} else {
			got = diff(old, tt.new)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: diff (-want +got):\n%s", tt.name, diff)
		}
		if got.Empty() != (len(tt.want.Pages)+len(tt.want.Styles)+len(tt.want.Files) == 0) {
			t.Errorf("%s: Empty() = %v", tt.name, got.Empty())
		}
	}
}

func with(f fakeFiles, name, data string) fakeFiles {
	n := maps.Clone(f)
	n[name] = data
	return n
}

func without(f fakeFiles, name string) fakeFiles {
	n := maps.Clone(f)
	delete(n, name)
	return n
}

func TestPageURL(t *testing.T) {
	for name, want := range map[string]string{
		"index.html":                   "/",
		"404.html":                     "/404.html",
		"documents/us-28/index.html":   "/documents/us-28/",
		"documents/us-28/6/index.html": "/documents/us-28/6/",
		"a/page.html":                  "/a/page.html",
		"a/xindex.html":                "/a/xindex.html",
	} {
		if got := pageURL(name); got != want {
			t.Errorf("pageURL(%q) = %q, want %q", name, got, want)
		}
	}
}

// TestPublishChanges checks change detection on real builds.
func TestPublishChanges(t *testing.T) {
	s := New(Options{Addr: "127.0.0.1:8000"})
	src := project(t)
	base := build(t, src)
	first := s.Publish(base)
	if len(first.Pages) != base.Pages || len(first.Styles) != 1 || !first.Other {
		t.Errorf("first Publish: %d pages, styles %q, other %v; want all %d pages, the stylesheet and other files",
			len(first.Pages), first.Styles, first.Other, base.Pages)
	}
	if got := s.Publish(base); !got.Empty() {
		t.Errorf("publishing the same build again: %+v, want no changes", got)
	}

	// A stylesheet edit changes every page's ?v= but reloads none.
	css := build(t, edit(t, src, "static/css/site.css", "rgb(1, 2, 3)", "rgb(4, 5, 6)"))
	got := s.Publish(css)
	if diff := cmp.Diff(Changes{Styles: []string{"/css/site.css"}}, got); diff != "" {
		t.Errorf("stylesheet edit: changes (-want +got):\n%s", diff)
	}

	// A section edit reloads its pages, not the whole site.
	sec := build(t, edit(t, edit(t, src, "static/css/site.css", "rgb(1, 2, 3)", "rgb(4, 5, 6)"),
		"content/sections/02-next.md", "A vote is due.", "A vote is due in March."))
	got = s.Publish(sec)
	for _, p := range []string{"/", "/sections/next/"} {
		if !slices.Contains(got.Pages, p) {
			t.Errorf("section edit: pages %q lack %q", got.Pages, p)
		}
	}
	if len(got.Pages) >= sec.Pages/2 || len(got.Styles) != 0 {
		t.Errorf("section edit: pages %q and styles %q; want a few pages and no styles", got.Pages, got.Styles)
	}

	// A new section adds its page; removing it removes it.
	added := build(t, edit(t, src, "content/sections/03-later.md", "", "---\ntitle: And later?\nsources: [gazette]\n---\nMore talks.\n"))
	s.Publish(base)
	got = s.Publish(added)
	if !slices.Contains(got.Pages, "/sections/later/") {
		t.Errorf("added section: pages %q lack /sections/later/", got.Pages)
	}
	got = s.Publish(base)
	if !slices.Contains(got.Pages, "/sections/later/") {
		t.Errorf("removed section: pages %q lack /sections/later/", got.Pages)
	}
}

// byteFiles is a build as a map from name to content, without copying.
type byteFiles map[string][]byte

func (f byteFiles) File(name string) ([]byte, bool) {
	b, ok := f[name]
	return b, ok
}

func (f byteFiles) Parts(name string) ([][]byte, bool) {
	b, ok := f[name]
	return [][]byte{b}, ok
}

func (f byteFiles) Names() []string { return slices.Sorted(maps.Keys(f)) }

// BenchmarkDiffStylesheet measures the worst common case: a stylesheet
// edit, after which every page differs, but only in its ?v= query.
func BenchmarkDiffStylesheet(b *testing.B) {
	const pages, size = 3000, 30 << 10
	old, cur := byteFiles{}, byteFiles{}
	body := bytes.Repeat([]byte("<p>Some text of the page, <a href=\"../x/\">a link</a>.</p>\n"), size/60)
	for i := range pages {
		name := fmt.Sprintf("documents/d%d/%d/index.html", i/30, i%30)
		old[name] = append([]byte(`<link rel="stylesheet" href="../../../css/site.css?v=aaaa1111">`), body...)
		cur[name] = append([]byte(`<link rel="stylesheet" href="../../../css/site.css?v=bbbb2222">`), body...)
	}
	old["css/site.css"], cur["css/site.css"] = []byte("a{}"), []byte("b{}")
	b.SetBytes(pages * size)
	for b.Loop() {
		if c := diff(old, cur); len(c.Pages) != 0 || len(c.Styles) != 1 {
			b.Fatalf("diff = %+v", c)
		}
	}
}

// TestPublishRebuilds checks change detection on the rebuilds of one
// Builder, as serve makes them: the JSON export, which a rebuild leaves
// to be made after it returns, is told apart by the key of its inputs,
// and served as a fresh build makes it.
func TestPublishRebuilds(t *testing.T) {
	s := New(Options{Addr: "127.0.0.1:8000"})
	src := project(t)
	bd := site.NewBuilder(site.Options{LiveReload: ScriptPath})
	rebuild := func(src fstest.MapFS, changed string) *site.Output {
		t.Helper()
		out, err := bd.BuildChanged(context.Background(), src, []string{changed})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	base, err := bd.Build(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	s.Publish(base)

	// The search index follows every edit of a text; it is told apart
	// from the other files, and only its files whose bytes changed are
	// listed.
	prev := base
	search := func(out *site.Output) (index, others []string) {
		for _, f := range s.Publish(out).Files {
			if strings.HasPrefix(f, "/search/") {
				index = append(index, f)
			} else {
				others = append(others, f)
			}
		}
		var changed []string
		for _, name := range out.Names() {
			now, _ := out.File(name)
			before, _ := prev.File(name)
			if strings.HasPrefix(name, "search/") && !strings.HasSuffix(name, ".html") && !bytes.Equal(now, before) { // the search page is a page
				changed = append(changed, "/"+name)
			}
		}
		slices.Sort(index)
		if !slices.Equal(index, changed) {
			t.Errorf("the search files listed %q, want those that changed %q", index, changed)
		}
		prev = out
		return index, others
	}
	// A section's body is not in the export, but in the search index.
	src = edit(t, src, "content/sections/02-next.md", "A vote is due.", "A vote is due in March.")
	index, others := search(rebuild(src, "content/sections/02-next.md"))
	if len(others) != 0 || !slices.Contains(index, "/search/t/ma.json") {
		t.Errorf("section edit: files %q and %q changed, want the search index's, with the terms of March", others, index)
	}
	// A clause's text is in both.
	src = edit(t, src, "content/documents/draft-a.yaml", "title: Opening hours", "title: Opening times")
	out := rebuild(src, "content/documents/draft-a.yaml")
	index, others = search(out)
	if !slices.Equal(others, []string{"/data/explainer.json"}) || !slices.Contains(index, "/search/t/ti.json") {
		t.Errorf("clause edit: files %q and %q changed, want the JSON export and the search index", others, index)
	}
	fresh := build(t, src)
	want, _ := fresh.File("data/explainer.json")
	if data, _ := out.File("data/explainer.json"); !bytes.Equal(data, want) || !bytes.Contains(data, []byte("Opening times")) {
		t.Errorf("clause edit: the JSON export differs from a fresh build's")
	}
}
