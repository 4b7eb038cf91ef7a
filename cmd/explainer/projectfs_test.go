package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestProjectFS checks projectFS against os.DirFS: the same bytes for
// files of every size around its buffer's, the same kinds of errors.
func TestProjectFS(t *testing.T) {
	dir := t.TempDir()
	sizes := []int{0, 1, 511, 512, 513, 4095, 4096, 4097, 100_000}
	for _, n := range sizes {
		data := bytes.Repeat([]byte("abcdefghij"), n/10+1)[:n]
		if err := os.WriteFile(filepath.Join(dir, "f"+strings.Repeat("x", n%7)+"-"+string(rune('a'+len(data)%26))), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "content/sections"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "content/sections/01-a.md"), []byte("---\ntitle: A?\n---\nBody.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := newProjectFS(dir)
	if err := fstest.TestFS(p, "content/sections/01-a.md"); err != nil {
		t.Fatal(err)
	}
	err := fs.WalkDir(p, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got, err := p.ReadFile(name)
		if err != nil {
			return err
		}
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: read %d bytes, want %d", name, len(got), len(want))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		want error
	}{
		{"missing.md", fs.ErrNotExist},
		{"content/missing/x.md", fs.ErrNotExist},
		{"../outside", fs.ErrInvalid},
		{"/etc/passwd", fs.ErrInvalid},
		{"content/./sections/01-a.md", fs.ErrInvalid},
	} {
		_, err := p.ReadFile(tc.name)
		var pe *fs.PathError
		if !errors.Is(err, tc.want) || !errors.As(err, &pe) || pe.Path != tc.name {
			t.Errorf("ReadFile(%q): %v, want a *fs.PathError for %v naming %[1]q", tc.name, err, tc.want)
		}
	}
	if _, err := p.ReadFile("content"); err == nil {
		t.Errorf("ReadFile of a directory succeeded")
	}
}
