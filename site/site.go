package site

import (
	"context"
	"io/fs"
	"path"

	"github.com/explainer/explainer/site/internal/engine"
	"github.com/explainer/explainer/site/internal/model"
)

// Options control a build.
type Options struct {
	BaseURL string // overrides base_url of content/_index.md; "" keeps it
	Drafts  bool   // include sections marked draft
	Strict  bool   // treat warnings as errors
	// LiveReload, when not empty, is the URL path of the dev server's reload
	// script; every page then loads it. build leaves it empty.
	LiveReload string
	// CardCache, when not empty, is a folder where the social cards drawn
	// (one PNG per page, made only when the base URL is known) are kept,
	// named by what they show, so that later builds take them from it
	// instead of drawing them again. Nothing else is written there.
	CardCache string
}

func (o Options) engine() engine.Options {
	return engine.Options{BaseURL: o.BaseURL, Drafts: o.Drafts, Strict: o.Strict, LiveReload: o.LiveReload, CardCache: o.CardCache}
}

// CheckBaseURL reports whether s is an absolute http or https URL with
// no query or fragment, as the base_url field and Options.BaseURL must be.
func CheckBaseURL(s string) error { return model.CheckBaseURL(s) }

// DirFS opens the project directory dir as the file system Build, Check
// and a Builder read. It reads only what lies in dir: a symbolic link to
// a file outside it is an error at the link's path. It never waits on a
// file: it opens each without blocking, so that a named pipe is not
// waited on. (Build, Check and a Builder then read regular files only,
// within their size limits, whatever file system they are given.) It
// stays open for the life of the program.
func DirFS(dir string) (fs.FS, error) {
	d, err := model.OpenDir(dir)
	if err != nil {
		return nil, err
	}
	return d, nil
}

// Build reads the project in src (a directory holding content/ and
// optionally templates/ and static/) and renders the whole site in memory.
// On content errors it returns a nil Output and an ErrorList holding every
// problem found, sorted. Warnings of a successful build are in
// Output.Warnings. Build stops early, returning ctx.Err(), when ctx is
// cancelled.
func Build(ctx context.Context, src fs.FS, opts Options) (*Output, error) {
	return output(engine.New(opts.engine(), engine.Once).Build(ctx, src, nil, nil))
}

// BuildTo builds the project in src as Build does, but hands each output
// file to write as soon as it is made, instead of keeping it, so that a
// build needs memory for the project but not for the whole site: write
// is called from many goroutines at once, with a file's path ("index.html",
// "documents/us-28/index.html") and its content, in parts to be written
// one after the other, which write must not keep once it returns: their
// memory is used again. The Output returned holds no files and no Deps,
// only Pages and Warnings.
//
// When BuildTo returns an error, some files may have been written already;
// the caller discards them. An error from write stops the build and is
// returned as it is.
func BuildTo(ctx context.Context, src fs.FS, opts Options, write func(name string, parts [][]byte) error) (*Output, error) {
	r, err := engine.New(opts.engine(), engine.Once).Build(ctx, src, nil, write)
	if err != nil {
		return nil, err
	}
	return &Output{Pages: r.Pages, Warnings: r.Warnings}, nil
}

// A Report is what Check found: the number of HTML pages a build would
// write and the warnings it would print.
type Report struct {
	Pages    int
	Warnings ErrorList
}

// Check validates the project in src as Build does, reporting the same
// problems (as an ErrorList) or the same warnings and page count, but
// renders no page it need not: pages of the embedded theme cannot fail
// once their content is valid, so only a project's own templates are
// executed, on every page that uses one. Markdown is parsed, which finds
// every cross-reference, but not turned into HTML.
func Check(ctx context.Context, src fs.FS, opts Options) (*Report, error) {
	r, err := engine.New(opts.engine(), engine.Check).Build(ctx, src, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Report{Pages: r.Pages, Warnings: r.Warnings}, nil
}

// A Builder builds one project again and again, as the dev server does,
// reusing the work of its last build for what did not change: the files
// it parsed, the Markdown it converted, the differences it computed and
// the pages it rendered (see Incremental builds). What it builds is byte
// for byte what Build builds from the same files. A Builder is not safe
// for concurrent use.
type Builder struct {
	e    *engine.Builder
	last *Output // the last good build's, for Preview
}

// NewBuilder returns a Builder for builds with opts.
func NewBuilder(opts Options) *Builder {
	return &Builder{e: engine.New(opts.engine(), engine.Rebuild)}
}

// Build builds the project in src, as the package-level Build does.
func (bd *Builder) Build(ctx context.Context, src fs.FS) (*Output, error) {
	return bd.keep(output(bd.e.Build(ctx, src, nil, nil)))
}

// BuildChanged is Build for a caller that knows which files changed since
// the last build, such as a file watcher: changed lists them, as paths in
// src ("content/sections/01-a.md"), and every section and document file
// not listed is taken to be as the last build read it, without reading it
// again, and so is the listing of a directory holding none of them. The
// first build of a Builder reads every file.
func (bd *Builder) BuildChanged(ctx context.Context, src fs.FS, changed []string) (*Output, error) {
	set := make(map[string]bool, 2*len(changed))
	for _, f := range changed {
		set[f] = true
		set[path.Dir(f)] = true // its directory's listing may have changed
	}
	return bd.keep(output(bd.e.Build(ctx, src, func(path string) bool { return !set[path] }, nil)))
}

// Preview returns, in a fraction of a rebuild's time, the site with the
// pages that show the edited text made again, for the edits editors make
// most, when no other file changed since the last good build:
//
//   - the body of one section, with its front matter as it was: Preview
//     renders the section's page and its block of the home page;
//   - the text of one clause, with the rest of its document file saying
//     what it said: Preview renders the clause's page, whose history
//     shows the new text's differences from the versions before and
//     after it, and its document's page.
//
// It renders them from the new text and the rest of the last build, and
// takes every other file from that build. Those pages are byte for byte
// what BuildChanged will make of them. Other pages may change too, and
// BuildChanged must follow: the pages the new text links to list it among
// their backlinks, topic and changes pages show a clause's text, and the
// feed and the JSON export hold the texts. Preview returns false for any
// other edit, for a project with templates of its own, and when the new
// text has a problem, which BuildChanged then reports. It keeps nothing
// but the conversion of the new text, which BuildChanged then reuses.
func (bd *Builder) Preview(ctx context.Context, src fs.FS, changed []string) (*Output, bool) {
	files, ok := bd.e.Preview(ctx, src, changed)
	if !ok || bd.last == nil {
		return nil, false
	}
	return bd.last.with(files), true
}

// keep remembers out, the result of a build, for Preview.
func (bd *Builder) keep(out *Output, err error) (*Output, error) {
	bd.last = out
	return out, err
}

// output returns the Output of what the engine built.
func output(r *engine.Result, err error) (*Output, error) {
	if err != nil {
		return nil, err
	}
	out := &Output{files: r.Files, Pages: r.Pages, Warnings: r.Warnings, from: r.From,
		Deps: &Graph{outputs: r.Outputs, pages: r.Graph}}
	if out.files == nil {
		out.files = map[string]*engine.Content{}
	}
	return out, nil
}
