//go:build !unix

package model

// nonBlocking is nothing where opening a file does not wait for a
// writer.
const nonBlocking = 0
