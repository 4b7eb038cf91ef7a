package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stagingName is the file a build puts in each directory it stages
// beside the output (a new site being written, or the previous one being
// removed): which process made it, so that a later build can tell the
// leftovers of a build that was killed from the work of one that runs.
// It is taken out of a new site before the site is put in place.
const stagingName = ".explainer-staging"

// markStaging writes the staging mark of this process into dir.
func markStaging(dir string) error {
	return os.WriteFile(filepath.Join(dir, stagingName), []byte(stagingMark(os.Getpid())), 0o644)
}

// stagingMark is the mark of the process pid: its id and the boot it
// runs in, where the system says (a process id is reused after a boot).
func stagingMark(pid int) string {
	return fmt.Sprintf("explainer build\npid %d\nboot %s\n", pid, bootID())
}

// bootID identifies this boot of the machine, "" where unknown.
func bootID() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return string(bytes.TrimSpace(b))
}

// removeStale removes the directories beside the output directory dest
// (a path with no trailing separator) that a build staged and left
// behind when it was killed: those named as stageOutput and
// swapByRename name them, that hold a staging mark, and whose process
// is gone. It leaves any other alone, and returns the ones it removed.
func removeStale(dest string) []string {
	parent, base := filepath.Split(dest)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, "."+base+".tmp-") && !strings.HasPrefix(name, "."+base+".old-") {
			continue
		}
		dir := filepath.Join(parent, name)
		if !staleMark(filepath.Join(dir, stagingName)) {
			continue
		}
		if os.RemoveAll(dir) == nil {
			removed = append(removed, dir)
		}
	}
	return removed
}

// staleMark reports whether the staging mark at name (a regular file,
// not followed if a link) is that of a process that is gone: one of
// another boot, or one that no longer runs.
func staleMark(name string) bool {
	info, err := os.Lstat(name)
	if err != nil || !info.Mode().IsRegular() || info.Size() > 200 {
		return false
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return false
	}
	var pid int
	var boot string
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch k {
		case "pid":
			pid, _ = strconv.Atoi(v)
		case "boot":
			boot = v
		}
	}
	switch {
	case !strings.HasPrefix(string(b), "explainer build\n") || pid <= 0:
		return false
	case boot != "" && bootID() != "" && boot != bootID():
		return true
	}
	return !processRuns(pid)
}
