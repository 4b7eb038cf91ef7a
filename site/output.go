package site

import (
	"bytes"
	"io"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/explainer/explainer/site/internal/engine"
	"github.com/explainer/explainer/site/internal/model"
)

// Output is a built site held in memory. It implements fs.FS, so that
// the build command can write it out with os.CopyFS and the dev server
// can hand it to http.FileServerFS.
type Output struct {
	files    map[string]*engine.Content // slash path without leading slash -> content
	dirsOnce sync.Once
	dirs     map[string][]string // see directories
	Warnings ErrorList           // problems that did not fail the build
	Pages    int                 // the number of HTML pages
	Deps     *Graph              // which input files each output file depends on

	namesOnce sync.Once
	names     []string        // see sortedNames
	from      *engine.Builder // the Builder that made it, whose keys it holds
}

// with returns o with the files of changed in the place of its own, as
// Preview gives it: a new Output that shares o's other files and names.
func (o *Output) with(changed map[string][][]byte) *Output {
	files := maps.Clone(o.files)
	for name, parts := range changed {
		files[name] = engine.NewContent(parts)
	}
	return &Output{files: files, Warnings: o.Warnings, Pages: o.Pages, Deps: o.Deps, names: o.sortedNames(), from: o.from}
}

// directories returns the entries of every directory, sorted, listed on
// first use: the dev server, which serves files by name, never asks.
func (o *Output) directories() map[string][]string {
	o.dirsOnce.Do(func() {
		o.dirs = map[string][]string{".": nil}
		for name := range o.files {
			for child := name; child != "."; child = path.Dir(child) {
				dir := path.Dir(child)
				_, seen := o.dirs[dir]
				o.dirs[dir] = append(o.dirs[dir], path.Base(child))
				if seen {
					break
				}
			}
		}
		for d, names := range o.dirs {
			slices.Sort(names)
			o.dirs[d] = slices.Compact(names)
		}
	})
	return o.dirs
}

// Names returns the paths of every file, sorted.
func (o *Output) Names() []string {
	return slices.Clone(o.sortedNames())
}

// sortedNames returns the paths of every file, sorted, listed on first
// use, or given by the Output that this one changes some files of.
func (o *Output) sortedNames() []string {
	o.namesOnce.Do(func() {
		if o.names != nil {
			return
		}
		o.names = make([]string, 0, len(o.files))
		for n := range o.files {
			o.names = append(o.names, n)
		}
		slices.Sort(o.names)
	})
	return o.names
}

// File returns the content of the file at name and whether it exists.
// The caller must not modify the returned slice.
func (o *Output) File(name string) ([]byte, bool) {
	c, ok := o.files[name]
	if !ok {
		return nil, false
	}
	return c.Bytes(), true
}

// Parts returns the content of the file at name in the parts it was made
// of, which joined are what File returns, and whether it exists. A part
// that two builds share is the same slice in both. The caller must not
// modify them.
func (o *Output) Parts(name string) ([][]byte, bool) {
	c, ok := o.files[name]
	if !ok {
		return nil, false
	}
	return c.Parts(), true
}

// Same reports whether the file at name, which o and old both have, is
// the same in both, when the two builds tell by the key of its inputs,
// without its content: then known is true. The dev server asks first, so
// as not to wait for a file still being made, such as the JSON export
// after a rebuild.
func (o *Output) Same(old *Output, name string) (same, known bool) {
	a, b := old.files[name], o.files[name]
	if o.from == nil || o.from != old.from || a == nil || b == nil || a.Key() == 0 || b.Key() == 0 {
		return false, false
	}
	return a.Key() == b.Key(), true
}

// Open implements fs.FS.
func (o *Output) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if c, ok := o.files[name]; ok {
		b := c.Bytes()
		return &memFile{info: memInfo{name: path.Base(name), size: int64(len(b))}, r: bytes.NewReader(b)}, nil
	}
	if names, ok := o.directories()[name]; ok {
		return &memDir{o: o, dir: name, info: memInfo{name: path.Base(name), dir: true}, names: names}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type memInfo struct {
	name string
	size int64
	dir  bool
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return i.size }
func (i memInfo) Mode() fs.FileMode {
	if i.dir {
		return fs.ModeDir | 0o755
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time         { return time.Time{} }
func (i memInfo) IsDir() bool                { return i.dir }
func (i memInfo) Sys() any                   { return nil }
func (i memInfo) Info() (fs.FileInfo, error) { return i, nil }
func (i memInfo) Type() fs.FileMode          { return i.Mode().Type() }

type memFile struct {
	info memInfo
	r    *bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *memFile) Seek(off int64, whence int) (int64, error) {
	return f.r.Seek(off, whence)
}
func (f *memFile) ReadAt(p []byte, off int64) (int, error) { return f.r.ReadAt(p, off) }
func (f *memFile) Close() error                            { return nil }

type memDir struct {
	o     *Output
	dir   string
	info  memInfo
	names []string
	off   int
}

func (d *memDir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *memDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.dir, Err: fs.ErrInvalid}
}
func (d *memDir) Close() error { return nil }

// ReadDir implements fs.ReadDirFile.
func (d *memDir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.names[d.off:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	d.off += len(rest)
	out := make([]fs.DirEntry, len(rest))
	for i, name := range rest {
		full := path.Join(d.dir, name)
		if c, ok := d.o.files[full]; ok {
			out[i] = memInfo{name: name, size: int64(c.Size())}
		} else {
			out[i] = memInfo{name: name, dir: true}
		}
	}
	return out, nil
}

// Graph records, for each input file, the output files that depend on it:
// what an edit of the file may change. A page depends on the files of
// what rendering it read (see Incremental builds). The graph is made on
// first use.
type Graph struct {
	outputs map[string][]string // output path -> the input files (or units of them) it depends on
	pages   func(add func(out string, deps []string))

	once   sync.Once
	inputs map[string][]string // input path -> output paths, sorted
}

func (g *Graph) invert() {
	if g.pages != nil {
		g.pages(func(out string, deps []string) { g.outputs[out] = deps })
	}
	g.inputs = map[string][]string{}
	for out, deps := range g.outputs {
		for _, d := range deps {
			if d != "" {
				d = model.UnitFile(d) // a unit of a file is the file here
				g.inputs[d] = append(g.inputs[d], out)
			}
		}
	}
	for in, outs := range g.inputs {
		g.inputs[in] = sortedSet(outs)
	}
}

// Dependents returns the output files that depend on the input file,
// sorted. Pages rendered with the project's own templates depend on every
// file under content/.
func (g *Graph) Dependents(input string) []string {
	if g == nil {
		return nil
	}
	g.once.Do(g.invert)
	if !strings.HasPrefix(input, engine.Everything) || len(g.inputs[engine.Everything]) == 0 {
		return g.inputs[input]
	}
	return sortedSet(append(slices.Clone(g.inputs[input]), g.inputs[engine.Everything]...))
}

// Inputs returns every input file the graph knows, sorted.
func (g *Graph) Inputs() []string {
	if g == nil {
		return nil
	}
	g.once.Do(g.invert)
	names := make([]string, 0, len(g.inputs))
	for n := range g.inputs {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// sortedSet sorts names and drops repeats and "".
func sortedSet(names []string) []string {
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > 0 && names[0] == "" {
		names = names[1:]
	}
	return names
}
