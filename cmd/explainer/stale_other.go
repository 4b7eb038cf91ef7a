//go:build !unix

package main

// processRuns reports whether the process pid runs. Where that cannot be
// told, it says yes: no directory is removed that might still be in use.
func processRuns(int) bool { return true }
