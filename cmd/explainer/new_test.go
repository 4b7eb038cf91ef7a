package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string // in the temporary directory
		dir   string
		want  string
	}{
		{"non-empty directory", map[string]string{"proj/notes.txt": "mine"}, "proj", "cannot create a project in proj: the directory is not empty"},
		{"hidden file", map[string]string{"proj/.git/HEAD": "ref"}, "proj", "the directory is not empty"},
		{"a file", map[string]string{"proj": "mine"}, "proj", "cannot create a project in proj: it is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tt.files)
			before := snapshot(t, root)
			t.Chdir(root)
			stdout, stderr, code := runExplainer(t, "new", tt.dir)
			if code != 1 || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit status %d, stdout %q, stderr %q; want 1, nothing and %q", code, stdout, stderr, tt.want)
			}
			if d := cmp.Diff(before, snapshot(t, root)); d != "" {
				t.Errorf("a refused new changed files (-before +after):\n%s", d)
			}
		})
	}
}

func TestNew(t *testing.T) {
	root := t.TempDir()
	t.Chdir(root)
	if err := os.Mkdir("empty", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"empty", "a/b/proj"} {
		stdout, stderr, code := runExplainer(t, "new", dir)
		want := "created explainer project in " + dir + "\nrun: explainer build -src " + dir + "\n"
		if code != 0 || stdout != "" || stderr != want {
			t.Errorf("new %s: exit status %d, stdout %q, stderr %q; want 0, nothing and %q", dir, code, stdout, stderr, want)
		}
		// The project holds exactly the skeleton.
		sk, err := fs.Sub(skeleton, "skeleton")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(embedSnapshot(t, sk), snapshot(t, dir)); d != "" {
			t.Errorf("new %s (-skeleton +created):\n%s", dir, d)
		}
	}
}

// embedSnapshot is snapshot for an fs.FS.
func embedSnapshot(t *testing.T, fsys fs.FS) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			m[name] = "dir"
			return nil
		}
		b, err := fs.ReadFile(fsys, name)
		m[name] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSkeletonLayout(t *testing.T) {
	for _, name := range []string{
		"README.md",
		"content/_index.md",
		"content/sections/01-what-happened.md",
		"content/sections/02-whats-next.md",
		"content/documents/draft-a.yaml",
		"content/documents/draft-b.yaml",
		"content/documents/riders-reply.yaml",
		"content/documents/interim-deal.yaml",
		"content/topics.yaml",
		"content/actors.yaml",
		"content/sources.yaml",
		"content/timeline.yaml",
	} {
		if _, err := fs.Stat(skeleton, "skeleton/"+name); err != nil {
			t.Errorf("the skeleton has no %s", name)
		}
	}
}

// TestNewThenBuild checks that the project new creates is a working one:
// it checks with no problem even with -strict, and builds every kind of
// page, twice.
func TestNewThenBuild(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "proj")
	if _, stderr, code := runExplainer(t, "new", dir); code != 0 {
		t.Fatalf("new: exit status %d, stderr:\n%s", code, stderr)
	}
	_, stderr, code := runExplainer(t, "check", "-strict", "-src", dir)
	if code != 0 || !strings.HasSuffix(stderr, ": no problems\n") || strings.Count(stderr, "\n") != 1 {
		t.Errorf("check -strict of the new project: exit status %d, stderr:\n%s\nwant 0 and no problems", code, stderr)
	}
	t.Chdir(dir)
	for range 2 {
		_, stderr, code := runExplainer(t, "build", "-strict")
		if code != 0 || !builtRE.MatchString(stderr) {
			t.Fatalf("build -strict of the new project: exit status %d, stderr:\n%s", code, stderr)
		}
	}
	for _, page := range []string{
		"index.html",
		"sections/what-happened/index.html",
		"sections/whats-next/index.html",
		"documents/index.html",
		"documents/draft-a/index.html",
		"documents/draft-a/4/index.html",
		"documents/draft-b/3/index.html",
		"documents/draft-b/changes/index.html",
		"topics/fares/index.html",
		"actors/riders-alliance/index.html",
		"sources/index.html",
		"timeline/index.html",
		"sitemap.xml",
		"feed.xml",
	} {
		if _, err := os.Stat(filepath.Join("public", filepath.FromSlash(page))); err != nil {
			t.Errorf("the new project's site has no %s", page)
		}
	}
	manifestMatches(t, "public")
}
