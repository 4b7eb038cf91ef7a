package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// manifestName is the file that build writes at the root of the output
// directory. It lists every other file the build wrote, one slash-separated
// path per line, sorted, and so marks the directory as one that a later
// build may replace: that build deletes only files the manifest lists.
const manifestName = ".explainer-build"

// A stagedOutput is a new site being written, to replace the output
// directory as a whole: no file of an earlier build survives, and if
// anything fails the previous output is left exactly as it was.
//
// stageOutput makes a fresh sibling of the output directory
// (".OUT.tmp-PID-BOOT-RANDOM": named as this process's, see removeStale,
// which removes those a killed build left) and write puts files in it,
// from many goroutines at once if need be, as site.BuildTo calls it. commit writes the manifest
// and swaps the two directories: in one atomic step where the system can
// exchange two directories (Linux), else by renaming the old one aside
// and the new one into place. Only then does it remove the old tree,
// without following symbolic links. discard removes what was written,
// unless it was committed.
//
// stageOutput and commit refuse, as checkOutput describes, an output
// directory that no build wrote or that holds the project.
type stagedOutput struct {
	out, src string
	dest     *outputDir
	tmp      string // the directory being written

	mu        sync.Mutex
	dirs      map[string]*madeDir // the directories of tmp, as slash paths
	names     []string            // the files written
	committed bool
}

// stageOutput checks that out may be replaced (see checkOutput) and
// makes the directory the new site is written into.
func stageOutput(out, src string) (*stagedOutput, error) {
	dest, err := checkOutput(out, src)
	if err != nil {
		return nil, err
	}
	parent, base := filepath.Split(dest.path)
	if base == "" {
		return nil, fmt.Errorf("refusing to replace %s: it is a root directory", out)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := mkdirUnique(parent, "."+base+".tmp-"+stagingTag())
	if err != nil {
		return nil, err
	}
	st := &stagedOutput{out: out, src: src, dest: dest, tmp: tmp, dirs: map[string]*madeDir{}}
	if dest.exists {
		// Keep the permissions someone gave the directory (say, g+w for
		// a web server's group).
		if err := os.Chmod(tmp, dest.mode.Perm()); err != nil {
			st.discard()
			return nil, err
		}
	}
	return st, nil
}

// write writes the file name, a slash path, whose content is parts one
// after the other, making the directories that hold it.
func (st *stagedOutput) write(name string, parts [][]byte) error {
	if err := checkSiteName(name); err != nil {
		return err
	}
	if err := st.mkdirs(path.Dir(name)); err != nil {
		return err
	}
	if err := writeNew(filepath.Join(st.tmp, filepath.FromSlash(name)), parts); err != nil {
		return err
	}
	st.mu.Lock()
	st.names = append(st.names, name)
	st.mu.Unlock()
	return nil
}

// mkdirs makes the directory dir of the new site, a slash path, and its
// parents, unless made already. Directories are made outside the lock:
// each once, by whoever asks first, while the others that need it wait
// for it, and only for it.
func (st *stagedOutput) mkdirs(dir string) error {
	if dir == "." {
		return nil
	}
	st.mu.Lock()
	d := st.dirs[dir]
	if d == nil {
		d = &madeDir{}
		st.dirs[dir] = d
	}
	st.mu.Unlock()
	d.once.Do(func() {
		if d.err = st.mkdirs(path.Dir(dir)); d.err == nil {
			d.err = os.Mkdir(filepath.Join(st.tmp, filepath.FromSlash(dir)), 0o755)
		}
	})
	return d.err
}

// A madeDir is a directory of the new site, made once.
type madeDir struct {
	once sync.Once
	err  error
}

// commit writes the manifest of the files written and puts the new site
// in the place of the output directory.
func (st *stagedOutput) commit(ctx context.Context) error {
	st.mu.Lock()
	names := slices.Sorted(slices.Values(st.names))
	st.mu.Unlock()
	var manifest strings.Builder
	for _, name := range names {
		manifest.WriteString(name + "\n")
	}
	if err := os.WriteFile(filepath.Join(st.tmp, manifestName), []byte(manifest.String()), 0o644); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}

	old, err := st.swapIn()
	if err != nil {
		return err
	}
	st.committed = true
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("the site is in %s, but removing the previous output failed: %w", st.out, err)
		}
	}
	removeStale(st.dest.path)
	return nil
}

// swapIn puts the staged tree in the output's place and returns where
// the previous output now is, "" if there was none.
func (st *stagedOutput) swapIn() (old string, err error) {
	if !st.dest.exists {
		return "", os.Rename(st.tmp, st.dest.path)
	}
	// The earlier build's files may have changed while this one ran.
	if _, err := checkOutput(st.out, st.src); err != nil {
		return "", err
	}
	switch err := exchange(st.tmp, st.dest.path); {
	case errors.Is(err, errors.ErrUnsupported):
		return swapByRename(st.tmp, st.dest.path)
	case err != nil:
		return "", err
	}
	return st.tmp, nil // after an exchange, the old tree is where the new one was
}

// discard removes what was written, unless it was committed.
func (st *stagedOutput) discard() {
	if !st.committed {
		os.RemoveAll(st.tmp)
	}
}

// swapByRename puts the directory tmp in the place of dir, which exists, by
// renaming dir aside and tmp into its place, and returns where the old
// directory now is. If the second rename fails, it puts dir back. It is the
// fallback where directories cannot be exchanged atomically; between the
// two renames, dir does not exist.
func swapByRename(tmp, dir string) (old string, err error) {
	parent, base := filepath.Split(dir)
	tag := stagingTag()
	for range 100 {
		old = filepath.Join(parent, "."+base+".old-"+tag+randomSuffix())
		if _, err := os.Lstat(old); errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	if err := os.Rename(dir, old); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		if rerr := os.Rename(old, dir); rerr != nil {
			return "", fmt.Errorf("%w; the previous output is left in %s", err, old)
		}
		return "", err
	}
	return old, nil
}

// outputDir is an output directory that checkOutput has found build may
// replace.
type outputDir struct {
	path   string      // absolute, with symbolic links resolved
	exists bool        // whether it exists (then it is empty or ours)
	mode   fs.FileMode // its mode, when it exists
}

// checkOutput reports whether build may replace the output directory out
// with the site of the project in src. It refuses an output directory that
// is or contains the project, or lies inside the project's content/,
// templates/ or static/, wherever symbolic links lead; one that exists and
// is not a directory; and one that is not empty and holds any file or
// directory that the manifest of an earlier build does not list (naming the
// first in lexical order). Replacing is refused rather than being a usage
// error, so it exits with status 1.
func checkOutput(out, src string) (*outputDir, error) {
	dest, err := realPath(out)
	if err != nil {
		return nil, err
	}
	project, err := realPath(src)
	if err != nil {
		return nil, err
	}
	switch {
	case dest == project:
		return nil, fmt.Errorf("refusing to write the site to %s: it is the project directory", out)
	case within(project, dest):
		return nil, fmt.Errorf("refusing to write the site to %s: it contains the project directory", out)
	}
	for _, sub := range []string{"content", "templates", "static"} {
		dir, err := realPath(filepath.Join(project, sub))
		if err != nil {
			return nil, err
		}
		if dest == dir || within(dest, dir) {
			return nil, fmt.Errorf("refusing to write the site to %s: it lies inside the project's %s/ directory", out, sub)
		}
	}

	d := &outputDir{path: dest}
	info, err := os.Lstat(dest)
	if errors.Is(err, fs.ErrNotExist) {
		return d, nil
	}
	if err != nil {
		return nil, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		// realPath resolves every link that leads somewhere.
		return nil, fmt.Errorf("refusing to replace %s: it is a symbolic link to nothing", out)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("refusing to replace %s: it is not a directory", out)
	}
	d.exists, d.mode = true, info.Mode()
	if foreign, err := foreignFile(dest); err != nil {
		return nil, err
	} else if foreign != "" {
		return nil, fmt.Errorf("refusing to replace %s: it holds %q, which no build wrote", out, foreign)
	}
	return d, nil
}

// foreignFile returns the slash path, relative to dir, of the first entry
// of dir in lexical order that the manifest in dir does not account for,
// with a trailing slash for a directory; or "" if there is none. The
// manifest accounts for itself, for the regular files it lists and for the
// directories that hold them. An empty dir has no foreign file.
func foreignFile(dir string) (string, error) {
	listed := map[string]bool{}
	dirs := map[string]bool{}
	info, err := os.Lstat(filepath.Join(dir, manifestName))
	if err == nil && info.Mode().IsRegular() {
		b, err := os.ReadFile(filepath.Join(dir, manifestName))
		if err != nil {
			return "", err
		}
		for name := range strings.SplitSeq(string(b), "\n") {
			if !fs.ValidPath(name) || name == "." {
				continue
			}
			listed[name] = true
			for d := path.Dir(name); d != "."; d = path.Dir(d) {
				dirs[d] = true
			}
		}
	}
	var foreign string
	err = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case rel == ".":
			return nil
		case e.IsDir():
			if dirs[rel] {
				return nil
			}
			rel += "/"
		case e.Type().IsRegular() && (listed[rel] || rel == manifestName):
			return nil
		}
		foreign = rel
		return fs.SkipAll
	})
	if err != nil {
		return "", err
	}
	return foreign, nil
}

// checkSiteName reports why build cannot write a site file named name (a
// slash path), or nil if it can: the manifest cannot hold a line break,
// the manifest's own name is reserved, and the name must be a local path.
func checkSiteName(name string) error {
	switch {
	case strings.ContainsAny(name, "\n\r"):
		return fmt.Errorf("site file %q: a file name cannot hold a line break", name)
	case name == manifestName:
		return fmt.Errorf("site file %s: the name is reserved for the list of files a build wrote", name)
	}
	if _, err := filepath.Localize(name); err != nil {
		return fmt.Errorf("site file %q: %v", name, err)
	}
	return nil
}

// mkdirUnique creates a new directory in parent whose name is prefix
// followed by random characters, and returns its path. Unlike
// os.MkdirTemp, it creates the directory with the usual permissions (0755
// less the umask), which it keeps once swapped into place.
func mkdirUnique(parent, prefix string) (string, error) {
	for range 100 {
		dir := filepath.Join(parent, prefix+randomSuffix())
		err := os.Mkdir(dir, 0o755)
		if !errors.Is(err, fs.ErrExist) {
			return dir, err
		}
	}
	return "", fmt.Errorf("cannot create a temporary directory in %s", parent)
}

// randomSuffix returns a short random string for a temporary name.
func randomSuffix() string {
	return strconv.FormatUint(rand.Uint64(), 36)
}

// realPath returns the absolute form of name with every symbolic link
// resolved, also when name or some of its parents do not exist yet: the
// part that exists is resolved and the rest appended.
func realPath(name string) (string, error) {
	abs, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	var rest []string
	for p := abs; ; {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			slices.Reverse(rest)
			return filepath.Join(append([]string{real}, rest...)...), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return abs, nil
		}
		rest = append(rest, filepath.Base(p))
		p = parent
	}
}

// within reports whether the absolute, clean path p lies strictly inside
// the directory dir.
func within(p, dir string) bool {
	if !strings.HasSuffix(dir, string(filepath.Separator)) {
		dir += string(filepath.Separator)
	}
	return strings.HasPrefix(p, dir)
}

// writeNew creates the file dst, which must not exist, holding parts one
// after the other.
func writeNew(dst string, parts [][]byte) error {
	w, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			w.Close()
			return fmt.Errorf("writing %s: %w", dst, err)
		}
	}
	return w.Close()
}
