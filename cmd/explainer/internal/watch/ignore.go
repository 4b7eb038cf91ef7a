package watch

import (
	"strconv"
	"strings"
)

// isTemp reports whether a file name (not a path) belongs to an editor's
// temporary, lock, swap or backup file, or is hidden. Such files never
// appear in a batch: they are written while a save is in progress, and the
// real file they are renamed to is what matters.
//
// The rules: names starting with "." (hidden files, emacs lock files ".#x",
// vim swap files ".x.swp") or "#" (emacs auto-saves "#x#"); names ending with
// one of "~", "___jb_tmp___", "___jb_old___", ".swp", ".swx", ".swo", ".tmp",
// ".part" or ".crdownload"; the numeric names vim uses to probe whether it
// may create files in a directory ("4913", then 5036, 5159, ...); and GNU
// sed -i's temporary file ("sed" and six letters or digits).
//
// Names starting with "_" are not ignored: templates/_nav.tmpl is a partial
// that a build must see.
func isTemp(name string) bool {
	if name == "" {
		return false
	}
	if name[0] == '.' || name[0] == '#' {
		return true
	}
	for _, s := range [...]string{
		"~",                    // vim and emacs backups
		"___jb_tmp___",         // JetBrains safe write: the new content
		"___jb_old___",         // JetBrains safe write: the previous content
		".swp", ".swx", ".swo", // vim swap files
		".tmp", ".part", ".crdownload", // partial files of all kinds
	} {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return isVimProbe(name) || isSedTemp(name)
}

// isSedTemp reports whether name is the file GNU sed -i writes before it
// renames it over the file edited: "sed" and six letters or digits.
func isSedTemp(name string) bool {
	if len(name) != 9 || !strings.HasPrefix(name, "sed") {
		return false
	}
	for _, c := range name[3:] {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isVimProbe reports whether name is one of the files vim creates and removes
// to test a directory before a backup-and-rename save: it tries 4913 and
// steps by 123 while the name is taken (vim's bufwrite.c).
func isVimProbe(name string) bool {
	if len(name) < 4 || name[0] == '0' || name[0] == '+' {
		return false
	}
	n, err := strconv.Atoi(name)
	return err == nil && n >= 4913 && (n-4913)%123 == 0
}

// kind says how a path relates to the watched directories.
type kind int

const (
	outside  kind = iota // unrelated to any watched directory, or ignored
	ancestor             // a directory on the way to a watched directory, such as the root
	inside               // a watched directory or something below it
)

// classify places rel, a slash path relative to the root ("." for the root
// itself), among the watched directories. A path inside a watched directory
// whose name, or the name of a directory between it and the watched
// directory, is a temp name (see [isTemp]) is outside.
func (w *Watcher) classify(rel string) kind {
	k := outside
	for _, d := range w.dirs {
		switch {
		case rel == d:
			return inside
		case d == ".":
			if !hasTempElem(rel) {
				return inside
			}
		case strings.HasPrefix(rel, d+"/"):
			if !hasTempElem(rel[len(d)+1:]) {
				return inside
			}
		case rel == "." || strings.HasPrefix(d, rel+"/"):
			k = ancestor
		}
	}
	return k
}

// hasTempElem reports whether any element of the slash path rel is a temp
// name.
func hasTempElem(rel string) bool {
	for elem := range strings.SplitSeq(rel, "/") {
		if isTemp(elem) {
			return true
		}
	}
	return false
}
