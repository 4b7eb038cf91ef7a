package model

import (
	"hash/maphash"
	"io/fs"
	"maps"
	"sync"
)

// Inputs is the project's file system, remembering a hash of every file
// a build reads so that the build can key its pages on the files'
// contents. It keeps the hashes, not the files. Without hash, as for a
// build that keys nothing for a rebuild, it records only which files it
// read (their hash is 1).
type Inputs struct {
	fsys fs.FS
	seed maphash.Seed
	hash bool
	mu   sync.Mutex
	sum  map[string]uint64
}

func NewInputs(fsys fs.FS, seed maphash.Seed, hash bool) *Inputs {
	return &Inputs{fsys: fsys, seed: seed, hash: hash, sum: map[string]uint64{}}
}

// Open implements fs.FS.
func (r *Inputs) Open(name string) (fs.File, error) { return r.fsys.Open(name) }

// ReadDir implements fs.ReadDirFS.
func (r *Inputs) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(r.fsys, name) }

// ReadFile implements fs.ReadFileFS, remembering what it read. It
// reads as ReadFile does: regular files only, within LimitFor(name).
func (r *Inputs) ReadFile(name string) ([]byte, error) {
	data, err := ReadFile(r.fsys, name, LimitFor(name))
	if err == nil {
		sum := uint64(1)
		if r.hash {
			sum = fileSum(r.seed, data)
		}
		r.remember(name, sum)
	}
	return data, err
}

// sumOf returns the hash remembered for the file at name.
func (r *Inputs) sumOf(name string) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sum[name]
}

// fileSum is the hash of a file's content that rebuilds compare: never 0,
// which stands for a file not read.
func fileSum(seed maphash.Seed, data []byte) uint64 { return maphash.Bytes(seed, data) | 1 }

// remember records sum, from fileSum, as the hash of the file at name:
// read now, or by an earlier build and known to be unchanged.
func (r *Inputs) remember(name string, sum uint64) {
	r.mu.Lock()
	r.sum[name] = sum
	r.mu.Unlock()
}

// sums returns the hash of every file read so far, by name.
func (r *Inputs) Sums() map[string]uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return maps.Clone(r.sum)
}
