package site

import (
	"bytes"
	"hash/maphash"
	"io/fs"
	"sync"
)

// recordFS is the project's file system, remembering every file a build
// reads so that the build can key its pages on the files' contents.
type recordFS struct {
	fsys  fs.FS
	mu    sync.Mutex
	files map[string][]byte
}

func newRecordFS(fsys fs.FS) *recordFS {
	return &recordFS{fsys: fsys, files: map[string][]byte{}}
}

// Open implements fs.FS.
func (r *recordFS) Open(name string) (fs.File, error) { return r.fsys.Open(name) }

// ReadDir implements fs.ReadDirFS.
func (r *recordFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.fsys, name) }

// ReadFile implements fs.ReadFileFS, remembering what it read.
func (r *recordFS) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(r.fsys, name)
	if err == nil {
		r.mu.Lock()
		r.files[name] = data
		r.mu.Unlock()
	}
	return data, err
}

// remember records data as the content of the file at name, read by an
// earlier build and known to be unchanged.
func (r *recordFS) remember(name string, data []byte) {
	r.mu.Lock()
	r.files[name] = data
	r.mu.Unlock()
}

// sums returns the hash of every file read so far, by name, computed on
// all cores.
func (r *recordFS) sums(seed maphash.Seed) map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	names := make([]string, 0, len(r.files))
	for n := range r.files {
		names = append(names, n)
	}
	sums := make([]uint64, len(names))
	parallel(len(names), 16, func(i int, _ *bytes.Buffer) {
		sums[i] = maphash.Bytes(seed, r.files[names[i]]) | 1
	})
	out := make(map[string]uint64, len(names))
	for i, n := range names {
		out[n] = sums[i]
	}
	return out
}
