package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// smallProject is a minimal explainer project: a lede and two sections.
var smallProject = map[string]string{
	"content/_index.md":            "---\ntitle: A small explainer\n---\nThe lede.\n",
	"content/sections/01-keep.md":  "---\ntitle: What stays?\n---\nThis section stays.\n",
	"content/sections/02-stale.md": "---\ntitle: What goes?\n---\nThis section is removed after the first build.\n",
}

// brokenIndex is a content/_index.md whose front matter is not YAML.
const brokenIndex = "---\ntitle: [\n---\nThe lede.\n"

var (
	builtRE       = regexp.MustCompile(`^built [1-9][0-9]* pages? in [0-9.]+(µs|ms|s)\n$`)
	buildFailedRE = regexp.MustCompile(`\nbuild failed: [1-9][0-9]* errors?(, [1-9][0-9]* warnings?)?\n$`)
)

// newSmallProject writes smallProject into a fresh directory and returns
// the directory and the project in it.
func newSmallProject(t *testing.T) (root, project string) {
	t.Helper()
	root = t.TempDir()
	project = filepath.Join(root, "proj")
	writeFiles(t, project, smallProject)
	return root, project
}

// manifestMatches checks that the manifest in out lists exactly the files
// out holds, besides itself.
func manifestMatches(t *testing.T, out string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, manifestName))
	if err != nil {
		t.Fatalf("no manifest: %v", err)
	}
	listed := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if !slices.IsSorted(listed) {
		t.Errorf("the manifest is not sorted:\n%s", b)
	}
	var files []string
	for name, data := range snapshot(t, out) {
		if data != "dir" && name != manifestName {
			files = append(files, name)
		}
	}
	slices.Sort(files)
	if d := cmp.Diff(files, listed); d != "" {
		t.Errorf("the manifest does not list the files written (-written +listed):\n%s", d)
	}
}

func TestBuild(t *testing.T) {
	root, project := newSmallProject(t)
	out := filepath.Join(root, "public")

	stdout, stderr, code := runExplainer(t, "build", "-src", project, "-out", out)
	if code != 0 || stdout != "" || !builtRE.MatchString(stderr) {
		t.Fatalf("build: exit status %d, stdout %q, stderr %q; want 0, nothing, and one line %q", code, stdout, stderr, "built N pages in D")
	}
	for _, name := range []string{"index.html", "sections/keep/index.html", "sections/stale/index.html"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("build did not write %s: %v", name, err)
		}
	}
	manifestMatches(t, out)
	noTempDirs(t, root)

	// A second build replaces the first: the removed section's page goes.
	if err := os.Remove(filepath.Join(project, "content/sections/02-stale.md")); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := runExplainer(t, "build", "-src", project, "-out", out); code != 0 {
		t.Fatalf("second build: exit status %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "sections/stale")); err == nil {
		t.Error("the second build left the stale page sections/stale/ of the first")
	}
	if _, err := os.Stat(filepath.Join(out, "sections/keep/index.html")); err != nil {
		t.Errorf("the second build has no sections/keep/index.html: %v", err)
	}
	manifestMatches(t, out)
	noTempDirs(t, root)
}

func TestBuildDefaultOutput(t *testing.T) {
	// Without -out, the site goes to public/ in the project, wherever
	// build runs from.
	root, project := newSmallProject(t)
	for _, tt := range []struct{ cwd, src string }{{project, ""}, {root, "proj"}} {
		t.Chdir(tt.cwd)
		args := []string{"build"}
		if tt.src != "" {
			args = append(args, "-src", tt.src)
		}
		if _, stderr, code := runExplainer(t, args...); code != 0 {
			t.Fatalf("%q in %s: exit status %d, stderr:\n%s", args, tt.cwd, code, stderr)
		}
		manifestMatches(t, filepath.Join(project, "public"))
		if _, err := os.Stat(filepath.Join(root, "public")); err == nil {
			t.Errorf("%q in %s wrote public/ outside the project", args, tt.cwd)
		}
	}
}

func TestBuildFailureKeepsPrevious(t *testing.T) {
	root, project := newSmallProject(t)
	out := filepath.Join(root, "public")
	if _, stderr, code := runExplainer(t, "build", "-src", project, "-out", out); code != 0 {
		t.Fatalf("first build: exit status %d, stderr:\n%s", code, stderr)
	}
	before := snapshot(t, out)

	writeFiles(t, project, map[string]string{"content/_index.md": brokenIndex})
	stdout, stderr, code := runExplainer(t, "build", "-src", project, "-out", out)
	if code != 1 || stdout != "" {
		t.Errorf("build of broken content: exit status %d, stdout %q; want 1 and nothing", code, stdout)
	}
	if !strings.HasPrefix(stderr, "content/_index.md:") || !buildFailedRE.MatchString(stderr) {
		t.Errorf("stderr = %q, want problems at content/_index.md:LINE:COL, then %q", stderr, "build failed: N errors")
	}
	if d := cmp.Diff(before, snapshot(t, out)); d != "" {
		t.Errorf("a failed build changed the previous output (-before +after):\n%s", d)
	}
	noTempDirs(t, root)

	// A template that fails on a section page fails the build after
	// other pages were written: they go, and the output stays.
	writeFiles(t, project, map[string]string{
		"content/_index.md":      smallProject["content/_index.md"],
		"templates/section.tmpl": `{{define "main"}}{{.NoSuchField}}{{end}}`,
	})
	_, stderr, code = runExplainer(t, "build", "-src", project, "-out", out)
	if code != 1 || !strings.HasPrefix(stderr, "templates/section.tmpl:") || !buildFailedRE.MatchString(stderr) {
		t.Errorf("build with a failing template: exit status %d, stderr %q; want 1 and a problem in templates/section.tmpl", code, stderr)
	}
	if d := cmp.Diff(before, snapshot(t, out)); d != "" {
		t.Errorf("a build that failed while rendering changed the previous output (-before +after):\n%s", d)
	}
	noTempDirs(t, root)
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // written into the directory holding the project
		out   string            // relative to that directory
		want  string
	}{
		{"foreign directory", map[string]string{"public/CNAME": "example.org"}, "public", `refusing to replace public: it holds "CNAME", which no build wrote`},
		{"unlisted file", map[string]string{"public/" + manifestName: "index.html\n", "public/index.html": "x", "public/notes.txt": "mine"}, "public", `it holds "notes.txt", which no build wrote`},
		{"inside content", nil, "proj/content/public", "inside the project's content/ directory"},
		{"the project", nil, "proj", "it is the project directory"},
		{"containing the project", nil, ".", "it contains the project directory"},
		{"a home directory", map[string]string{"home/.bashrc": "# mine", "home/notes.txt": "mine"}, "home", `refusing to replace home: it holds ".bashrc", which no build wrote`},
		{"the root directory", nil, "/", "refusing to write the site to /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, project := newSmallProject(t)
			writeFiles(t, root, tt.files)
			before := snapshot(t, root)
			t.Chdir(root)
			_, stderr, code := runExplainer(t, "build", "-src", project, "-out", tt.out)
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit status %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
			if d := cmp.Diff(before, snapshot(t, root)); d != "" {
				t.Errorf("a refused build changed files (-before +after):\n%s", d)
			}
		})
	}
}

func TestBuildNoProject(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"notaproject/README": "x"})
	for _, src := range []string{"missing", "notaproject", "notaproject/README"} {
		for _, args := range [][]string{
			{"build", "-src", filepath.Join(root, src), "-out", filepath.Join(root, "public")},
			{"check", "-src", filepath.Join(root, src)},
		} {
			_, stderr, code := runExplainer(t, args...)
			if code != 1 || !strings.HasPrefix(stderr, "explainer: ") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("%s -src %s: exit status %d, stderr %q; want 1 and one line", args[0], src, code, stderr)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(root, "public")); err == nil {
		t.Error("a build without a project wrote its output directory")
	}
}

func TestWarnings(t *testing.T) {
	// An event should cite a source: the SPEC makes it a warning, an error
	// with -strict.
	files := map[string]string{"content/timeline.yaml": "- date: 2025-01-02\n  title: Something happened\n"}
	tests := []struct {
		args []string
		code int
		last *regexp.Regexp // the summary line
	}{
		{[]string{"build"}, 0, builtRE},
		{[]string{"build", "-strict"}, 1, regexp.MustCompile(`^build failed: 1 error\n$`)},
		{[]string{"check"}, 0, regexp.MustCompile(`^checked [0-9]+ pages?: 1 warning\n$`)},
		{[]string{"check", "-strict"}, 1, regexp.MustCompile(`^check failed: 1 error\n$`)},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			root, project := newSmallProject(t)
			writeFiles(t, project, files)
			args := append(tt.args, "-src", project)
			if tt.args[0] == "build" {
				args = append(args, "-out", filepath.Join(root, "public"))
			}
			_, stderr, code := runExplainer(t, args...)
			lines := strings.SplitAfter(stderr, "\n")
			if code != tt.code || len(lines) != 3 || lines[2] != "" ||
				!strings.HasPrefix(lines[0], "content/timeline.yaml:") ||
				!tt.last.MatchString(lines[1]) {
				t.Errorf("exit status %d, stderr:\n%s\nwant status %d, the problem at content/timeline.yaml, then a line matching %s", code, stderr, tt.code, tt.last)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	root, project := newSmallProject(t)
	before := snapshot(t, root)
	stdout, stderr, code := runExplainer(t, "check", "-src", project)
	if code != 0 || stdout != "" || !regexp.MustCompile(`^checked [1-9][0-9]* pages?: no problems\n$`).MatchString(stderr) {
		t.Errorf("check: exit status %d, stdout %q, stderr %q; want 0, nothing and %q", code, stdout, stderr, "checked N pages: no problems")
	}
	if d := cmp.Diff(before, snapshot(t, root)); d != "" {
		t.Errorf("check wrote files (-before +after):\n%s", d)
	}

	writeFiles(t, project, map[string]string{"content/_index.md": brokenIndex})
	before = snapshot(t, root)
	_, stderr, code = runExplainer(t, "check", "-src", project)
	if code != 1 || !strings.HasPrefix(stderr, "content/_index.md:") ||
		!regexp.MustCompile(`\ncheck failed: [1-9][0-9]* errors?(, [0-9]+ warnings?)?\n$`).MatchString(stderr) {
		t.Errorf("check of broken content: exit status %d, stderr %q; want 1, the problems, then %q", code, stderr, "check failed: N errors")
	}
	if d := cmp.Diff(before, snapshot(t, root)); d != "" {
		t.Errorf("check wrote files (-before +after):\n%s", d)
	}
}

// TestBuildFIFO: build and check report a named pipe in content/ and
// end, where they used to block on it for ever.
func TestBuildFIFO(t *testing.T) {
	root, project := newSmallProject(t)
	if err := syscall.Mkfifo(filepath.Join(project, "content/sections/03-pipe.md"), 0o644); err != nil {
		t.Skip("no named pipes here:", err)
	}
	for _, args := range [][]string{
		{"build", "-src", project, "-out", filepath.Join(root, "out")},
		{"check", "-src", project},
	} {
		done := make(chan struct{})
		var stderr strings.Builder
		var err error
		go func() {
			defer close(done)
			err = run(context.Background(), args, io.Discard, &stderr)
		}()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("%s has not ended after 20 s", args[0])
		}
		if code := exitCode(err); code != 1 || !strings.Contains(stderr.String(), "content/sections/03-pipe.md:1:1: cannot read: a named pipe") {
			t.Errorf("%s: exit %d, stderr:\n%s", args[0], code, stderr.String())
		}
	}
}
