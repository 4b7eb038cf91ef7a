package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestMain runs the command itself when the test binary is started as
// explainer by a test (see explainerCommand), so that a test can kill a
// build the way a user's kill -9 does.
func TestMain(m *testing.M) {
	if os.Getenv("EXPLAINER_TEST_AS_MAIN") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// explainerCommand is the command explainer args, run by this test
// binary.
func explainerCommand(t *testing.T, args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		t.Skip("cannot find the test binary:", err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "EXPLAINER_TEST_AS_MAIN=1")
	return cmd
}

// signalBuilds builds the default explainer into a fresh output, then
// runs 8 more builds as processes, sending the i-th sig(i) at i+1 eighths
// of a build's time. After each it checks that the build ended and that
// the output is the first site byte for byte (or the new one whole: the
// sources do not change, so both are the same), then calls after. It
// returns the folder holding the output, the build's arguments and the
// site.
func signalBuilds(t *testing.T, sig func(i int) os.Signal, after func(root string)) (root string, args []string, want map[string]string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the default explainer ten times")
	}
	root = t.TempDir()
	out := filepath.Join(root, "public")
	args = []string{"build", "-src", "../..", "-out", out, "-card-cache", filepath.Join(root, "cards")}
	if _, stderr, code := runExplainer(t, args...); code != 0 {
		t.Fatalf("first build: %s", stderr)
	}
	want = snapshot(t, out)
	start := time.Now()
	if err := explainerCommand(t, args...).Run(); err != nil {
		t.Fatalf("a build as a process: %v", err)
	}
	whole := time.Since(start)
	for i := range 8 {
		cmd := explainerCommand(t, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		at := whole * time.Duration(i+1) / 8
		time.Sleep(at)
		cmd.Process.Signal(sig(i))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("a build has not ended 30 s after %v", sig(i))
		}
		if d := cmp.Diff(want, snapshot(t, out)); d != "" {
			t.Fatalf("%v after %v of a %v build: the output changed (-before +after):\n%s", sig(i), at, whole, d)
		}
		after(root)
	}
	return root, args, want
}

// TestKilledBuild kills builds with SIGKILL (see signalBuilds), then
// checks that the next build leaves no staging directory behind.
func TestKilledBuild(t *testing.T) {
	root, args, want := signalBuilds(t, func(int) os.Signal { return syscall.SIGKILL }, func(string) {})
	left, _ := filepath.Glob(filepath.Join(root, ".public.*"))
	t.Logf("the kills left %d staging directories", len(left))
	if _, stderr, code := runExplainer(t, args...); code != 0 {
		t.Fatalf("the build after: %s", stderr)
	}
	noTempDirs(t, root)
	if d := cmp.Diff(want, snapshot(t, filepath.Join(root, "public"))); d != "" {
		t.Errorf("the build after the kills differs (-want +got):\n%s", d)
	}
}

// TestInterruptedBuild interrupts builds with SIGINT (Ctrl-C) and SIGTERM
// (see signalBuilds): a cancelled build stops at the next phase and
// cleans up, leaving no staging directory.
func TestInterruptedBuild(t *testing.T) {
	signalBuilds(t, func(i int) os.Signal { return []os.Signal{os.Interrupt, syscall.SIGTERM}[i%2] },
		func(root string) { noTempDirs(t, root) })
}

// TestDeterministicProcesses builds the default explainer in processes
// that differ in what a build must not depend on: the number of threads,
// SOURCE_DATE_EPOCH, the time of day. The trees must be byte for byte
// the same.
func TestDeterministicProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the default explainer four times")
	}
	var first map[string]string
	for i, env := range [][]string{
		{"GOMAXPROCS=1"},
		{"GOMAXPROCS=16"},
		{"GOMAXPROCS=2", "SOURCE_DATE_EPOCH=0"},
		{"GOMAXPROCS=3", "SOURCE_DATE_EPOCH=1767225600", "TZ=Pacific/Kiritimati"},
	} {
		out := filepath.Join(t.TempDir(), "public")
		cmd := explainerCommand(t, "build", "-src", "../..", "-out", out, "-base-url", "https://example.org/plan", "-card-cache", filepath.Join(t.TempDir(), "cards"))
		cmd.Env = append(cmd.Env, env...)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", env, err, msg)
		}
		got := snapshot(t, out)
		if i == 0 {
			first = got
			continue
		}
		if d := cmp.Diff(first, got); d != "" {
			t.Errorf("built with %v, the site differs from GOMAXPROCS=1's (-first +this):\n%.2000s", env, d)
		}
	}
}

// TestInterruptedServe sends SIGINT and SIGTERM to serve processes in the
// middle of rebuilds: each stops, says so, and leaves nothing behind in
// the project.
func TestInterruptedServe(t *testing.T) {
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		dir := newServeProject(t)
		before := snapshot(t, dir)
		cmd := explainerCommand(t, "serve", "-src", dir, "-addr", "127.0.0.1:0")
		var stdout, stderr syncBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, "serve to start", func() string {
			if strings.HasPrefix(stdout.String(), "Serving at ") {
				return ""
			}
			return "stderr: " + stderr.String()
		})
		// Edits, one after another, and the signal while they rebuild.
		name := filepath.Join(dir, "content/sections/01-first-draft.md")
		orig, _ := os.ReadFile(name)
		for i := range 5 {
			os.WriteFile(name, append(orig, fmt.Sprintf("\nEdit %d.\n", i)...), 0o644)
			time.Sleep(3 * time.Millisecond)
		}
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("%v: serve ended with %v\n%s", sig, err, stderr.String())
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: serve has not ended after 30 s", sig)
		}
		if !strings.HasSuffix(stderr.String(), "stopped\n") {
			t.Errorf("%v: stderr does not end with \"stopped\":\n%s", sig, stderr.String())
		}
		os.WriteFile(name, orig, 0o644)
		if d := cmp.Diff(before, snapshot(t, dir)); d != "" {
			t.Errorf("%v: serve left files in the project (-before +after):\n%s", sig, d)
		}
	}
}
