package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash/maphash"
	"html/template"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/explainer/explainer/site/internal/search"

	"github.com/explainer/explainer/site/internal/card"

	"github.com/explainer/explainer/site/internal/lineage"
	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/explainer/explainer/site/internal/reads"
	"github.com/explainer/explainer/site/internal/tmplexec"
	"github.com/explainer/explainer/static"
	"github.com/explainer/explainer/templates"
)

// pageTemplates are the page templates, by file name. Each defines
// "main" (and may define "head"), and is executed through base.tmpl.
var pageTemplates = []string{
	"home.tmpl", "section.tmpl", "documents.tmpl", "document.tmpl", "clause.tmpl",
	"changes.tmpl", "topics.tmpl", "topic.tmpl", "actors.tmpl", "actor.tmpl",
	"sources.tmpl", "timeline.tmpl", "search.tmpl", "404.tmpl",
}

// layoutTemplates are parsed into every page's template set.
var layoutTemplates = []string{"base.tmpl", "partials.tmpl"}

// siteData is what every page can reach as .Site.
type siteData struct {
	*model.Explainer
	Sections    []*model.Section
	Documents   []*model.Document
	Topics      []*model.Topic
	Actors      []*model.Actor
	Sources     []*model.Source
	Events      []*model.Event
	HasTimeline bool
	BaseURL     string // absolute, no trailing slash; "" when unknown
	LiveReload  string // the dev server's reload script, "" in build output
	Stylesheet  string // root-absolute URL of the stylesheet, with ?v=
	// ChangesScript is the root-absolute URL of the script that filters a
	// changes page by outcome, with ?v=.
	ChangesScript string
	// SearchScript is the root-absolute URL of the search script, with ?v=.
	SearchScript string
}

// pageData is the value every template executes on.
type pageData struct {
	Site        *siteData
	Path        string // the page's own URL, root-absolute
	Title       string // for <title>; "" on the home page
	Description string
	Canonical   string        // absolute URL when the base URL is known
	Card        string        // absolute URL of the page's social card, "" for none (see cardURL)
	JSONLD      template.HTML // a script element of structured data for search engines, "" for none (see jsonLD)
	Kind        string        // home, section, documents, document, clause, ...

	Section  *model.Section
	Document *model.Document
	Clause   *model.Clause
	Topic    *model.Topic
	Actor    *model.Actor
	Prev     *model.Section
	Next     *model.Section
}

// pageJob is one page to render.
type pageJob struct {
	out   string // output file, e.g. "documents/us-28/index.html"
	tmpl  string // page template file name
	data  *pageData
	reads reads.Reads // what rendering it read, once rendered
}

// build holds the state of one build: what a run of a Builder makes
// from one reading of the project.
type build struct {
	p    *model.Project
	ix   *links.Index
	ms   *links.Set
	ln   *lineage.Lineage
	opts Options
	// searchRecs is what the search index holds (see Builder.Build).
	searchRecs []search.Record
	cardSet    map[string]card.Card // the social cards, by output file (see cards)
	// searchCache is the last build's scored search records by key, and
	// searchCacheNext this build's (see searchScores).
	searchCache, searchCacheNext map[uint64]search.Scored
	// drawer draws social cards (see Builder.drawer).
	drawer func() *card.Drawer
	site   *siteData

	citedBy   map[string][]links.Referrer // source id -> what cites it
	seed      maphash.Seed                // for digests and the keys of extras
	sums      map[string]uint64           // the hash of every input file read
	positions map[string][]actorPosition
	tmplFiles map[string]string        // template file name -> its path for errors and deps
	custom    map[string]bool          // the templates the project overrides
	blocks    map[*model.Section]block // each section as the home page shows it
	paths     []string                 // every page's URL but the 404 page's, in order (set by pages)
	jobs      []pageJob                // every page (set by pages)

	onTopic map[string]*onTopic // what is on each topic (set by indexTopics)

	// streaming is set when every file goes to BuildTo's writer as it is
	// made: nothing is kept for a rebuild.
	streaming bool
	keep      bool // whether a rebuild will come, which may reuse what this one makes
	// lean is set for a streaming build with the standard templates,
	// which holds as little as it can at once (see lean.go).
	lean    *leanState
	scratch sync.Pool // of *[]byte, for pages on their way to the writer

	fast    map[string]*tmplexec.Program // the compiled templates (see tmplCache.compile)
	funcs   template.FuncMap             // the templates' functions, on this build
	typed   map[string]tmplexec.Func     // funcs' functions of one argument (see def)
	setKeys map[string]uint64            // a hash of each page template's set (see tmplCache)

	// reads, when set, is what renderings record their reads in; changed
	// says which reads of the last build gave a different value in this
	// one (see reads.go).
	reads    *reads.Table
	changed  reads.Changed
	entsOnce sync.Once
	ents     map[reads.Key]reflect.Value // see entities
	keysOnce sync.Once
	keys     uint64 // see entityKeys
	// keptLineage is set when the build kept the last build's lineage,
	// and sameEntities when its entities have the keys of the last
	// build's (see readModel.Kept).
	keptLineage, sameEntities bool
}

// actorPosition is one position an actor took, on a clause or a whole
// document.
type actorPosition struct {
	Document *model.Document
	Clause   *model.Clause // nil for a position on the whole document
	Position *model.Position
}

// tmplCache holds a Builder's parsed templates, which it reuses while
// the template files are the same: parsing and escaping them again would
// cost every rebuild a few milliseconds.
type tmplCache struct {
	key   uint64    // a hash of every template's name, file and text
	ref   *buildRef // what the templates' functions call
	funcs template.FuncMap
	typed map[string]tmplexec.Func // funcs' functions of one argument (see def)
	sets  map[string]*template.Template
	// setKeys holds a hash of each page template's set: the layouts and
	// the page template. A page rendered with a set of another key is
	// rendered again.
	setKeys map[string]uint64
	fast    map[string]*tmplexec.Program // see compile; nil until then
	// custom holds, by name, whether each template is the project's own.
	custom map[string]bool
}

// compile compiles the embedded theme's page template sets for tmplexec,
// which runs them several times faster than html/template, and the home
// page's section block under the name homeBlock. tmplexec runs only the
// theme, which the tests hold it to byte for byte: a set with a template
// of the project's own, or one that tmplexec does not cover, is left to
// html/template.
func (c *tmplCache) compile() map[string]*tmplexec.Program {
	if c == nil {
		return nil
	}
	if c.fast != nil {
		return c.fast
	}
	c.fast = map[string]*tmplexec.Program{}
	for _, name := range layoutTemplates {
		if c.custom[name] {
			return c.fast // every page is laid out by it
		}
	}
	for name, set := range c.sets {
		if c.custom[name] {
			continue
		}
		if p, err := tmplexec.Compile(set, "templates/base.tmpl", c.funcs, c.typed); err == nil {
			c.fast[name] = p
		}
	}
	if set := c.sets["home.tmpl"]; set != nil && !c.custom["home.tmpl"] && set.Lookup(homeBlock) != nil {
		if p, err := tmplexec.Compile(set, homeBlock, c.funcs, c.typed); err == nil {
			c.fast[homeBlock] = p
		}
	}
	return c.fast
}

// execute executes the template name of set, the page template name, for
// data into buf: with tmplexec if it compiled the set, and with
// html/template if not, or when tmplexec gives up. rec, if not nil, is
// told what the execution reads; html/template tells nothing, which makes
// the recording opaque.
func (b *build) execute(buf *bytes.Buffer, set *template.Template, page, name string, data any, rec *reads.Recorder) error {
	if p := b.fast[page]; p != nil {
		n := buf.Len()
		var r tmplexec.Recorder
		if rec != nil {
			r = rec
		}
		if p.ExecuteRecorded(buf, data, r) == nil {
			return nil
		}
		buf.Truncate(n)
	}
	if rec != nil {
		rec.Opaque()
	}
	return set.ExecuteTemplate(buf, name, data)
}

// templateSets parses the layout and page templates: the embedded ones,
// each overridden by a file of the same name in the project's templates/.
// It returns them with the cache for the next build, which is cache
// itself when the templates did not change; nil after errors.
func (b *build) templateSets(src fs.FS, cache *tmplCache, errs *model.ErrorList) (map[string]*template.Template, *tmplCache) {
	type source struct{ name, file, text string }
	b.custom = map[string]bool{}
	b.tmplFiles = map[string]string{}
	var layouts, pages []source
	var h maphash.Hash
	h.SetSeed(b.seed)
	texts := map[string]uint64{} // a hash of each template's text
	failed := false
	for _, name := range slices.Concat(layoutTemplates, pageTemplates) {
		embedded, embErr := fs.ReadFile(templates.FS, name)
		text, file := string(embedded), "templates/"+name
		data, err := fs.ReadFile(src, file)
		switch {
		case err == nil:
			// A copy of the embedded template, as in this repository,
			// is no override.
			b.custom[name] = embErr != nil || !bytes.Equal(data, embedded)
			text = string(data)
		case !errors.Is(err, fs.ErrNotExist): // an override that cannot be read is not left out unseen
			errs.Add(model.FileStart(file), "cannot read: %v", model.PathErr(err))
			failed = true
			continue
		case embErr != nil:
			errs.Add(model.Pos{File: file}, "missing template %q", name)
			failed = true
			continue
		}
		b.tmplFiles[name] = file
		t := source{name, file, text}
		if slices.Contains(layoutTemplates, name) {
			layouts = append(layouts, t)
		} else {
			pages = append(pages, t)
		}
		for _, s := range []string{name, file, text} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		texts[name] = maphash.String(b.seed, file+"\x00"+text)
	}
	key := h.Sum64()
	if !failed && cache != nil && cache.key == key {
		cache.ref.b = b
		b.funcs, b.typed, b.setKeys = cache.funcs, cache.typed, cache.setKeys
		return cache.sets, cache
	}
	b.setKeys = map[string]uint64{}
	for _, t := range pages {
		k := texts[t.name]
		for _, l := range layouts {
			k = k*31 + texts[l.name]
		}
		b.setKeys[t.name] = k
	}

	ref := &buildRef{b: b}
	fm, typed := funcs(ref)
	b.funcs, b.typed = fm, typed
	base := template.New("layout").Funcs(fm)
	for _, t := range layouts {
		if _, err := base.New(t.file).Parse(t.text); err != nil {
			errs.Add(templateErrorPos(err, t.file), "%s", templateErrorMsg(err))
			return nil, nil
		}
	}
	sets := map[string]*template.Template{}
	for _, t := range pages {
		set, err := base.Clone()
		if err == nil {
			_, err = set.New(t.file).Parse(t.text)
		}
		if err != nil {
			errs.Add(templateErrorPos(err, t.file), "%s", templateErrorMsg(err))
			failed = true
			continue
		}
		sets[t.name] = set
	}
	if failed {
		return sets, nil
	}
	return sets, &tmplCache{key: key, ref: ref, funcs: fm, typed: typed, sets: sets, setKeys: b.setKeys, custom: maps.Clone(b.custom)}
}

// templateErrRE matches the position that text/template and html/template
// put at the start of their errors.
var templateErrRE = regexp.MustCompile(`^(?:template: |html/template:)([^:]+):(\d+):(?:(\d+):)? ?(.*)$`)

// templateErrorPos extracts the file, line and column a template error
// reports. Parse errors carry no column: they point at column 1 of the
// line.
func templateErrorPos(err error, file string) model.Pos {
	m := templateErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return model.Pos{File: file, Line: 1, Column: 1}
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	return model.Pos{File: m[1], Line: line, Column: max(col, 1)}
}

// templateErrorMsg is the error's message without its position prefix.
func templateErrorMsg(err error) string {
	m := templateErrRE.FindStringSubmatch(err.Error())
	if m == nil {
		return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "template: "), "html/template: ")
	}
	return m[4]
}

// renderPages renders every job, on all cores, and returns the rendered
// files, with relative links. reuse, when it has the job's page from an
// earlier build whose reads are unchanged, saves rendering it again;
// otherwise it may give the size of the page's last rendering, to render
// into a buffer of that size. A page rendered when b.reads is set records
// its reads in its job.
//
// A page that emit takes (see BuildTo) is not kept in the files returned.
func (b *build) renderPages(ctx context.Context, sets map[string]*template.Template, jobs []pageJob, emit func(name string, parts [][]byte) bool, reuse func(i int) (parts [][]byte, ok bool, size int), errs *model.ErrorList) map[string][][]byte {
	results := make([][][]byte, len(jobs))
	failures := make([]error, len(jobs))
	parallel.Do(len(jobs), 1, func(i int, buf *bytes.Buffer) {
		if s := b.lean.section(&jobs[i]); s != nil {
			// Its block is done, or will never be, when the page is; then
			// nothing needs its HTML but the feed.
			defer b.lean.pending.Done()
			defer b.lean.sectionDone(ctx, b, s, sets["home.tmpl"], buf, i)
		}
		if ctx.Err() != nil {
			return
		}
		data, ok, size := reuse(i)
		if ok {
			if !emit(jobs[i].out, data) {
				results[i] = data
			}
			return
		}
		j := jobs[i]
		set := sets[j.tmpl]
		if set == nil {
			return
		}
		if !b.streaming {
			var rec *reads.Recorder
			if b.reads != nil {
				rec = b.reads.Recorder(readModel{b})
			}
			results[i], failures[i] = b.renderPage(buf, set, j, size, rec)
			if rec != nil {
				jobs[i].reads = rec.Done()
			}
			return
		}
		if b.lean != nil && j.out == "index.html" {
			b.lean.pending.Wait() // every section's block
		}
		if err := b.executePage(buf, set, j, size, nil); err != nil {
			failures[i] = err
			return
		}
		// Written at once: the page needs no memory of its own.
		scratch := b.scratch.Get().(*[]byte)
		*scratch = appendRelative((*scratch)[:0], buf.Bytes(), j.out, j.tmpl == "404.tmpl", b.site.BaseURL)
		parts := b.spliceBlocks(*scratch, j.out)
		emit(j.out, parts)
		b.scratch.Put(scratch)
		if len(parts) > 1 {
			// The home page is written; no other page shows the
			// blocks, which at 20k pages weigh some 60 MB.
			b.blocks = nil
		}
	})
	files := make(map[string][][]byte, len(jobs))
	for i, j := range jobs {
		if err := b.lean.blockFailure(i); err != nil {
			errs.Add(templateErrorPos(err, b.tmplFiles["home.tmpl"]), "%s", templateErrorMsg(err))
		}
		if err := failures[i]; err != nil {
			file := b.tmplFiles[j.tmpl]
			errs.Add(templateErrorPos(err, file), "%s", templateErrorMsg(err))
			continue
		}
		if results[i] != nil {
			files[j.out] = results[i]
		}
	}
	return files
}

// hasCustom reports whether the project overrides any template with one
// of its own.
func (b *build) hasCustom() bool {
	for _, custom := range b.custom {
		if custom {
			return true
		}
	}
	return false
}

// unchanged reports whether a rendering of the last build with set key
// set and reads rs would be the same in this build: its template set is
// the same and none of its reads changed.
func (b *build) unchanged(tmpl string, set uint64, rs reads.Reads) bool {
	return set == b.setKeys[tmpl] && b.changed.Unchanged(rs)
}

// relativize rewrites the root-absolute links of a page (href="/x/")
// into links relative to the page's own place, so that the site works
// under any path prefix. The 404 page is served at any depth, so it keeps
// root-absolute links, under the base URL's path when there is one.
func relativize(page []byte, out string, absolute bool, baseURL string) []byte {
	return appendRelative(make([]byte, 0, len(page)+len(page)/16), page, out, absolute, baseURL)
}

// appendRelative appends page to dst with its links made relative, as
// relativize returns it.
func appendRelative(dst, page []byte, out string, absolute bool, baseURL string) []byte {
	prefix := strings.Repeat("../", strings.Count(out, "/"))
	if absolute {
		prefix = "/"
		if i := strings.Index(baseURL, "://"); i >= 0 {
			if j := strings.IndexByte(baseURL[i+3:], '/'); j >= 0 {
				prefix = baseURL[i+3+j:] + "/"
			}
		}
	}
	marker := []byte(`="/`)
	for {
		i := bytes.Index(page, marker)
		if i < 0 {
			return append(dst, page...)
		}
		dst = append(dst, page[:i+2]...)
		rest := page[i+3:]
		if len(rest) > 0 && rest[0] == '/' { // protocol-relative: leave it
			dst = append(dst, '/')
			page = rest
			continue
		}
		dst = append(dst, prefix...)
		if prefix == "" && (len(rest) == 0 || rest[0] == '"' || rest[0] == '#' || rest[0] == '?') {
			dst = append(dst, "./"...)
		}
		page = rest
	}
}

// staticFiles returns the embedded assets overlaid by the project's
// static/ files, by output path, with the input file each came from.
func staticFiles(src fs.FS, errs *model.ErrorList) (map[string][]byte, map[string]string) {
	files := map[string][]byte{}
	from := map[string]string{}
	add := func(fsys fs.FS, prefix, root string) {
		sub := fsys
		if root != "." {
			var err error
			if sub, err = fs.Sub(fsys, root); err != nil {
				return
			}
		}
		err := fs.WalkDir(sub, ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				if name == "." {
					return fs.SkipDir
				}
				errs.Add(model.FileStart(path.Join(prefix, name)), "cannot read: %v", model.PathErr(err))
				return nil
			}
			base := path.Base(name)
			if name != "." && (strings.HasPrefix(base, ".") || strings.HasSuffix(base, "~")) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			// Go files are the theme's own embedding code, not assets.
			if d.IsDir() || strings.HasSuffix(name, ".go") {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 { // read if it leads to a file in the project
				if info, err := fs.Stat(sub, name); err == nil && info.IsDir() {
					errs.Add(model.FileStart(path.Join(prefix, name)), "a symbolic link to a directory: static/ is read without following those")
					return nil
				}
			}
			data, err := fs.ReadFile(sub, name)
			if err != nil {
				errs.Add(model.FileStart(path.Join(prefix, name)), "cannot read: %v", model.PathErr(err))
				return nil
			}
			files[name] = data
			from[name] = path.Join(prefix, name)
			return nil
		})
		if err != nil && root != "." {
			return
		}
	}
	add(static.FS, "static", ".")
	for name := range from {
		from[name] = "" // embedded: no input file
	}
	add(src, "static", "static")
	return files, from
}

// assetVersion is the ?v= cache-busting query for an asset.
func assetVersion(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:4])
}

// formatNumber writes 600000 as "600,000".
func formatNumber(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

// uniqueSorted sorts and de-duplicates names, dropping "".
func uniqueSorted(names []string) []string {
	sort.Strings(names)
	out := names[:0]
	for i, n := range names {
		if n == "" || (i > 0 && n == names[i-1]) {
			continue
		}
		out = append(out, n)
	}
	return out
}

// block is a section rendered as the home page shows it, with what
// rendering it read. The home page, which holds every section, is put
// together from blocks, so that an edit of one section renders only its
// block.
type block struct {
	html  []byte // after a newline, as the home page holds it
	set   uint64 // the key of the template set it was rendered with
	reads reads.Reads
}

// homeBlock is the template that renders a section's block.
const homeBlock = "home-section"

// renderBlocks renders the home page's block of every section, on all
// cores, reusing a block of the last build whose reads are unchanged. It
// does nothing when the home template defines no block.
func (b *build) renderBlocks(set *template.Template, last func(s *model.Section) (block, bool), errs *model.ErrorList) {
	b.blocks = make(map[*model.Section]block, len(b.p.Sections))
	if set == nil || set.Lookup(homeBlock) == nil {
		return
	}
	sections := b.p.Sections
	out := make([]block, len(sections))
	failures := make([]error, len(sections))
	parallel.Do(len(sections), 1, func(i int, buf *bytes.Buffer) {
		s := sections[i]
		setKey := b.setKeys["home.tmpl"]
		if old, ok := last(s); ok && b.unchanged("home.tmpl", old.set, old.reads) {
			out[i] = old
			return
		}
		var rec *reads.Recorder
		if b.reads != nil {
			rec = b.reads.Recorder(readModel{b})
		}
		out[i].html, failures[i] = b.renderBlock(buf, set, s, rec)
		out[i].set = setKey
		if rec != nil {
			out[i].reads = rec.Done()
		}
	})
	for i, s := range sections {
		if err := failures[i]; err != nil {
			errs.Add(templateErrorPos(err, b.tmplFiles["home.tmpl"]), "%s", templateErrorMsg(err))
			continue
		}
		b.blocks[s] = out[i]
	}
}

// renderPage renders the page of j with set, in buf, which it resets and
// grows to size and an eighth, and returns it in parts (see spliceBlocks)
// with its links made relative.
func (b *build) renderPage(buf *bytes.Buffer, set *template.Template, j pageJob, size int, rec *reads.Recorder) ([][]byte, error) {
	if err := b.executePage(buf, set, j, size, rec); err != nil {
		return nil, err
	}
	return b.spliceBlocks(relativize(buf.Bytes(), j.out, j.tmpl == "404.tmpl", b.site.BaseURL), j.out), nil
}

// executePage executes the template of j's page with set into buf, which
// it resets and grows to size and an eighth, with root-absolute links,
// telling rec, if not nil, what it reads.
func (b *build) executePage(buf *bytes.Buffer, set *template.Template, j pageJob, size int, rec *reads.Recorder) error {
	buf.Reset()
	buf.Grow(size + size/8)
	return b.execute(buf, set, j.tmpl, "templates/base.tmpl", j.data, rec)
}

// renderBlock renders s as the home page shows it, with set, in buf,
// which it resets, and returns it with its links made relative.
func (b *build) renderBlock(buf *bytes.Buffer, set *template.Template, s *model.Section, rec *reads.Recorder) ([]byte, error) {
	buf.Reset()
	buf.WriteByte('\n')
	if err := b.execute(buf, set, homeBlock, homeBlock, s, rec); err != nil {
		return nil, err
	}
	return relativize(buf.Bytes(), "index.html", false, ""), nil
}

// blocksMarker is what sectionBlocks puts in a page: the place where the
// blocks of every section go once the page's own links are made relative.
// The blocks are long and their links are relative already, so the page
// is not scanned through them again.
const blocksMarker = "\x00explainer-blocks\x00"

// spliceBlocks returns the parts of a page at out: the page itself, or,
// when it holds the blocks marker, what comes before the marker, the
// block of every section, each after a newline, and what comes after. The
// page must be at the site's root for the blocks' links to be right. The
// blocks are not copied: a rebuild shares the blocks of sections that did
// not change with the build before.
func (b *build) spliceBlocks(page []byte, out string) [][]byte {
	i := bytes.Index(page, []byte(blocksMarker))
	if i < 0 || strings.Contains(out, "/") {
		return [][]byte{page}
	}
	return b.spliceParts(page[:i], page[i+len(blocksMarker):])
}

// spliceParts returns the parts of the home page whose text before and
// after the blocks is before and after.
func (b *build) spliceParts(before, after []byte) [][]byte {
	parts := make([][]byte, 0, len(b.p.Sections)+2)
	parts = append(parts, before)
	for _, s := range b.p.Sections {
		parts = append(parts, b.blocks[s].html)
	}
	return append(parts, after)
}
