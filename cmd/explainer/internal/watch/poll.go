package watch

import (
	"io/fs"
	"path/filepath"
	"time"
)

// fileState is what polling compares to decide that a file changed.
type fileState struct {
	size    int64
	modTime time.Time
	mode    fs.FileMode
}

// poller watches by walking the directories at every Options.Poll interval.
// All its state belongs to the goroutine running run, apart from the first
// walk in newPoller.
type poller struct {
	w       *Watcher
	files   map[string]fileState // the previous walk
	errText map[string]bool      // errors reported after the previous walk, so each is sent once
}

// newPoller takes the first snapshot, so that changes made after New
// returns are reported.
func newPoller(w *Watcher) *poller {
	p := &poller{w: w}
	p.files, p.errText = p.walk(nil)
	return p
}

// run is the poller's goroutine: it walks every interval until Close.
func (p *poller) run() {
	defer p.w.finish(nil)
	tick := time.NewTicker(p.w.opts.Poll)
	defer tick.Stop()
	for {
		select {
		case <-p.w.done:
			return
		case <-tick.C:
			p.poll()
		}
	}
}

// poll walks the tree once and sends a batch if anything changed.
func (p *poller) poll() {
	files, errText := p.walk(p.errText)
	changed := make(batch)
	for rel, st := range files {
		if old, ok := p.files[rel]; !ok || old.size != st.size || !old.modTime.Equal(st.modTime) || old.mode != st.mode {
			changed.add(rel)
		}
	}
	for rel := range p.files {
		if _, ok := files[rel]; !ok {
			changed.add(rel)
		}
	}
	p.files, p.errText = files, errText
	if len(changed) > 0 {
		p.w.deliver(changed.sorted())
	}
}

// walk records the state of every file inside the watched directories,
// without following symbolic links. Errors not in seen (the previous walk's)
// are reported; the errors of this walk are returned for the next one, so a
// lasting problem such as an unreadable directory is reported once.
func (p *poller) walk(seen map[string]bool) (map[string]fileState, map[string]bool) {
	files := make(map[string]fileState)
	errText := make(map[string]bool)
	for _, dir := range p.w.dirs {
		filepath.WalkDir(p.w.abs(dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if !isNotExist(err) {
					errText[err.Error()] = true
					if !seen[err.Error()] {
						p.w.report(err)
					}
				}
				return nil
			}
			rel, ok := p.w.rel(path)
			if !ok || p.w.classify(rel) != inside {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return nil // removed since the directory was read
			}
			files[rel] = fileState{size: fi.Size(), modTime: fi.ModTime(), mode: fi.Mode()}
			return nil
		})
	}
	return files, errText
}
