package site

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"html/template"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// referrer is a page that refers to something through a Markdown
// cross-reference: what the "Referred to in" lists show.
type referrer struct {
	URL   string // the page, root-absolute
	Label string // its title
	Kind  string // "section", "clause", ... : what kind of page it is
	File  string // the input file the reference is written in
}

// mdField is one Markdown field to render, with the page it appears on.
type mdField struct {
	md     *Markdown
	prefix string   // heading id prefix
	owner  referrer // the page this text belongs to
	text   bool     // also extract plain text (for diffs)
	body   bool     // a section's body (see renderMarkdown's lean)
}

// rendered is a Markdown field converted once, reused on every page that
// shows it.
type rendered struct {
	html     template.HTML // with root-absolute links
	Text     string        // plain text, when asked for
	Refs     []mdext.Ref
	targets  []mdext.Target  // what each of Refs resolved to, to check a cached copy
	problems []mdext.Problem // what converting it found
	digest   uint64          // a hash of Refs and targets (see digester.markdown)
	files    []string        // the files that define the targets, for the dependency graph
	src      string          // the source it was converted from
	prefix   string          // the heading id prefix it was converted with
	wantText bool            // whether Text was extracted

	demoteOnce sync.Once
	demoted    template.HTML // HTML with headings one level down, made on first use
}

// HTML implements model.Conversion.
func (r *rendered) HTML() template.HTML { return r.html }

// conv returns what the build made of m, or nil.
func conv(m Markdown) *rendered {
	r, _ := model.ConversionOf(m).(*rendered)
	return r
}

// setConv records r, which may be nil, as what the build made of m.
func setConv(m *Markdown, r *rendered) {
	if r == nil {
		model.SetConversion(m, nil)
		return
	}
	model.SetConversion(m, r)
}

// mdCache holds converted Markdown fields by source text and heading
// prefix, for fields of files that changed. (A field of an unchanged file
// keeps its conversion, see conv.) A conversion is reused only when
// every cross-reference in it still resolves to the same URL and label, so
// that it is the same as a fresh one.
type mdCache struct {
	seed    maphash.Seed // for rendered.digest
	mu      sync.Mutex
	entries map[string]*rendered
	// targets are the link targets of the last build that rendered
	// Markdown, against which the conversion each field kept was checked.
	targets map[refID]mdext.Target
	// backlinks, after a first build, is what the next updates.
	backlinks *backlinkIndex
}

func newMDCache(seed maphash.Seed) *mdCache {
	return &mdCache{seed: seed, entries: map[string]*rendered{}}
}

// reusable reports whether r is a conversion of field f that a fresh
// conversion would repeat.
func (r *rendered) reusable(f mdField, res mdext.Resolver) bool {
	if !r.sameSource(f) {
		return false
	}
	for i, ref := range r.Refs {
		if t, ok := res.Resolve(ref.Kind, ref.ID); !ok || t != r.targets[i] {
			return false
		}
	}
	return true
}

// sameSource reports whether r converted the text of field f as f asks,
// and found no cross-reference to a missing target: Refs holds only the
// references that resolved, so a conversion with an unresolved one is
// not known to be valid once another file may have added its target.
func (r *rendered) sameSource(f mdField) bool {
	if r == nil || r.src != f.md.Text || r.prefix != f.prefix || r.wantText != f.text {
		return false
	}
	for _, p := range r.problems {
		if p.Unresolved {
			return false
		}
	}
	return true
}

// reusableSince reports whether r, a conversion of field f that the last
// build checked, is still valid when the link targets changed holds are
// all that changed since.
func (r *rendered) reusableSince(f mdField, changed map[refID]bool) bool {
	if !r.sameSource(f) {
		return false
	}
	if len(changed) > 0 {
		for _, ref := range r.Refs {
			if changed[refID{ref.Kind, ref.ID}] {
				return false
			}
		}
	}
	return true
}

// changedTargets returns the link targets added, removed or changed since
// the last build that rendered Markdown with cache, or nil when that is
// not known.
func changedTargets(cache *mdCache, r mdext.Resolver) map[refID]bool {
	ix, ok := r.(*index)
	if !ok || cache.targets == nil {
		return nil
	}
	changed := map[refID]bool{}
	for k, t := range ix.targets {
		if old, ok := cache.targets[k]; !ok || old != t {
			changed[k] = true
		}
	}
	for k := range cache.targets {
		if _, ok := ix.targets[k]; !ok {
			changed[k] = true
		}
	}
	return changed
}

func mdKey(f mdField) string {
	flag := "0"
	if f.text {
		flag = "1"
	}
	return f.prefix + "\x00" + flag + f.md.Text
}

// markdownSet holds what rendering every Markdown field of a build found.
type markdownSet struct {
	backlinks map[refID][]referrer // target -> referrers, sorted, unique
	// retargeted holds the fields kept from the last build that were
	// converted again, in place, because a target of their links changed
	// (see identical).
	retargeted map[*Markdown]bool
}

// plainText returns the plain text of a converted field.
func plainText(m Markdown) string {
	if r := conv(m); r != nil {
		return r.Text
	}
	return ""
}

// renderMarkdown converts every field with one goldmark instance on all
// cores, checks their cross-references and collects backlinks.
// A field keeps its last conversion when it is still valid; the cache
// supplies conversions of the same text in changed files and receives
// every new conversion.
//
// With parseOnly, fields are parsed, which finds their cross-references
// and problems, but not rendered: that is all Check needs.
//
// With lean, for a build that keeps nothing (see leanState), a field lets
// go of what only converting it and collecting backlinks need: its
// positions in the file (the file's line index), its references, and,
// for a section's body, its source.
func renderMarkdown(md goldmark.Markdown, r mdext.Resolver, fields []mdField, cache *mdCache, parseOnly, lean bool, errs *ErrorList) *markdownSet {
	results := make([]*rendered, len(fields))
	problems := make([]ErrorList, len(fields))
	changed := changedTargets(cache, r)
	// Most fields of a rebuild only need checking: hand them out in chunks.
	parallel.Do(len(fields), 64, func(i int, buf *bytes.Buffer) {
		switch {
		case fields[i].md.IsZero():
		case parseOnly:
			results[i], problems[i] = parse(md, fields[i])
		default:
			results[i], problems[i] = convertCached(md, r, fields[i], cache, changed, buf)
			if lean {
				model.Forget(fields[i].md, fields[i].body)
				if fields[i].body {
					results[i].src = ""
				}
			}
		}
	})
	if ix, ok := r.(*index); ok && !parseOnly {
		cache.targets = ix.targets
	}

	ms := &markdownSet{backlinks: map[refID][]referrer{}}
	if parseOnly { // nothing is rendered: no backlinks to list
		for _, p := range problems {
			*errs = append(*errs, p...)
		}
		return ms
	}
	for i, f := range fields {
		*errs = append(*errs, problems[i]...)
		// A field of a file read before that is converted anew: one of
		// its link targets changed.
		if r := conv(*f.md); r != nil && r != results[i] {
			if ms.retargeted == nil {
				ms.retargeted = map[*Markdown]bool{}
			}
			ms.retargeted[f.md] = true
		}
		setConv(f.md, results[i])
	}
	if cache.entries != nil && cache.backlinks != nil {
		upd := cache.backlinks.update(fields, cache.seed)
		upd.retargeted = ms.retargeted
		return upd
	}
	for _, f := range fields {
		if conv(*f.md) == nil {
			continue
		}
		for _, ref := range conv(*f.md).Refs {
			key := refID{ref.Kind, ref.ID}
			ms.backlinks[key] = append(ms.backlinks[key], f.owner)
		}
		if lean { // the rest is for rebuilds, which it has none of
			r := conv(*f.md)
			r.Refs, r.targets, r.problems, r.files = nil, nil, nil, nil
		}
	}
	for key, refs := range ms.backlinks {
		ms.backlinks[key] = uniqueReferrers(refs)
	}
	if cache.entries != nil { // a rebuild will come: keep what updates need
		cache.backlinks = newBacklinkIndex(fields, ms)
	}
	return ms
}

// backlinkIndex lets a rebuild update the backlinks of the last build
// with what the fields that changed refer to, instead of collecting them
// from every field again.
type backlinkIndex struct {
	fields map[*Markdown]fieldRefs          // every field with references, as the last build saw it
	refs   map[refID]map[*Markdown]referrer // target -> the fields that refer to it, with their pages
	set    *markdownSet                     // the last build's backlinks
	gen    uint64                           // counts updates, to find fields gone
}

// fieldRefs is what one field referred to, from which page.
type fieldRefs struct {
	r     *rendered
	owner referrer
	gen   uint64 // the update that last saw the field
}

func newBacklinkIndex(fields []mdField, ms *markdownSet) *backlinkIndex {
	x := &backlinkIndex{fields: map[*Markdown]fieldRefs{}, refs: map[refID]map[*Markdown]referrer{}, set: ms}
	for _, f := range fields {
		if r := conv(*f.md); r != nil && len(r.Refs) > 0 {
			x.add(f)
		}
	}
	return x
}

func (x *backlinkIndex) add(f mdField) {
	r := conv(*f.md)
	x.fields[f.md] = fieldRefs{r: r, owner: f.owner, gen: x.gen}
	for _, ref := range r.Refs {
		key := refID{ref.Kind, ref.ID}
		if x.refs[key] == nil {
			x.refs[key] = map[*Markdown]referrer{}
		}
		x.refs[key][f.md] = f.owner
	}
}

func (x *backlinkIndex) remove(md *Markdown, old fieldRefs, affected map[refID]bool) {
	for _, ref := range old.r.Refs {
		key := refID{ref.Kind, ref.ID}
		delete(x.refs[key], md)
		affected[key] = true
	}
	delete(x.fields, md)
}

// update returns the backlinks of fields, converted, made from the last
// build's by redoing the targets that a changed, added or removed field
// refers to. The last build's set is left as it was.
func (x *backlinkIndex) update(fields []mdField, seed maphash.Seed) *markdownSet {
	x.gen++
	affected := map[refID]bool{}
	for _, f := range fields {
		old, had := x.fields[f.md]
		r := conv(*f.md)
		switch {
		case had && old.r == r && old.owner == f.owner:
			old.gen = x.gen
			x.fields[f.md] = old
			continue
		case had:
			x.remove(f.md, old, affected)
		}
		if r != nil && len(r.Refs) > 0 {
			x.add(f)
			for _, ref := range r.Refs {
				affected[refID{ref.Kind, ref.ID}] = true
			}
		}
	}
	for md, old := range x.fields {
		if old.gen != x.gen {
			x.remove(md, old, affected)
		}
	}
	ms := &markdownSet{backlinks: maps.Clone(x.set.backlinks)}
	for key := range affected {
		var refs []referrer
		for _, owner := range x.refs[key] {
			refs = append(refs, owner)
		}
		if len(refs) == 0 {
			delete(ms.backlinks, key)
			delete(x.refs, key)
			continue
		}
		ms.backlinks[key] = uniqueReferrers(refs)
	}
	x.set = ms
	return ms
}

// convertCached converts one field, or reuses an earlier conversion: the
// one the field kept from the last build, checked against the targets
// changed since (all of them when changed is nil), or one from the cache.
func convertCached(md goldmark.Markdown, r mdext.Resolver, f mdField, cache *mdCache, changed map[refID]bool, buf *bytes.Buffer) (*rendered, ErrorList) {
	out := conv(*f.md)
	switch {
	case cache.entries == nil: // a build with no rebuild to come
		out = convert(md, r, f, cache.seed, buf)
	case changed != nil && out.reusableSince(f, changed):
		// Still valid.
	case !out.reusable(f, r):
		key := mdKey(f)
		cache.mu.Lock()
		out = cache.entries[key]
		cache.mu.Unlock()
		if !out.reusable(f, r) {
			out = convert(md, r, f, cache.seed, buf)
			cache.mu.Lock()
			cache.entries[key] = out
			cache.mu.Unlock()
		}
	}
	var errs ErrorList
	for _, p := range out.problems {
		errs = append(errs, &Error{Pos: f.md.Position(p.Offset), Msg: p.Msg, Warning: p.Warning})
	}
	return out, errs
}

// parse parses one field for its cross-references and problems only.
func parse(md goldmark.Markdown, f mdField) (*rendered, ErrorList) {
	// Both come only from links, images and autolinks, which need a
	// bracket or an angle bracket.
	if !strings.ContainsAny(f.md.Text, "[<") {
		return &rendered{}, nil
	}
	pc := parser.NewContext(parser.WithIDs(noIDs{}))
	md.Parser().Parse(text.NewReader([]byte(f.md.Text)), parser.WithContext(pc))
	out := &rendered{Refs: mdext.Refs(pc)}
	var errs ErrorList
	for _, p := range mdext.Problems(pc) {
		errs = append(errs, &Error{Pos: f.md.Position(p.Offset), Msg: p.Msg, Warning: p.Warning})
	}
	return out, errs
}

// noIDs gives every heading the same id: parse renders no HTML, and ids
// neither find nor hide problems.
type noIDs struct{}

func (noIDs) Generate([]byte, ast.NodeKind) []byte { return []byte("h") }
func (noIDs) Put([]byte)                           {}

// convert renders one field.
func convert(md goldmark.Markdown, r mdext.Resolver, f mdField, seed maphash.Seed, buf *bytes.Buffer) *rendered {
	src := []byte(f.md.Text)
	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs(f.prefix)))
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	buf.Reset()
	out := &rendered{Refs: mdext.Refs(pc), problems: mdext.Problems(pc), src: f.md.Text, prefix: f.prefix, wantText: f.text}
	if err := md.Renderer().Render(mdext.BufWriter{Buffer: buf}, src, doc); err != nil {
		out.problems = append(out.problems, mdext.Problem{Msg: "rendering markdown: " + err.Error()})
	}
	out.html = template.HTML(buf.String())
	if f.text {
		out.Text = mdext.Text(doc, src)
	}
	out.targets = make([]mdext.Target, len(out.Refs))
	var h maphash.Hash
	h.SetSeed(seed)
	for i, ref := range out.Refs {
		out.targets[i], _ = r.Resolve(ref.Kind, ref.ID)
		for _, s := range []string{ref.Kind, ref.ID, out.targets[i].URL, out.targets[i].Label} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		if ix, ok := r.(*index); ok {
			if f := ix.file(ref.Kind, ref.ID); f != "" && !slices.Contains(out.files, f) {
				out.files = append(out.files, f)
			}
		}
	}
	out.digest = h.Sum64()
	return out
}

// uniqueReferrers sorts refs by URL and keeps one referrer per page. The
// order does not depend on the order of refs.
func uniqueReferrers(refs []referrer) []referrer {
	slices.SortFunc(refs, func(a, b referrer) int {
		return cmp.Or(strings.Compare(a.URL, b.URL), strings.Compare(a.Label, b.Label),
			strings.Compare(a.Kind, b.Kind), strings.Compare(a.File, b.File))
	})
	out := refs[:0]
	for i, r := range refs {
		if i > 0 && r.URL == refs[i-1].URL {
			continue
		}
		out = append(out, r)
	}
	return out
}
