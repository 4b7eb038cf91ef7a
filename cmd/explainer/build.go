package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/explainer/explainer/site"
)

// runBuild implements "explainer build": it renders the project into a
// new directory beside the output directory and, when that succeeds,
// puts it in the output directory's place (see stagedOutput).
func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("build", "[-src DIR] [-out DIR] [-base-url URL] [-drafts] [-strict] [-card-cache DIR]", stderr)
	src := flags.String("src", ".", "the explainer project `DIR`")
	out := flags.String("out", "", "the output `DIR`, replaced as a whole (default: public in the project)")
	baseURL := flags.String("base-url", "", "the absolute http(s) `URL` the site is published at (overrides base_url)")
	drafts := flags.Bool("drafts", false, "include sections marked draft")
	strict := flags.Bool("strict", false, "treat warnings as errors")
	cardCache := flags.String("card-cache", defaultCardCache(), "the `DIR` that keeps social cards between builds (\"\" for none)")
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}
	if *baseURL != "" {
		if err := site.CheckBaseURL(*baseURL); err != nil {
			return usageError(flags, "-base-url %q: %v", *baseURL, err)
		}
	}

	if *out == "" {
		// Like the project's content, its site belongs to the project,
		// wherever build runs from.
		*out = filepath.Join(*src, "public")
	}

	start := time.Now()
	project, err := openProject(*src)
	if err != nil {
		return err
	}
	// Refuse an output directory we may not replace before the work of
	// building; commit checks again just before it replaces it. Pages are
	// written as they are rendered, beside the output directory, which a
	// failed build leaves as it was.
	staged, err := stageOutput(*out, *src)
	if err != nil {
		return err
	}
	defer staged.discard()
	opts := site.Options{BaseURL: *baseURL, Drafts: *drafts, Strict: *strict, CardCache: *cardCache}
	o, err := site.BuildTo(ctx, project, opts, staged.write)
	if list, ok := errors.AsType[site.ErrorList](err); ok {
		return contentErrors(stderr, "build", list)
	}
	if err != nil {
		return err
	}
	printProblems(stderr, o.Warnings)
	if err := staged.commit(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "built %s in %s\n", plural(o.Pages, "page"), roundDuration(time.Since(start)))
	return nil
}

// openProject returns the project directory src as an fs.FS, after
// checking that it looks like a project, so that a mistyped -src gets a
// plain message rather than a list of missing files.
func openProject(src string) (fs.FS, error) {
	info, err := os.Stat(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("project directory %s does not exist", src)
	}
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("project directory %s is not a directory", src)
	}
	if info, err := os.Stat(filepath.Join(src, "content")); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("%s is not an explainer project: it has no content/ directory (explainer new DIR creates one)", src)
	}
	return site.DirFS(src)
}

// contentErrors reports the problems of a failed build or check on stderr,
// one per line, followed by a summary line such as
// "build failed: 3 errors, 1 warning", and returns the *exitError (status 1)
// for the command to return.
func contentErrors(stderr io.Writer, cmd string, list site.ErrorList) error {
	printProblems(stderr, list)
	errs, warns := countProblems(list)
	summary := fmt.Sprintf("%s failed: %s", cmd, plural(errs, "error"))
	if warns > 0 {
		summary += ", " + plural(warns, "warning")
	}
	fmt.Fprintln(stderr, summary)
	return &exitError{1, errors.New(summary)}
}

// printProblems prints each problem of list on a line of its own, in the
// list's order (Build sorts it).
func printProblems(w io.Writer, list site.ErrorList) {
	bw := bufio.NewWriter(w) // one write for many problems, not one each
	for _, e := range list {
		bw.WriteString(e.Error())
		bw.WriteByte('\n')
	}
	bw.Flush()
}

// countProblems returns the number of errors and of warnings in list.
func countProblems(list site.ErrorList) (errs, warns int) {
	for _, e := range list {
		if e.Warning {
			warns++
		} else {
			errs++
		}
	}
	return errs, warns
}

// plural returns n and noun, with an s unless n is 1: "1 page", "3 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// roundDuration rounds d for a summary line: "84ms", "1.25s", "412µs".
func roundDuration(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= time.Millisecond:
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Microsecond)
}

// defaultCardCache is where build keeps the social cards it draws (see
// site.Options.CardCache): a folder of the user's cache, or none when
// the system names no such place.
func defaultCardCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "explainer", "cards")
}
