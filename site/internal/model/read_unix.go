//go:build unix

package model

import "syscall"

// nonBlocking opens a file without waiting: a named pipe with no writer
// opens at once.
const nonBlocking = syscall.O_NONBLOCK
