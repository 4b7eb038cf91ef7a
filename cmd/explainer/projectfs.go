package main

import (
	"io/fs"
	"os"
)

// projectFS is os.DirFS(dir) with a ReadFile that reads a file with as
// few system calls as the platform allows (see readWhole). A build reads
// every file of the project once, ten thousand of them for a large one,
// and os.ReadFile spends more system calls on each than reading needs.
type projectFS struct {
	fs.FS
	dir string
}

func newProjectFS(dir string) projectFS {
	return projectFS{FS: os.DirFS(dir), dir: dir}
}

// ReadFile implements fs.ReadFileFS.
func (p projectFS) ReadFile(name string) ([]byte, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: fs.ErrInvalid}
	}
	data, err := p.readWhole(name)
	if pe, ok := err.(*fs.PathError); ok {
		pe.Path = name // as os.DirFS names it
	}
	return data, err
}
