package site_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// TestDeps checks the dependency graph that incremental rebuilds rely on:
// an input file's dependents include every page that shows it, and leave
// out pages that do not.
func TestDeps(t *testing.T) {
	out := build(t, sitetest.Project(t, "testdata/build/basic.txtar"), site.Options{})
	tests := []struct {
		input    string
		want     []string
		dontWant []string
	}{
		{
			input: "content/sections/01-first-draft.md",
			want: []string{
				"index.html", "sections/first-draft/index.html",
				"sections/next/index.html",       // its title is the next page's "previous" link
				"documents/draft-a/2/index.html", // it refers to the clause: a backlink
			},
			dontWant: []string{"topics/hours/index.html", "documents/draft-a/1/index.html"},
		},
		{
			input: "content/documents/draft-b.yaml",
			want: []string{
				"documents/draft-b/index.html", "documents/draft-b/changes/index.html",
				"documents/draft-b/fee/index.html",
				"documents/draft-a/2/index.html", // its history shows draft B's version
				"documents/draft-a/index.html",   // "followed by"
				"topics/fees/index.html", "data/explainer.json", "index.html",
				"search/meta.json", // the index holds its points
			},
		},
		{
			input: "content/topics.yaml",
			want:  []string{"topics/fees/index.html", "topics/index.html", "sections/next/index.html", "search/meta.json"},
		},
	}
	for _, tt := range tests {
		got := out.Deps.Dependents(tt.input)
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("Dependents(%q) lacks %q; got %q", tt.input, w, got)
			}
		}
		for _, w := range tt.dontWant {
			if slices.Contains(got, w) {
				t.Errorf("Dependents(%q) has %q, which does not show it", tt.input, w)
			}
		}
	}
	for _, in := range out.Deps.Inputs() {
		for _, o := range out.Deps.Dependents(in) {
			if _, ok := out.File(o); !ok {
				t.Errorf("Dependents(%q) names %q, which is not in the output", in, o)
			}
		}
	}
}

// TestBaseURL checks that sitemap.xml and feed.xml exist only with a base
// URL, robots.txt only at an origin's root, that pages carry their
// canonical URL and structured data (but the 404 page, which is not to be
// indexed), and that the live-reload script appears only when asked for.
func TestBaseURL(t *testing.T) {
	src := sitetest.Project(t, "testdata/build/basic.txtar")
	without := build(t, src, site.Options{})
	for _, name := range []string{"sitemap.xml", "feed.xml"} {
		if _, ok := without.File(name); ok {
			t.Errorf("without a base URL, the output has %s", name)
		}
	}
	with := build(t, src, site.Options{BaseURL: "https://example.org/harbour/"})
	sitemap, ok := with.File("sitemap.xml")
	if !ok || !contains(sitemap, "<loc>https://example.org/harbour/documents/draft-a/2/</loc>") {
		t.Errorf("sitemap.xml lacks the clause page's absolute URL:\n%s", sitemap)
	}
	feed, ok := with.File("feed.xml")
	if !ok || !contains(feed, "<id>https://example.org/harbour/sections/first-draft/</id>") {
		t.Errorf("feed.xml lacks the section entry:\n%s", feed)
	}
	page, _ := with.File("index.html")
	if !contains(page, `<link rel="canonical" href="https://example.org/harbour/">`) {
		t.Errorf("home page lacks its canonical URL")
	}
	if strings.Count(string(page), "<script") != strings.Count(string(page), `<script type="application/ld+json">`)+strings.Count(string(page), `<script src="js/search.js?v=`) {
		t.Errorf("build output has a script besides structured data and search")
	}
	if !contains(page, `"@type":"NewsArticle"`) || !contains(page, `"mainEntityOfPage":"https://example.org/harbour/"`) || !contains(page, `<meta property="og:url" content="https://example.org/harbour/">`) {
		t.Errorf("home page lacks its structured data or Open Graph URL")
	}
	clause, _ := with.File("documents/draft-a/2/index.html")
	if !contains(clause, `"@type":"BreadcrumbList"`) || !contains(clause, `"item":"https://example.org/harbour/documents/draft-a/2/"`) {
		t.Errorf("clause page lacks its breadcrumb list")
	}
	notFound, _ := with.File("404.html")
	if contains(notFound, `rel="canonical"`) || !contains(notFound, `<meta name="robots" content="noindex">`) {
		t.Errorf("the 404 page has a canonical URL or may be indexed")
	}
	// robots.txt only where crawlers look for it: at an origin's root.
	if _, ok := with.File("robots.txt"); ok {
		t.Errorf("robots.txt written for a site under a path")
	}
	root := build(t, src, site.Options{BaseURL: "https://example.org"})
	if robots, ok := root.File("robots.txt"); !ok || !contains(robots, "Sitemap: https://example.org/sitemap.xml") {
		t.Errorf("robots.txt at an origin's root: %q", robots)
	}
	dev := build(t, src, site.Options{LiveReload: "/_explainer/reload.js"})
	page, _ = dev.File("documents/draft-a/index.html")
	if !contains(page, `<script src="../../_explainer/reload.js" defer></script>`) {
		t.Errorf("with LiveReload, the page lacks the reload script")
	}
}

func contains(b []byte, s string) bool { return strings.Contains(string(b), s) }

// TestDrafts checks that a draft section is left out unless asked for.
func TestDrafts(t *testing.T) {
	src := sitetest.Project(t, "testdata/build/basic.txtar")
	src["content/sections/03-draft.md"] = &fstest.MapFile{Data: []byte("---\ntitle: Not ready?\ndraft: true\nsources: [gazette]\n---\nWork in progress.\n")}
	out := build(t, src, site.Options{})
	if _, ok := out.File("sections/draft/index.html"); ok {
		t.Errorf("a draft section was built without Drafts")
	}
	if home, _ := out.File("index.html"); contains(home, "Not ready?") {
		t.Errorf("the home page shows a draft section")
	}
	out = build(t, src, site.Options{Drafts: true})
	if _, ok := out.File("sections/draft/index.html"); !ok {
		t.Errorf("with Drafts, the draft section's page is missing")
	}
}

// TestDepsCustomTemplate checks that a page rendered with the project's
// own template depends on every content file: such a template may show
// anything.
func TestDepsCustomTemplate(t *testing.T) {
	src := sitetest.Project(t, "testdata/build/basic.txtar")
	src["templates/clause.tmpl"] = &fstest.MapFile{Data: []byte(`{{define "main"}}<h1>{{.Clause.Title}}</h1>{{end}}`)}
	out := build(t, src, site.Options{})
	got := out.Deps.Dependents("content/sections/02-next.md")
	if !slices.Contains(got, "documents/draft-a/1/index.html") {
		t.Errorf("Dependents(02-next.md) lacks a clause page made with the project's clause.tmpl; got %q", got)
	}
	if slices.Contains(got, "topics/hours/index.html") {
		t.Errorf("Dependents(02-next.md) has a topic page, made with the embedded template, that does not show it")
	}
}
