// Command explainer builds a news explainer — Markdown sections plus
// structured data about the documents it explains — into a static website.
//
// # Usage
//
//	explainer build [-src DIR] [-out DIR] [-base-url URL] [-drafts] [-strict]
//	explainer check [-src DIR] [-strict]
//	explainer serve [-src DIR] [-addr HOST:PORT] [-allow-host NAME]... [-drafts] [-poll DURATION]
//	explainer new DIR
//	explainer import [-src DIR] [-id ID] [-title T] [-date D] [-follows DOC] [-relation R] FILE
//	explainer align [-src DIR] DOC
//	explainer version
//
// build renders the project in -src (default ".") and replaces the output
// directory -out (default: public in the project) with the result as a
// whole; check validates the same things and writes nothing; serve builds
// in memory, serves the site (on 127.0.0.1:8000 by default; port 0 picks a
// free one) and rebuilds what each save touches, reloading open pages; new
// creates a small working project to start from; import turns a numbered
// text (a plan pasted from a PDF) into a document's YAML on stdout, with
// -follows matching each point to the point of DOC it most resembles;
// align does that matching for an existing document, printing the from
// line to add for each of its clauses; version prints the version.
//
// serve prints one line, "Serving at http://HOST:PORT/", on stdout once it
// is ready, and a line on stderr per rebuild. A failed rebuild keeps the
// last good site served and shows its problems over every open page.
//
// # Output and exit status
//
// Every problem in the content is one line on stderr, PATH:LINE:COL: message,
// with PATH relative to -src; all of them are reported, sorted, then a
// summary line. A successful run prints exactly one summary line on stderr
// (after any warnings), such as "built 412 pages in 84ms".
//
// The exit status is 0 on success, 1 on content errors and on any other
// failure (including an output directory that build refuses to replace),
// and 2 on usage errors: an unknown command, a bad flag or flag value, or
// a missing or extra argument. Asking for help with -h exits 0.
//
// # The output directory
//
// build writes the new site into a fresh sibling of the output directory,
// together with a manifest, .explainer-build, listing every file it wrote,
// and then swaps it in for the old one in one step. So no stale file from an
// earlier build survives, and a failed build leaves the previous output as it
// was. It replaces only what a build wrote: a non-empty directory holding
// any file that its manifest does not list is refused, and so is a directory
// that is or contains the project, or lies inside its content/, templates/
// or static/.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err))
}

// exitError is an error that run has already reported on stderr. It carries
// the exit status that main turns it into.
type exitError struct {
	code int   // 1: content errors or another failure; 2: usage error
	err  error // what went wrong
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// exitCode returns the process exit status for run's result.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if e, ok := errors.AsType[*exitError](err); ok {
		return e.code
	}
	return 1
}

// A command is one subcommand of explainer.
type command struct {
	name    string
	summary string // one line for the command list in the usage message
	// run runs the command with the arguments after its name. It reports
	// problems on stderr itself and returns an *exitError, or returns any
	// other error for run to report, with exit status 1.
	run func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands returns explainer's subcommands, in the order the usage message
// lists them. A new command needs only an entry here.
func commands() []command {
	return []command{
		{"build", "build the site into a directory", runBuild},
		{"check", "validate the project, writing nothing", runCheck},
		{"serve", "serve the site, rebuilding it and reloading open pages on every save", runServe},
		{"new", "create a working project to start from", runNew},
		{"import", "turn a numbered text into a document's YAML", runImport},
		{"align", "suggest the from of a document's clauses", runAlign},
		{"version", "print the version", runVersion},
	}
}

// run runs explainer with args, the command line without the program name,
// and returns nil on success. Every problem has been reported on stderr by
// the time it returns; the error it returns, an *exitError, carries the exit
// status. stdout receives only what a command prints as its result.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		printUsage(stderr)
		return &exitError{2, errors.New("no command")}
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		if name == "help" && len(args) > 1 {
			// "explainer help build" is "explainer build -h".
			return run(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		printUsage(stderr)
		return nil
	}
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		err := c.run(ctx, args[1:], stdout, stderr)
		if err == nil || err == errHelp {
			return nil
		}
		if _, ok := errors.AsType[*exitError](err); ok {
			return err
		}
		if errors.Is(err, context.Canceled) {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(stderr, "explainer: %v\n", err)
		return &exitError{1, err}
	}
	fmt.Fprintf(stderr, "explainer: unknown command %q\n", name)
	printUsage(stderr)
	return &exitError{2, fmt.Errorf("unknown command %q", name)}
}

// printUsage writes the top-level usage message to w.
func printUsage(w io.Writer) {
	fmt.Fprintf(w, "usage: explainer <command> [flags]\n\ncommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'explainer <command> -h' for the flags of a command.\n")
}

// newFlagSet returns a flag set for the command name whose usage message,
// printed to stderr on -h and on a bad flag, starts with synopsis, the
// arguments the command takes.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprintln(stderr, strings.TrimSpace("usage: explainer "+name+" "+synopsis))
		flags.PrintDefaults()
	}
	return flags
}

// parseFlags parses args with flags and checks that at most maxArgs
// arguments follow the flags. It returns nil to go on, or the error the
// command should return: an *exitError with status 0 for -h, 2 for a
// usage error, already reported.
func parseFlags(flags *flag.FlagSet, args []string, maxArgs int) error {
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errHelp
		}
		// The flag package has printed the problem and the usage.
		return &exitError{2, err}
	}
	if flags.NArg() > maxArgs {
		return usageError(flags, "unexpected argument %q", flags.Arg(maxArgs))
	}
	return nil
}

// errHelp is returned by a command whose help was asked for: run has
// nothing more to report, and the exit status is 0.
var errHelp = &exitError{0, flag.ErrHelp}

// usageError reports a usage problem of the command of flags on its output,
// followed by the command's usage, and returns the *exitError (status 2)
// the command should return.
func usageError(flags *flag.FlagSet, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	fmt.Fprintf(flags.Output(), "explainer %s: %v\n", flags.Name(), err)
	flags.Usage()
	return &exitError{2, err}
}
