package site

import (
	"context"
	"hash/maphash"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/reads"
)

// Options control a build.
type Options struct {
	BaseURL string // overrides base_url of content/_index.md; "" keeps it
	Drafts  bool   // include sections marked draft
	Strict  bool   // treat warnings as errors
	// LiveReload, when not empty, is the URL path of the dev server's reload
	// script; every page then loads it. build leaves it empty.
	LiveReload string
}

// Build reads the project in src (a directory holding content/ and
// optionally templates/ and static/) and renders the whole site in memory.
// On content errors it returns a nil Output and an ErrorList holding every
// problem found, sorted. Warnings of a successful build are in
// Output.Warnings. Build stops early, returning ctx.Err(), when ctx is
// cancelled.
func Build(ctx context.Context, src fs.FS, opts Options) (*Output, error) {
	bd := NewBuilder(opts)
	bd.oneShot = true
	return bd.Build(ctx, src)
}

// A Builder builds one project again and again, as the dev server does,
// reusing the work of its last build for what did not change: the files
// it parsed, the Markdown it converted, the differences it computed and
// the pages it rendered. What it builds is byte for byte what Build
// builds from the same files. A Builder is not safe for concurrent use.
type Builder struct {
	opts   Options
	seed   maphash.Seed
	loads  *model.Cache
	md     *links.Cache
	diffs  *lineage.DiffCache
	pages  map[string]pageEntry // output file -> the last rendering
	blocks map[string]block     // section file -> its last home page block
	ln     *lineage.Lineage     // the last build's
	tmpl   *tmplCache           // the last build's parsed templates
	reads  *reads.Table         // what the renderings of the last build read
	// entityKeys is a hash of the keys of the last build's entities (see
	// build.entityKeys).
	entityKeys uint64
	last       *lastBuild // the last build, if good and kept for Preview
	// pending counts the files of the last build still being made.
	pending sync.WaitGroup
	check   bool // build for Check: render no page it need not
	// oneShot is set for Build, BuildTo and Check, which build once: they
	// keep no conversion for a rebuild.
	oneShot bool
}

// pageEntry is a rendered page or file, in parts (see Output.Parts),
// with what rendering it read.
type pageEntry struct {
	set   uint64      // the key of the template set it was rendered with
	reads reads.Reads // see reads.go
	base  string      // the base URL it was rendered with
	key   uint64      // for an extra file, the key of its inputs
	parts [][]byte
	later *content // a file made after the build returned, instead of parts
}

// NewBuilder returns a Builder for builds with opts.
func NewBuilder(opts Options) *Builder {
	return &Builder{opts: opts, seed: maphash.MakeSeed()}
}

// Build builds the project in src, as the package-level Build does.
func (bd *Builder) Build(ctx context.Context, src fs.FS) (*Output, error) {
	return bd.run(ctx, src, nil, nil)
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
	bd := NewBuilder(opts)
	bd.oneShot = true
	return bd.run(ctx, src, nil, write)
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
	return bd.run(ctx, src, func(path string) bool { return !set[path] }, nil)
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
	bd := NewBuilder(opts)
	bd.check, bd.oneShot = true, true
	out, err := bd.run(ctx, src, nil, nil)
	if err != nil {
		return nil, err
	}
	return &Report{Pages: out.Pages, Warnings: out.Warnings}, nil
}

func (bd *Builder) run(ctx context.Context, src fs.FS, unchanged func(string) bool, write func(name string, parts [][]byte) error) (*Output, error) {
	opts := bd.opts
	bd.pending.Wait() // the last build's files still being made read what this one changes
	bd.last = nil
	rec := model.NewInputs(src, bd.seed, !bd.oneShot)
	p, errs, loads := model.Load(rec, model.Options{Drafts: opts.Drafts}, bd.seed, bd.loads, unchanged, !bd.oneShot)
	bd.loads = loads
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p == nil || p.Unparsed() {
		return finish(nil, errs, opts)
	}
	b := &build{p: p, ix: links.NewIndex(p), opts: opts, seed: bd.seed, streaming: write != nil, keep: !bd.oneShot}
	b.scratch.New = func() any { return new([]byte) }
	statics, staticFrom := staticFiles(rec, &errs)
	sets, tmpl := b.templateSets(rec, bd.tmpl, &errs)
	bd.tmpl = tmpl
	// Check renders pages only when the project has templates of its own.
	check := bd.check && !b.hasCustom()
	fields := b.fields()
	switch {
	case bd.oneShot:
		bd.md = links.OneShotCache(bd.seed) // nothing to keep: no rebuild will come
	case bd.md == nil || bd.md.Len() > 2*len(fields)+1024:
		bd.md = links.NewCache(bd.seed) // drop conversions of texts long gone
	}
	lean := !check && b.leanBuild(sets["home.tmpl"])
	b.ms = links.Render(mdext.NewMarkdown(b.ix), b.ix, fields, bd.md, check, lean, &errs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if errs.HasErrors() {
		return finish(nil, errs, opts)
	}
	var diffs *lineage.DiffCache // for the next build
	if !bd.oneShot {
		diffs = lineage.NewDiffCache()
	}
	switch {
	case check:
	case bd.ln.Current(p): // no document changed: a section was edited
		b.ln, diffs, b.keptLineage = bd.ln, bd.diffs, true
	default:
		b.ln = lineage.New(p, b.ix, func(c *Clause) string { return links.PlainText(c.Text) }, bd.diffs, diffs)
	}
	if !check {
		b.indexCitations()
		b.indexTopics()
	}

	baseURL := strings.TrimSuffix(p.Explainer.BaseURL, "/")
	if opts.BaseURL != "" {
		baseURL = strings.TrimSuffix(opts.BaseURL, "/")
	}
	css := "/css/site.css"
	if data, ok := statics["css/site.css"]; ok {
		css += "?v=" + assetVersion(data)
	}
	b.site = &siteData{
		Explainer: &p.Explainer, Sections: p.Sections, Documents: p.Documents,
		Topics: p.Topics, Actors: p.Actors, Sources: p.Sources, Events: p.Events,
		HasTimeline: p.HasTimeline, BaseURL: baseURL, LiveReload: opts.LiveReload,
		Stylesheet: css,
	}
	jobs := b.pages()
	b.jobs = jobs
	if !check && write == nil {
		// Every rendering records what it reads. After a good build,
		// the reads of its renderings are worked out again on this one,
		// to tell which can be kept.
		b.reads = bd.reads
		switch {
		case b.reads == nil || bd.oneShot:
			b.reads = reads.NewTable()
		case bd.pages != nil:
			b.sameEntities = b.entityKeys() == bd.entityKeys
			b.changed = b.reads.Check(readModel{b})
		}
		b.reads.Start()
	}
	blocks := make(map[string]block, len(p.Sections))
	if !check {
		b.sums = rec.Sums()
		b.fast = tmpl.compile()
		if !lean { // a lean build makes each block with its section's page
			b.renderBlocks(sets["home.tmpl"], func(s *Section) (block, bool) {
				old, ok := bd.blocks[s.Pos.File]
				return old, ok
			}, &errs)
		}
		if write == nil { // kept for the next build
			for s, bl := range b.blocks {
				blocks[s.Pos.File] = bl
			}
		}
	}
	if lean {
		jobs = b.startLean(jobs)
	}
	// A static file may not take the place of a generated one.
	generated := b.extraNames()
	for _, j := range jobs {
		generated = append(generated, j.out)
	}
	for _, name := range generated {
		if _, clash := statics[name]; clash {
			errs.Add(model.FileStart(path.Join("static", name)), "static file %q would overwrite a generated file", name)
		}
	}
	if errs.HasErrors() {
		return finish(nil, errs, opts)
	}
	if check {
		out := newOutput(nil)
		for _, name := range generated {
			if strings.HasSuffix(name, ".html") {
				out.Pages++
			}
		}
		for name := range statics {
			if strings.HasSuffix(name, ".html") {
				out.Pages++
			}
		}
		return finish(out, errs, opts)
	}
	// A failed write stops the build.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var written atomic.Int64
	emit := func(name string, parts [][]byte) bool {
		if write == nil {
			return false
		}
		if ctx.Err() != nil { // the build has failed: write no more
			return true
		}
		if err := write(name, parts); err != nil {
			cancel(err)
		}
		if strings.HasSuffix(name, ".html") {
			written.Add(1)
		}
		return true
	}
	// The JSON export, the feed and the sitemap are made while pages
	// render: they need none of them.
	// A rebuild in the dev server does not wait for them: no page needs
	// them, and the server tells them apart by key.
	leave := !bd.oneShot && write == nil
	extras := make(chan map[string]extra, 1)
	go func() {
		made := b.extras(func(name string, key uint64) ([][]byte, bool) {
			old, ok := bd.pages[name]
			switch {
			case !ok || old.key != key:
				return nil, false
			case old.later != nil:
				return old.later.wait(), true
			}
			return old.parts, true
		}, leave)
		if write != nil { // written now rather than held while pages render
			for name, e := range made {
				emit(name, e.data)
				e.data = nil
				made[name] = e
			}
		}
		extras <- made
	}()
	pages := make(map[string]pageEntry, len(jobs))
	files := b.renderPages(ctx, sets, jobs, emit, func(i int) ([][]byte, bool, int) {
		j := &jobs[i]
		old, ok := bd.pages[j.out]
		switch {
		case !ok:
			return nil, false, 0
		case !b.unchanged(j.tmpl, old.set, old.reads) || old.base != baseURL:
			// The base URL's path is in the links of the 404 page,
			// which relativize writes whatever the template read.
			return nil, false, len(old.parts[0])
		}
		j.reads = old.reads
		if len(old.parts) == 1 {
			return old.parts, true, 0
		}
		// The home page: the blocks between its first and last parts
		// are this build's.
		return b.spliceParts(old.parts[0], old.parts[len(old.parts)-1]), true, 0
	}, &errs)
	extraFiles := <-extras
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if errs.HasErrors() {
		return finish(nil, errs, opts)
	}
	graph := &Graph{outputs: make(map[string][]string, len(files)+len(statics)+3)}
	for _, j := range jobs {
		parts, ok := files[j.out]
		if !ok {
			continue
		}
		pages[j.out] = pageEntry{set: b.setKeys[j.tmpl], reads: j.reads, base: baseURL, parts: parts}
	}
	for name, data := range statics {
		if !emit(name, [][]byte{data}) {
			files[name] = [][]byte{data}
		}
		if f := staticFrom[name]; f != "" {
			graph.outputs[name] = []string{f}
		}
	}
	for name, e := range extraFiles {
		if e.render == nil && write == nil { // else written already
			files[name] = e.data
			pages[name] = pageEntry{key: e.key, parts: files[name]}
		}
		graph.outputs[name] = e.deps
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	out := newOutput(files)
	if !bd.oneShot {
		out.from = bd // its keys tell files apart from the next build's (see Output.Same)
	}
	for name, e := range extraFiles {
		switch {
		case e.render != nil:
			c := later(e.render, e.key, &bd.pending)
			out.files[name] = c
			pages[name] = pageEntry{key: e.key, later: c}
		case out.files[name] != nil:
			out.files[name].key = e.key
		}
	}
	out.Pages += int(written.Load())
	out, err := finish(out, errs, opts)
	if err != nil || write != nil {
		return out, err
	}
	b.reads.Commit(func(f func(*reads.Reads)) {
		for name, e := range pages {
			f(&e.reads)
			pages[name] = e
		}
		for name, bl := range blocks {
			f(&bl.reads)
			blocks[name] = bl
		}
	})
	graph.pages = b.pageGraph(jobs, pages, blocks)
	out.Deps = graph
	if !bd.oneShot {
		bd.diffs, bd.pages, bd.blocks, bd.ln, bd.reads = diffs, pages, blocks, b.ln, b.reads
		bd.entityKeys = b.entityKeys()
		bd.last = &lastBuild{b: b, out: out, jobs: jobs}
	}
	return out, err
}

// pageGraph returns what adds the pages of jobs to the dependency graph:
// each depends on its templates and on the input files of what rendering
// it read, as pages and blocks hold it after the build; a page whose
// reads are not known depends on every input file, which "content/"
// stands for. It works them out when called, which only a caller of
// Output.Deps needs, from what the build's reads gave.
func (b *build) pageGraph(jobs []pageJob, pages map[string]pageEntry, blocks map[string]block) func(add func(out string, deps []string)) {
	snap, tmplFiles := b.reads.Snapshot(), b.tmplFiles
	return func(add func(string, []string)) {
		filesOf := func(rs reads.Reads, deps []string) []string {
			snap.Each(rs, func(entity, v reflect.Value) {
				if entity.IsValid() {
					deps = append(deps, entityFile(entity))
				}
				filesOf(v, func(f string) { deps = append(deps, f) }, 0)
			})
			return deps
		}
		var home []string
		for _, bl := range blocks {
			home = filesOf(bl.reads, home)
		}
		for _, j := range jobs {
			e, ok := pages[j.out]
			if !ok {
				continue
			}
			deps := []string{tmplFiles["base.tmpl"], tmplFiles["partials.tmpl"], tmplFiles[j.tmpl]}
			if e.reads.Opaque() {
				deps = append(deps, everything)
			}
			deps = filesOf(e.reads, deps)
			if j.out == "index.html" {
				deps = append(deps, home...)
			}
			add(j.out, uniqueSorted(deps))
		}
	}
}

// everything stands for every input file in the dependency graph.
const everything = "content/"

// finish turns the collected problems into Build's result.
func finish(out *Output, errs ErrorList, opts Options) (*Output, error) {
	if opts.Strict {
		for _, e := range errs {
			e.Warning = false
		}
	}
	errs.Sort()
	if errs.HasErrors() || out == nil {
		return nil, errs
	}
	out.Warnings = errs
	return out, nil
}
