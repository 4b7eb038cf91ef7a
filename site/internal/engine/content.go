package engine

import (
	"bytes"
	"sync"
)

// Content is one output file, whole or in parts. A file in parts, such as
// the home page made of every section's block, is joined on first use:
// the dev server compares builds part by part and joins the home page
// only when someone asks for it.
type Content struct {
	parts [][]byte
	once  sync.Once
	data  []byte // the parts joined
	// made, for a file the build left to be made after it returned, is
	// closed once parts is set.
	made chan struct{}
	key  uint64 // the key of the file's inputs, if known (see Key)
}

// NewContent returns a file made of parts.
func NewContent(parts [][]byte) *Content { return &Content{parts: parts} }

// Parts returns the file's parts, once made.
func (c *Content) Parts() [][]byte {
	if c.made != nil {
		<-c.made
	}
	return c.parts
}

// Bytes returns the file's parts joined.
func (c *Content) Bytes() []byte {
	parts := c.Parts()
	if len(parts) == 1 {
		return parts[0]
	}
	c.once.Do(func() { c.data = bytes.Join(parts, nil) })
	return c.data
}

// Size returns the file's length.
func (c *Content) Size() int {
	n := 0
	for _, p := range c.Parts() {
		n += len(p)
	}
	return n
}

// Key returns the key of the file's inputs, which tells two builds of
// one Builder apart without the file's content, or 0 if not known.
func (c *Content) Key() uint64 { return c.key }

// later returns a file made by render on another goroutine, whose key
// is key; wg counts the goroutine.
func later(render func() [][]byte, key uint64, wg *sync.WaitGroup) *Content {
	c := &Content{made: make(chan struct{}), key: key}
	wg.Go(func() {
		c.parts = render()
		close(c.made)
	})
	return c
}
