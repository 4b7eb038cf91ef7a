package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/explainer/explainer/site"
)

// runImport implements "explainer import": it turns a numbered text into
// a document's YAML on stdout (see site.Import).
func runImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("import", "[-src DIR] [-id ID] [-title TITLE] [-date DATE] [-follows DOC] [-relation R] FILE", stderr)
	src := flags.String("src", ".", "the explainer project `DIR`, read for -follows")
	id := flags.String("id", "", "the document's `ID` (default: the file name, in lower case with hyphens)")
	title := flags.String("title", "", "the document's `TITLE` (default: the text's first line before the first point)")
	date := flags.String("date", "", "the document's `DATE` (default: today)")
	follows := flags.String("follows", "", "the `DOC` it follows: each clause gets the from of the clause it most resembles")
	relation := flags.String("relation", "", "how it stands to -follows: `R` is "+strings.Join(site.Relations(), ", "))
	if err := parseFlags(flags, args, 1); err != nil {
		return err
	}
	file := flags.Arg(0)
	if file == "" {
		return usageError(flags, "missing FILE, the numbered text to import (- reads stdin)")
	}
	if *relation != "" && *follows == "" {
		return usageError(flags, "-relation needs -follows")
	}
	if *id == "" {
		*id = idFromName(file)
	}
	if why := site.IDProblem(*id); why != "" {
		return usageError(flags, "invalid -id %s", why)
	}
	var text []byte
	var err error
	if file == "-" {
		text, err = io.ReadAll(os.Stdin)
	} else {
		text, err = os.ReadFile(file)
	}
	if err != nil {
		return err
	}
	if *date == "" {
		*date = time.Now().Format(time.DateOnly)
	}
	var project fs.FS
	if *follows != "" {
		if project, err = openProject(*src); err != nil {
			return err
		}
	}
	yaml, err := site.Import(ctx, project, text, site.ImportOptions{
		ID: *id, Title: *title, Date: *date, Source: filepath.Base(file), Follows: *follows, Relation: *relation,
	})
	if list, ok := errors.AsType[site.ErrorList](err); ok {
		return contentErrors(stderr, "import", list)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", file, err) // a problem of the text, or of -follows in it
	}
	_, err = stdout.Write(yaml)
	return err
}

// runAlign implements "explainer align": for each clause of a document
// with no from, it prints the from line to add (see site.Align).
func runAlign(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	flags := newFlagSet("align", "[-src DIR] DOC", stderr)
	src := flags.String("src", ".", "the explainer project `DIR`")
	if err := parseFlags(flags, args, 1); err != nil {
		return err
	}
	doc := flags.Arg(0)
	if doc == "" {
		return usageError(flags, "missing DOC, the id of the document whose clauses to match")
	}
	project, err := openProject(*src)
	if err != nil {
		return err
	}
	sugg, err := site.Align(ctx, project, doc)
	if list, ok := errors.AsType[site.ErrorList](err); ok {
		return contentErrors(stderr, "align", list)
	}
	if err != nil {
		return err
	}
	found := 0
	for _, s := range sugg {
		if s.From == "" {
			fmt.Fprintf(stdout, "%s: clause %q: nothing it follows resembles it\n", s.Pos, s.Clause)
			continue
		}
		found++
		fmt.Fprintf(stdout, "%s: clause %q: from: %s # %s\n", s.Pos, s.Clause, s.From, s.Comment)
	}
	fmt.Fprintf(stderr, "align: %s without from, %d with a suggestion\n", plural(len(sugg), "clause"), found)
	return nil
}

// idFromName makes a document id of a file name: "US 28-point plan.txt"
// is "us-28-point-plan".
func idFromName(name string) string {
	base := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(base) {
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "imported"
	}
	return b.String()
}
