package site_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"github.com/explainer/explainer/site"
	"github.com/explainer/explainer/site/sitetest"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the want/ files and errors of testdata/build/*.txtar")

// build builds the project in src, failing the test on errors.
func build(t *testing.T, src fs.FS, opts site.Options) *site.Output {
	t.Helper()
	out, err := site.Build(context.Background(), src, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return out
}

// TestDefaultExplainer builds the repository's own explainer and checks
// that every internal link resolves to a file and every fragment to an id.
func TestDefaultExplainer(t *testing.T) {
	src := os.DirFS("..")
	out := build(t, src, site.Options{BaseURL: "https://example.org/ukraine-plan"})
	if len(out.Warnings) > 0 {
		t.Errorf("default explainer has warnings:\n%v", out.Warnings)
	}
	checkLinks(t, out, "/ukraine-plan")
	for _, want := range []string{
		"index.html", "404.html", "sitemap.xml", "feed.xml", "data/explainer.json",
		"documents/index.html", "documents/us-28/index.html", "documents/us-28/21/index.html",
		"documents/e3-counter/changes/index.html", "topics/army-size/index.html",
		"actors/russia/index.html", "sources/index.html", "timeline/index.html", "css/site.css",
	} {
		if _, ok := out.File(want); !ok {
			t.Errorf("output lacks %s", want)
		}
	}
	if err := fstest.TestFS(out, "index.html", "documents/us-28/index.html", "css/site.css"); err != nil {
		t.Errorf("Output is not a valid fs.FS: %v", err)
	}
	switch report, err := site.Check(context.Background(), src, site.Options{}); {
	case err != nil:
		t.Errorf("Check: %v", err)
	case len(report.Warnings) > 0 || report.Pages != out.Pages:
		t.Errorf("Check: %d pages and warnings %v; want %d pages and no problems", report.Pages, report.Warnings, out.Pages)
	}
}

// sameFiles reports how got differs from want: its list of files, or
// the content of each.
func sameFiles(t *testing.T, what string, want, got *site.Output) {
	t.Helper()
	if diff := cmp.Diff(want.Names(), got.Names()); diff != "" {
		t.Fatalf("%s: file lists differ (-want +got):\n%s", what, diff)
	}
	for _, name := range want.Names() {
		a, _ := want.File(name)
		b, _ := got.File(name)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: %s differs (-want +got):\n%s", what, name, cmp.Diff(string(a), string(b)))
		}
	}
}

// TestDeterministic builds the default explainer twice and compares.
func TestDeterministic(t *testing.T) {
	src := os.DirFS("..")
	a := build(t, src, site.Options{BaseURL: "https://example.org/"})
	b := build(t, src, site.Options{BaseURL: "https://example.org/"})
	sameFiles(t, "two builds of the same input", a, b)
}

// TestLineEnds builds the basic fixture as written, with CRLF line ends,
// and with spaces after its front matter fences: the sites must be the
// same (SECURITY-CHECKLIST.md, 35).
func TestLineEnds(t *testing.T) {
	lf := sitetest.Project(t, "testdata/build/basic.txtar")
	want := build(t, lf, site.Options{})
	crlf, spaced := fstest.MapFS{}, fstest.MapFS{}
	for name, f := range lf {
		crlf[name] = &fstest.MapFile{Data: bytes.ReplaceAll(f.Data, []byte("\n"), []byte("\r\n"))}
		data := f.Data
		if strings.HasSuffix(name, ".md") {
			data = bytes.ReplaceAll(data, []byte("---\n"), []byte("---  \n"))
		}
		spaced[name] = &fstest.MapFile{Data: data}
	}
	sameFiles(t, "CRLF line ends", want, build(t, crlf, site.Options{}))
	sameFiles(t, "spaces after the fences", want, build(t, spaced, site.Options{}))
}

var (
	attrRE = regexp.MustCompile(`\s(href|src)="([^"]*)"`)
	idRE   = regexp.MustCompile(`\sid="([^"]*)"`)
)

// checkLinks checks every internal href and src of every HTML page.
// basePath is the path of the base URL, which the 404 page's
// root-absolute links start with.
func checkLinks(t *testing.T, out *site.Output, basePath string) {
	t.Helper()
	ids := map[string]map[string]bool{}
	pageIDs := func(name string) map[string]bool {
		if m, ok := ids[name]; ok {
			return m
		}
		data, _ := out.File(name)
		m := map[string]bool{}
		for _, match := range idRE.FindAllSubmatch(data, -1) {
			id := string(match[1])
			if m[id] {
				t.Errorf("%s: duplicate id %q", name, id)
			}
			m[id] = true
		}
		ids[name] = m
		return m
	}
	checked := 0
	for _, name := range out.Names() {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		data, _ := out.File(name)
		for _, m := range attrRE.FindAllSubmatch(data, -1) {
			raw := strings.ReplaceAll(string(m[2]), "&amp;", "&")
			u, err := url.Parse(raw)
			if err != nil {
				t.Errorf("%s: bad URL %q: %v", name, raw, err)
				continue
			}
			if u.Scheme != "" || u.Host != "" {
				continue // external
			}
			target := name
			if u.Path != "" {
				if strings.HasPrefix(u.Path, "/") {
					if name != "404.html" {
						t.Errorf("%s: root-absolute link %q", name, raw)
					}
					target = strings.TrimPrefix(strings.TrimPrefix(u.Path, basePath), "/")
				} else {
					target = path.Join(path.Dir(name), u.Path)
				}
				if strings.HasSuffix(u.Path, "/") || target == "." {
					target = path.Join(target, "index.html")
				}
				if strings.HasPrefix(target, "../") {
					t.Errorf("%s: link %q leaves the site", name, raw)
					continue
				}
			}
			if _, ok := out.File(target); !ok {
				t.Errorf("%s: link %q: no file %s", name, raw, target)
				continue
			}
			checked++
			if u.Fragment != "" && strings.HasSuffix(target, ".html") && !pageIDs(target)[u.Fragment] {
				t.Errorf("%s: link %q: no id %q in %s", name, raw, u.Fragment, target)
			}
		}
	}
	if checked == 0 {
		t.Errorf("no internal links checked")
	}
}

// TestBuildCases runs the txtar cases in testdata/build: each holds a
// project (content/..., templates/..., static/...) and either an errors
// file with the exact problems, or want/... files with expected output.
func TestBuildCases(t *testing.T) {
	files, _ := filepath.Glob("testdata/build/*.txtar")
	if len(files) == 0 {
		t.Fatal("no test cases")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			src := fstest.MapFS{}
			wantFiles := map[string]string{}
			var wantErrs *string
			strict := false
			for _, f := range ar.Files {
				switch {
				case f.Name == "errors":
					s := string(f.Data)
					wantErrs = &s
				case f.Name == "strict":
					strict = true
				case strings.HasPrefix(f.Name, "want/"):
					wantFiles[strings.TrimPrefix(f.Name, "want/")] = string(f.Data)
				default:
					src[f.Name] = &fstest.MapFile{Data: f.Data}
				}
			}
			out, err := site.Build(context.Background(), src, site.Options{Strict: strict})
			var got string
			if err != nil {
				got = err.Error() + "\n"
			} else if len(out.Warnings) > 0 {
				got = out.Warnings.Error() + "\n"
			}
			if *update {
				rewrite(t, file, ar, got, out)
				return
			}
			// Check finds what Build finds, and counts the pages it writes.
			report, err := site.Check(context.Background(), src, site.Options{Strict: strict})
			checked := ""
			if err != nil {
				checked = err.Error() + "\n"
			} else if len(report.Warnings) > 0 {
				checked = report.Warnings.Error() + "\n"
			}
			if diff := cmp.Diff(got, checked); diff != "" {
				t.Errorf("Check and Build find different problems (-build +check):\n%s", diff)
			}
			if out != nil && report != nil && report.Pages != out.Pages {
				t.Errorf("Check counts %d pages, Build writes %d", report.Pages, out.Pages)
			}
			if wantErrs != nil || got != "" {
				want := ""
				if wantErrs != nil {
					want = *wantErrs
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("problems differ (-want +got):\n%s", diff)
				}
			}
			if out == nil {
				if len(wantFiles) > 0 {
					t.Errorf("build failed but want/ files are given")
				}
				return
			}
			if wantErrs == nil && len(wantFiles) == 0 {
				t.Errorf("case checks nothing: add an errors file or want/ files (go test -update)")
			}
			for name, want := range wantFiles {
				data, ok := out.File(name)
				if !ok {
					t.Errorf("output lacks %s", name)
					continue
				}
				if diff := cmp.Diff(want, string(data)); diff != "" {
					t.Errorf("%s differs (-want +got):\n%s", name, diff)
				}
			}
			checkLinks(t, out, "")
		})
	}
}

// rewrite updates a case's expectations from the current output: its
// errors file, and the want/ files it already names (every page of the
// output, when it names none).
func rewrite(t *testing.T, file string, ar *txtar.Archive, problems string, out *site.Output) {
	t.Helper()
	var keep []txtar.File
	var wanted []string
	for _, f := range ar.Files {
		switch {
		case f.Name == "errors":
		case strings.HasPrefix(f.Name, "want/"):
			wanted = append(wanted, strings.TrimPrefix(f.Name, "want/"))
		default:
			keep = append(keep, f)
		}
	}
	if problems != "" {
		keep = append(keep, txtar.File{Name: "errors", Data: []byte(problems)})
	}
	if out != nil {
		if len(wanted) == 0 {
			for _, n := range out.Names() {
				if strings.HasSuffix(n, ".html") || strings.HasSuffix(n, ".json") || strings.HasSuffix(n, ".xml") {
					wanted = append(wanted, n)
				}
			}
		}
		slices.Sort(wanted)
		for _, n := range wanted {
			data, ok := out.File(n)
			if !ok {
				continue
			}
			keep = append(keep, txtar.File{Name: "want/" + n, Data: data})
		}
	}
	ar.Files = keep
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "updated %s\n", file)
}

// TestBuildTo checks that BuildTo writes exactly the files Build makes,
// and the same errors, for every project of testProjects, keeps none, and
// stops at the first failed write.
func TestBuildTo(t *testing.T) {
	custom := manySections(70)
	section, err := os.ReadFile("../templates/section.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	// A section page of the project's own that shows its Markdown and the
	// next section's HTML, which a lean build would have let go of.
	custom["templates/section.tmpl"] = &fstest.MapFile{Data: bytes.Replace(section,
		[]byte(`<div class="prose">{{.Body.HTML}}</div>`),
		[]byte(`<div class="prose">{{.Body.HTML}}</div><pre>{{.Body.Text}}</pre>{{with $.Next}}{{.Body.HTML}}{{end}}`), 1)}
	if bytes.Equal(custom["templates/section.tmpl"].Data, section) {
		t.Fatal("templates/section.tmpl: no body to add to")
	}
	projects := append(testProjects(t), testProject{
		// More sections than the feed shows, with headings, links
		// between them and a feed: a lean build drops the HTML of some
		// sections but not of others.
		name: "many-sections", src: manySections(70), opts: site.Options{BaseURL: "https://example.org/news/"}, themed: true,
	}, testProject{name: "custom-template", src: custom, opts: site.Options{BaseURL: "https://example.org/"}})
	for _, p := range projects {
		t.Run(p.name, func(t *testing.T) {
			want, wantErr := site.Build(context.Background(), p.src, p.opts)
			var mu sync.Mutex
			got := map[string][]byte{}
			out, err := site.BuildTo(context.Background(), p.src, p.opts, func(name string, parts [][]byte) error {
				mu.Lock()
				defer mu.Unlock()
				if _, dup := got[name]; dup {
					t.Errorf("%s written twice", name)
				}
				got[name] = bytes.Join(parts, nil)
				return nil
			})
			if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
				t.Fatalf("BuildTo = %v; Build = %v", err, wantErr)
			}
			if err != nil {
				if !strings.HasPrefix(p.name, "errors-") {
					t.Fatal(err)
				}
				return
			}
			if names := out.Names(); len(names) != 0 {
				t.Errorf("BuildTo kept %d files, want none", len(names))
			}
			if out.Pages != want.Pages || len(out.Warnings) != len(want.Warnings) {
				t.Errorf("BuildTo: %d pages, %d warnings; Build: %d, %d", out.Pages, len(out.Warnings), want.Pages, len(want.Warnings))
			}
			if diff := cmp.Diff(want.Names(), slices.Sorted(maps.Keys(got))); diff != "" {
				t.Errorf("files written (-Build +BuildTo):\n%s", diff)
			}
			for _, name := range want.Names() {
				data, _ := want.File(name)
				if !bytes.Equal(data, got[name]) {
					t.Errorf("%s differs between Build and BuildTo (-Build +BuildTo):\n%s", name, cmp.Diff(string(data), string(got[name])))
				}
			}
		})
	}

	src := os.DirFS("..")
	opts := site.Options{BaseURL: "https://example.org/"}
	failed := errors.New("disk full")
	var calls atomic.Int64
	_, err = site.BuildTo(context.Background(), src, opts, func(name string, parts [][]byte) error {
		calls.Add(1)
		return failed
	})
	if !errors.Is(err, failed) {
		t.Errorf("BuildTo with failing writes: %v, want %v", err, failed)
	}
	if n := calls.Load(); n > int64(runtime.GOMAXPROCS(0)) {
		t.Errorf("%d writes after the first failed, want the build stopped", n-1)
	}
}

// TestCompiledTemplates holds the pages that tmplexec renders to the
// ones html/template renders, byte for byte: for the default explainer
// under several options, for every txtar case that builds (some with
// templates of their own), and for the corpus named by EXPLAINER_CORPUS,
// if any. A copy of the project with a layout of its own, the embedded
// one with a comment added, has html/template render every page.
func TestCompiledTemplates(t *testing.T) {
	projects := testProjects(t)
	built := 0
	for _, p := range projects {
		t.Run(p.name, func(t *testing.T) {
			fast, err := site.Build(context.Background(), p.src, p.opts)
			standard, stdErr := site.Build(context.Background(), ownLayout(t, p.src), p.opts)
			if (err == nil) != (stdErr == nil) || err != nil && err.Error() != stdErr.Error() {
				t.Fatalf("Build = %v; with html/template alone: %v", err, stdErr)
			}
			if err != nil {
				return
			}
			built++
			sameFiles(t, "html/template (-) and tmplexec (+)", standard, fast)
		})
	}
	if built < 5 {
		t.Errorf("only %d projects built", built)
	}
}

// A testProject is a project that tests build in more than one way and
// compare.
type testProject struct {
	name   string
	src    fs.FS
	opts   site.Options
	themed bool // only the default theme
}

// testProjects returns the default explainer under several options, every
// txtar case (some fail, some have templates of their own), and the
// corpus named by EXPLAINER_CORPUS, if any.
func testProjects(t *testing.T) []testProject {
	projects := []testProject{
		{"default", os.DirFS(".."), site.Options{}, true},
		{"default-base-url", os.DirFS(".."), site.Options{BaseURL: "https://example.org/x/", LiveReload: "/_live.js"}, true},
	}
	if dir := os.Getenv("EXPLAINER_CORPUS"); dir != "" {
		projects = append(projects, testProject{"corpus", os.DirFS(dir), site.Options{BaseURL: "https://example.org/"}, true})
	}
	files, _ := filepath.Glob("testdata/build/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src := fstest.MapFS{}
		themed := true
		for _, f := range ar.Files {
			if strings.HasPrefix(f.Name, "content/") || strings.HasPrefix(f.Name, "templates/") || strings.HasPrefix(f.Name, "static/") {
				src[f.Name] = &fstest.MapFile{Data: f.Data}
			}
			themed = themed && !strings.HasPrefix(f.Name, "templates/")
		}
		projects = append(projects, testProject{strings.TrimSuffix(filepath.Base(file), ".txtar"), src, site.Options{}, themed})
	}
	return projects
}

// manySections returns a project of n sections, each with a heading,
// a link to the next and an update date of its own.
func manySections(n int) fstest.MapFS {
	src := fstest.MapFS{
		"content/_index.md": {Data: []byte("---\ntitle: Many sections\ndescription: A test.\npublished: 2026-01-01\nupdated: 2026-02-01\n---\nSee [the first one](section:s01).\n")},
	}
	for i := 1; i <= n; i++ {
		next := fmt.Sprintf("s%02d", i%n+1)
		src[fmt.Sprintf("content/sections/%02d-s%02d.md", i, i)] = &fstest.MapFile{Data: []byte(fmt.Sprintf(
			"---\ntitle: Question %d?\nupdated: 2026-01-%02d\n---\n## Part %d\n\nSee [the next one](section:%s) and [the home page](/).\n",
			i, i%28+1, i, next))}
	}
	return src
}

// ownLayout returns a copy of src whose templates/base.tmpl is its own:
// the one src has, or the embedded one, with a comment added, which
// renders nothing.
func ownLayout(t *testing.T, src fs.FS) fstest.MapFS {
	t.Helper()
	out := copyFS(t, src)
	var base []byte
	if f := out["templates/base.tmpl"]; f != nil {
		base = f.Data
	} else {
		var err error
		if base, err = os.ReadFile("../templates/base.tmpl"); err != nil {
			t.Fatal(err)
		}
	}
	out["templates/base.tmpl"] = &fstest.MapFile{Data: append(slices.Clip(base), "{{/* the project's own */}}"...)}
	return out
}

// TestBadBaseURLOption: Options.BaseURL is checked as the base_url field
// and the -base-url flag are, before the project is read.
func TestBadBaseURLOption(t *testing.T) {
	for _, u := range []string{"javascript:alert(1)//", "example.org", "https://user@example.org"} {
		_, err := site.Build(context.Background(), fstest.MapFS{}, site.Options{BaseURL: u})
		if err == nil || !strings.Contains(err.Error(), "base URL") {
			t.Errorf("BaseURL %q: error %v, want one about the base URL (an empty project would fail otherwise)", u, err)
		}
	}
}
