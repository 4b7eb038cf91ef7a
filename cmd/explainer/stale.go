package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// stagingTag is the part of a staging directory's name that says which
// process made it: "PID-BOOT-", BOOT being the start of this boot's id
// ("0" where the system does not say). A directory staged beside the
// output (a new site being written, or the previous one being removed)
// is named ".OUT.tmp-TAG…" or ".OUT.old-TAG…", and keeps its name
// through the swap, so that a later build can tell the leftovers of a
// build that was killed from the work of one that runs, without a file
// of its own in either tree.
func stagingTag() string { return fmt.Sprintf("%d-%s-", os.Getpid(), bootTag()) }

// bootTag is the first characters of this boot's id, "0" where unknown
// (a process id is reused after a boot).
func bootTag() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if id := strings.ReplaceAll(strings.TrimSpace(string(b)), "-", ""); err == nil && len(id) >= 8 {
		return id[:8]
	}
	return "0"
}

// removeStale removes the directories beside the output directory dest
// (a path with no trailing separator) that a build staged and left
// behind when it was killed: those named as stageOutput and
// swapByRename name them whose process is gone. It leaves any other
// alone. It runs once a build has put its site in place, so that a
// previous site left beside the output is not removed before there is
// a new one.
func removeStale(dest string) {
	parent, base := filepath.Split(dest)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	boot := bootTag()
	for _, e := range entries {
		if e.IsDir() && staleName(e.Name(), base, boot) {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// staleName reports whether name is that of a directory a build of the
// output base staged (".BASE.tmp-" or ".BASE.old-", a process id, a boot
// tag of 8 hexadecimal digits or "0", a base-36 suffix), by a process
// that is gone: one of another boot than boot, or one that no longer
// runs.
func staleName(name, base, boot string) bool {
	rest, ok := strings.CutPrefix(name, "."+base+".tmp-")
	if !ok {
		if rest, ok = strings.CutPrefix(name, "."+base+".old-"); !ok {
			return false
		}
	}
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) != 3 || !only(parts[2], "0123456789abcdefghijklmnopqrstuvwxyz") ||
		parts[1] != "0" && (len(parts[1]) != 8 || !only(parts[1], "0123456789abcdef")) {
		return false
	}
	pid, err := strconv.Atoi(parts[0])
	switch {
	case err != nil || pid <= 0:
		return false
	case parts[1] != "0" && boot != "0" && parts[1] != boot:
		return true
	}
	return !processRuns(pid)
}

// only reports whether s is not empty and made of the bytes in set.
func only(s, set string) bool {
	return s != "" && strings.Trim(s, set) == ""
}
