package site_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// TestSearch searches the default explainer in Chromium: the words of
// testdata/terms.tsv read in the script as in the build; typed queries
// find the expected pages first; the keyboard works; and without
// JavaScript the search page lists every page.
func TestSearch(t *testing.T) {
	browser := sitetest.Browser(t)
	out := build(t, os.DirFS(".."), site.Options{})
	srv := httptest.NewServer(withScriptProbe(http.FileServerFS(out)))
	t.Cleanup(srv.Close)

	t.Run("terms", func(t *testing.T) {
		ctx := openAt(t, browser, srv.URL+"/search/", "light", false)
		data, err := os.ReadFile("internal/search/testdata/terms.tsv")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
			in, want, ok := strings.Cut(line, "\t")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			got := evalJS[[]string](t, ctx, `s => window.explainerSearchTerms(s)`, in)
			if !slices.Equal(got, strings.Fields(want)) && !(len(got) == 0 && want == "") {
				t.Errorf("search.js reads %q as %q; the build as %q", in, got, strings.Fields(want))
			}
		}
	})

	// Each query's first results, as URL paths, must include want in the
	// first n of the results.
	for _, c := range []struct {
		query string
		want  []string
		n     int
	}{
		{"the 600,000 cap", []string{"/documents/us-28/6/"}, 1},
		{"600k", []string{"/documents/us-28/6/"}, 2},
		{"frozen assets", []string{"/documents/us-28/14/", "/documents/e3-counter/frozen-assets/"}, 4},
		{"Zaporizhzhia", []string{"/documents/us-28/19/"}, 3},
		{"amnesty", []string{"/documents/us-28/26/"}, 2},
		{"point 21", []string{"/documents/us-28/21/"}, 1},
		{"frozen ass", []string{"/documents/us-28/14/"}, 4}, // as it is typed
		// Names a section's body shows only through cross-references.
		{"Witkoff Kushner Dmitriev", []string{"/sections/first-plan/"}, 3},
	} {
		t.Run(c.query, func(t *testing.T) {
			ctx := openAt(t, browser, srv.URL+"/search/?q="+url.QueryEscape(c.query), "light", false)
			got := results(t, ctx)
			for _, w := range c.want {
				if i := slices.Index(got, w); i < 0 || i >= c.n {
					t.Errorf("%q: %s is not among the first %d results: %q", c.query, w, c.n, got[:min(len(got), 10)])
				}
			}
		})
	}

	// A snippet cut from the middle of a text starts at a word's start,
	// not at the "s" of "Ukraine’s" (the European plan's point on
	// reconstruction).
	t.Run("snippets", func(t *testing.T) {
		ctx := openAt(t, browser, srv.URL+"/search/?q=frozen+assets", "light", false)
		results(t, ctx)
		snippets := evalJS[[]string](t, ctx, `() => [...document.querySelectorAll('.search-snippet')].map(s => s.textContent)`)
		cut := 0
		for _, sn := range snippets {
			rest, ok := strings.CutPrefix(sn, "… ")
			if !ok {
				continue
			}
			cut++
			// The European plan's text reads "Ukraine’s reconstruction".
			if strings.HasPrefix(rest, "s ") || strings.HasPrefix(rest, "’s") {
				t.Errorf("a snippet starts inside a word: %q", sn)
			}
		}
		if cut == 0 {
			t.Errorf("no snippet is cut from the middle of its text: %q", snippets)
		}
	})

	t.Run("filter", func(t *testing.T) {
		ctx := openAt(t, browser, srv.URL+"/search/?q=frozen+assets", "light", false)
		if got := results(t, ctx); !slices.Contains(got, "/documents/us-28/14/") {
			t.Fatalf("frozen assets: %q", got)
		}
		// Choose the E3 counter-proposal in the document filter.
		chose, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(res => {
			const wait = () => {
				const sel = [...document.querySelectorAll('.search-filters select')][0];
				if (!sel) return setTimeout(wait, 20);
				const opt = [...sel.options].find(o => o.text === 'E3 counter-proposal');
				if (!opt) return res(false);
				sel.value = opt.value;
				sel.dispatchEvent(new Event('change'));
				res(true);
			};
			wait();
		})`, chromedp.EvalAwaitPromise))
		if err != nil || !chose {
			t.Fatalf("no document filter with the E3 counter-proposal (%v)", err)
		}
		var got []string
		for range 100 {
			got = results(t, ctx)
			if !slices.Contains(got, "/documents/us-28/14/") {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		for _, u := range got {
			if strings.HasPrefix(u, "/documents/") && !strings.HasPrefix(u, "/documents/e3-counter/") {
				t.Errorf("filtered to the E3 counter-proposal, the results hold %s", u)
			}
		}
		if !slices.Contains(got, "/documents/e3-counter/frozen-assets/") {
			t.Errorf("filtered to the E3 counter-proposal, the results %q lack its point", got)
		}
	})

	t.Run("keyboard", func(t *testing.T) {
		ctx := openAt(t, browser, srv.URL+"/", "light", false)
		// "/" focuses the header's box; typing shows results; arrows and
		// Enter open one.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("/"), chromedp.KeyEvent("amnesty")); err != nil {
			t.Fatal(err)
		}
		focused := evalJS[string](t, ctx, `() => document.activeElement.id`)
		if focused != "site-q" {
			t.Fatalf("after /, the focus is on #%s, want the search box", focused)
		}
		for i := 0; !slices.Contains(results(t, ctx), "/documents/us-28/26/"); i++ {
			if i == 100 {
				t.Fatalf("typing amnesty in the header's box shows %q", results(t, ctx))
			}
			time.Sleep(20 * time.Millisecond)
		}
		status := evalJS[string](t, ctx, `() => document.querySelector('header [role=status]')?.textContent ?? ''`)
		if !strings.Contains(status, "result") {
			t.Errorf("the live region says %q", status)
		}
		// Escape closes the list (and empties the box, as Escape does in
		// a search field); typed again, ArrowDown picks the first result,
		// which Enter opens.
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
			t.Fatal(err)
		}
		if open := evalJS[bool](t, ctx, `() => !!document.querySelector('.search-results:not([hidden])')`); open {
			t.Error("Escape leaves the results open")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent("amnesty")); err != nil {
			t.Fatal(err)
		}
		results(t, ctx)
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.ArrowDown)); err != nil {
			t.Fatal(err)
		}
		active := evalJS[string](t, ctx, `() => {
			const a = document.getElementById(document.activeElement.getAttribute('aria-activedescendant'));
			return a && a.offsetParent ? new URL(a.href).pathname : '';
		}`)
		if active == "" {
			t.Fatal("ArrowDown selects no visible result")
		}
		if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
			t.Fatal(err)
		}
		var path string
		for range 50 {
			if path = evalJS[string](t, ctx, `() => location.pathname`); path != "/" {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if path != active {
			t.Errorf("Enter on %s opened %s", active, path)
		}
	})

	t.Run("nojs", func(t *testing.T) {
		r := &reader{browser: browser, base: srv.URL}
		ctx := r.open(t, "/search/?q=amnesty", true)
		links := evalJS[int](t, ctx, `() => document.querySelectorAll('.search-all a').length`)
		clauses := 0
		for _, name := range out.Names() {
			if strings.Count(name, "/") == 3 && strings.HasPrefix(name, "documents/") && !strings.Contains(name, "/changes/") {
				clauses++
			}
		}
		if links < clauses {
			t.Errorf("without JavaScript, the search page links %d pages, fewer than the %d points", links, clauses)
		}
	})
}

// results waits for the search on the page in ctx to end (its live
// region says how many it found) and returns the results' URL paths,
// best first.
func results(t *testing.T, ctx context.Context) []string {
	t.Helper()
	var got []string
	for range 100 {
		got = evalJS[[]string](t, ctx, `() => {
			const list = document.querySelector('.search-results:not([hidden])');
			if (!list || !list.parentElement.querySelector('[role=status]').textContent) return [];
			return [...list.querySelectorAll('a[role=option]')].map(a => new URL(a.href).pathname);
		}`)
		if len(got) > 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if len(got) == 0 {
		t.Fatal("no results shown")
	}
	return got
}

// TestSearchSplitPrefix searches a project whose terms starting "pa" are
// too many for one file of terms: the build splits them by their third
// character, and a query of two characters still reads every file split
// from its own. (The words are "pa", three letters and "q".)
func TestSearchSplitPrefix(t *testing.T) {
	browser := sitetest.Browser(t)
	src := sitetest.Project(t, "testdata/build/basic.txtar")
	var words []string
	for i := range 2000 {
		words = append(words, "pa"+string(rune('a'+i/676))+string(rune('a'+i/26%26))+string(rune('a'+i%26))+"q")
	}
	src["content/sections/03-glossary.md"] = &fstest.MapFile{Data: []byte("---\ntitle: A glossary\n---\n" + strings.Join(words, " ") + "\n")}
	// A word whose third character is not ASCII goes to a file named in
	// hexadecimal, "x7061c582" for "pał".
	src["content/sections/04-palace.md"] = &fstest.MapFile{Data: []byte("---\ntitle: A residence\n---\nThe pałac.\n")}
	out := build(t, src, site.Options{})
	for _, name := range []string{"search/t/pab.json", "search/t/x7061c582.json"} {
		if _, err := fs.Stat(out, name); err != nil {
			t.Fatalf("the terms starting \"pa\" were not split: %v", err)
		}
	}
	srv := httptest.NewServer(http.FileServerFS(out))
	t.Cleanup(srv.Close)
	// Two characters, three (a prefix), and a whole word.
	for q, want := range map[string][]string{
		"pa":     {"/sections/glossary/", "/sections/palace/"},
		"pab":    {"/sections/glossary/"},
		"pabcdq": {"/sections/glossary/"},
		"pał":    {"/sections/palace/"},
	} {
		ctx := openAt(t, browser, srv.URL+"/search/?q="+url.QueryEscape(q), "light", false)
		got := results(t, ctx)
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: %s is not among the results %q", q, w, got)
			}
		}
	}
}
