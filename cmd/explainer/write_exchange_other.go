//go:build !linux

package main

import "errors"

// exchange would atomically swap the directory entries a and b; this
// system has no way to, so stagedOutput.commit falls back to two renames.
func exchange(a, b string) error {
	return errors.ErrUnsupported
}
