package main

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
)

// runVersion implements "explainer version": it prints "explainer VERSION"
// on stdout.
func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("version", "", stderr)
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}
	info, _ := debug.ReadBuildInfo()
	fmt.Fprintf(stdout, "explainer %s\n", version(info))
	return nil
}

// version returns the version recorded in the binary: the module version
// when it was built with "go install module@version", and otherwise
// "devel", followed by the first 12 digits of the VCS revision and
// "-dirty" for a modified work tree when the build recorded them.
func version(info *debug.BuildInfo) string {
	if info == nil {
		return "devel"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	v := "devel"
	var rev, modified string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		v += "-" + rev[:min(12, len(rev))]
		if modified == "true" {
			v += "-dirty"
		}
	}
	return v
}
