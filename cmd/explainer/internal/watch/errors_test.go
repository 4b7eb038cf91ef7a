package watch

import (
	"errors"
	"fmt"
	"io/fs"
	"syscall"
	"testing"
)

func TestWatchError(t *testing.T) {
	const (
		watches   = "watching content/sections: the system's inotify watch limit is reached; raise it with: sudo sysctl fs.inotify.max_user_watches=524288 (or run with -poll 500ms)"
		instances = "watching content/sections: the system's inotify instance limit or open file limit is reached; raise it with: sudo sysctl fs.inotify.max_user_instances=1024, or ulimit -n 65536 (or run with -poll 500ms)"
	)
	for _, tc := range []struct {
		err  error
		want string
	}{
		{syscall.ENOSPC, watches},
		{&fs.PathError{Op: "inotify_add_watch", Path: "/x/content/sections", Err: syscall.ENOSPC}, watches},
		{fmt.Errorf("fsnotify: %w", syscall.ENOSPC), watches},
		{errors.New("inotify_add_watch: no space left on device"), watches},
		{syscall.EMFILE, instances},
		{fmt.Errorf("couldn't initialize inotify: %w", syscall.EMFILE), instances},
		{syscall.ENFILE, instances},
		{errors.New("too many open files"), instances},
		{syscall.EACCES, "watching content/sections: permission denied"},
	} {
		err := watchError("content/sections", tc.err)
		if got := err.Error(); got != tc.want {
			t.Errorf("watchError(%q, %v) = %q, want %q", "content/sections", tc.err, got, tc.want)
		}
		if !errors.Is(err, tc.err) {
			t.Errorf("watchError(%q, %v) does not wrap its cause", "content/sections", tc.err)
		}
	}
}
