package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// notifier turns fsnotify events into batches. All its state belongs to the
// goroutine running run, apart from the setup in newNotifier.
type notifier struct {
	w   *Watcher
	fsw *fsnotify.Watcher

	watched map[string]bool // directories with a watch, slash paths relative to the root
	files   map[string]bool // files known to exist inside watched directories

	pending batch     // paths of the batch being collected
	first   time.Time // when the first path of pending arrived
	timer   *time.Timer
}

// newNotifier starts fsnotify and watches the root and every existing
// directory that matters below it.
func newNotifier(w *Watcher) (*notifier, error) {
	fsw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, watchError(w.root, err)
	}
	n := &notifier{
		w:       w,
		fsw:     fsw,
		watched: make(map[string]bool),
		files:   make(map[string]bool),
		pending: make(batch),
		timer:   time.NewTimer(time.Hour),
	}
	n.timer.Stop()
	// The root is watched first, on its own, so that its failure fails New:
	// nothing below could be watched either.
	if err := fsw.Add(w.absRoot); err != nil {
		fsw.Close()
		return nil, watchError(w.root, err)
	}
	n.watched["."] = true
	n.scan(".", false)
	return n, nil
}

// run is the notifier's goroutine: it handles events until Close.
func (n *notifier) run() {
	defer func() {
		n.timer.Stop()
		n.w.finish(n.fsw.Close())
	}()
	for {
		select {
		case <-n.w.done:
			return
		case ev, ok := <-n.fsw.Events:
			if !ok {
				return
			}
			n.handle(ev)
		case err, ok := <-n.fsw.Errors:
			if !ok {
				return
			}
			n.w.report(err)
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				n.rescan()
			}
		case <-n.timer.C:
			n.flush()
		}
	}
}

// add puts rel into the pending batch and (re)arms the debounce timer: the
// batch is sent once no path has been added for Debounce, or at the latest
// maxWaitFactor debounce periods after its first path.
func (n *notifier) add(rel string) {
	now := time.Now()
	if len(n.pending) == 0 {
		n.first = now
	}
	n.pending.add(rel)
	d := n.w.opts.Debounce
	wait := min(d, n.first.Add(maxWaitFactor*d).Sub(now))
	n.timer.Reset(max(wait, 0))
}

// flush sends the pending batch, if any.
func (n *notifier) flush() {
	if len(n.pending) == 0 {
		return
	}
	n.w.deliver(n.pending.sorted())
	n.pending = make(batch)
}

// handle updates the watches and the pending batch for one event.
func (n *notifier) handle(ev fsnotify.Event) {
	rel, ok := n.w.rel(ev.Name)
	if !ok {
		return
	}
	k := n.w.classify(rel)
	if k == outside {
		return
	}
	n.w.log.Debug("watch: event", "op", ev.Op, "path", rel)
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		n.forget(rel)
	}
	if ev.Has(fsnotify.Create) {
		fi, err := os.Lstat(ev.Name)
		switch {
		case err != nil:
			// Gone already; its Remove or Rename event follows.
		case fi.IsDir():
			if !n.watched[rel] {
				n.scan(rel, true)
			}
		case k == inside:
			n.files[rel] = true
			n.add(rel)
		}
	}
	if (ev.Has(fsnotify.Write) || ev.Has(fsnotify.Chmod)) && k == inside && !n.watched[rel] {
		// Chmod is also how Linux reports a touch, and it precedes the
		// Remove of a deleted file; either way the file is worth a look.
		if !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
			n.files[rel] = true
		}
		n.add(rel)
	}
}

// forget handles the disappearance of rel, by removal or by renaming: if it
// was a directory, its watches go and the files it held are reported;
// otherwise rel itself is reported.
//
// Watches are removed explicitly because inotify keeps watching a directory
// that was moved, under its old name in fsnotify's books; a directory moved
// back in later would report events under the wrong path.
func (n *notifier) forget(rel string) {
	under := func(p string) bool {
		return p == rel || rel == "." || strings.HasPrefix(p, rel+"/")
	}
	for d := range n.watched {
		if under(d) {
			// An error only says that the kernel dropped the watch
			// already, because the directory is gone.
			_ = n.fsw.Remove(n.w.abs(d))
			delete(n.watched, d)
		}
	}
	held := 0
	for f := range n.files {
		if under(f) {
			delete(n.files, f)
			n.add(f)
			held++
		}
	}
	if held > 0 || n.w.classify(rel) != inside {
		return
	}
	// An unknown file, or an empty or unknown directory: report the path,
	// unless it is a directory whose files were just reported (a moved
	// directory sends a second Rename for itself).
	for p := range n.pending {
		if strings.HasPrefix(p, rel+"/") {
			return
		}
	}
	n.add(rel)
}

// scan watches the directory rel and every relevant directory below it,
// adding each watch before reading the directory so that no file created
// meanwhile is missed: it shows up in the listing, as an event, or both.
// With report set, the files found are added to the pending batch.
// Directories below rel that are watched already are skipped.
func (n *notifier) scan(rel string, report bool) {
	limited := false // a limit error was sent; every further watch fails the same way
	err := filepath.WalkDir(n.w.abs(rel), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if !isNotExist(err) {
				n.w.report(err)
			}
			return nil
		}
		r, ok := n.w.rel(path)
		if !ok {
			return nil
		}
		k := n.w.classify(r)
		if !d.IsDir() {
			if k == inside {
				n.files[r] = true
				if report {
					n.add(r)
				}
			}
			return nil
		}
		if k == outside {
			return filepath.SkipDir
		}
		if n.watched[r] && r != rel {
			return filepath.SkipDir
		}
		if err := n.fsw.Add(path); err != nil {
			if isNotExist(err) {
				return filepath.SkipDir
			}
			isLimit := limitHint(err) != ""
			if !isLimit || !limited {
				n.w.report(watchError(n.w.path(r), err))
			}
			limited = limited || isLimit
			// Read the directory anyway: its files exist, even if
			// their changes will be missed.
			return nil
		}
		n.watched[r] = true
		return nil
	})
	if err != nil {
		n.w.report(err)
	}
}

// rescan recovers from lost events: it watches everything afresh and
// reports every file, known before or found now, as changed.
func (n *notifier) rescan() {
	for f := range n.files {
		n.add(f)
	}
	for d := range n.watched {
		if d != "." {
			_ = n.fsw.Remove(n.w.abs(d))
		}
	}
	n.files = make(map[string]bool)
	n.watched = map[string]bool{".": true}
	n.scan(".", true)
}
