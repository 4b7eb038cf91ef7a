// Package engine builds a site: it loads a project (site/internal/model),
// converts its Markdown and collects backlinks (site/internal/links),
// works out the lineage of its clauses (site/internal/lineage), renders
// the pages that page.go lists with the templates and the functions of
// funcs.go (render.go), and makes the JSON export, sitemap and feed
// (extras.go, on site/internal/exports). A Builder that builds again
// reuses what did not change, and takes from its last build every page
// none of whose reads changed (reads.go, on site/internal/reads); Preview
// (preview.go) renders the pages of one edit before the rebuild. The site
// package is its API and manual.
package engine

import (
	"context"
	"fmt"
	"hash/maphash"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/explainer/explainer/site/internal/search"

	"github.com/explainer/explainer/site/internal/card"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/reads"
)

// Options control a build, as site.Options says.
type Options struct {
	BaseURL    string
	Drafts     bool
	Strict     bool
	LiveReload string
	CardCache  string // a folder that keeps drawn social cards between builds; "" for none
}

// A Mode is what a Builder builds for.
type Mode int

const (
	Rebuild Mode = iota // again and again, as the dev server does
	Once                // once: nothing is kept for a rebuild
	Check               // once, rendering no page it need not (see site.Check)
)

// A Builder builds one project, once or again and again, as the site
// package's Build, BuildTo, Check and Builder say. It is not safe for
// concurrent use.
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
	// oneShot is set for a Builder that builds once: it keeps no
	// conversion for a rebuild.
	oneShot bool
	// drawer draws social cards; its fonts are parsed on first use.
	drawer func() *card.Drawer
	// searchCache holds the search records the last good build scored.
	searchCache map[uint64]search.Scored
}

// pageEntry is a rendered page or file, in parts, with what rendering it
// read.
type pageEntry struct {
	set   uint64      // the key of the template set it was rendered with
	reads reads.Reads // see reads.go
	base  string      // the base URL it was rendered with
	key   uint64      // for an extra file, the key of its inputs
	parts [][]byte
	later *Content // a file made after the build returned, instead of parts
}

// New returns a Builder for builds with opts, in mode.
func New(opts Options, mode Mode) *Builder {
	return &Builder{opts: opts, seed: maphash.MakeSeed(), oneShot: mode != Rebuild, check: mode == Check,
		drawer: sync.OnceValue(card.NewDrawer)}
}

// A Result is what a build made: every file (none for a build that
// handed them to a writer, or checked), the number of HTML pages, the
// warnings, and what the dependency graph needs.
type Result struct {
	Files    map[string]*Content
	Pages    int
	Warnings model.ErrorList
	// Outputs maps the files other than pages to the input files they
	// depend on; Graph adds the pages', worked out when called.
	Outputs map[string][]string
	Graph   func(add func(out string, deps []string))
	// From is the Builder whose keys the files hold (see Content.Key),
	// nil for one that builds once.
	From *Builder
}

// Build builds the project in src. unchanged, if not nil, tells the
// files that did not change since the last build, which are then not
// read again (see site.Builder.BuildChanged). write, if not nil, is handed
// every file as soon as it is made (see site.BuildTo), and the Result
// holds none.
func (bd *Builder) Build(ctx context.Context, src fs.FS, unchanged func(string) bool, write func(name string, parts [][]byte) error) (*Result, error) {
	opts := bd.opts
	if opts.BaseURL != "" { // before any work: no project can mend it
		if err := model.CheckBaseURL(opts.BaseURL); err != nil {
			return nil, fmt.Errorf("base URL %q: %v", opts.BaseURL, err)
		}
	}
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
	b := &build{p: p, ix: links.NewIndex(p), opts: opts, seed: bd.seed, streaming: write != nil, keep: !bd.oneShot, drawer: bd.drawer,
		searchCache: bd.searchCache}
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
	if !errs.HasErrors() { // reported once the errors are fixed: one may be why
		b.warnUnused(&errs)
	}
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
		b.ln = lineage.New(p, b.ix, func(c *model.Clause) string { return links.PlainText(c.Text) }, bd.diffs, diffs)
	}
	if !check {
		b.indexCitations()
		b.indexTopics()
	}

	baseURL := strings.TrimSuffix(p.Explainer.BaseURL, "/")
	if opts.BaseURL != "" {
		baseURL = strings.TrimSuffix(opts.BaseURL, "/")
	}
	versioned := func(name string) string {
		if data, ok := statics[name]; ok {
			return "/" + name + "?v=" + assetVersion(data)
		}
		return "/" + name
	}
	b.site = &siteData{
		Explainer: &p.Explainer, Sections: p.Sections, Documents: p.Documents,
		Topics: p.Topics, Actors: p.Actors, Sources: p.Sources, Events: p.Events,
		HasTimeline: p.HasTimeline, BaseURL: baseURL, LiveReload: opts.LiveReload,
		Stylesheet: versioned("css/site.css"), ChangesScript: versioned("js/changes.js"),
		SearchScript: versioned("js/search.js"),
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
			b.renderBlocks(sets["home.tmpl"], func(s *model.Section) (block, bool) {
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
	// Nor lie among the search index's files or the social cards.
	for name := range statics {
		if strings.HasPrefix(name, search.Dir) || strings.HasPrefix(name, "cards/") {
			errs.Add(model.FileStart(path.Join("static", name)), "static file %q is in a folder the build writes (search/, cards/)", name)
		}
	}
	if errs.HasErrors() {
		return finish(nil, errs, opts)
	}
	if check {
		out := &Result{}
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
	// What the search index and the cards show is read now, before
	// pages render (and write to the page table).
	b.searchRecs = b.searchRecords()
	// The dev server draws no cards: its pages are not shared, and
	// their og:image names the card the published site has.
	if b.site.BaseURL != "" && opts.LiveReload == "" {
		b.cardSet = b.cards()
	}
	// The extras and the search index are made side by side, each
	// written as soon as made rather than held while pages render.
	// (Made one after the other, the index's share of the medium
	// benchmark corpus's build was 13% of its time; side by side, 10%.)
	reuse := func(name string, key uint64) ([][]byte, bool) {
		old, ok := bd.pages[name]
		switch {
		case !ok || old.key != key:
			return nil, false
		case old.later != nil:
			return old.later.Parts(), true
		}
		return old.parts, true
	}
	extras := make(chan map[string]extra, 2)
	for _, makeExtras := range []extraMaker{b.extras, b.searchIndex} {
		go func() {
			made := makeExtras(ctx, reuse, leave)
			if write != nil {
				for name, e := range made {
					data := e.data
					if data == nil && e.render != nil { // read when written (see addCards)
						data, e.render = e.render(), nil
					}
					emit(name, data)
					e.data = nil
					made[name] = e
				}
			}
			extras <- made
		}()
	}
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
	maps.Copy(extraFiles, <-extras)
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	if errs.HasErrors() {
		return finish(nil, errs, opts)
	}
	outputs := make(map[string][]string, len(statics)+3) // of the files other than pages
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
			outputs[name] = []string{f}
		}
	}
	for name, e := range extraFiles {
		if e.render == nil && write == nil { // else written already
			files[name] = e.data
			pages[name] = pageEntry{key: e.key, parts: files[name]}
		}
		outputs[name] = e.deps
	}
	if err := ctx.Err(); err != nil {
		return nil, context.Cause(ctx)
	}
	out := &Result{Files: make(map[string]*Content, len(files)+len(extraFiles)), Outputs: outputs}
	for name, parts := range files {
		out.Files[name] = NewContent(parts)
		if strings.HasSuffix(name, ".html") {
			out.Pages++
		}
	}
	if !bd.oneShot {
		out.From = bd // its keys tell files apart from the next build's (see Content.Key)
	}
	for name, e := range extraFiles {
		switch {
		case e.render != nil:
			c := later(e.render, e.key, &bd.pending)
			out.Files[name] = c
			pages[name] = pageEntry{key: e.key, later: c}
		case out.Files[name] != nil:
			out.Files[name].key = e.key
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
	out.Graph = b.pageGraph(jobs, pages, blocks)
	if !bd.oneShot {
		bd.diffs, bd.pages, bd.blocks, bd.ln, bd.reads = diffs, pages, blocks, b.ln, b.reads
		bd.searchCache = b.searchCacheNext
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
// the dependency graph needs, from what the build's reads gave.
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
				deps = append(deps, Everything)
			}
			deps = filesOf(e.reads, deps)
			if j.out == "index.html" {
				deps = append(deps, home...)
			}
			add(j.out, uniqueSorted(deps))
		}
	}
}

// Everything stands for every input file in the dependency graph.
const Everything = "content/"

// finish turns the collected problems into Build's result.
func finish(out *Result, errs model.ErrorList, opts Options) (*Result, error) {
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
