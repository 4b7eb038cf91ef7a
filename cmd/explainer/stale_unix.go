//go:build unix

package main

import (
	"errors"
	"syscall"
)

// processRuns reports whether the process pid runs: a signal 0 to it
// finds it, whether or not it may be signalled.
func processRuns(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
