package main

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

// runExplainer runs explainer with args and returns what it printed on
// stdout and stderr and its exit status.
func runExplainer(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	code = exitCode(err)
	if err != nil && code != 0 {
		if _, ok := errors.AsType[*exitError](err); !ok {
			t.Errorf("run(%q) returned %T %v, want an *exitError", args, err, err)
		}
	}
	return out.String(), errOut.String(), code
}

// writeFiles creates the files, given as slash path -> content, in dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot returns everything under dir, as slash path -> content for a
// file, "dir" for a directory and "-> target" for a symbolic link, so that
// two snapshots are equal only if nothing was added, removed or changed.
// A dir that does not exist has the snapshot nil.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case e.IsDir():
			m[rel] = "dir"
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			m[rel] = "-> " + target
		default:
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			m[rel] = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string // in stderr
	}{
		{nil, "usage: explainer <command>"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"-src", "x", "build"}, `unknown command "-src"`},
		{[]string{"build", "-nope"}, "flag provided but not defined: -nope"},
		{[]string{"build", "extra"}, `build: unexpected argument "extra"`},
		{[]string{"build", "-out", "o", "-strict", "extra"}, `unexpected argument "extra"`},
		{[]string{"build", "-strict=maybe"}, `invalid boolean value "maybe"`},
		{[]string{"build", "-base-url", "example.org"}, `-base-url "example.org": not an absolute http or https URL`},
		{[]string{"build", "-base-url", "/news/"}, "not an absolute http or https URL"},
		{[]string{"build", "-base-url", "ftp://example.org/"}, "not an absolute http or https URL"},
		{[]string{"build", "-base-url", "https://"}, "not an absolute http or https URL"},
		{[]string{"build", "-base-url", "https://example.org/?a=b"}, "no query or fragment"},
		{[]string{"build", "-base-url"}, "flag needs an argument: -base-url"},
		{[]string{"check", "-out", "x"}, "flag provided but not defined: -out"},
		{[]string{"check", "extra"}, `check: unexpected argument "extra"`},
		{[]string{"new"}, "new: missing DIR"},
		{[]string{"new", "a", "b"}, `new: unexpected argument "b"`},
		{[]string{"new", "-src", "a", "b"}, "two directories given"},
		{[]string{"version", "now"}, `version: unexpected argument "now"`},
		{[]string{"import"}, "import: missing FILE"},
		{[]string{"import", "-relation", "responds", "plan.txt"}, "-relation needs -follows"},
		{[]string{"import", "-id", "Not An Id", "plan.txt"}, `invalid -id "Not An Id"`},
		{[]string{"align"}, "align: missing DOC"},
		{[]string{"align", "a", "b"}, `align: unexpected argument "b"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			stdout, stderr, code := runExplainer(t, tt.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr does not say %q:\n%s", tt.want, stderr)
			}
			if !strings.Contains(stderr, "usage: explainer") {
				t.Errorf("stderr has no usage message:\n%s", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if got := snapshot(t, dir); len(got) != 1 {
				t.Errorf("a usage error wrote files: %v", got)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-h"}, "usage: explainer <command>"},
		{[]string{"help"}, "usage: explainer <command>"},
		{[]string{"build", "-h"}, "usage: explainer build [-src DIR] [-out DIR] [-base-url URL] [-drafts] [-strict]"},
		{[]string{"help", "build"}, "-base-url URL"},
		{[]string{"check", "-help"}, "usage: explainer check [-src DIR] [-strict]"},
		{[]string{"new", "-h"}, "usage: explainer new DIR"},
		{[]string{"import", "-h"}, "usage: explainer import [-src DIR] [-id ID] [-title TITLE] [-date DATE] [-follows DOC] [-relation R] FILE"},
		{[]string{"align", "-h"}, "usage: explainer align [-src DIR] DOC"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			stdout, stderr, code := runExplainer(t, tt.args...)
			if code != 0 || stdout != "" || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit status %d, stdout %q, stderr:\n%s\nwant status 0, no stdout and %q on stderr", code, stdout, stderr, tt.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	stdout, stderr, code := runExplainer(t, "version")
	if code != 0 || stderr != "" {
		t.Errorf("exit status %d, stderr %q; want 0 and nothing", code, stderr)
	}
	if !regexp.MustCompile(`^explainer \S+\n$`).MatchString(stdout) {
		t.Errorf("stdout = %q, want one line %q", stdout, "explainer VERSION")
	}
}

func TestVersion(t *testing.T) {
	settings := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"no build info", nil, "devel"},
		{"released", &debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}}, "v1.2.3"},
		{"source tree", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, "devel"},
		{"with revision", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("vcs.revision", rev, "vcs.modified", "false")}, "devel-0123456789ab"},
		{"modified", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: settings("vcs.revision", rev, "vcs.modified", "true")}, "devel-0123456789ab-dirty"},
	}
	for _, tt := range tests {
		if got := version(tt.info); got != tt.want {
			t.Errorf("%s: version() = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestExitCode(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{&exitError{2, errors.New("usage")}, 2},
		{&exitError{1, errors.New("content")}, 1},
		{errors.New("other"), 1},
	}
	for _, tt := range tests {
		if got := exitCode(tt.err); got != tt.want {
			t.Errorf("exitCode(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

// TestImportAlign runs import on a numbered text into a new project, then
// import -follows on its revision and align on the revision stripped of
// its from lines: each prints what the project needs, and it builds.
func TestImportAlign(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	if _, stderr, code := runExplainer(t, "new", "proj"); code != 0 {
		t.Fatalf("new: %s", stderr)
	}
	write := func(name, text string) {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Lake Plan.txt", "The lake plan\n\n1. Fighting on the lake stops.\n2. Boats return to port.\n(a) Within a week.\n")
	out, stderr, code := runExplainer(t, "import", "-date", "2025-10-01", "Lake Plan.txt")
	if code != 0 || !strings.Contains(out, "id: lake-plan\n") || !strings.Contains(out, "parent: \"2\"") {
		t.Fatalf("import: status %d\n%s\n%s", code, out, stderr)
	}
	write("proj/content/documents/lake-plan.yaml", out)
	write("revision.txt", "1. Boats return to port within a week.\n2. Fighting on the lake stops at noon.\n")
	out, stderr, code = runExplainer(t, "import", "-src", "proj", "-id", "lake-rev", "-follows", "lake-plan", "revision.txt")
	if code != 0 || !strings.Contains(out, "from: lake-plan/2 #") || !strings.Contains(out, "from: lake-plan/1 #") {
		t.Fatalf("import -follows: status %d\n%s\n%s", code, out, stderr)
	}
	write("proj/content/documents/lake-rev.yaml", regexp.MustCompile(`(?m)^    from: .*\n`).ReplaceAllString(out, ""))
	out, stderr, code = runExplainer(t, "align", "-src", "proj", "lake-rev")
	if code != 0 || !strings.Contains(out, `content/documents/lake-rev.yaml:10:5: clause "1": from: lake-plan/2 #`) {
		t.Fatalf("align: status %d\n%s\n%s", code, out, stderr)
	}
	if _, stderr, code := runExplainer(t, "check", "-src", "proj"); code != 0 {
		t.Errorf("the imported documents do not build:\n%s", stderr)
	}
	// A text with no numbered point: the message names the file.
	write("prose.txt", "Just prose, no points.\n")
	if _, stderr, code := runExplainer(t, "import", "prose.txt"); code != 1 || !strings.Contains(stderr, "prose.txt: no numbered points found") {
		t.Errorf("import of a text without points: status %d\n%s", code, stderr)
	}
}
