package model

import (
	"testing"
)

// FuzzLineIndex holds newLineIndex to the byte loop it stands for: every
// line starts after a '\n', and its first byte is at column 1 of it.
func FuzzLineIndex(f *testing.F) {
	for _, s := range []string{"", "a", "\n", "a\nb\n", "\n\n\nx", "no end\nof line"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		want := []int{0}
		for i, c := range src {
			if c == '\n' {
				want = append(want, i+1)
			}
		}
		x := newLineIndex(src)
		if x.lines() != len(want) {
			t.Fatalf("newLineIndex(%q) has %d lines, want %d", src, x.lines(), len(want))
		}
		for i, start := range want {
			if got := x.offset(i+1, 1, len(src)); got != start {
				t.Errorf("newLineIndex(%q): line %d starts at %d, want %d", src, i+1, got, start)
			}
			if line, col := x.position(start); line != i+1 || col != 1 {
				t.Errorf("newLineIndex(%q): offset %d is at %d:%d, want %d:1", src, start, line, col, i+1)
			}
		}
	})
}
