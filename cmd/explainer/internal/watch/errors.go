package watch

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
)

// watchError describes a failure to watch the directory dir (as the user
// should read it, e.g. "content/sections"). When the cause is an exhausted
// system limit, the message says how to raise it, since that is the only
// thing the user can do about it, and that -poll avoids the limit. The
// result wraps err, so errors.Is(result, syscall.ENOSPC) still holds.
func watchError(dir string, err error) error {
	return &dirError{dir: dir, err: err, hint: limitHint(err)}
}

// dirError is a failure to watch a directory, with a hint on how to fix it
// when there is one.
type dirError struct {
	dir  string // the directory that could not be watched
	err  error  // the cause
	hint string // how to fix it; empty when there is nothing to suggest
}

func (e *dirError) Error() string {
	if e.hint != "" {
		return "watching " + e.dir + ": " + e.hint
	}
	return fmt.Sprintf("watching %s: %v", e.dir, e.err)
}

func (e *dirError) Unwrap() error { return e.err }

// limitHint explains how to raise the limit that err reports as exhausted,
// or returns "" if err is not a limit.
//
// inotify_add_watch fails with ENOSPC ("no space left on device") when
// fs.inotify.max_user_watches is reached. EMFILE and ENFILE ("too many open
// files") come from inotify_init when fs.inotify.max_user_instances or the
// process's open-file limit is reached, and from kqueue (macOS, BSD), which
// opens a file per watched directory; raising max_user_watches does not help
// with those, so they get their own hint.
func limitHint(err error) string {
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.ENOSPC) || strings.Contains(msg, "no space left on device"):
		return "the system's inotify watch limit is reached; raise it with: sudo sysctl fs.inotify.max_user_watches=524288 (or run with -poll 500ms)"
	case errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || strings.Contains(msg, "too many open files"):
		return "the system's inotify instance limit or open file limit is reached; raise it with: sudo sysctl fs.inotify.max_user_instances=1024, or ulimit -n 65536 (or run with -poll 500ms)"
	}
	return ""
}
