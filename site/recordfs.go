package site

import (
	"hash/maphash"
	"io/fs"
	"maps"
	"sync"
)

// recordFS is the project's file system, remembering a hash of every file
// a build reads so that the build can key its pages on the files'
// contents. It keeps the hashes, not the files.
type recordFS struct {
	fsys fs.FS
	seed maphash.Seed
	mu   sync.Mutex
	sum  map[string]uint64
}

func newRecordFS(fsys fs.FS, seed maphash.Seed) *recordFS {
	return &recordFS{fsys: fsys, seed: seed, sum: map[string]uint64{}}
}

// Open implements fs.FS.
func (r *recordFS) Open(name string) (fs.File, error) { return r.fsys.Open(name) }

// ReadDir implements fs.ReadDirFS.
func (r *recordFS) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.fsys, name) }

// ReadFile implements fs.ReadFileFS, remembering what it read.
func (r *recordFS) ReadFile(name string) ([]byte, error) {
	data, err := fs.ReadFile(r.fsys, name)
	if err == nil {
		r.remember(name, data)
	}
	return data, err
}

// remember records data as the content of the file at name: read now, or
// by an earlier build and known to be unchanged.
func (r *recordFS) remember(name string, data []byte) {
	sum := maphash.Bytes(r.seed, data) | 1 // never 0, which stands for a file not read
	r.mu.Lock()
	r.sum[name] = sum
	r.mu.Unlock()
}

// sums returns the hash of every file read so far, by name.
func (r *recordFS) sums() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.sum)
}
