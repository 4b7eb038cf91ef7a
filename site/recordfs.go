package site

import (
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
	sums  map[string]uint64
}

func newRecordFS(fsys fs.FS) *recordFS {
	return &recordFS{fsys: fsys, files: map[string][]byte{}, sums: map[string]uint64{}}
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

// hash returns a hash of the content of the file at name as the build
// read it, or 0 for a file it did not read (one that does not exist).
func (r *recordFS) hash(seed maphash.Seed, name string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if sum, ok := r.sums[name]; ok {
		return sum
	}
	data, ok := r.files[name]
	var sum uint64
	if ok {
		sum = maphash.Bytes(seed, data) | 1
	}
	r.sums[name] = sum
	return sum
}
