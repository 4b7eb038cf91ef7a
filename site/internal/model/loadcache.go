package model

import (
	"bytes"
	"errors"
	"hash/maphash"
	"io/fs"
	"sync"

	"github.com/explainer/explainer/site/internal/parallel"
)

// Cache keeps what the loader made of each section and document file,
// so that a rebuild parses only the files that changed. It is content
// addressed: an entry is reused only for the same bytes at the same place
// in the directory listing.
type Cache struct {
	mu    sync.Mutex
	files map[string]*fileResult
	dirs  map[string]dirListing // by directory
}

// dirListing is what the loader took from a directory's listing: the
// names of the files it reads, and its warnings about the others.
type dirListing struct {
	names []string
	warns ErrorList
}

func NewCache() *Cache {
	return &Cache{files: map[string]*fileResult{}, dirs: map[string]dirListing{}}
}

// fileResult is everything the loader derived from one file.
type fileResult struct {
	path      string // the file's path in the project
	name      string // the file name within its directory
	index     int    // its place in the directory listing
	data      []byte
	sum       uint64 // fileSum of data
	errs      ErrorList
	idPos     map[any]Pos
	figurePos map[*Clause]Pos
	heads     map[*Document]uint64
	clauses   map[*Clause][2]uint64
	unparsed  bool
	sections  []*Section
	docs      []*Document
}

// loadFiles reads and decodes the files names of dir on all cores with
// decode, reusing the results of the last load for unchanged files. The
// results are in the order of names.
func (l *loader) loadFiles(dir string, names []string, decode func(sub *loader, i int, name string, data []byte)) []*fileResult {
	results := make([]*fileResult, len(names))
	parallel.Do(len(names), 8, func(i int, _ *bytes.Buffer) {
		results[i] = l.loadFile(dir, names[i], i, decode)
	})
	return results
}

// loadFile decodes one file, or takes it from the cache.
func (l *loader) loadFile(dir, name string, i int, decode func(sub *loader, i int, name string, data []byte)) *fileResult {
	path := dir + "/" + name
	if l.cache != nil && l.unchanged != nil && l.unchanged(path) {
		l.cache.mu.Lock()
		old := l.cache.files[path]
		l.cache.mu.Unlock()
		if old != nil && old.index == i && old.data != nil {
			if rec, ok := l.src.(*Inputs); ok {
				rec.remember(path, old.sum)
			}
			return old
		}
	}
	data, err := fs.ReadFile(l.src, path)
	if err != nil {
		r := &fileResult{path: path, name: name, index: i}
		if !errors.Is(err, fs.ErrNotExist) {
			r.errs.Add(FileStart(path), "cannot read: %v", PathErr(err))
			r.unparsed = true
		}
		return r
	}
	if l.cache != nil {
		l.cache.mu.Lock()
		old := l.cache.files[path]
		l.cache.mu.Unlock()
		if old != nil && old.index == i && bytes.Equal(old.data, data) {
			return old
		}
	}
	sub := newFileLoader(l.seed, l.keys, l.src, l.opts)
	decode(sub, i, name, data)
	r := &fileResult{
		path: path, name: name, index: i,
		errs: sub.errs, idPos: sub.idPos, figurePos: sub.figurePos, unparsed: sub.unparsed,
		heads: sub.heads, clauses: sub.clauseSums,
		sections: sub.p.Sections, docs: sub.p.Documents,
	}
	if l.next != nil { // kept for the next load; a load that keeps nothing lets it go now
		r.data = data
	}
	if l.keys {
		r.sum = l.src.(*Inputs).sumOf(path) // hashed as it was read (Load reads through Inputs)
	}
	return r
}

// newFileLoader returns a loader for one file, whose results merge adds
// to the load.
func newFileLoader(seed maphash.Seed, keys bool, src fs.FS, opts Options) *loader {
	return &loader{seed: seed, keys: keys, src: src, opts: opts, p: &Project{},
		idPos: map[any]Pos{}, sectionFiles: map[*Section]string{}, figurePos: map[*Clause]Pos{},
		heads: map[*Document]uint64{}, clauseSums: map[*Clause][2]uint64{}}
}

// merge adds what one file gave to the load, and remembers it for the
// next load.
func (l *loader) merge(r *fileResult) {
	l.errs = append(l.errs, r.errs...)
	for k, v := range r.idPos {
		l.idPos[k] = v
	}
	for k, v := range r.figurePos {
		l.figurePos[k] = v
	}
	if r.unparsed {
		l.unparsed = true
	}
	if l.next != nil && r.data != nil {
		l.next.files[r.path] = r
	}
}
