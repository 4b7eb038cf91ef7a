package site_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
)

// auditDir returns the folder where npm installed axe-core and vnu-jar
// ($EXPLAINER_AUDIT, or ~/.cache/explainer-audit, where .ci/run puts
// them). Without them the audits skip, unless $CI is set. Under the race
// detector they skip too: they judge pages, not goroutines, and CI runs
// them once already.
func auditDir(t *testing.T) string {
	t.Helper()
	if raceEnabled {
		t.Skip("the audits judge pages, not goroutines: run without -race")
	}
	dir := os.Getenv("EXPLAINER_AUDIT")
	if dir == "" {
		home, _ := os.UserHomeDir()
		dir = filepath.Join(home, ".cache", "explainer-audit")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")); err != nil {
		msg := "no axe-core or vnu-jar: npm install --prefix ~/.cache/explainer-audit axe-core vnu-jar (see .ci/run), or set $EXPLAINER_AUDIT"
		if os.Getenv("CI") != "" {
			t.Fatal(msg + "; CI must run the audits")
		}
		t.Skip(msg)
	}
	return dir
}

// auditCases are the explainers the audits judge: the default one and
// a fixture with every kind of page.
func auditCases(t *testing.T) map[string]fs.FS {
	return map[string]fs.FS{
		"default": os.DirFS(".."),
		"fixture": sitetest.Project(t, "testdata/build/basic.txtar"),
	}
}

// auditPages returns the URL path of every page of out.
func auditPages(out *site.Output) []string {
	var paths []string
	fs.WalkDir(out, ".", func(name string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(name, ".html") {
			paths = append(paths, "/"+strings.TrimSuffix(name, "index.html"))
		}
		return nil
	})
	slices.Sort(paths)
	return paths
}

// pageKind names the kind of the page at urlPath: its path with every
// slug past the first folder replaced by "*", so /documents/us-28/21/
// is of kind /documents/*/*/.
func pageKind(urlPath string) string {
	parts := strings.Split(strings.Trim(urlPath, "/"), "/")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "changes" {
			parts[i] = "*"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// axeOptions runs WCAG 2.1 A and AA, best practice, and WCAG 2.2 AA
// (whose rule is target size).
const axeOptions = `{runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}, resultTypes: ['violations']}`

// axeViolation is one rule a page breaks, with where.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  []any  `json:"target"`
		Summary string `json:"failureSummary"`
	} `json:"nodes"`
}

func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s): %s", v.ID, v.Impact, v.Help)
	for i, n := range v.Nodes {
		if i == 3 {
			fmt.Fprintf(&b, "\n\t… and %d more", len(v.Nodes)-i)
			break
		}
		fmt.Fprintf(&b, "\n\t%v: %s", n.Target, strings.ReplaceAll(n.Summary, "\n", " "))
	}
	return b.String()
}

// axeRun loads axe-core into the page in ctx and returns what it finds.
func axeRun(t checker, ctx context.Context, axe string) []axeViolation {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		axe+"\n;axe.run(document, "+axeOptions+").then(r => r.violations)", chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe-core: %v", err)
	}
	return v
}

// TestAxe runs axe-core in Chromium over every page of the default
// explainer and of a fixture at 1280 px in light mode, and over one page
// of each kind in dark mode and at 375 px too, and expects no violation.
func TestAxe(t *testing.T) {
	dir := auditDir(t)
	raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	axe := string(raw)
	browser := sitetest.Browser(t)
	for name, src := range auditCases(t) {
		t.Run(name, func(t *testing.T) {
			out := build(t, src, site.Options{})
			srv := httptest.NewServer(http.FileServerFS(out))
			t.Cleanup(srv.Close)
			seen := map[string]bool{}
			for _, path := range auditPages(out) {
				modes := []string{"light-1280"}
				if kind := pageKind(path); !seen[kind] {
					seen[kind] = true
					modes = append(modes, "dark-1280", "light-375", "dark-375")
				}
				name := strings.Trim(path, "/")
				if name == "" {
					name = "home"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					for _, mode := range modes {
						scheme, width, _ := strings.Cut(mode, "-")
						ctx := openAt(t, browser, srv.URL+path, scheme, width == "375")
						for _, v := range axeRun(t, ctx, axe) {
							t.Errorf("%s, %s: %v", path, mode, v)
						}
					}
				})
			}
		})
	}

	// The audit must be able to fail.
	t.Run("broken", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprint(w, `<!doctype html><html><title>x</title><img src="x.png"><a href="/"></a>`)
		}))
		t.Cleanup(srv.Close)
		ctx := openAt(t, browser, srv.URL, "light", false)
		var ids []string
		for _, v := range axeRun(t, ctx, axe) {
			ids = append(ids, v.ID)
		}
		for _, want := range []string{"html-has-lang", "image-alt", "link-name"} {
			if !slices.Contains(ids, want) {
				t.Errorf("axe-core missed %s in a broken page; found %v", want, ids)
			}
		}
	})
}

// openAt loads url in a new tab, in the colour scheme given, at 1280×900
// or as a 375×812 phone.
func openAt(t *testing.T, browser context.Context, url, scheme string, phone bool) context.Context {
	t.Helper()
	ctx, cancelTab := chromedp.NewContext(browser)
	t.Cleanup(cancelTab)
	ctx, cancel := context.WithTimeout(ctx, pageTimeout)
	t.Cleanup(cancel)
	size := viewport(1280, 900, false)
	if phone {
		size = viewport(375, 812, true)
	}
	if err := chromedp.Do(ctx, size, colorScheme(scheme), chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	return ctx
}

// vnuMessage is one message of the Nu Html Checker.
type vnuMessage struct {
	Type    string `json:"type"`
	SubType string `json:"subType"`
	URL     string `json:"url"`
	Line    int    `json:"lastLine"`
	Column  int    `json:"firstColumn"`
	Message string `json:"message"`
	Extract string `json:"extract"`
}

// vnu runs the Nu Html Checker over the HTML and CSS files under each of
// dirs, and returns its messages.
func vnu(t *testing.T, jar string, dirs ...string) []vnuMessage {
	t.Helper()
	args := append([]string{"-jar", jar, "--format", "json", "--exit-zero-always", "--also-check-css", "--also-check-svg", "--skip-non-html"}, dirs...)
	cmd := exec.Command("java", args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if _, err := cmd.Output(); err != nil {
		t.Fatalf("java %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var report struct{ Messages []vnuMessage }
	if err := json.Unmarshal([]byte(stderr.String()), &report); err != nil {
		t.Fatalf("reading the Nu Html Checker's report: %v\n%s", err, stderr.String())
	}
	return report.Messages
}

// TestNuHTML runs the Nu Html Checker (vnu-jar) over every page and the
// stylesheet of the default explainer and of a fixture, and expects no
// message at all: no error, no warning, no note.
func TestNuHTML(t *testing.T) {
	dir := auditDir(t)
	if _, err := exec.LookPath("java"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("no java: apt-get install default-jre-headless; CI must run the audits")
		}
		t.Skip("no java: apt-get install default-jre-headless")
	}
	jar := filepath.Join(dir, "node_modules", "vnu-jar", "build", "dist", "vnu.jar")
	root := t.TempDir()
	var dirs []string
	for name, src := range auditCases(t) {
		d := filepath.Join(root, name)
		if err := os.CopyFS(d, build(t, src, site.Options{})); err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, d)
	}
	// A page and a stylesheet the checker must fault, to see that it ran.
	broken := filepath.Join(root, "broken")
	os.MkdirAll(broken, 0o755)
	os.WriteFile(filepath.Join(broken, "index.html"), []byte(`<!doctype html><html lang="en"><title>x</title><p><div></div></p>`), 0o644)
	os.WriteFile(filepath.Join(broken, "site.css"), []byte(`p { colour: red; }`), 0o644)
	faulted := map[string]bool{}
	for _, m := range vnu(t, jar, append(dirs, broken)...) {
		if strings.HasPrefix(m.URL, "file:"+broken) {
			faulted[filepath.Base(m.URL)] = true
			continue
		}
		t.Errorf("%s:%d:%d: %s %s: %s\n\t%s", strings.TrimPrefix(m.URL, "file:"+root+"/"), m.Line, m.Column, m.Type, m.SubType, m.Message, m.Extract)
	}
	for _, f := range []string{"index.html", "site.css"} {
		if !faulted[f] {
			t.Errorf("the Nu Html Checker found nothing wrong with a broken %s: is it checking?", f)
		}
	}
}
