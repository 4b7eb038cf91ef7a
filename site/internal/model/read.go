package model

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"strings"
)

// The most a project's files may hold: far above any real explainer (a
// section runs to some 20 KB, a long treaty's YAML to a few hundred),
// and low enough that the worst input stays small and fast. A static
// file (an image, a PDF of the plan) may be larger.
const (
	MaxFileSize   = 1 << 20  // a file of content/ or templates/
	MaxStaticSize = 64 << 20 // a file of static/
	// MaxMarkdown is the most one Markdown text may hold: a section's
	// body, a clause's text, any Markdown field. goldmark takes time
	// that grows with the square of some paragraphs' length: the worst
	// shape known, "]([" and a newline repeated, takes about 0.4 s at
	// this size on a small machine, and 18 s at 1 MiB.
	MaxMarkdown = 128 << 10
)

// ReadFile reads the file at name in fsys as a project file: a regular
// file, not a named pipe, socket or device, which could block a build
// or never end, and at most limit bytes, checked before and while it is
// read.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	return readLimited(f, limit)
}

// ReadOSFile reads the file at path on disk as ReadFile reads a project
// file: opened without waiting, a regular file only, at most limit
// bytes.
func ReadOSFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		return nil, err
	}
	return readLimited(f, limit)
}

// readLimited reads f, and closes it, if it is a regular file of at most
// limit bytes.
func readLimited(f fs.File, limit int64) ([]byte, error) {
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, notRegular(info.Mode())
	}
	if info.Size() > limit {
		return nil, tooLarge(overSize(info.Size(), limit), limit)
	}
	// Room for what the file says it holds, and a little more should it
	// grow: one allocation, as os.ReadFile makes.
	var buf bytes.Buffer
	buf.Grow(int(info.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if int64(len(data)) > limit { // it grew while read
		return nil, tooLarge("more than "+byteSize(limit), limit)
	}
	return data, nil
}

// LimitFor is the most the project file at name may hold.
func LimitFor(name string) int64 {
	if strings.HasPrefix(name, "static/") {
		return MaxStaticSize
	}
	return MaxFileSize
}

// notRegular says what a file that is not a regular file is.
func notRegular(mode fs.FileMode) error {
	switch {
	case mode.IsDir():
		return errors.New("a directory, not a file")
	case mode&fs.ModeNamedPipe != 0:
		return errors.New("a named pipe (FIFO), not a regular file")
	case mode&fs.ModeSocket != 0:
		return errors.New("a socket, not a regular file")
	case mode&fs.ModeDevice != 0:
		return errors.New("a device, not a regular file")
	}
	return errors.New("not a regular file")
}

// tooLarge is the error for a file that holds size, over limit.
func tooLarge(size string, limit int64) error {
	return fmt.Errorf("the file holds %s; a project file may hold at most %s", size, byteSize(limit))
}

// overSize writes n bytes, which are over limit, so that the reader sees
// they are: in bytes when close enough that rounding would hide it.
func overSize(n, limit int64) string {
	if n < limit+limit/16 {
		return fmt.Sprintf("%d bytes", n)
	}
	return byteSize(n)
}

// PathErr is err without the operation and path an fs.PathError adds:
// the message that goes with a file's name says which file.
func PathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// byteSize writes n bytes for a reader: "1 MiB", "100.0 MiB", "600 KiB".
func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// MarkdownTooLong reports whether a Markdown text is over MaxMarkdown,
// with the message that says so.
func MarkdownTooLong(text string) (string, bool) {
	if len(text) <= MaxMarkdown {
		return "", false
	}
	return fmt.Sprintf("this Markdown holds %s; a text may hold at most %s (split it into sections or clauses)", overSize(int64(len(text)), MaxMarkdown), byteSize(MaxMarkdown)), true
}

// A DirFS is a project directory as an fs.FS that never leaves it and
// never blocks: it follows no symbolic link to a file outside the
// directory (see os.Root), and opens every file without waiting, so that
// a named pipe is seen for what it is (ReadFile refuses it) rather than
// waited on for a writer.
type DirFS struct {
	root *os.Root
}

// OpenDir opens the directory dir as a DirFS. It stays open for the
// life of the program: a build reads from it, as does every rebuild of
// the dev server.
func OpenDir(dir string) (*DirFS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &DirFS{root}, nil
}

// Open implements fs.FS.
func (d *DirFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.root.OpenFile(name, os.O_RDONLY|nonBlocking, 0)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "escapes") {
			return nil, &fs.PathError{Op: "open", Path: name, Err: errOutside}
		}
		// A socket cannot be opened at all: say what it is.
		if info, lerr := d.root.Lstat(name); lerr == nil && info.Mode().Type()&(fs.ModeSocket|fs.ModeDevice|fs.ModeNamedPipe) != 0 {
			return nil, &fs.PathError{Op: "open", Path: name, Err: notRegular(info.Mode())}
		}
		return nil, err
	}
	return f, nil
}

// errOutside is the error for a symbolic link that leads out of the
// project.
var errOutside = errors.New("a symbolic link to a file outside the project, which is not read")

// CheckBaseURL reports whether s is an absolute http or https URL, which
// a site's links, sitemap and feed can be built on: the base_url field
// and the -base-url flag are held to it alike.
func CheckBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" || u.Opaque != "" || u.User != nil {
		return errors.New("not an absolute http or https URL")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return errors.New("a base URL has no query or fragment")
	}
	return nil
}
