package main

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// writeNew creates the file dst, which must not exist, holding parts one
// after the other: with open, writev and close. os.OpenFile adds fcntl
// and epoll_ctl calls per file, for a poller that regular files never
// use, and a build writes thousands.
func writeNew(dst string, parts [][]byte) error {
	var fd int
	var err error
	for {
		fd, err = unix.Open(dst, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC, 0o644)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return &os.PathError{Op: "open", Path: dst, Err: err}
	}
	// writev takes at most 1024 buffers, and may write less than asked.
	for len(parts) > 0 {
		batch := parts[:min(len(parts), 1024)]
		n, err := unix.Writev(fd, batch)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			unix.Close(fd)
			return fmt.Errorf("writing %s: %w", dst, err)
		}
		for len(parts) > 0 && n >= len(parts[0]) {
			n -= len(parts[0])
			parts = parts[1:]
		}
		if n > 0 {
			parts = append([][]byte{parts[0][n:]}, parts[1:]...)
		}
		for len(parts) > 0 && len(parts[0]) == 0 {
			parts = parts[1:]
		}
	}
	if err := unix.Close(fd); err != nil {
		return &os.PathError{Op: "close", Path: dst, Err: err}
	}
	return nil
}

// exchange atomically swaps the directory entries a and b, which both
// exist, so that there is no moment at which neither is in place. It
// returns an error wrapping errors.ErrUnsupported where the kernel or the
// file system cannot (renameat2 with RENAME_EXCHANGE: Linux 3.15 and most
// local file systems).
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EINVAL), errors.Is(err, unix.EOPNOTSUPP):
		return errors.ErrUnsupported
	}
	return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
}
