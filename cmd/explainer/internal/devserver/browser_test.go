package devserver

import (
	"bytes"
	"context"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/explainer/explainer/site/sitetest"
	"github.com/explainer/explainer/templates"
	"github.com/google/go-cmp/cmp"
)

// browserTimeout bounds each wait for the browser to show something.
const browserTimeout = 10 * time.Second

// openTab opens url in a new tab of browser, closed when the test ends.
func openTab(t *testing.T, browser context.Context, url string) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser)
	t.Cleanup(cancel)
	// Open the tab without a timeout: one on the first Run would close it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	nav, cancelNav := context.WithTimeout(ctx, browserTimeout)
	defer cancelNav()
	if err := chromedp.Do(nav, chromedp.Navigate(url)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	return ctx
}

// eval evaluates the JavaScript expression js in the tab.
func eval[T any](t *testing.T, tab context.Context, js string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab, browserTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// waitFor waits until the JavaScript expression js is true in the tab,
// through any reloads, and returns how long that took.
func waitFor(t *testing.T, tab context.Context, what, js string) time.Duration {
	t.Helper()
	start := time.Now()
	var last error
	for time.Since(start) < browserTimeout {
		ctx, cancel := context.WithTimeout(tab, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("!!("+js+")"))
		cancel()
		if err == nil && ok {
			return time.Since(start)
		}
		if err != nil {
			last = err
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s (%s); last error: %v", what, js, last)
	return 0
}

// overlayText is the text of the error overlay, "" when there is none.
const overlayText = `(() => {
	const e = document.getElementById('explainer-errors');
	return e ? e.shadowRoot.textContent : '';
})()`

// openMarked starts a server that publishes src, opens the page at path
// in a new tab of browser and waits for its reload socket. The page gets
// window.marker = 1, which a reload loses.
func openMarked(t *testing.T, browser context.Context, src fstest.MapFS, path string) (*testServer, context.Context) {
	t.Helper()
	ts := startServer(t, "127.0.0.1:0")
	ts.Publish(build(t, src))
	tab := openTab(t, browser, ts.URL+path)
	waitClients(t, ts.Server, 1)
	eval[int](t, tab, `window.marker = 1`)
	return ts, tab
}

// TestBrowser drives the reload script in Chromium.
func TestBrowser(t *testing.T) {
	browser := sitetest.Browser(t)

	t.Run("edited page updated in place", func(t *testing.T) {
		ts := startServer(t, "127.0.0.1:0")
		src := project(t)
		ts.Publish(build(t, src))
		changed := openTab(t, browser, ts.URL+"/sections/next/")
		same := openTab(t, browser, ts.URL+"/documents/draft-a/1/index.html")
		waitClients(t, ts.Server, 2)
		if y := eval[float64](t, changed, `window.marker = 1; scrollTo(0, 700); scrollY`); y != 700 {
			t.Fatalf("scrolled to %v, want 700: the page is too short", y)
		}
		eval[int](t, same, `window.marker = 1`)
		build1 := ts.state.Load().build
		timing := eval[[]string](t, changed, `performance.getEntriesByType('navigation')[0].serverTiming.map(t => t.name + '=' + t.description)`)
		if !slices.Equal(timing, []string{"explainer=" + build1}) {
			t.Errorf("Server-Timing seen by the page: %q, want explainer=%s", timing, build1)
		}

		next := build(t, edit(t, src, "content/sections/02-next.md", "A vote is due.", "A vote is due on Friday."))
		start := time.Now()
		ch := ts.Publish(next)
		if !slices.Contains(ch.Pages, "/sections/next/") || slices.Contains(ch.Pages, "/documents/draft-a/1/") {
			t.Fatalf("changed pages %q: want /sections/next/ and not /documents/draft-a/1/", ch.Pages)
		}
		waitFor(t, changed, "the edited page to change", `document.body.innerText.includes('due on Friday')`)
		t.Logf("Publish to updated page: %v", time.Since(start))
		// The page was updated without navigating: what the tab holds
		// survives, and the scroll position did not move.
		got := eval[map[string]any](t, changed, `({marker: window.marker || 0, y: scrollY, stored: sessionStorage.length,
			live: document.querySelectorAll('script[src*="live.js"]').length})`)
		want := map[string]any{"marker": 1.0, "y": 700.0, "stored": 0.0, "live": 1.0}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("after the update in place (-want +got):\n%s", diff)
		}
		// The page as updated is the page as served: body and head.
		served := eval[[]string](t, changed, `fetch(location.href).then(r => r.text()).then(t => {
			const d = new DOMParser().parseFromString(t, 'text/html');
			return [d.body.outerHTML, document.body.outerHTML, d.title, document.title,
				d.querySelector('meta[name=description]')?.content ?? '', document.querySelector('meta[name=description]')?.content ?? ''];
		})`)
		for i := 0; i < len(served); i += 2 {
			if served[i] != served[i+1] {
				t.Errorf("updated page differs from the served page:\nserved  %.200q\nshown   %.200q", served[i], served[i+1])
			}
		}
		if m := eval[int](t, same, `window.marker || 0`); m != 1 {
			t.Errorf("a page whose output did not change reloaded")
		}

		// A second edit updates it again.
		ts.Publish(build(t, edit(t, src, "content/sections/02-next.md", "A vote is due.", "A vote is due on Monday.")))
		waitFor(t, changed, "the second edit", `document.body.innerText.includes('due on Monday') && window.marker === 1`)
	})

	t.Run("search after an edit", func(t *testing.T) {
		ts := startServer(t, "127.0.0.1:0")
		src := project(t)
		ts.Publish(build(t, src))
		const found = `[...document.querySelectorAll('.search-results a[role=option]')].some(a => a.pathname === '/sections/next/')`
		tab := openTab(t, browser, ts.URL+"/search/?q=plebiscite")
		waitFor(t, tab, "no result for a word not written yet", `document.querySelector('.search-none')`)
		ts.Publish(build(t, edit(t, src, "content/sections/02-next.md", "A vote is due.", "A plebiscite is due.")))
		// The index follows the rebuild: searching again finds the word.
		nav, cancel := context.WithTimeout(tab, browserTimeout)
		defer cancel()
		if err := chromedp.Do(nav, chromedp.Navigate(ts.URL+"/search/?q=plebiscite")); err != nil {
			t.Fatal(err)
		}
		waitFor(t, tab, "the edited section among the results", found)

		// A page the dev server updated in place searches as you type: its
		// new body's box is set up when it gets the focus.
		page := openTab(t, browser, ts.URL+"/sections/next/")
		waitClients(t, ts.Server, 2)
		eval[int](t, page, `window.marker = 1`)
		ts.Publish(build(t, edit(t, src, "content/sections/02-next.md", "A vote is due.", "A plebiscite is due on Friday.")))
		waitFor(t, page, "the edit in place", `document.body.innerText.includes('due on Friday') && window.marker === 1`)
		eval[bool](t, page, `(() => { const q = document.getElementById('site-q'); q.focus(); q.value = 'plebiscite';
			q.dispatchEvent(new Event('input')); return true; })()`)
		waitFor(t, page, "results under the header's box", found)
	})

	t.Run("page with a script reloads and keeps scroll", func(t *testing.T) {
		tmpl, err := fs.ReadFile(templates.FS, "section.tmpl")
		if err != nil {
			t.Fatal(err)
		}
		src := project(t)
		src["templates/section.tmpl"] = &fstest.MapFile{Data: bytes.Replace(tmpl, []byte(`<article class="section-page">`),
			[]byte(`<article class="section-page"><script>window.ran = (window.ran || 0) + 1</script>`), 1)}
		ts, tab := openMarked(t, browser, src, "/sections/next/")
		// With the browser's own scroll restoration off, only live.js can
		// bring the page back to where it was.
		if y := eval[float64](t, tab, `history.scrollRestoration = 'manual'; scrollTo(0, 700); scrollY`); y != 700 {
			t.Fatalf("scrolled to %v, want 700: the page is too short", y)
		}
		ts.Publish(build(t, edit(t, src, "content/sections/02-next.md", "A vote is due.", "A vote is due on Friday.")))
		waitFor(t, tab, "the edited page to reload", `!window.marker && window.ran === 1 && document.readyState === 'complete' && document.body.innerText.includes('due on Friday')`)
		waitFor(t, tab, "the scroll position to be restored", `Math.abs(scrollY - 700) < 2`)
		if n := eval[int](t, tab, `sessionStorage.length`); n != 0 {
			t.Errorf("%d keys left in sessionStorage, want the scroll position cleared", n)
		}
	})

	t.Run("new head reloads", func(t *testing.T) {
		src := project(t)
		ts, tab := openMarked(t, browser, src, "/sections/next/")
		// A base URL adds a feed link to every head: only a reload loads it.
		ts.Publish(build(t, edit(t, src, "content/_index.md", "title: The harbour deal, explained", "title: The harbour deal, explained\nbase_url: https://example.org/")))
		waitFor(t, tab, "the page to reload", `!window.marker && document.querySelector('link[rel=alternate]')`)
	})

	t.Run("stylesheet swapped without reload", func(t *testing.T) {
		src := project(t)
		ts, tab := openMarked(t, browser, src, "/documents/draft-b/changes/")
		if c := eval[string](t, tab, `getComputedStyle(document.body).color`); c != "rgb(1, 2, 3)" {
			t.Fatalf("body color %q before the edit, want rgb(1, 2, 3)", c)
		}
		next := build(t, edit(t, src, "static/css/site.css", "rgb(1, 2, 3)", "rgb(4, 5, 6)"))
		start := time.Now()
		ch := ts.Publish(next)
		if diff := cmp.Diff(Changes{Styles: []string{"/css/site.css"}}, ch); diff != "" {
			t.Errorf("changes (-want +got):\n%s", diff)
		}
		waitFor(t, tab, "the new stylesheet", `getComputedStyle(document.body).color === 'rgb(4, 5, 6)'`)
		t.Logf("Publish to restyled page: %v", time.Since(start))
		if m := eval[int](t, tab, `window.marker || 0`); m != 1 {
			t.Errorf("the page reloaded; want the stylesheet swapped in place")
		}
		waitFor(t, tab, "the old stylesheet to be removed", `document.querySelectorAll('link[rel=stylesheet]').length === 1`)
		href := eval[string](t, tab, `document.querySelector('link[rel=stylesheet]').getAttribute('href')`)
		if !strings.HasPrefix(href, "http://"+ts.addr+"/css/site.css?v=") {
			t.Errorf("stylesheet link %q, want the same path with a new ?v=", href)
		}
	})

	t.Run("errors overlay", func(t *testing.T) {
		ts := startServer(t, "127.0.0.1:0")
		src := project(t)
		out := build(t, src)
		ts.Publish(out)
		first := openTab(t, browser, ts.URL+"/documents/")
		waitClients(t, ts.Server, 1)
		eval[int](t, first, `window.marker = 1`)
		problems := []string{
			`content/sections/02-next.md:5:12: unknown topic "feez" (did you mean "fees"?)`,
			`content/documents/draft-a.yaml:9:3: title <img src=x onerror="window.pwned=1"> is not allowed`,
		}
		start := time.Now()
		ts.Fail(problems)
		waitFor(t, first, "the overlay", overlayText+`.includes('unknown topic "feez"')`)
		t.Logf("Fail to overlay: %v", time.Since(start))
		text := eval[string](t, first, overlayText)
		for _, want := range append(problems, "Build failed — showing the last good build") {
			if !strings.Contains(text, want) {
				t.Errorf("overlay %q lacks %q", text, want)
			}
		}
		checks := eval[map[string]any](t, first, `(() => {
			const e = document.getElementById('explainer-errors');
			const li = e.shadowRoot.querySelector('li');
			const r = e.getBoundingClientRect();
			return {role: e.getAttribute('role'), font: getComputedStyle(li).fontFamily,
				visible: r.height > 0 && r.width > 0 && document.elementFromPoint(r.x + 5, r.y + 5) === e,
				pwned: window.pwned === 1, position: getComputedStyle(e).position};
		})()`)
		want := map[string]any{"role": "alert", "font": checks["font"], "visible": true, "pwned": false, "position": "fixed"}
		if diff := cmp.Diff(want, checks); diff != "" {
			t.Errorf("overlay (-want +got):\n%s", diff)
		}
		if f, _ := checks["font"].(string); !strings.Contains(f, "monospace") {
			t.Errorf("problems in font %q, want monospace", f)
		}

		// A page opened while the build is broken shows the errors too.
		later := openTab(t, browser, ts.URL+"/topics/fees/")
		waitFor(t, later, "the overlay on a page opened while broken", overlayText+`.includes('unknown topic "feez"')`)
		eval[int](t, later, `window.marker = 1`)

		// Fixed, with the same output as before: the overlays go, nothing reloads.
		ts.Publish(out)
		for _, tab := range []context.Context{first, later} {
			waitFor(t, tab, "the overlay to go", `!document.getElementById('explainer-errors')`)
			if m := eval[int](t, tab, `window.marker || 0`); m != 1 {
				t.Errorf("the page reloaded when the build was fixed with no change")
			}
		}

		// Broken again, then fixed with a change: the overlay goes too.
		ts.Fail(problems[:1])
		waitFor(t, first, "the overlay", overlayText+`.includes('feez')`)
		ts.Publish(build(t, edit(t, src, "content/_index.md", "title: The harbour deal, explained", "title: The harbour deal, fixed")))
		waitFor(t, first, "the overlay to go after a reload", `document.title.includes('fixed') && !document.getElementById('explainer-errors')`)
	})

	t.Run("ten tabs", func(t *testing.T) {
		ts := startServer(t, "127.0.0.1:0")
		src := project(t)
		ts.Publish(build(t, src))
		paths := []string{"/", "/sections/next/", "/documents/", "/documents/draft-a/", "/documents/draft-a/2/",
			"/documents/draft-b/changes/", "/topics/", "/topics/fees/", "/actors/city/", "/timeline/"}
		var tabs []context.Context
		for _, p := range paths {
			tab := openTab(t, browser, ts.URL+p)
			eval[int](t, tab, `window.marker = 1`)
			tabs = append(tabs, tab)
		}
		waitClients(t, ts.Server, len(paths))

		// Pages still load while ten sockets are open: a new tab, and
		// eight fetches at once from one of the tabs (more than the six
		// connections a browser allows per host).
		start := time.Now()
		extra := openTab(t, browser, ts.URL+"/sources/")
		if title := eval[string](t, extra, `document.title`); !strings.Contains(title, "harbour deal") {
			t.Errorf("an eleventh tab got %q", title)
		}
		statuses := eval[[]int](t, tabs[0], `Promise.all(['/', '/documents/', '/topics/', '/actors/', '/sources/',
			'/timeline/', '/css/site.css', '/data/explainer.json'].map(p => fetch(p).then(r => r.status)))`)
		if !slices.Equal(statuses, slices.Repeat([]int{200}, 8)) {
			t.Errorf("fetches with ten tabs open: statuses %v, want all 200", statuses)
		}
		t.Logf("an eleventh tab and eight fetches with ten sockets open: %v", time.Since(start))
		waitClients(t, ts.Server, len(paths)+1)

		next := build(t, edit(t, src, "content/_index.md", "title: The harbour deal, explained", "title: The harbour deal, retitled"))
		start = time.Now()
		ch := ts.Publish(next)
		for _, p := range paths {
			if !slices.Contains(ch.Pages, p) {
				t.Errorf("changed pages %q lack %s", ch.Pages, p)
			}
		}
		for i, tab := range tabs {
			waitFor(t, tab, "tab "+paths[i]+" to change", `document.title.includes('retitled') && document.querySelector('.brand').textContent.includes('retitled')`)
		}
		t.Logf("Publish to all ten tabs changed: %v", time.Since(start))
	})

	t.Run("reconnect after restart", func(t *testing.T) {
		src := project(t)
		ts, tab := openMarked(t, browser, src, "/sections/first-draft/")
		ts.stop()

		// The same address again, as after restarting explainer serve.
		var next *testServer
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			var err error
			if next, err = listenServer(t, ts.addr); err == nil {
				break
			} else if time.Now().After(deadline) {
				t.Fatal(err)
			}
		}
		next.Publish(build(t, edit(t, src, "content/sections/01-first-draft.md", "The first draft set", "The very first draft set")))
		d := waitFor(t, tab, "the tab to reconnect and reload", `!window.marker && document.body.innerText.includes('The very first draft')`)
		t.Logf("restart to reloaded page: %v", d)
	})

	t.Run("first build", func(t *testing.T) {
		ts := startServer(t, "127.0.0.1:0")
		ts.Fail([]string{"content/_index.md:1:1: missing title"})
		tab := openTab(t, browser, ts.URL+"/sections/next/")
		waitFor(t, tab, "the overlay over the placeholder", overlayText+`.includes('missing title')`)
		if text := eval[string](t, tab, overlayText); strings.Contains(text, "last good build") {
			t.Errorf("overlay %q speaks of a last good build; there is none", text)
		}
		ts.Publish(build(t, project(t)))
		waitFor(t, tab, "the page to appear", `document.title.includes('What happens next?') && !document.getElementById('explainer-errors')`)
	})
}
