package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/explainer/explainer/site"
)

// runCheck implements "explainer check": it validates the project exactly
// as build would (see site.Check), and writes nothing.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("check", "[-src DIR] [-strict]", stderr)
	src := flags.String("src", ".", "the explainer project `DIR`")
	strict := flags.Bool("strict", false, "treat warnings as errors")
	if err := parseFlags(flags, args, 0); err != nil {
		return err
	}
	project, err := openProject(*src)
	if err != nil {
		return err
	}
	o, err := site.Check(ctx, project, site.Options{Strict: *strict})
	if list, ok := errors.AsType[site.ErrorList](err); ok {
		return contentErrors(stderr, "check", list)
	}
	if err != nil {
		return err
	}
	printProblems(stderr, o.Warnings)
	result := "no problems"
	if n := len(o.Warnings); n > 0 {
		result = plural(n, "warning")
	}
	fmt.Fprintf(stderr, "checked %s: %s\n", plural(o.Pages, "page"), result)
	return nil
}
