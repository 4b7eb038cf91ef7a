package site_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

var screenshots = flag.String("screenshots", "", "save full-page PNG screenshots of the key pages into `DIR` (TestBrowser)")

// pageTimeout bounds everything done with one page.
const pageTimeout = 30 * time.Second

// A browserCase is an explainer and what a reader must see on four of its
// pages. Values the content defines (the title, the section questions,
// the documents' short names) come from the build's data/explainer.json;
// the rest is spelled out, so that the tests fail when a page stops
// showing it.
type browserCase struct {
	name   string
	src    fs.FS
	anchor string // a section slug, reached from the table of contents

	clause      string            // a clause page
	clauseH1    string            // text its h1 holds
	history     map[string]string // document ID -> the fate its history row shows ("" = any fate)
	topic       string            // a topic page with a chart
	figure      string            // a value the chart shows
	columns     []string          // IDs of the documents the side-by-side table has, in order
	changes     string            // a changes page
	fates       []string          // badges the changes page shows
	diffVisible bool              // whether a word-level diff shows without opening a <details>
	sideBySide  bool              // whether the changes page sets two texts side by side instead (a paraphrase on one side)
}

// explainerData is what the tests read from data/explainer.json.
type explainerData struct {
	Title    string `json:"title"`
	Sections []struct {
		Slug  string `json:"slug"`
		Title string `json:"title"`
	} `json:"sections"`
	Documents []struct {
		ID    string `json:"id"`
		Short string `json:"short"`
	} `json:"documents"`
}

// fateLabels are the badges a fate may read as.
var fateLabels = []string{"Original", "Kept", "Changed", "Deferred", "Moved", "Removed", "Not reported", "New",
	"Accepted", "Qualified", "Rejected", "Not addressed", "In effect", "Partly in effect", "Not covered", "Endorsed"}

// TestBrowser loads pages of built explainers in headless Chromium and
// checks what a reader sees: headings, landmarks, the title, keyboard
// focus, dark mode, contrast, the mobile layout, the chart and the diffs,
// with JavaScript on and off. It starts one browser for all its subtests.
// Without Chromium it skips, unless $CI is set.
func TestBrowser(t *testing.T) {
	browser := sitetest.Browser(t)
	cases := []browserCase{
		{
			name:        "fixture",
			src:         sitetest.Project(t, "testdata/build/basic.txtar"),
			anchor:      "next",
			clause:      "/documents/draft-a/2/",
			clauseH1:    "Point 2",
			history:     map[string]string{"draft-b": "Changed"},
			topic:       "/topics/fees/",
			figure:      "150",
			columns:     []string{"draft-a", "draft-b"},
			changes:     "/documents/draft-b/changes/",
			fates:       []string{"Kept", "Changed", "Removed", "New"},
			diffVisible: true,
		},
		{
			name:     "default",
			src:      os.DirFS(".."),
			anchor:   "whats-next",
			clause:   "/documents/us-28/21/",
			clauseH1: "Point 21",
			history:  map[string]string{"e3-counter": "", "geneva-19": ""},
			topic:    "/topics/army-size/",
			figure:   "600,000",
			columns:  []string{"ru-istanbul-2022", "us-28", "e3-counter", "eu-24", "geneva-19"},
			changes:  "/documents/e3-counter/changes/",
			fates:    []string{"Kept", "Changed", "Removed", "Not reported"},
			// The 28-point draft is quoted, the European counter-proposal
			// paraphrased from reports.
			sideBySide: true,
		},
	}
	for _, bc := range cases {
		t.Run(bc.name, func(t *testing.T) {
			r := newReader(t, browser, bc, nil)
			for _, js := range []bool{true, false} {
				mode := "js"
				if !js {
					mode = "nojs"
				}
				t.Run(mode, func(t *testing.T) {
					for _, p := range r.pages() {
						t.Run(p.name, func(t *testing.T) {
							t.Parallel()
							r.checkAll(t, r.open(t, p.path, !js), p)
						})
					}
				})
			}
			if *screenshots != "" {
				t.Run("screenshots", func(t *testing.T) {
					for _, p := range r.pages() {
						r.screenshot(t, bc.name+"-"+p.name, p.path, 1280)
					}
					r.screenshot(t, bc.name+"-home", "/", 375)
				})
			}
		})
	}

	// The checks must be able to fail: break the fixture's pages on the
	// way to the browser, and see that each fault is reported.
	t.Run("broken", func(t *testing.T) {
		r := newReader(t, browser, cases[0], breakPage)
		everywhere := []string{
			"<html> has no lang",
			"is an h4 after an h1",
			`<img src="x.png"> has no alt`,
			"no visible page-level <footer>",
			"with no visible outline",
			"light: body text",
			"dark: body background",
			"on a 375 px phone the page is",
			"text under 12 px",
		}
		want := map[string][]string{
			"home":    {"no visible paragraph starts with the lede", `no h2 "What happens next?"`},
			"clause":  {`want "Point 2" in it`, `history lacks draft-b`},
			"topic":   {"chart is 0×0 px", "table columns are the documents"},
			"changes": {`no visible "New" badge`, "want line-through"},
		}
		for _, p := range r.pages() {
			t.Run(p.name, func(t *testing.T) {
				t.Parallel()
				rec := &faultRecorder{}
				rec.run(func() { r.checkAll(rec, r.open(t, p.path, false), p) })
				for _, w := range append(want[p.name], everywhere...) {
					if !slices.ContainsFunc(rec.msgs, func(m string) bool { return strings.Contains(m, w) }) {
						t.Errorf("the checks missed a fault: no report contains %q; reports:\n%s", w, strings.Join(rec.msgs, "\n"))
					}
				}
			})
		}
	})
}

// A checker reports problems. *testing.T is one; so is the faultRecorder
// that TestBrowser/broken uses to see that the checks catch faults.
type checker interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
}

// A faultRecorder is a checker that keeps the problems reported to it.
type faultRecorder struct{ msgs []string }

// errFatal stops a check that a faultRecorder runs.
var errFatal = errors.New("fatal")

func (r *faultRecorder) Helper()                         {}
func (r *faultRecorder) Logf(format string, args ...any) {}
func (r *faultRecorder) Errorf(format string, args ...any) {
	r.msgs = append(r.msgs, fmt.Sprintf(format, args...))
}
func (r *faultRecorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	panic(errFatal)
}

// run runs f, stopping at the first Fatalf.
func (r *faultRecorder) run(f func()) {
	defer func() {
		if v := recover(); v != nil && v != errFatal {
			panic(v)
		}
	}()
	f()
}

// brokenCSS is appended to the stylesheet of the broken pages: each rule
// hides or spoils something the checks look for.
const brokenCSS = `
:focus-visible, :focus { outline: none !important; box-shadow: none !important; }
body { color: #b8b8b8 !important; }
@media (prefers-color-scheme: dark) { body { background: #eeeeee !important; } }
main::after { content: ""; display: block; width: 700px; height: 1px; }
h1 .num, .lede, .chart, .badge.fate-new, #next-title, .history-doc { display: none !important; }
table.compare thead a { display: none; }
del { text-decoration: none !important; }
.brand-kicker { font-size: 9px !important; }
`

// langAttr matches the opening tag of a page's <html> element.
var langAttr = regexp.MustCompile(`<html lang="[^"]*">`)

// breakPage spoils a page of the fixture on its way to the browser.
func breakPage(name string, data []byte) []byte {
	switch {
	case strings.HasSuffix(name, ".css"):
		return append(data, brokenCSS...)
	case strings.HasSuffix(name, ".html"):
		s := langAttr.ReplaceAllString(string(data), "<html>")
		s = strings.Replace(s, "</h1>", `</h1><h4>Skipped a level</h4><img src="x.png">`, 1)
		s = strings.NewReplacer("<footer", "<div", "</footer>", "</div>").Replace(s)
		return []byte(s)
	}
	return data
}

// A browserPage is one page a reader checks, with what is particular to it.
type browserPage struct {
	name, path string
	check      func(checker, context.Context)
}

// pages returns the four pages every case checks.
func (r *reader) pages() []browserPage {
	return []browserPage{
		{"home", "/", r.checkHome},
		{"clause", r.bc.clause, r.checkClause},
		{"topic", r.bc.topic, r.checkTopic},
		{"changes", r.bc.changes, r.checkChanges},
	}
}

// checkAll runs every check on the page p, loaded in ctx.
func (r *reader) checkAll(c checker, ctx context.Context, p browserPage) {
	r.checkPage(c, ctx)
	r.checkFocus(c, ctx)
	r.checkColors(c, ctx)
	p.check(c, ctx)
	r.checkMobile(c, ctx, p.path)
}

// scriptProbe is a page that retitles itself when scripts run.
const scriptProbe = "/_script-probe"

// withScriptProbe serves the script probe page next to h.
func withScriptProbe(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == scriptProbe {
			fmt.Fprint(w, `<!doctype html><title>no script</title><script>document.title = "script ran"</script>`)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// A reader looks at the pages of one built explainer.
type reader struct {
	browser context.Context // the shared browser
	base    string          // URL of the server
	data    explainerData
	bc      browserCase
}

// newReader builds the case's explainer and serves it, passing every
// file through edit when it is not nil.
func newReader(t *testing.T, browser context.Context, bc browserCase, edit func(name string, data []byte) []byte) *reader {
	t.Helper()
	out := build(t, bc.src, site.Options{})
	var data explainerData
	raw, _ := out.File("data/explainer.json")
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatalf("data/explainer.json: %v", err)
	}
	var h http.Handler = http.FileServerFS(out)
	if edit != nil {
		h = editing(h, edit)
	}
	srv := httptest.NewServer(withScriptProbe(h))
	t.Cleanup(srv.Close)
	return &reader{browser: browser, base: srv.URL, data: data, bc: bc}
}

// editing passes the body of every successful response of h through
// edit, with the name of the file served.
func editing(h http.Handler, edit func(name string, data []byte) []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		res := rec.Result()
		body := rec.Body.Bytes()
		if res.StatusCode == http.StatusOK {
			name := r.URL.Path
			if strings.HasSuffix(name, "/") {
				name += "index.html"
			}
			body = edit(name, body)
		}
		for k, v := range res.Header {
			if k != "Content-Length" {
				w.Header()[k] = v
			}
		}
		w.WriteHeader(res.StatusCode)
		w.Write(body)
	})
}

// open loads the page at urlPath in a new tab at 1280×900, bounded by
// pageTimeout. With noJS, the tab runs no page scripts; open checks that
// with the script probe first.
func (r *reader) open(t *testing.T, urlPath string, noJS bool) context.Context {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(r.browser)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(ctx, pageTimeout)
	t.Cleanup(cancel)
	err := chromedp.Do(ctx,
		cdpCall(emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}),
		viewport(1280, 900, false),
	)
	if err == nil && noJS {
		err = chromedp.Do(ctx,
			cdpCall(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}),
			chromedp.Navigate(r.base+scriptProbe),
		)
		if title, _ := chromedp.Run(ctx, chromedp.Title()); err == nil && title != "no script" {
			t.Fatalf("with scripts disabled, the probe page's title is %q, want %q", title, "no script")
		}
	}
	if err == nil {
		err = chromedp.Do(ctx, chromedp.Navigate(r.base+urlPath))
	}
	if err != nil {
		t.Fatalf("loading %s: %v", urlPath, err)
	}
	return context.WithValue(ctx, noScripts{}, noJS)
}

// noScripts is the key of a tab's context that tells whether it runs
// no page scripts.
type noScripts struct{}

// cdpCall is an action that sends one protocol command to the tab.
func cdpCall[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// viewport is an action that sizes the tab's viewport; mobile emulates a
// phone, honouring the viewport meta tag.
func viewport(width, height int64, mobile bool) chromedp.Action[chromedp.Void] {
	return cdpCall(emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: 1, Mobile: mobile,
	})
}

// colorScheme is an action that emulates prefers-color-scheme: scheme
// ("light" or "dark"; "" ends the emulation).
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	var p emulation.SetEmulatedMediaParams
	if scheme != "" {
		p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
	}
	return cdpCall(emulation.SetEmulatedMedia, p)
}

// jsLib holds the functions the scripts given to eval may use. Colours
// are [r, g, b, a] with r, g, b in 0..255 and a in 0..1, whatever syntax
// the stylesheet uses.
const jsLib = `
const shown = e => {
	if (!e) return false;
	const r = e.getBoundingClientRect(), s = getComputedStyle(e);
	return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && +s.opacity > 0;
};
const text = e => (e.innerText ?? e.textContent).replace(/\s+/g, ' ').trim();
const texts = (sel, root = document) => [...root.querySelectorAll(sel)].filter(shown).map(text);
const first = sel => [...document.querySelectorAll(sel)].find(shown);
const sectionTitled = title => [...document.querySelectorAll('section')].find(s => {
	const h = s.querySelector('h2');
	return h && h.textContent.replace(/\s+/g, ' ').trim().toLowerCase() === title.toLowerCase();
});
const docID = a => a.pathname.match(/\/documents\/([^/]+)\/$/)?.[1] ?? '';
const pen = document.createElement('canvas').getContext('2d', {willReadFrequently: true});
const rgba = c => {
	pen.clearRect(0, 0, 1, 1);
	pen.fillStyle = 'rgba(0, 0, 0, 0)';
	pen.fillStyle = c;
	pen.fillRect(0, 0, 1, 1);
	const d = pen.getImageData(0, 0, 1, 1).data;
	return [d[0], d[1], d[2], d[3] / 255];
};
const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
const backdrop = e => {
	const layers = [];
	for (; e; e = e.parentElement) {
		const c = rgba(getComputedStyle(e).backgroundColor);
		if (c[3] > 0) layers.push(c);
		if (c[3] >= 1) break;
	}
	const dark = matchMedia('(prefers-color-scheme: dark)').matches &&
		getComputedStyle(document.documentElement).colorScheme.includes('dark');
	let bg = dark ? [18, 18, 18, 1] : [255, 255, 255, 1];
	for (const c of layers.reverse()) bg = over(c, bg);
	return bg;
};
const ink = (e, prop = 'color') => over(rgba(getComputedStyle(e)[prop]), backdrop(e));
`

// evalJS calls the JavaScript function fn in the page with args, passed
// as JSON, and returns its result decoded into a T.
func evalJS[T any](t checker, ctx context.Context, fn string, args ...any) T {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	a, err := json.Marshal(args)
	if err != nil {
		t.Fatalf("%v", err)
	}
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T]("(() => {"+jsLib+"\nreturn ("+fn+")(..."+string(a)+");\n})()"))
	if err != nil {
		t.Fatalf("evaluating %s: %v", fn, err)
	}
	return v
}

// jsPage describes the page as a whole.
const jsPage = `() => {
	const landmark = sel => [...document.querySelectorAll(sel)]
		.filter(e => !e.parentElement.closest('article, aside, main, nav, section'));
	return {
		lang: document.documentElement.lang,
		headings: [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]
			.map(h => ({level: +h.tagName[1], text: text(h)})),
		main: document.querySelectorAll('main').length,
		banner: landmark('header').filter(shown).map(text),
		nav: texts('nav'),
		footer: landmark('footer').filter(shown).map(text),
		noAlt: [...document.images].filter(i => !i.hasAttribute('alt')).map(i => i.getAttribute('src')),
	};
}`

// checkPage checks what every page has: a language, one h1, headings
// that do not skip a level, the landmarks, the explainer's title in the
// header, and alt text on every image.
func (r *reader) checkPage(t checker, ctx context.Context) {
	p := evalJS[struct {
		Lang     string
		Headings []struct {
			Level int
			Text  string
		}
		Main                       int
		Banner, Nav, Footer, NoAlt []string
	}](t, ctx, jsPage)
	if p.Lang == "" {
		t.Errorf("<html> has no lang")
	}
	var h1 []string
	prev := 0
	for _, h := range p.Headings {
		if h.Level == 1 {
			h1 = append(h1, h.Text)
		}
		if h.Level > prev+1 {
			t.Errorf("heading %q is an h%d after an h%d", h.Text, h.Level, prev)
		}
		prev = h.Level
	}
	if len(h1) != 1 {
		t.Errorf("page has %d h1 %q, want 1", len(h1), h1)
	}
	if p.Main != 1 {
		t.Errorf("page has %d <main>, want 1", p.Main)
	}
	if len(p.Banner) == 0 {
		t.Errorf("page has no visible page-level <header>")
	} else if !strings.Contains(p.Banner[0], r.data.Title) {
		t.Errorf("header reads %q, want the title %q in it", p.Banner[0], r.data.Title)
	}
	if len(p.Nav) == 0 {
		t.Errorf("page has no visible <nav>")
	}
	if len(p.Footer) == 0 {
		t.Errorf("page has no visible page-level <footer>")
	}
	for _, src := range p.NoAlt {
		t.Errorf("<img src=%q> has no alt", src)
	}
}

// checkHome checks the home page: the title, every question, the lede,
// and that the table of contents reaches a section.
func (r *reader) checkHome(t checker, ctx context.Context) {
	if h1 := evalJS[[]string](t, ctx, `() => texts('h1')`); !slices.Equal(h1, []string{r.data.Title}) {
		t.Errorf("h1 = %q, want [%q]", h1, r.data.Title)
	}
	h2 := evalJS[[]string](t, ctx, `() => texts('main h2')`)
	rest := h2
	for _, s := range r.data.Sections {
		i := slices.Index(rest, s.Title)
		if i < 0 {
			t.Errorf("no h2 %q in order on the home page; h2s: %q", s.Title, h2)
			continue
		}
		rest = rest[i+1:]
	}
	if len(r.data.Sections) == 0 {
		t.Errorf("data/explainer.json lists no sections")
	}
	opening := ledeOpening(t, r.bc.src)
	paras := evalJS[[]string](t, ctx, `() => texts('main p')`)
	// Spaces are ignored: innerText drops the one after a floated
	// ::first-letter (a drop cap).
	nospace := strings.NewReplacer(" ", "")
	if !slices.ContainsFunc(paras, func(p string) bool {
		return strings.HasPrefix(nospace.Replace(p), nospace.Replace(opening))
	}) {
		t.Errorf("no visible paragraph starts with the lede's %q; %q", opening, paras[:min(5, len(paras))])
	}

	sel := fmt.Sprintf(`main nav a[href$="#%s"]`, r.bc.anchor)
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	type target struct {
		Hash         string
		Top, Bottom  float64
		Height       float64
		ScrollY      float64
		H2           []string
		IsSection    bool
		TargetExists bool
	}
	var got target
	for range 40 {
		got = evalJS[target](t, ctx, `id => {
			const e = document.getElementById(id);
			if (!e) return {hash: location.hash};
			const r = e.getBoundingClientRect();
			return {hash: location.hash, top: r.top, bottom: r.bottom, height: innerHeight,
				scrollY: scrollY, h2: texts('h2', e), targetExists: true};
		}`, r.bc.anchor)
		if got.Hash == "#"+r.bc.anchor && got.ScrollY > 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	switch {
	case !got.TargetExists:
		t.Errorf("no element with id %q", r.bc.anchor)
	case got.Hash != "#"+r.bc.anchor:
		t.Errorf("after clicking %s, location.hash = %q", sel, got.Hash)
	case got.ScrollY <= 0 || got.Top < -2 || got.Top > got.Height/2:
		t.Errorf("after clicking %s, #%s is at %.0f px of a %.0f px viewport (scrollY %.0f), want near the top",
			sel, r.bc.anchor, got.Top, got.Height, got.ScrollY)
	case len(got.H2) != 1:
		t.Errorf("#%s holds the h2s %q, want its question", r.bc.anchor, got.H2)
	}
}

// ledeOpening returns the first plain words of the lede in
// content/_index.md, up to the first markup or quote.
func ledeOpening(t checker, src fs.FS) string {
	t.Helper()
	data, err := fs.ReadFile(src, "content/_index.md")
	if err != nil {
		t.Fatalf("%v", err)
	}
	body := string(data)
	if strings.HasPrefix(body, "---\n") {
		if _, after, ok := strings.Cut(body[4:], "\n---\n"); ok {
			body = after
		}
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		if i := strings.IndexAny(line, "[]*_`<('\"&"); i >= 0 {
			line = line[:i]
		}
		words := strings.Fields(line)
		return strings.Join(words[:min(len(words), 6)], " ")
	}
	t.Fatalf("content/_index.md has no lede")
	return ""
}

// checkClause checks a clause page: its number in the h1, its history
// across documents, and what refers to it.
func (r *reader) checkClause(t checker, ctx context.Context) {
	if h1 := evalJS[[]string](t, ctx, `() => texts('h1')`); len(h1) != 1 || !strings.Contains(h1[0], r.bc.clauseH1) {
		t.Errorf("h1 = %q, want %q in it", h1, r.bc.clauseH1)
	}
	history := evalJS[[]struct{ Doc, Fate string }](t, ctx, `() => {
		const s = sectionTitled('History across documents');
		return s && [...s.querySelectorAll('li')].filter(shown).map(li => ({
			doc: [...li.querySelectorAll('a')].filter(shown).map(docID).find(id => id) ?? '',
			fate: texts('.badge', li).join(' '),
		}));
	}`)
	if history == nil {
		t.Errorf(`no section headed "History across documents"`)
	}
	for doc, want := range r.bc.history {
		i := slices.IndexFunc(history, func(h struct{ Doc, Fate string }) bool { return h.Doc == doc })
		switch {
		case i < 0:
			t.Errorf("history lacks %s; it shows %+v", doc, history)
		case want != "" && history[i].Fate != want:
			t.Errorf("history shows %s as %q, want %q", doc, history[i].Fate, want)
		case !slices.Contains(fateLabels, history[i].Fate):
			t.Errorf("history shows %s as %q, want one fate of %q", doc, history[i].Fate, fateLabels)
		}
	}
	refs := evalJS[[]string](t, ctx, `() => {
		const s = sectionTitled('Referred to in');
		return s && [...s.querySelectorAll('li a')].filter(shown).map(a => a.pathname);
	}`)
	if !slices.ContainsFunc(refs, func(p string) bool { return strings.Contains(p, "/sections/") }) {
		t.Errorf(`"Referred to in" lists %q, want a section among them`, refs)
	}
}

// checkTopic checks a topic page: the chart and the side-by-side table.
func (r *reader) checkTopic(t checker, ctx context.Context) {
	chart := evalJS[*struct {
		Width, Height float64
		Label         string
		Texts         []string
	}](t, ctx, `() => {
		const chart = document.querySelector('main figure.chart');
		if (!chart) return null;
		const r = chart.getBoundingClientRect();
		const named = (chart.getAttribute('aria-labelledby') ?? '').split(/\s+/)
			.map(id => document.getElementById(id)?.textContent ?? '').join(' ').trim();
		return {width: r.width, height: r.height, label: named,
			texts: texts('.chart-value', chart)};
	}`)
	switch {
	case chart == nil:
		t.Errorf(`no <figure class="chart">`)
	case chart.Width < 100 || chart.Height < 20:
		t.Errorf("chart is %.0f×%.0f px", chart.Width, chart.Height)
	case chart.Label == "":
		t.Errorf("chart has no accessible name")
	case !slices.Contains(chart.Texts, r.bc.figure):
		t.Errorf("chart shows %q, want %q among them", chart.Texts, r.bc.figure)
	}
	// Every document with a point on the topic shows one in each row,
	// or what it made of the row's point: a gap only where another row
	// holds its point.
	if gaps := evalJS[[]string](t, ctx, `() => [...document.querySelectorAll('table.compare td')]
		.filter(td => /Not addressed/.test(td.textContent) && !td.querySelector('.badge')).map(text)`); len(gaps) > 0 {
		t.Errorf("side-by-side cells read %q", gaps)
	}

	table := evalJS[*struct {
		Columns []struct {
			Doc, Text string
			Shown     bool
		}
		Rows []int
	}](t, ctx, `() => {
		const table = document.querySelector('main table.compare');
		return table && {
			columns: [...table.querySelectorAll('thead th')].map(th => ({
				doc: [...th.querySelectorAll('a')].filter(shown).map(docID).find(id => id) ?? '',
				text: text(th), shown: shown(th),
			})),
			rows: [...table.tBodies].flatMap(b => [...b.rows]).map(tr => tr.cells.length),
		};
	}`)
	if table == nil {
		t.Fatalf("no side-by-side <table>")
	}
	var docs []string
	for _, c := range table.Columns {
		docs = append(docs, c.Doc)
		if !c.Shown {
			t.Errorf("column heading %q is not visible", c.Text)
		}
		for _, d := range r.data.Documents {
			if d.ID == c.Doc && !strings.Contains(c.Text, d.Short) {
				t.Errorf("column heading %q lacks the document's name %q", c.Text, d.Short)
			}
		}
	}
	if !slices.Equal(docs, r.bc.columns) {
		t.Errorf("table columns are the documents %q, want %q", docs, r.bc.columns)
	}
	if len(table.Rows) == 0 {
		t.Errorf("table has no rows")
	}
	for i, n := range table.Rows {
		if n != len(docs) {
			t.Errorf("table row %d has %d cells, want one per document (%d)", i+1, n, len(docs))
		}
	}
}

// checkChanges checks a changes page: the fate badges and a word-level
// diff, opening its <details> when the diff is folded away.
func (r *reader) checkChanges(t checker, ctx context.Context) {
	badges := evalJS[[]string](t, ctx, `() => texts('main .badge')`)
	for _, f := range r.bc.fates {
		if !slices.Contains(badges, f) {
			t.Errorf("no visible %q badge; badges: %q", f, distinct(badges))
		}
	}
	r.checkFilter(t, ctx)
	const jsDiff = `() => {
		const del = first('main li del'), ins = first('main li ins');
		return {del: del ? text(del) : '', ins: ins ? text(ins) : '',
			delLine: del ? getComputedStyle(del).textDecorationLine : '',
			insLine: ins ? getComputedStyle(ins).textDecorationLine : ''};
	}`
	type diff struct{ Del, Ins, DelLine, InsLine string }
	d := evalJS[diff](t, ctx, jsDiff)
	if r.bc.sideBySide {
		// Each side labelled with its document and its wording, and no
		// word-level differences between a quote and a paraphrase.
		labels := evalJS[[]string](t, ctx, `() => texts('main li .side-by-side .side-label')`)
		if len(labels) < 2 || !strings.Contains(strings.Join(labels, " "), "(paraphrased)") {
			t.Errorf("side-by-side labels %q, want two or more, one of a paraphrase", labels)
		}
		if d.Del != "" || d.Ins != "" {
			t.Errorf("word-level differences <del>%q <ins>%q shown beside a paraphrase", d.Del, d.Ins)
		}
		return
	}
	if d.Del == "" && d.Ins == "" {
		if r.bc.diffVisible {
			t.Errorf("no word-level diff is visible")
		}
		sel := "main li details:has(del, ins) > summary"
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("opening a diff (%s): %v", sel, err)
		}
		d = evalJS[diff](t, ctx, jsDiff)
	}
	if d.Del == "" || d.Ins == "" {
		t.Errorf("diff shows <del>%q and <ins>%q, want both", d.Del, d.Ins)
	}
	if !strings.Contains(d.DelLine, "line-through") {
		t.Errorf("<del>%s</del> has text-decoration %q, want line-through", d.Del, d.DelLine)
	}
	if !strings.Contains(d.InsLine, "underline") {
		t.Errorf("<ins>%s</ins> has text-decoration %q, want underline", d.Ins, d.InsLine)
	}
}

// distinct returns the distinct strings of list, sorted.
func distinct(list []string) []string {
	list = slices.Clone(list)
	slices.Sort(list)
	return slices.Compact(list)
}

// checkFocus tabs through the first links with the keyboard and checks
// that each shows a focus outline, starting with a link to <main>.
func (r *reader) checkFocus(t checker, ctx context.Context) {
	type focused struct {
		Tag, Text, Href     string
		ToMain, InView      bool
		OutlineStyle        string
		OutlineWidth        float64
		BoxShadow           string
		Ring, Behind, Color []float64
	}
	for i := range 3 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatalf("%v", err)
		}
		f := evalJS[*focused](t, ctx, `() => {
			const e = document.activeElement;
			if (!e || e === document.body) return null;
			const s = getComputedStyle(e), r = e.getBoundingClientRect();
			const to = e.hash && document.getElementById(e.hash.slice(1));
			return {tag: e.tagName.toLowerCase(), text: text(e), href: e.getAttribute('href') ?? '',
				toMain: !!to && to.tagName === 'MAIN',
				inView: r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth,
				outlineStyle: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth), boxShadow: s.boxShadow,
				ring: rgba(s.outlineColor), behind: backdrop(e.parentElement)};
		}`)
		if f == nil {
			t.Fatalf("Tab %d focuses nothing", i+1)
		}
		if i == 0 && !f.ToMain {
			t.Errorf("first Tab focuses <%s href=%q>%s, want a skip link to <main>", f.Tag, f.Href, f.Text)
		}
		if !f.InView {
			t.Errorf("Tab %d focuses <%s>%s, which is not on screen", i+1, f.Tag, f.Text)
		}
		if (f.OutlineStyle == "none" || f.OutlineWidth < 1) && f.BoxShadow == "none" {
			t.Errorf("Tab %d focuses <%s>%s with no visible outline (outline-style %s, width %.1f px)",
				i+1, f.Tag, f.Text, f.OutlineStyle, f.OutlineWidth)
		} else if len(f.Ring) == 4 && len(f.Behind) == 4 {
			t.Logf("focus ring on <%s>%s: contrast %.2f against its background", f.Tag, f.Text,
				contrast(composite(f.Ring, f.Behind), f.Behind))
		}
	}
}

// A colorSample is the colour of some text and of what is behind it.
type colorSample struct {
	Name   string
	FG, BG []float64
}

// colorSamples are the texts whose contrast checkColors measures: the
// name, a CSS selector for the first visible one, the colour property
// and whether it must reach 4.5:1 (otherwise it is only logged).
var colorSamples = []struct {
	name, sel, prop string
	required        bool
}{
	{"body text", "body", "color", true},
	{"paragraph", "main p", "color", true},
	{"link", "main p a", "color", true},
	{"heading", "main h1", "color", true},
	{"header", "body > header a", "color", true},
	{"footer", "body > footer p", "color", true},
	{"muted", "main .muted", "color", false},
	{"badge", "main .badge", "color", false},
	{"deleted", "main del", "color", false},
	{"inserted", "main ins", "color", false},
	{"chart value", "main svg text", "fill", false},
	{"table heading", "main th", "color", false},
}

// checkColors checks contrast in the light and the dark colour scheme,
// and that the dark scheme is dark.
func (r *reader) checkColors(t checker, ctx context.Context) {
	defer chromedp.Do(ctx, colorScheme(""))
	var args [][3]string
	for _, s := range colorSamples {
		args = append(args, [3]string{s.name, s.sel, s.prop})
	}
	for _, scheme := range []string{"light", "dark"} {
		if err := chromedp.Do(ctx, colorScheme(scheme)); err != nil {
			t.Fatalf("%v", err)
		}
		samples := evalJS[[]colorSample](t, ctx, `samples => samples.map(([name, sel, prop]) => {
			const e = sel === 'body' ? document.body : first(sel);
			return e ? {name, fg: ink(e, prop), bg: backdrop(e)} : {name};
		})`, args)
		for i, s := range samples {
			if len(s.FG) != 4 || len(s.BG) != 4 {
				continue // the page has no such text
			}
			c := contrast(s.FG, s.BG)
			switch {
			case c < 4.5 && colorSamples[i].required:
				t.Errorf("%s: %s %s on %s has contrast %.2f, want at least 4.5", scheme, s.Name, cssColor(s.FG), cssColor(s.BG), c)
			case c < 4.5:
				t.Logf("%s: %s %s on %s has contrast %.2f", scheme, s.Name, cssColor(s.FG), cssColor(s.BG), c)
			}
			if s.Name == "body text" && scheme == "dark" {
				if l := luminance(s.BG); l >= 0.2 {
					t.Errorf("dark: body background %s has luminance %.2f, want below 0.2", cssColor(s.BG), l)
				}
				if l := luminance(s.FG); l <= 0.4 {
					t.Errorf("dark: body text %s has luminance %.2f, want above 0.4", cssColor(s.FG), l)
				}
			}
		}
	}
}

// composite lays the colour top over the opaque colour under.
func composite(top, under []float64) []float64 {
	c := make([]float64, 4)
	for i := range 3 {
		c[i] = top[i]*top[3] + under[i]*(1-top[3])
	}
	c[3] = 1
	return c
}

// luminance is the WCAG 2 relative luminance of an sRGB colour.
func luminance(c []float64) float64 {
	var l [3]float64
	for i := range 3 {
		v := c[i] / 255
		if v <= 0.04045 {
			l[i] = v / 12.92
		} else {
			l[i] = math.Pow((v+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*l[0] + 0.7152*l[1] + 0.0722*l[2]
}

// contrast is the WCAG 2 contrast ratio of two opaque colours.
func contrast(a, b []float64) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

// cssColor formats a colour as CSS.
func cssColor(c []float64) string {
	return fmt.Sprintf("rgb(%.0f %.0f %.0f)", c[0], c[1], c[2])
}

// checkMobile reloads the page at urlPath on a 375 px wide phone and
// checks that nothing makes the page scroll sideways. Wide content may
// scroll inside its own container (a table in .table-scroll).
func (r *reader) checkMobile(t checker, ctx context.Context, urlPath string) {
	if err := chromedp.Do(ctx, viewport(375, 812, true), chromedp.Navigate(r.base+urlPath)); err != nil {
		t.Fatalf("%v", err)
	}
	defer chromedp.Do(ctx, viewport(1280, 900, false))
	m := evalJS[struct {
		Width, ScrollWidth float64
		Wide, Tiny         []string
	}](t, ctx, `() => {
		const clipped = e => {
			for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
				if (getComputedStyle(p).overflowX !== 'visible') return true;
			return false;
		};
		const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
			[...e.classList].map(c => '.' + c).join('') + ' ' + JSON.stringify(text(e).slice(0, 40));
		const wide = [...document.body.querySelectorAll('*')].filter(e => {
			const r = e.getBoundingClientRect();
			return r.width > 0 && (r.right > innerWidth + 1 || r.left < -1) && !clipped(e);
		});
		const tiny = [...document.body.querySelectorAll('*')].filter(e => shown(e) && !e.closest('.visually-hidden') &&
			[...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) &&
			parseFloat(getComputedStyle(e).fontSize) < 12);
		return {width: innerWidth, scrollWidth: document.documentElement.scrollWidth,
			tiny: tiny.slice(0, 5).map(e => describe(e) + ' at ' + getComputedStyle(e).fontSize),
			wide: wide.filter(e => !wide.includes(e.parentElement)).slice(0, 5)
				.map(e => describe(e) + ' spans ' + Math.round(e.getBoundingClientRect().left) + '..' +
					Math.round(e.getBoundingClientRect().right) + ' px')};
	}`)
	if m.Width != 375 {
		t.Errorf("on a 375 px phone the layout viewport is %.0f px wide (viewport meta tag?)", m.Width)
	}
	if len(m.Tiny) > 0 {
		t.Errorf("on a 375 px phone, text under 12 px: %q", m.Tiny)
	}
	if m.ScrollWidth > 376 {
		t.Errorf("on a 375 px phone the page is %.0f px wide; too wide: %q", m.ScrollWidth, m.Wide)
	} else if len(m.Wide) > 0 {
		t.Logf("on a 375 px phone these stick out (clipped): %q", m.Wide)
	}
}

// checkFilter checks a changes page's outcome groups: all shown and
// linked from the tally without scripts; with them, a button per
// outcome that shows its group alone, says so to screen readers, and
// a button that shows them all again.
func (r *reader) checkFilter(t checker, ctx context.Context) {
	f := evalJS[struct {
		Filter, NavShown bool
		Picked, Pressed  string
		Status           string
		All, One, Again  []string
	}](t, ctx, `() => {
		const bar = first('.filter'), nav = document.querySelector('nav.outcomes');
		const groups = () => [...document.querySelectorAll('section.fate-group')].filter(shown).map(g => g.id);
		const all = groups();
		if (!bar) return {filter: false, navShown: shown(nav), all};
		const buttons = [...bar.querySelectorAll('button')];
		const pick = buttons[buttons.length - 1];
		pick.click();
		const one = groups(), pressed = pick.getAttribute('aria-pressed');
		const status = document.querySelector('main [role=status]')?.textContent ?? '';
		buttons[0].click();
		return {filter: true, navShown: shown(nav), picked: pick.dataset.group, pressed, status, all, one, again: groups()};
	}`)
	if len(f.All) < 2 {
		t.Errorf("changes page shows outcome groups %q, want two or more", f.All)
	}
	if noJS, _ := ctx.Value(noScripts{}).(bool); noJS {
		if !f.NavShown || f.Filter {
			t.Errorf("without scripts, the tally shows: %v, a filter shows: %v; want the tally alone", f.NavShown, f.Filter)
		}
		return
	}
	switch {
	case !f.Filter || f.NavShown:
		t.Errorf("with scripts, a filter shows: %v, the tally's links: %v; want the filter alone", f.Filter, f.NavShown)
	case !slices.Equal(f.One, []string{f.Picked}) || f.Pressed != "true":
		t.Errorf("the filter button of %s shows the groups %q (pressed %q), want that group alone", f.Picked, f.One, f.Pressed)
	case !strings.HasPrefix(f.Status, "Showing "):
		t.Errorf("the filter tells screen readers %q, want \"Showing …\"", f.Status)
	case !slices.Equal(f.Again, f.All):
		t.Errorf("after All, the groups shown are %q, want %q", f.Again, f.All)
	}
}

// screenshot saves full-page PNGs of the page at urlPath, width px wide,
// in the light and the dark scheme, as DIR/NAME-WIDTH-SCHEME.png.
func (r *reader) screenshot(t *testing.T, name, urlPath string, width int64) {
	t.Helper()
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatalf("%v", err)
	}
	for _, scheme := range []string{"light", "dark"} {
		ctx := r.open(t, urlPath, false)
		err := chromedp.Do(ctx, viewport(width, 900, width < 600), colorScheme(scheme), chromedp.Navigate(r.base+urlPath))
		if err != nil {
			t.Fatalf("loading %s: %v", urlPath, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", urlPath, err)
		}
		file := filepath.Join(*screenshots, fmt.Sprintf("%s-%d-%s.png", name, width, scheme))
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatalf("%v", err)
		}
	}
}
