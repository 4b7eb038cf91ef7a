//go:build !linux

package main

import (
	"errors"
	"fmt"
	"os"
)

// writeNew creates the file dst, which must not exist, holding parts one
// after the other.
func writeNew(dst string, parts [][]byte) error {
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			w.Close()
			return fmt.Errorf("writing %s: %w", dst, err)
		}
	}
	return w.Close()
}

// exchange would atomically swap the directory entries a and b; this
// system has no way to, so stagedOutput.commit falls back to two renames.
func exchange(a, b string) error {
	return errors.ErrUnsupported
}
