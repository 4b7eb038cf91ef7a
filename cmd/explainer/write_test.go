package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// newProject creates a directory holding an explainer project (only its
// content/ matters to stagedOutput) in a fresh temporary directory, and
// returns the temporary directory and the project.
func newProject(t *testing.T) (root, project string) {
	t.Helper()
	root = t.TempDir()
	project = filepath.Join(root, "proj")
	writeFiles(t, project, map[string]string{"content/_index.md": "---\ntitle: T\n---\n"})
	return root, project
}

// writeOutput replaces the output directory out with the files of site
// through a stagedOutput, as build does with what site.BuildTo hands it.
func writeOutput(ctx context.Context, out, src string, site fs.FS) error {
	st, err := stageOutput(out, src)
	if err != nil {
		return err
	}
	defer st.discard()
	err = fs.WalkDir(site, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := fs.ReadFile(site, name)
		if err != nil {
			return err
		}
		return st.write(name, [][]byte{data})
	})
	if err != nil {
		return err
	}
	return st.commit(ctx)
}

// siteFS returns an in-memory site holding files, slash path -> content.
func siteFS(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return m
}

// withManifest returns files plus the manifest that a build writing them
// leaves.
func withManifest(files map[string]string) map[string]string {
	m := map[string]string{".": "dir"}
	var names []string
	for name, data := range files {
		m[name] = data
		names = append(names, name)
		for d := filepath.ToSlash(filepath.Dir(name)); d != "."; d = filepath.ToSlash(filepath.Dir(d)) {
			m[d] = "dir"
		}
	}
	slices.Sort(names)
	m[manifestName] = ""
	for _, n := range names {
		m[manifestName] += n + "\n"
	}
	return m
}

// noTempDirs fails the test if dir holds a temporary directory of a build.
func noTempDirs(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			t.Errorf("a temporary directory was left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}

func TestWriteOutput(t *testing.T) {
	first := map[string]string{
		"index.html":               "<h1>one</h1>",
		"css/site.css":             "body{}",
		"sections/old/index.html":  "old",
		"sections/keep/index.html": "keep 1",
	}
	second := map[string]string{
		"index.html":               "<h1>two</h1>",
		"css/site.css":             "body{}",
		"sections/keep/index.html": "keep 2",
		"sections/new/index.html":  "new",
		"404.html":                 "not found",
	}
	root, project := newProject(t)
	out := filepath.Join(root, "public")
	ctx := context.Background()

	if err := writeOutput(ctx, out, project, siteFS(first)); err != nil {
		t.Fatalf("first write: %v", err)
	}
	if d := cmp.Diff(withManifest(first), snapshot(t, out)); d != "" {
		t.Errorf("after the first write (-want +got):\n%s", d)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm&0o755 != 0o755&^umask(t) {
		t.Errorf("output directory mode %v, want 0755 less the umask", perm)
	}

	// The second build replaces the first as a whole: sections/old goes.
	if err := writeOutput(ctx, out, project, siteFS(second)); err != nil {
		t.Fatalf("second write: %v", err)
	}
	if d := cmp.Diff(withManifest(second), snapshot(t, out)); d != "" {
		t.Errorf("after the second write (-want +got):\n%s", d)
	}
	noTempDirs(t, root)

	// An empty site still marks the directory as a build's.
	if err := writeOutput(ctx, out, project, siteFS(nil)); err != nil {
		t.Fatalf("third write: %v", err)
	}
	if d := cmp.Diff(withManifest(nil), snapshot(t, out)); d != "" {
		t.Errorf("after writing an empty site (-want +got):\n%s", d)
	}
	if err := writeOutput(ctx, out, project, siteFS(first)); err != nil {
		t.Fatalf("write after an empty site: %v", err)
	}
}

// umask returns the process's umask, as the mode bits of a new directory
// show it.
func umask(t *testing.T) fs.FileMode {
	t.Helper()
	d := filepath.Join(t.TempDir(), "probe")
	if err := os.Mkdir(d, 0o777); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(d)
	if err != nil {
		t.Fatal(err)
	}
	return 0o777 &^ info.Mode().Perm()
}

func TestWriteOutputIntoEmptyOrNestedDir(t *testing.T) {
	site := map[string]string{"index.html": "hi"}
	for _, out := range []string{"empty", "a/b/c"} {
		root, project := newProject(t)
		if err := os.Mkdir(filepath.Join(root, "empty"), 0o755); err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, filepath.FromSlash(out))
		if err := writeOutput(context.Background(), dir, project, siteFS(site)); err != nil {
			t.Errorf("writeOutput into %s: %v", out, err)
			continue
		}
		if d := cmp.Diff(withManifest(site), snapshot(t, dir)); d != "" {
			t.Errorf("writeOutput into %s (-want +got):\n%s", out, d)
		}
	}
}

func TestWriteOutputRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, root, project string)
		out   string // relative to root; "proj" is the project
		want  string // in the error
	}{{
		name: "foreign directory",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, root, map[string]string{"public/CNAME": "example.org", "public/z/keep.txt": "mine"})
		},
		out:  "public",
		want: `refusing to replace public: it holds "CNAME", which no build wrote`,
	}, {
		name: "unlisted file next to the manifest",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, root, map[string]string{
				"public/" + manifestName:       "index.html\nsections/a/index.html\n",
				"public/index.html":            "x",
				"public/sections/a/index.html": "a",
				"public/sections/a/notes.txt":  "mine",
			})
		},
		out:  "public",
		want: `it holds "sections/a/notes.txt", which no build wrote`,
	}, {
		name: "unlisted empty directory",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, root, map[string]string{"public/" + manifestName: "index.html\n", "public/index.html": "x"})
			if err := os.Mkdir(filepath.Join(root, "public", "drafts"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		out:  "public",
		want: `it holds "drafts/", which no build wrote`,
	}, {
		name: "listed file replaced by a symbolic link",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, root, map[string]string{
				"public/" + manifestName: "index.html\n",
				"elsewhere/index.html":   "precious",
			})
			symlink(t, filepath.Join(root, "elsewhere", "index.html"), filepath.Join(root, "public", "index.html"))
		},
		out:  "public",
		want: `it holds "index.html", which no build wrote`,
	}, {
		name: "listed directory replaced by a symbolic link",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, root, map[string]string{
				"public/" + manifestName: "a/index.html\n",
				"elsewhere/index.html":   "precious",
			})
			symlink(t, filepath.Join(root, "elsewhere"), filepath.Join(root, "public", "a"))
		},
		out:  "public",
		want: `it holds "a", which no build wrote`,
	}, {
		name:  "a file",
		setup: func(t *testing.T, root, project string) { writeFiles(t, root, map[string]string{"public": "x"}) },
		out:   "public",
		want:  "refusing to replace public: it is not a directory",
	}, {
		name:  "the project",
		setup: func(t *testing.T, root, project string) {},
		out:   "proj",
		want:  "it is the project directory",
	}, {
		name:  "a parent of the project",
		setup: func(t *testing.T, root, project string) {},
		out:   ".",
		want:  "it contains the project directory",
	}, {
		name:  "inside content",
		setup: func(t *testing.T, root, project string) {},
		out:   "proj/content/public",
		want:  "it lies inside the project's content/ directory",
	}, {
		name:  "content itself",
		setup: func(t *testing.T, root, project string) {},
		out:   "proj/content",
		want:  "it lies inside the project's content/ directory",
	}, {
		name: "inside templates",
		setup: func(t *testing.T, root, project string) {
			writeFiles(t, project, map[string]string{"templates/page.tmpl": "x"})
		},
		out:  "proj/templates/out",
		want: "it lies inside the project's templates/ directory",
	}, {
		name:  "inside a static directory that does not exist yet",
		setup: func(t *testing.T, root, project string) {},
		out:   "proj/static/out",
		want:  "it lies inside the project's static/ directory",
	}, {
		name: "a symbolic link into content",
		setup: func(t *testing.T, root, project string) {
			symlink(t, filepath.Join(project, "content"), filepath.Join(root, "link"))
		},
		out:  "link/out",
		want: "it lies inside the project's content/ directory",
	}, {
		name: "a symbolic link to the project",
		setup: func(t *testing.T, root, project string) {
			symlink(t, project, filepath.Join(root, "link"))
		},
		out:  "link",
		want: "it is the project directory",
	}, {
		name: "a symbolic link to nothing",
		setup: func(t *testing.T, root, project string) {
			symlink(t, filepath.Join(root, "nothing"), filepath.Join(root, "public"))
		},
		out:  "public",
		want: "it is a symbolic link to nothing",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, project := newProject(t)
			tt.setup(t, root, project)
			before := snapshot(t, root)
			t.Chdir(root)
			err := writeOutput(context.Background(), tt.out, project, siteFS(map[string]string{"index.html": "new"}))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("writeOutput(%q) = %v, want an error saying %q", tt.out, err, tt.want)
			}
			if d := cmp.Diff(before, snapshot(t, root)); d != "" {
				t.Errorf("a refused write changed files (-before +after):\n%s", d)
			}
		})
	}
}

// symlink creates a symbolic link at name pointing to target, or skips
// the test where that is not possible.
func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Skipf("cannot create symbolic links: %v", err)
	}
}

func TestWriteOutputThroughSymlink(t *testing.T) {
	root, project := newProject(t)
	real := filepath.Join(root, "www", "site")
	old := map[string]string{"index.html": "old", "old.html": "stale"}
	if err := writeOutput(context.Background(), real, project, siteFS(old)); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "public")
	symlink(t, real, link)

	site := map[string]string{"index.html": "new"}
	if err := writeOutput(context.Background(), link, project, siteFS(site)); err != nil {
		t.Fatalf("writeOutput through a link: %v", err)
	}
	if target, err := os.Readlink(link); err != nil || target != real {
		t.Errorf("the link now points to %q (%v), want it kept pointing to %q", target, err, real)
	}
	if d := cmp.Diff(withManifest(site), snapshot(t, real)); d != "" {
		t.Errorf("the link's target (-want +got):\n%s", d)
	}
	noTempDirs(t, root)
	noTempDirs(t, filepath.Dir(real))
}

// failFS is a site whose file bad cannot be read.
type failFS struct {
	fs.FS
	bad string
}

func (f failFS) Open(name string) (fs.File, error) {
	if name == f.bad {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("disk on fire")}
	}
	return f.FS.Open(name)
}

func TestWriteOutputFailureKeepsPrevious(t *testing.T) {
	many := map[string]string{}
	for _, c := range "abcdefghijklmnopqrstuvwxyz" {
		many["pages/"+string(c)+"/index.html"] = "page " + string(c)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		site fs.FS
		want string
	}{
		{"unreadable file", context.Background(), failFS{siteFS(many), "pages/m/index.html"}, "disk on fire"},
		{"cancelled", cancelled, siteFS(many), "context canceled"},
		{"reserved name", context.Background(), siteFS(map[string]string{manifestName: "x"}), "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, project := newProject(t)
			out := filepath.Join(root, "public")
			if err := writeOutput(context.Background(), out, project, siteFS(map[string]string{"index.html": "previous"})); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, root)
			err := writeOutput(tt.ctx, out, project, tt.site)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("writeOutput = %v, want an error saying %q", err, tt.want)
			}
			if d := cmp.Diff(before, snapshot(t, root)); d != "" {
				t.Errorf("a failed write changed files (-before +after):\n%s", d)
			}
			noTempDirs(t, root)
		})
	}
}

func TestSwapByRename(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "public")
	tmp := filepath.Join(root, ".public.tmp-1")
	writeFiles(t, dir, map[string]string{"a": "old"})
	writeFiles(t, tmp, map[string]string{"b": "new"})
	old, err := swapByRename(tmp, dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]string{".": "dir", "b": "new"}, snapshot(t, dir)); d != "" {
		t.Errorf("swapped-in directory (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{".": "dir", "a": "old"}, snapshot(t, old)); d != "" {
		t.Errorf("swapped-out directory (-want +got):\n%s", d)
	}
	if _, err := os.Lstat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s still exists after the swap", tmp)
	}

	// A failed second rename puts the old directory back.
	writeFiles(t, dir, map[string]string{"c": "current"})
	before := snapshot(t, root)
	if _, err := swapByRename(filepath.Join(root, "missing"), dir); err == nil {
		t.Error("swapByRename of a missing directory succeeded")
	}
	if d := cmp.Diff(before, snapshot(t, root)); d != "" {
		t.Errorf("a failed swap changed files (-before +after):\n%s", d)
	}
}

func TestRealPath(t *testing.T) {
	root := t.TempDir()
	real, err := filepath.EvalSymlinks(root)
	if err != nil {
		t.Fatal(err)
	}
	writeFiles(t, root, map[string]string{"a/b/file": "x"})
	symlink(t, filepath.Join(root, "a"), filepath.Join(root, "link"))
	tests := []struct{ in, want string }{
		{"a/b", "a/b"},
		{"link/b", "a/b"},
		{"link/b/missing/deeper", "a/b/missing/deeper"},
		{"missing/x", "missing/x"},
	}
	for _, tt := range tests {
		got, err := realPath(filepath.Join(root, filepath.FromSlash(tt.in)))
		want := filepath.Join(real, filepath.FromSlash(tt.want))
		if err != nil || got != want {
			t.Errorf("realPath(%q) = %q, %v; want %q", tt.in, got, err, want)
		}
	}
}

// BenchmarkWriteOutput measures replacing an output directory of 4,000
// pages of 20 KB, about a medium explainer. Run it with TMPDIR on a tmpfs
// to measure the program rather than the disk.
func BenchmarkWriteOutput(b *testing.B) {
	site := fstest.MapFS{}
	page := []byte(strings.Repeat("<p>word</p>\n", 20<<10/12))
	for i := range 4000 {
		site[fmt.Sprintf("documents/doc-%d/%d/index.html", i/100, i%100)] = &fstest.MapFile{Data: page}
	}
	root := b.TempDir()
	project := filepath.Join(root, "proj")
	out := filepath.Join(root, "public")
	for b.Loop() {
		if err := writeOutput(context.Background(), out, project, site); err != nil {
			b.Fatal(err)
		}
	}
}

// TestStagingLeftovers: a build removes the staging directories that a
// killed build left beside the output (named as builds name them, by a
// process that is gone), and nothing else: not those of a build that
// runs, not others that look alike, not another output's.
func TestStagingLeftovers(t *testing.T) {
	root, project := newProject(t)
	out := filepath.Join(root, "public")
	ctx := context.Background()
	if err := writeOutput(ctx, out, project, siteFS(map[string]string{"index.html": "one"})); err != nil {
		t.Fatal(err)
	}
	// A process that has ended: its id names no process now.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip("cannot run a process:", err)
	}
	dead := fmt.Sprintf("%d-%s-", cmd.Process.Pid, bootTag())
	live := stagingTag()
	otherBoot := "1-ffffffff-"
	if bootTag() == "0" {
		otherBoot = "" // no boot id to tell by
	}
	for _, tt := range []struct {
		dir  string
		gone bool
	}{
		{".public.tmp-" + dead + "x1", true},
		{".public.old-" + dead + "x2", true},
		{".public.tmp-" + otherBoot + "x3", otherBoot != ""},
		{".public.tmp-" + live + "x4", false},
		{".public.tmp-" + dead, false}, // no random part: not a name a build makes
		{".public.tmp-abc", false},     // an older build's name, or anyone's
		{".public.tmp-x-" + dead + "x5", false},
		{".public-other.tmp-" + dead + "x6", false},
		{".public.tmp-12-mine-x8", false},                                       // not a boot tag: someone's own
		{".public.tmp-" + dead[:strings.Index(dead, "-")] + "-0.tmp-x9", false}, // another output's (public.tmp-PID-0)
		{"public-leak." + dead + "x7", false},
	} {
		writeFiles(t, root, map[string]string{tt.dir + "/index.html": "left"})
		defer func() {
			_, err := os.Lstat(filepath.Join(root, tt.dir))
			if tt.gone != (err != nil) {
				t.Errorf("%s: gone %v, want %v", tt.dir, err != nil, tt.gone)
			}
		}()
	}
	writeFiles(t, root, map[string]string{".public.tmp-" + dead + "file": "a file, not a directory"})
	if err := writeOutput(ctx, out, project, siteFS(map[string]string{"index.html": "two"})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(root, ".public.tmp-"+dead+"file")); err != nil {
		t.Errorf("a file named as a staging directory was removed")
	}
	if b, err := os.ReadFile(filepath.Join(out, "index.html")); err != nil || string(b) != "two" {
		t.Errorf("the new site: %q, %v", b, err)
	}
}
