package site_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// searchQueries are the queries BenchmarkSearch types: words the
// gencorpus corpus uses in titles, in bodies, in both, and a point number.
var searchQueries = []string{"referendum", "western prisoners", "northern radar", "point 21", "technical ballot", "critics said"}

// BenchmarkSearch measures a reader's first search against Pagefind's, on
// the $EXPLAINER_CORPUS corpus: the site built by explainer, and Pagefind
// (the binary at $EXPLAINER_PAGEFIND, from npm's pagefind package) run
// over a copy of the same output. For each query, in a new Chromium tab
// with nothing cached (every response is sent no-store), it reports
//
//   - B/query: the bytes the search's own files sent, counted at the
//     server: for explainer, js/search.js, which every page loads, and
//     what it fetches under search/; for Pagefind, all it fetches under
//     pagefind/ (its script, worker, WebAssembly, metadata, index
//     chunks and the fragments of the first ten results);
//   - ms/first-result and ms/ten-results: for explainer, from the input
//     event that carries the query to the first result shown under the
//     header's box of a clause page, and to all ten; for Pagefind, from
//     calling pagefind.search to the data of its first result, which a
//     page needs to show it, and of its first ten. Both had focusLead
//     to load what they load when the box gets the focus.
//
// It also reports, once, the seconds Pagefind takes to index the site.
// Run it with -benchtime=5x; the figures are medians.
func BenchmarkSearch(b *testing.B) {
	src := os.DirFS(corpus(b))
	pagefind := os.Getenv("EXPLAINER_PAGEFIND")
	if pagefind == "" {
		b.Skip("set EXPLAINER_PAGEFIND to a pagefind binary (npm install pagefind: node_modules/.bin/pagefind)")
	}
	browser := sitetest.Browser(b)

	out, err := site.Build(context.Background(), src, site.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ours := filepath.Join(b.TempDir(), "explainer")
	if err := os.CopyFS(ours, out); err != nil {
		b.Fatal(err)
	}
	theirs := filepath.Join(b.TempDir(), "pagefind")
	if err := os.CopyFS(theirs, out); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(pagefind, "--site", theirs)
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("pagefind: %v\n%s", err, msg)
	}
	b.Logf("pagefind indexed the site in %.1f s", time.Since(start).Seconds())

	oursSrv := newCountingServer(b, ours, "/search/", "/js/search.js")
	theirSrv := newCountingServer(b, theirs, "/pagefind/")
	page := clausePage(b, out)

	type result struct{ bytes, first, all float64 }
	results := map[string]map[string]result{"explainer": {}, "pagefind": {}}
	for _, q := range searchQueries {
		for _, tool := range []string{"explainer", "pagefind"} {
			b.Run(tool+"/"+strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
				var bytes, first, all []float64
				for range b.N {
					var n int64
					var ms [2]float64
					if tool == "explainer" {
						n, ms = searchOurs(b, browser, oursSrv, page, q)
					} else {
						n, ms = searchPagefind(b, browser, theirSrv, q)
					}
					bytes = append(bytes, float64(n))
					first = append(first, ms[0])
					all = append(all, ms[1])
				}
				r := result{median(bytes), median(first), median(all)}
				b.ReportMetric(r.bytes, "B/query")
				b.ReportMetric(r.first, "ms/first-result")
				b.ReportMetric(r.all, "ms/ten-results")
				b.ReportMetric(0, "ns/op")
				results[tool][q] = r
			})
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "searched from %s\n", page)
	fmt.Fprintf(&table, "| query | explainer | Pagefind | ratio | first result: explainer / Pagefind | ten results: explainer / Pagefind |\n| --- | ---: | ---: | ---: | ---: | ---: |\n")
	for _, q := range searchQueries {
		o, p := results["explainer"][q], results["pagefind"][q]
		if p.bytes == 0 || o.bytes == 0 {
			continue
		}
		fmt.Fprintf(&table, "| %s | %.0f kB | %.0f kB | %.2f | %.0f / %.0f ms | %.0f / %.0f ms |\n", q, o.bytes/1000, p.bytes/1000, o.bytes/p.bytes, o.first, p.first, o.all, p.all)
	}
	b.Log(table.String())
}

// clausePage returns the URL path of the first clause page in out, where
// the search starts: most of an explainer's pages are clauses. (The
// corpus's home page holds its 2,000 sections, 10 MB of HTML, where a
// frame after any keystroke takes Chromium some 70 ms whatever the
// search does.)
func clausePage(b *testing.B, out *site.Output) string {
	for _, name := range out.Names() {
		if parts := strings.Split(name, "/"); len(parts) == 4 && parts[0] == "documents" && parts[3] == "index.html" && parts[2] != "changes" {
			return "/" + strings.TrimSuffix(name, "index.html")
		}
	}
	b.Fatal("no clause page in the output")
	return ""
}

// median returns the median of xs.
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// A countingServer serves a directory with no-store and counts the bytes
// sent for the paths under its prefixes.
type countingServer struct {
	*httptest.Server
	mu sync.Mutex
	n  int64
}

// newCountingServer serves dir and counts what it sends under prefixes.
func newCountingServer(b *testing.B, dir string, prefixes ...string) *countingServer {
	s := &countingServer{}
	files := http.FileServer(http.Dir(dir))
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/_pagefind/" {
			fmt.Fprint(w, pagefindPage)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(r.URL.Path, p) }) {
			files.ServeHTTP(w, r)
			return
		}
		c := &byteCounter{ResponseWriter: w}
		files.ServeHTTP(c, r)
		s.mu.Lock()
		s.n += c.n
		s.mu.Unlock()
	}))
	b.Cleanup(s.Close)
	return s
}

// take returns the bytes counted since the last call.
func (s *countingServer) take() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.n
	s.n = 0
	return n
}

// A byteCounter counts the bytes of a response's body.
type byteCounter struct {
	http.ResponseWriter
	n int64
}

func (c *byteCounter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

// pagefindPage searches with Pagefind's own API, as a page that shows
// ten results must: the query's results, then the data of the first ten.
const pagefindPage = `<!doctype html><html lang="en"><title>pagefind</title>
<script>
// What a search box does when it gets the focus: load the library
// and its metadata.
window.ready = (async () => {
	const pf = await import('/pagefind/pagefind.js');
	await pf.options({});
	await pf.init();
	return pf;
});
window.focused = () => { window.loading = window.ready(); };
window.search = async q => {
	const t0 = performance.now();
	const pf = await window.loading;
	const r = await pf.search(q);
	let first = 0;
	await Promise.all(r.results.slice(0, 10).map((x, i) => x.data().then(() => { if (i === 0) first = performance.now() - t0; })));
	if (!r.results.length) throw new Error('no results');
	return [first, performance.now() - t0];
};
</script>`

// searchOurs types q into the header's box of the home page, in a new tab,
// and returns the bytes the search sent and the milliseconds from the
// input event to the first results shown.
func searchOurs(b *testing.B, browser context.Context, srv *countingServer, page, q string) (int64, [2]float64) {
	srv.take()
	ctx := newTab(b, browser)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+page), chromedp.Sleep(settle)); err != nil {
		b.Fatal(err)
	}
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`new Promise((done, fail) => {
		const input = document.querySelector('#site-q');
		const list = document.getElementById(input.getAttribute('aria-controls'));
		const status = list.parentElement.querySelector('[role=status]');
		input.focus();
		let t0, first = 0;
		new MutationObserver((_, obs) => {
			if (!first && !list.hidden && list.querySelector('a, .search-none')) first = performance.now() - t0;
			if (first && status.textContent) { obs.disconnect(); done([first, performance.now() - t0]); }
		}).observe(list.parentElement, {childList: true, subtree: true, attributes: true, characterData: true});
		setTimeout(() => {
			t0 = performance.now();
			input.value = `+jsString(q)+`;
			input.dispatchEvent(new Event('input', {bubbles: true}));
		}, `+fmt.Sprint(focusLead.Milliseconds())+`);
		setTimeout(() => fail(new Error('no results in 10 s')), 10000);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatalf("%q: %v", q, err)
	}
	return srv.take(), ms
}

// searchPagefind runs q through Pagefind in a new tab and returns the
// bytes it fetched and the milliseconds to its first result's data and
// to its first ten results'.
func searchPagefind(b *testing.B, browser context.Context, srv *countingServer, q string) (int64, [2]float64) {
	srv.take()
	ctx := newTab(b, browser)
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/_pagefind/"), chromedp.Sleep(settle)); err != nil {
		b.Fatal(err)
	}
	ms, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`new Promise(done => {
		window.focused();
		setTimeout(() => done(window.search(`+jsString(q)+`)), `+fmt.Sprint(focusLead.Milliseconds())+`);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.Fatalf("pagefind %q: %v", q, err)
	}
	return srv.take(), ms
}

// settle is how long a page is left after it loads before the search:
// a reader reads before searching, and a tab just opened is busy.
const settle = 300 * time.Millisecond

// focusLead is how long the box has the focus before the query comes:
// a click or "/" comes before the first keystroke, and a fast typist's
// first key comes some 100 ms after it. explainer fetches meta.json on
// focus; Pagefind is given the same lead to load its library and
// metadata (pagefind.init).
const focusLead = 100 * time.Millisecond

// newTab opens a tab that closes when b ends.
func newTab(b *testing.B, browser context.Context) context.Context {
	ctx, cancel := chromedp.NewContext(browser)
	b.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	b.Cleanup(cancelTimeout)
	return ctx
}

// jsString returns s as a JavaScript string literal.
func jsString(s string) string {
	return fmt.Sprintf("%q", s) // the queries are ASCII: Go's quoting is JavaScript's
}
