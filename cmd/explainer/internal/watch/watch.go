// Package watch tells the dev server which project files changed.
//
// A [Watcher] watches a few directories of a project, such as content,
// templates and static, and sends batches of changed files on
// [Watcher.Changes]. The dev server rebuilds once per batch.
//
//	w, err := watch.New(".", []string{"content", "templates", "static"}, watch.Options{})
//	if err != nil {
//		return err
//	}
//	defer w.Close()
//	for {
//		select {
//		case paths, ok := <-w.Changes():
//			if !ok {
//				return nil
//			}
//			rebuild(paths)
//		case err, ok := <-w.Errors():
//			if ok {
//				log.Print(err)
//			}
//		}
//	}
//
// # What is reported
//
// Each batch lists the files that were created, written, removed, renamed
// (under both their old and their new name) or whose attributes changed,
// as slash paths relative to the root ("content/a.md"), sorted, each once.
// A directory that appears (created, or moved in from elsewhere) reports the
// files already inside it; one that disappears (removed, or moved out)
// reports the files it held, or only its own path if no files were known in
// it. Empty directories by themselves report nothing.
//
// Symbolic links are reported as files and never followed.
//
// # Editor saves
//
// Editors rarely write a file in place. Vim writes a probe file named 4913,
// renames the file to file~ and writes a new file; VS Code truncates and
// writes; JetBrains IDEs write file___jb_tmp___ and rename the original to
// file___jb_old___; emacs creates a lock file .#file and backups #file# and
// file~. The temporary names never appear in a batch and never cause one by
// themselves; the real file is reported once. Ignored are names starting
// with "." or "#"; names ending with "~", "___jb_tmp___", "___jb_old___",
// ".swp", ".swx", ".swo", ".tmp", ".part" or ".crdownload"; vim's probe names
// (4913, 5036, ...); and everything inside directories with such names.
// Names starting with "_" are reported: they are template partials.
//
// # Debouncing
//
// A save is many events, and a "git checkout" is thousands. Events are
// collected until none has arrived for [Options.Debounce] (50 ms by default)
// and then sent as one batch; a stream of events that never pauses is still
// flushed every ten debounce periods. Changes is buffered by one batch: if
// the receiver has not taken the previous batch yet, new paths are merged
// into it instead of blocking, so a slow rebuild is followed by exactly one
// more batch with everything that changed during it.
//
// # Directories
//
// Only directories are watched, through fsnotify: each watched directory,
// every directory below it (present ones when New is called, new ones as
// they are created) and the directories between the root and them,
// including the root itself, so that a watched directory that does not exist
// yet is picked up when it is created. A directory's contents are read after
// its watch is added, so files created between the two (as in
// "mkdir -p a/b && touch a/b/c") are reported too.
//
// # Errors
//
// Problems that do not stop the watcher, such as a directory that could not
// be watched, are sent on [Watcher.Errors]. On Linux each directory takes one
// inotify watch; when the system limit is reached, the error says how to
// raise it:
//
//	watching content/sections: the system's inotify watch limit is reached; raise it with: sudo sysctl fs.inotify.max_user_watches=524288 (or run with -poll 500ms)
//
// If the kernel's event queue overflows, events are lost; the error is sent
// and every file is reported as changed, so that a rebuild catches up.
//
// # Polling
//
// Some file systems (network mounts, some container and VM shares) send no
// events. With [Options.Poll] set, the watcher instead walks the directories
// at that interval and reports files whose size, modification time or mode
// changed, and files that appeared or disappeared, as one batch per poll.
package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"
)

// Options configure a [Watcher]. The zero value watches with fsnotify and a
// 50 ms debounce.
type Options struct {
	Poll     time.Duration // > 0: poll the tree at this interval instead of using fsnotify (for file systems that send no events)
	Debounce time.Duration // quiet period that ends a burst; default 50ms
	Logger   *slog.Logger  // may be nil
}

// defaultDebounce is the quiet period that ends a burst when
// Options.Debounce is not set: longer than the gaps between the events of an
// editor's save, shorter than a person notices.
const defaultDebounce = 50 * time.Millisecond

// maxWaitFactor caps a burst at this many debounce periods, so that
// continuous writes (a long copy, a generator in a loop) still flush.
const maxWaitFactor = 10

// errorBuffer is how many errors wait on Errors before further ones are
// logged and dropped; a full buffer means nobody is reading.
const errorBuffer = 16

// A Watcher reports changed files below a root directory. Create one with
// [New]; receive from [Watcher.Changes] and [Watcher.Errors]; stop it with
// [Watcher.Close].
type Watcher struct {
	root    string   // the root as given, for messages
	absRoot string   // the root, absolute and with symbolic links resolved
	dirs    []string // watched directories: clean slash paths relative to the root
	opts    Options
	log     *slog.Logger

	changes chan []string
	errors  chan error

	done     chan struct{} // closed by Close to stop the loop
	stopped  chan struct{} // closed by the loop when it has finished
	stopOnce sync.Once
	closeErr error // set by the loop before it closes stopped
}

// New watches the directories dirs (relative to root, e.g. "content",
// "templates", "static"), including ones that do not exist yet, and every
// directory below them, present and future. It returns once the present
// directories are watched, so any change made after New returns is reported.
//
// New fails if root is not a directory, if a dir is not a local path (see
// [filepath.IsLocal]), or if the root itself cannot be watched. Failures to
// watch directories below the root are sent on Errors instead.
func New(root string, dirs []string, opts Options) (*Watcher, error) {
	w, err := newWatcher(root, dirs, opts)
	if err != nil {
		return nil, err
	}
	if opts.Poll > 0 {
		p := newPoller(w)
		go p.run()
		return w, nil
	}
	n, err := newNotifier(w)
	if err != nil {
		return nil, err
	}
	go n.run()
	return w, nil
}

// newWatcher checks New's arguments and returns a Watcher that watches
// nothing yet.
func newWatcher(root string, dirs []string, opts Options) (*Watcher, error) {
	// Resolving links makes the root the path that events carry (on
	// macOS, t.TempDir's /var is /private/var).
	abs, err := filepath.Abs(root)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, err // names the root already
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("watching %s: not a directory", root)
	}
	if len(dirs) == 0 {
		return nil, fmt.Errorf("watching %s: no directories to watch", root)
	}
	var clean []string
	for _, d := range dirs {
		if !filepath.IsLocal(d) {
			return nil, fmt.Errorf("watching %s: directory %q is not inside the root", root, d)
		}
		clean = append(clean, filepath.ToSlash(filepath.Clean(d)))
	}
	slices.Sort(clean)
	clean = slices.Compact(clean)

	if opts.Debounce <= 0 {
		opts.Debounce = defaultDebounce
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	w := &Watcher{
		root:    root,
		absRoot: abs,
		dirs:    clean,
		opts:    opts,
		log:     log,
		changes: make(chan []string, 1),
		errors:  make(chan error, errorBuffer),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	return w, nil
}

// Changes returns the channel of batches of changed files: slash paths
// relative to the root, sorted and unique. It is closed by Close.
func (w *Watcher) Changes() <-chan []string { return w.changes }

// Errors returns the channel of problems that do not stop the watcher, such
// as a directory that could not be watched. It holds a few errors; when
// nobody receives them, further ones are logged to Options.Logger and
// dropped. It is closed by Close.
func (w *Watcher) Errors() <-chan error { return w.errors }

// Close stops watching, waits for the watcher's goroutines to finish, and
// closes the Changes and Errors channels. Changes not yet sent are dropped.
// Close may be called more than once and from any goroutine.
func (w *Watcher) Close() error {
	w.stopOnce.Do(func() { close(w.done) })
	<-w.stopped
	return w.closeErr
}

// finish is deferred by the loop goroutine: it records the result of
// closing the event source and releases Close.
func (w *Watcher) finish(closeErr error) {
	w.closeErr = closeErr
	close(w.changes)
	close(w.errors)
	close(w.stopped)
}

// path turns a slash path relative to the root into one for messages.
func (w *Watcher) path(rel string) string {
	return filepath.Join(w.root, filepath.FromSlash(rel))
}

// abs turns a slash path relative to the root into an absolute path.
func (w *Watcher) abs(rel string) string {
	return filepath.Join(w.absRoot, filepath.FromSlash(rel))
}

// rel turns an absolute path below the root into a slash path relative to
// it, or reports false.
func (w *Watcher) rel(abs string) (string, bool) {
	rel, err := filepath.Rel(w.absRoot, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return "", false
	}
	return filepath.ToSlash(rel), true
}

// deliver sends a batch without blocking. If the receiver has not taken the
// previous batch yet, it takes it back and sends the union instead. This is
// safe because the loop goroutine is the only sender: once the buffer has
// been emptied, by the receiver or by deliver, the send cannot block.
func (w *Watcher) deliver(batch []string) {
	select {
	case w.changes <- batch:
		w.log.Debug("watch: changes", "n", len(batch))
		return
	default:
	}
	select {
	case old := <-w.changes:
		batch = merge(old, batch)
	default:
	}
	w.changes <- batch
	w.log.Debug("watch: changes merged into a pending batch", "n", len(batch))
}

// merge returns the sorted union of two sorted batches.
func merge(a, b []string) []string {
	m := make([]string, 0, len(a)+len(b))
	m = append(m, a...)
	m = append(m, b...)
	slices.Sort(m)
	return slices.Compact(m)
}

// report sends err on Errors without blocking, and logs it if nobody is
// receiving.
func (w *Watcher) report(err error) {
	select {
	case w.errors <- err:
	default:
		w.log.Warn("watch: error dropped: nobody is receiving from Errors", "err", err)
	}
}

// batch collects the paths of one batch.
type batch map[string]struct{}

func (b batch) add(rel string) { b[rel] = struct{}{} }

// sorted returns the paths in order.
func (b batch) sorted() []string {
	paths := make([]string, 0, len(b))
	for p := range b {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	return paths
}

// isNotExist reports whether err says a path vanished, or was replaced by
// a file, while it was being read or watched. That is not a problem to
// report: the removal arrives as an event of its own.
func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
