package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// skeleton is the project that "explainer new" creates: a small, fictional
// but complete explainer in the SPEC's format, with a README.
//
//go:embed all:skeleton
var skeleton embed.FS

// runNew implements "explainer new DIR": it creates a working project in
// DIR, which must be empty or not exist. DIR may also be given as -src,
// like every command's project directory.
func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("new", "DIR", stderr)
	src := flags.String("src", "", "the `DIR` to create the project in (the same as the argument)")
	if err := parseFlags(flags, args, 1); err != nil {
		return err
	}
	dir := flags.Arg(0)
	switch {
	case dir == "" && *src == "":
		return usageError(flags, "missing DIR, the directory to create the project in")
	case dir == "":
		dir = *src
	case *src != "" && *src != dir:
		return usageError(flags, "two directories given: -src %s and %s", *src, dir)
	}
	if err := createProject(dir); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "created explainer project in %s\nrun: explainer build -src %s\n", dir, dir)
	return nil
}

// createProject writes the skeleton into dir, creating dir if needed. It
// refuses a dir that exists and is not an empty directory, so that it
// never overwrites anything.
func createProject(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	case err != nil:
		if info, serr := os.Stat(dir); serr == nil && !info.IsDir() {
			return fmt.Errorf("cannot create a project in %s: it is not a directory", dir)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("cannot create a project in %s: the directory is not empty", dir)
	}
	sub, err := fs.Sub(skeleton, "skeleton")
	if err != nil {
		return err
	}
	// CopyFS creates every file with O_EXCL, so a file that appears
	// meanwhile is not overwritten either.
	return os.CopyFS(dir, sub)
}
