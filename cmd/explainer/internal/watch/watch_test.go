package watch

import (
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const (
	// waitBatch is how long a test waits for an expected batch. It is
	// generous: the tests check what is reported, not how fast.
	waitBatch = 5 * time.Second
	// testDebounce is the fixtures' debounce: twice the default, so that a
	// test paused by a busy machine between two steps of an editor's save
	// still gets one batch.
	testDebounce = 100 * time.Millisecond
	// quietPeriod is how long a test waits to conclude that nothing more
	// is coming. It is several debounce periods.
	quietPeriod = 500 * time.Millisecond
)

// projectDirs returns the directories the tests watch.
func projectDirs() []string { return []string{"content", "static", "templates"} }

// fixture is a project directory with a Watcher on it.
type fixture struct {
	t    *testing.T
	root string
	w    *Watcher
}

// start creates a project in a temporary directory with the given files (a
// name ending in "/" makes a directory) and starts a Watcher on
// projectDirs.
func start(t *testing.T, opts Options, files ...string) *fixture {
	t.Helper()
	return startDirs(t, projectDirs(), opts, files...)
}

// startDirs is start with other directories to watch.
func startDirs(t *testing.T, dirs []string, opts Options, files ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, root: t.TempDir()}
	for _, name := range files {
		if dir, ok := strings.CutSuffix(name, "/"); ok {
			f.mkdir(dir)
		} else {
			f.write(name, "initial "+name)
		}
	}
	if opts.Debounce == 0 {
		opts.Debounce = testDebounce
	}
	w, err := New(f.root, dirs, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	f.w = w
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		for err := range w.Errors() {
			t.Errorf("unexpected error after the test: %v", err)
		}
	})
	return f
}

// abs returns the absolute path of a slash path relative to the root.
func (f *fixture) abs(rel string) string {
	return filepath.Join(f.root, filepath.FromSlash(rel))
}

func (f *fixture) mkdir(rel string) {
	f.t.Helper()
	if err := os.MkdirAll(f.abs(rel), 0o755); err != nil {
		f.t.Fatal(err)
	}
}

// write creates or overwrites a file, creating its directory if needed.
func (f *fixture) write(rel, data string) {
	f.t.Helper()
	if err := os.MkdirAll(filepath.Dir(f.abs(rel)), 0o755); err != nil {
		f.t.Fatal(err)
	}
	if err := os.WriteFile(f.abs(rel), []byte(data), 0o644); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) remove(rel string) {
	f.t.Helper()
	if err := os.RemoveAll(f.abs(rel)); err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) rename(from, to string) {
	f.t.Helper()
	if err := os.Rename(f.abs(from), f.abs(to)); err != nil {
		f.t.Fatal(err)
	}
}

// receive waits up to d for a batch, failing the test on an error from the
// watcher. It returns false if none came.
func (f *fixture) receive(d time.Duration) ([]string, bool) {
	f.t.Helper()
	timeout := time.After(d)
	for {
		select {
		case b, ok := <-f.w.Changes():
			if !ok {
				f.t.Fatal("Changes closed")
			}
			f.checkBatch(b)
			return b, true
		case err := <-f.w.Errors():
			f.t.Errorf("unexpected error: %v", err)
		case <-timeout:
			return nil, false
		}
	}
}

// checkBatch checks the promises made about every batch.
func (f *fixture) checkBatch(b []string) {
	f.t.Helper()
	if len(b) == 0 {
		f.t.Errorf("empty batch")
	}
	if !slices.IsSorted(b) || len(slices.Compact(slices.Clone(b))) != len(b) {
		f.t.Errorf("batch %q is not sorted and unique", b)
	}
	for _, p := range b {
		if p == "" || strings.Contains(p, `\`) || filepath.IsAbs(p) || !filepath.IsLocal(p) {
			f.t.Errorf("batch path %q is not a relative slash path", p)
		}
		if hasTempElem(p) {
			f.t.Errorf("batch path %q is a temp file", p)
		}
	}
}

// expect waits until the batches received together report every path in
// want, then until nothing has come for quietPeriod, and checks that
// exactly want was reported. It returns the batches.
func (f *fixture) expect(want ...string) [][]string {
	f.t.Helper()
	var batches [][]string
	got := make(map[string]bool)
	missing := func() bool {
		for _, p := range want {
			if !got[p] {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(waitBatch)
	for missing() {
		b, ok := f.receive(time.Until(deadline))
		if !ok {
			f.t.Fatalf("timed out waiting for %q; got batches %q", want, batches)
		}
		batches = append(batches, b)
		for _, p := range b {
			got[p] = true
		}
	}
	for {
		b, ok := f.receive(quietPeriod)
		if !ok {
			break
		}
		batches = append(batches, b)
		for _, p := range b {
			got[p] = true
		}
	}
	var all []string
	for p := range got {
		all = append(all, p)
	}
	slices.Sort(all)
	want = slices.Sorted(slices.Values(want))
	if diff := cmp.Diff(want, all); diff != "" {
		f.t.Errorf("reported paths mismatch (-want +got):\n%s\nbatches: %q", diff, batches)
	}
	return batches
}

// quiet checks that no batch comes for quietPeriod.
func (f *fixture) quiet() {
	f.t.Helper()
	if b, ok := f.receive(quietPeriod); ok {
		f.t.Errorf("got batch %q, want none", b)
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md", "static/style.css")
	f.write("content/a.md", "changed")
	f.expect("content/a.md")
	f.write("static/style.css", "body{}")
	f.expect("static/style.css")
}

func TestCreateInExistingDirectory(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/sections/")
	f.write("content/sections/b.md", "new")
	f.expect("content/sections/b.md")
	f.write("content/_index.md", "underscore names are not temp names")
	f.expect("content/_index.md")
}

// TestNewNestedDirectory races the watch: files are created in a new
// directory tree before the watcher can have added watches on it.
func TestNewNestedDirectory(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/")
	var created, later []string
	for i := range 10 {
		dir := "content/sections/new" + string(rune('a'+i))
		f.mkdir(dir + "/deep/deeper")
		for _, name := range []string{"/a.md", "/deep/b.md", "/deep/deeper/c.md"} {
			f.write(dir+name, "new")
			created = append(created, dir+name)
		}
		later = append(later, dir+"/deep/deeper/d.md")
	}
	f.expect(created...)
	// The new directories are watched.
	for _, name := range later {
		f.write(name, "later")
	}
	f.expect(later...)
}

func TestMoveDirectoryIn(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/")
	outside := t.TempDir()
	for _, name := range []string{"sec/a.md", "sec/sub/b.md", "sec/.hidden"} {
		path := filepath.Join(outside, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Rename(filepath.Join(outside, "sec"), f.abs("content/sec")); err != nil {
		t.Fatal(err)
	}
	f.expect("content/sec/a.md", "content/sec/sub/b.md")
	f.write("content/sec/sub/c.md", "c")
	f.expect("content/sec/sub/c.md")
}

func TestDelete(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md", "content/sec/b.md", "content/sec/sub/c.md", "content/empty/")
	f.remove("content/a.md")
	f.expect("content/a.md")
	f.remove("content/sec")
	f.expect("content/sec/b.md", "content/sec/sub/c.md")
	f.remove("content/empty")
	f.expect("content/empty")
	// The whole watched directory, and its return.
	f.write("content/d.md", "d")
	f.expect("content/d.md")
	f.remove("content")
	f.expect("content/d.md")
	f.write("content/e.md", "e")
	f.expect("content/e.md")
}

func TestMoveDirectoryOut(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/sec/a.md", "content/sec/sub/b.md")
	outside := filepath.Join(t.TempDir(), "sec")
	if err := os.Rename(f.abs("content/sec"), outside); err != nil {
		t.Fatal(err)
	}
	f.expect("content/sec/a.md", "content/sec/sub/b.md")
	// The moved directory is no longer watched.
	if err := os.WriteFile(filepath.Join(outside, "sub", "c.md"), []byte("c"), 0o644); err != nil {
		t.Fatal(err)
	}
	f.quiet()
}

func TestRename(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md", "content/x/p.md", "content/x/sub/q.md")
	f.rename("content/a.md", "content/b.md")
	f.expect("content/a.md", "content/b.md")

	f.rename("content/x", "content/y")
	f.expect("content/x/p.md", "content/x/sub/q.md", "content/y/p.md", "content/y/sub/q.md")
	// Events in the renamed directory carry its new name.
	f.write("content/y/sub/r.md", "r")
	f.expect("content/y/sub/r.md")
	f.write("content/y/p.md", "p")
	f.expect("content/y/p.md")
}

// TestVimSave replays vim's backup-and-rename save (:set backupcopy=no, the
// default on Unix when the file has one link).
func TestVimSave(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md")
	f.write("content/.a.md.swp", "swap")
	f.write("content/4913", "")
	f.remove("content/4913")
	f.rename("content/a.md", "content/a.md~")
	f.write("content/a.md", "new")
	f.write("content/a.md", "new content")
	f.write("content/.a.md.swp", "swap 2")
	f.remove("content/a.md~")
	f.remove("content/.a.md.swp")
	f.expect("content/a.md")
}

// TestSedInPlace replays sed -i: a temporary file beside the one edited,
// renamed over it.
func TestSedInPlace(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md")
	f.write("content/sedAb3xYz", "new content")
	f.rename("content/sedAb3xYz", "content/a.md")
	f.expect("content/a.md")
}

// TestVSCodeSave replays VS Code's save: truncate, then write.
func TestVSCodeSave(t *testing.T) {
	t.Parallel()
	f := start(t, Options{Debounce: 300 * time.Millisecond}, "content/a.md")
	fd, err := os.OpenFile(f.abs("content/a.md"), os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fd.WriteString("new content"); err != nil {
		t.Fatal(err)
	}
	if err := fd.Close(); err != nil {
		t.Fatal(err)
	}
	if batches := f.expect("content/a.md"); len(batches) != 1 {
		t.Errorf("got %d batches %q, want 1", len(batches), batches)
	}
}

// TestJetBrainsSave replays the "safe write" of IntelliJ and GoLand.
func TestJetBrainsSave(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md")
	f.write("content/a.md___jb_tmp___", "new content")
	f.rename("content/a.md", "content/a.md___jb_old___")
	f.rename("content/a.md___jb_tmp___", "content/a.md")
	f.remove("content/a.md___jb_old___")
	f.expect("content/a.md")
}

// TestEmacs checks that emacs' lock and auto-save files cause no batch, and
// that its save (back up by renaming to a.md~, write a.md) reports a.md.
func TestEmacs(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md")
	// Emacs locks a file as soon as it is modified in a buffer, with a
	// dangling symbolic link.
	if err := os.Symlink("user@host.1234:1700000000", f.abs("content/.#a.md")); err != nil {
		t.Fatal(err)
	}
	f.write("content/#a.md#", "auto-save")
	f.quiet()

	f.rename("content/a.md", "content/a.md~")
	f.write("content/a.md", "saved")
	f.remove("content/#a.md#")
	f.remove("content/.#a.md")
	f.expect("content/a.md")
}

func TestTempFilesAlone(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/", "static/", "templates/")
	for _, name := range []string{
		".hidden", "#a.md#", "a.md~", "a.md___jb_tmp___", "a.md___jb_old___",
		"a.md.swp", "a.md.swx", "a.md.swo", "a.tmp", "a.part", "a.crdownload", "4913", "5036",
		".git/config", ".obsidian/sub/x.json",
	} {
		f.write("content/"+name, "x")
	}
	f.remove("content/.git")
	f.quiet()
}

func TestOutsideIgnored(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/", "README.md", "public/")
	f.write("README.md", "changed")
	f.write("public/index.html", "built")
	f.write("contents/a.md", "not content")
	f.quiet()
}

func TestBurst(t *testing.T) {
	t.Parallel()
	f := start(t, Options{Debounce: 300 * time.Millisecond}, "content/")
	var want []string
	for i := range 10 {
		want = append(want, "content/f"+string(rune('0'+i))+".md")
	}
	for i := range 50 {
		f.write(want[i%10], strings.Repeat("x", i))
	}
	if batches := f.expect(want...); len(batches) > 3 {
		t.Errorf("got %d batches, want at most 3: %q", len(batches), batches)
	}
}

// TestContinuousWritesFlush checks that a stream of events with no pause
// longer than Debounce is still sent in batches while it lasts.
func TestContinuousWritesFlush(t *testing.T) {
	t.Parallel()
	f := start(t, Options{Debounce: 50 * time.Millisecond}, "content/log.md")
	stop := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			os.WriteFile(f.abs("content/log.md"), []byte(strings.Repeat("x", i)), 0o644)
		}
	}()
	b, ok := f.receive(waitBatch)
	close(stop)
	<-stopped
	if !ok {
		t.Fatal("no batch while writes continued")
	}
	if diff := cmp.Diff([]string{"content/log.md"}, b); diff != "" {
		t.Errorf("batch mismatch (-want +got):\n%s", diff)
	}
}

// TestSlowReceiver checks that batches not yet received are merged, not
// queued or lost.
func TestSlowReceiver(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/a.md", "content/b.md")
	f.write("content/a.md", "a")
	time.Sleep(quietPeriod) // a's batch is sent and waits
	f.write("content/b.md", "b")
	time.Sleep(quietPeriod) // b's batch finds a's pending
	f.expect("content/a.md", "content/b.md")
}

func TestDeliverMerges(t *testing.T) {
	t.Parallel()
	w := &Watcher{changes: make(chan []string, 1)}
	w.log = slog.New(slog.DiscardHandler)
	w.deliver([]string{"content/a.md", "content/c.md"})
	w.deliver([]string{"content/b.md", "content/c.md"})
	w.deliver([]string{"content/d.md"})
	got := <-w.changes
	want := []string{"content/a.md", "content/b.md", "content/c.md", "content/d.md"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("merged batch mismatch (-want +got):\n%s", diff)
	}
	select {
	case b := <-w.changes:
		t.Errorf("second batch %q, want none", b)
	default:
	}
}

// TestRescan checks the recovery from an event queue overflow: every file,
// gone or present, is reported.
func TestRescan(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for _, name := range []string{"content/a.md", "content/sec/b.md", "static/s.css"} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w, err := newWatcher(root, projectDirs(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	n, err := newNotifier(w)
	if err != nil {
		t.Fatal(err)
	}
	defer n.fsw.Close()
	// Changes whose events were lost.
	if err := os.RemoveAll(filepath.Join(root, "content", "sec")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "templates", "p"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "templates", "p", "x.tmpl"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	n.rescan()
	want := []string{"content/a.md", "content/sec/b.md", "static/s.css", "templates/p/x.tmpl"}
	if diff := cmp.Diff(want, n.pending.sorted()); diff != "" {
		t.Errorf("rescan batch mismatch (-want +got):\n%s", diff)
	}
	wantDirs := []string{".", "content", "static", "templates", "templates/p"}
	if diff := cmp.Diff(wantDirs, slices.Sorted(maps.Keys(n.watched))); diff != "" {
		t.Errorf("watched directories mismatch (-want +got):\n%s", diff)
	}
	select {
	case err := <-w.errors:
		t.Errorf("unexpected error: %v", err)
	default:
	}
}

func TestDirectoriesCreatedLater(t *testing.T) {
	t.Parallel()
	f := start(t, Options{}, "content/")
	f.mkdir("templates")
	f.write("templates/page.tmpl", "page")
	f.expect("templates/page.tmpl")
	f.mkdir("templates/partials/nav")
	f.write("templates/partials/nav/_menu.tmpl", "menu")
	f.expect("templates/partials/nav/_menu.tmpl")
	f.write("templates/page.tmpl", "page 2")
	f.expect("templates/page.tmpl")

	// A directory that appears with files in it.
	f.write("static/css/style.css", "body{}")
	f.expect("static/css/style.css")
}

func TestNestedDirectoryCreatedLater(t *testing.T) {
	t.Parallel()
	f := startDirs(t, []string{"docs/content"}, Options{})
	f.write("docs/README.md", "outside")
	f.write("docs/contents/a.md", "outside")
	f.write("docs/content/sec/a.md", "inside")
	f.expect("docs/content/sec/a.md")
	f.write("docs/content/sec/a.md", "again")
	f.expect("docs/content/sec/a.md")
}

func TestWatchRootItself(t *testing.T) {
	t.Parallel()
	f := startDirs(t, []string{"."}, Options{}, "a.md", "sub/b.md")
	f.write("sub/b.md", "b")
	f.write(".git/HEAD", "ref")
	f.expect("sub/b.md")
}

func TestPoll(t *testing.T) {
	t.Parallel()
	f := start(t, Options{Poll: 20 * time.Millisecond}, "content/a.md", "content/sec/b.md", "content/sec/c.md")
	f.write("content/a.md", "changed, and longer")
	f.expect("content/a.md")
	f.write("content/new/d.md", "d")
	f.expect("content/new/d.md")
	f.remove("content/a.md")
	f.expect("content/a.md")
	f.remove("content/sec")
	f.expect("content/sec/b.md", "content/sec/c.md")
	if err := os.Chmod(f.abs("content/new/d.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.expect("content/new/d.md")
	f.write("templates/page.tmpl", "later")
	f.expect("templates/page.tmpl")
	f.write("content/a.md~", "backup")
	f.write("content/.#a.md", "lock")
	f.write("README.md", "outside")
	f.quiet()
}

func TestSymlinksNotFollowed(t *testing.T) {
	t.Parallel()
	for _, opts := range []Options{{}, {Poll: 20 * time.Millisecond}} {
		f := start(t, opts, "content/")
		target := t.TempDir()
		if err := os.WriteFile(filepath.Join(target, "x.md"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, f.abs("content/link")); err != nil {
			t.Fatal(err)
		}
		f.expect("content/link")
		if err := os.WriteFile(filepath.Join(target, "y.md"), []byte("y"), 0o644); err != nil {
			t.Fatal(err)
		}
		f.quiet()
	}
}

func TestUnreadableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can read every directory")
	}
	t.Parallel()
	root := t.TempDir()
	locked := filepath.Join(root, "content", "locked")
	if err := os.MkdirAll(locked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	w, err := New(root, []string{"content"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	select {
	case err := <-w.Errors():
		if !strings.Contains(err.Error(), "locked") {
			t.Errorf("error %q does not name the directory", err)
		}
	case <-time.After(waitBatch):
		t.Error("no error for an unreadable directory")
	}
}

func TestNewErrors(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "file"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		root string
		dirs []string
	}{
		{filepath.Join(root, "missing"), []string{"content"}},
		{filepath.Join(root, "file"), []string{"content"}},
		{root, []string{"../content"}},
		{root, []string{filepath.Join(root, "content")}},
		{root, nil},
	} {
		for _, opts := range []Options{{}, {Poll: time.Second}} {
			if w, err := New(tc.root, tc.dirs, opts); err == nil {
				w.Close()
				t.Errorf("New(%q, %q, %+v) succeeded, want error", tc.root, tc.dirs, opts)
			}
		}
	}
}

// TestClose checks that Close ends both channels and every goroutine, in
// both modes. It does not run in parallel, so that the goroutine count is
// its own.
func TestClose(t *testing.T) {
	for _, opts := range []Options{{}, {Poll: 10 * time.Millisecond}} {
		before := runtime.NumGoroutine()
		root := t.TempDir()
		w, err := New(root, projectDirs(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(root, "content", "sec"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "content", "sec", "a.md"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		select {
		case <-w.Changes():
		case <-time.After(waitBatch):
			t.Fatalf("%+v: no batch", opts)
		}
		// A change that is pending when Close is called.
		if err := os.WriteFile(filepath.Join(root, "content", "sec", "b.md"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%+v: Close: %v", opts, err)
		}
		if err := w.Close(); err != nil {
			t.Errorf("%+v: second Close: %v", opts, err)
		}
		for b := range w.Changes() {
			t.Logf("%+v: batch %q before the channel closed", opts, b)
		}
		for err := range w.Errors() {
			t.Errorf("%+v: unexpected error: %v", opts, err)
		}
		deadline := time.Now().Add(waitBatch)
		for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if n := runtime.NumGoroutine(); n > before {
			buf := make([]byte, 1<<16)
			t.Errorf("%+v: %d goroutines after Close, %d before:\n%s", opts, n, before, buf[:runtime.Stack(buf, true)])
		}
	}
}
