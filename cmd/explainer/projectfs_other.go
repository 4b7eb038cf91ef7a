//go:build !linux

package main

import "io/fs"

// readWhole reads the file at name as os.DirFS does: no faster way is
// known here.
func (p projectFS) readWhole(name string) ([]byte, error) {
	return fs.ReadFile(p.FS, name)
}
