package links

import (
	"bytes"
	"cmp"
	"hash/maphash"
	"html"
	"html/template"
	"maps"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/explainer/explainer/site/internal/mdext"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/parallel"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Referrer is a page that refers to something through a Markdown
// cross-reference: what the "Referred to in" lists show.
type Referrer struct {
	URL   string // the page, root-absolute
	Label string // its title
	Kind  string // "section", "clause", ... : what kind of page it is
	File  string // the input file the reference is written in
}

// Field is one Markdown field to render, with the page it appears on.
type Field struct {
	MD       *model.Markdown
	Prefix   string   // heading id prefix
	Owner    Referrer // the page this text belongs to
	WantText bool     // also extract plain text (for diffs)
	Body     bool     // a section's body (see Render's lean)
}

// Rendered is a Markdown field converted once, reused on every page that
// shows it.
type Rendered struct {
	html template.HTML // with root-absolute links
	Text string        // plain text, when asked for
	lead string        // a section body's first paragraph, as plain text (see Lead)

	descOnce sync.Once
	desc     string // Text clipped for a description, made on first use (see Description)
	Refs     []mdext.Ref
	targets  []mdext.Target  // what each of Refs resolved to, to check a cached copy
	problems []mdext.Problem // what converting it found
	digest   uint64          // a hash of Refs and targets (for the keys of the exports)
	files    []string        // the files that define the targets, for the dependency graph
	src      string          // the source it was converted from
	prefix   string          // the heading id prefix it was converted with
	wantText bool            // whether Text was extracted

	demoteOnce sync.Once
	demoted    template.HTML // HTML with headings one level down, made on first use
}

// HTML implements model.Conversion.
func (r *Rendered) HTML() template.HTML { return r.html }

// Conv returns what the build made of m, or nil.
func Conv(m model.Markdown) *Rendered {
	r, _ := model.ConversionOf(m).(*Rendered)
	return r
}

// SetConv records r, which may be nil, as what the build made of m.
func SetConv(m *model.Markdown, r *Rendered) {
	if r == nil {
		model.SetConversion(m, nil)
		return
	}
	model.SetConversion(m, r)
}

// Cache holds converted Markdown fields by source text and heading
// prefix, for fields of files that changed. (A field of an unchanged file
// keeps its conversion, see Conv.) A conversion is reused only when
// every cross-reference in it still resolves to the same URL and label, so
// that it is the same as a fresh one.
type Cache struct {
	seed    maphash.Seed // for Rendered.digest
	mu      sync.Mutex
	entries map[string]*Rendered
	// targets are the link targets of the last build that rendered
	// Markdown, against which the conversion each field kept was checked.
	targets map[ID]mdext.Target
	// backlinks, after a first build, is what the next updates.
	backlinks *backlinkIndex
}

// NewCache returns a cache for a Builder, whose next build reuses what
// it keeps.
func NewCache(seed maphash.Seed) *Cache {
	return &Cache{seed: seed, entries: map[string]*Rendered{}}
}

// OneShotCache returns a cache for a build that no other follows: it
// keeps nothing.
func OneShotCache(seed maphash.Seed) *Cache { return &Cache{seed: seed} }

// Kept reports whether c keeps conversions for a next build.
func (c *Cache) Kept() bool { return c.entries != nil }

// Len returns how many conversions c keeps.
func (c *Cache) Len() int { return len(c.entries) }

// reusable reports whether r is a conversion of field f that a fresh
// conversion would repeat.
func (r *Rendered) reusable(f Field, res mdext.Resolver) bool {
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
func (r *Rendered) sameSource(f Field) bool {
	if r == nil || r.src != f.MD.Text || r.prefix != f.Prefix || r.wantText != f.WantText {
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
func (r *Rendered) reusableSince(f Field, changed map[ID]bool) bool {
	if !r.sameSource(f) {
		return false
	}
	if len(changed) > 0 {
		for _, ref := range r.Refs {
			if changed[ID{ref.Kind, ref.ID}] {
				return false
			}
		}
	}
	return true
}

// changedTargets returns the link targets added, removed or changed since
// the last build that rendered Markdown with cache, or nil when that is
// not known.
func changedTargets(cache *Cache, r mdext.Resolver) map[ID]bool {
	ix, ok := r.(*Index)
	if !ok || cache.targets == nil {
		return nil
	}
	changed := map[ID]bool{}
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

func mdKey(f Field) string {
	flag := "0"
	if f.WantText {
		flag = "1"
	}
	return f.Prefix + "\x00" + flag + f.MD.Text
}

// Set holds what rendering every Markdown field of a build found.
type Set struct {
	Backlinks map[ID][]Referrer // target -> referrers, sorted, unique
	// Retargeted holds the fields kept from the last build that were
	// converted again, in place, because a target of their links changed
	// (see identical).
	Retargeted map[*model.Markdown]bool
}

// PlainText returns the plain text of a converted field.
func PlainText(m model.Markdown) string {
	if r := Conv(m); r != nil {
		return r.Text
	}
	return ""
}

// Render converts every field with one goldmark instance on all
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
// positions in the file (the file's line Index), its references, and,
// for a section's body, its source.
func Render(md goldmark.Markdown, r mdext.Resolver, fields []Field, cache *Cache, parseOnly, lean bool, errs *model.ErrorList) *Set {
	results := make([]*Rendered, len(fields))
	problems := make([]model.ErrorList, len(fields))
	changed := changedTargets(cache, r)
	// Most fields of a rebuild only need checking: hand them out in chunks.
	parallel.Do(len(fields), 64, func(i int, buf *bytes.Buffer) {
		switch {
		case fields[i].MD.IsZero():
		case parseOnly:
			results[i], problems[i] = parse(md, fields[i])
		default:
			results[i], problems[i] = ConvertCached(md, r, fields[i], cache, changed, buf)
			if lean {
				model.Forget(fields[i].MD, fields[i].Body)
				if fields[i].Body {
					results[i].src = ""
				}
			}
		}
	})
	if ix, ok := r.(*Index); ok && !parseOnly {
		cache.targets = ix.targets
	}

	ms := &Set{Backlinks: map[ID][]Referrer{}}
	if parseOnly { // nothing is rendered; the backlinks say what is linked to
		for i, p := range problems {
			*errs = append(*errs, p...)
			if results[i] != nil {
				for _, ref := range results[i].Refs {
					key := ID{ref.Kind, ref.ID}
					ms.Backlinks[key] = append(ms.Backlinks[key], fields[i].Owner)
				}
			}
		}
		return ms
	}
	for i, f := range fields {
		*errs = append(*errs, problems[i]...)
		// A field of a file read before that is converted anew: one of
		// its link targets changed.
		if r := Conv(*f.MD); r != nil && r != results[i] {
			if ms.Retargeted == nil {
				ms.Retargeted = map[*model.Markdown]bool{}
			}
			ms.Retargeted[f.MD] = true
		}
		SetConv(f.MD, results[i])
	}
	if cache.entries != nil && cache.backlinks != nil {
		upd := cache.backlinks.update(fields, cache.seed)
		upd.Retargeted = ms.Retargeted
		return upd
	}
	for _, f := range fields {
		if Conv(*f.MD) == nil {
			continue
		}
		for _, ref := range Conv(*f.MD).Refs {
			key := ID{ref.Kind, ref.ID}
			ms.Backlinks[key] = append(ms.Backlinks[key], f.Owner)
		}
		if lean { // the rest is for rebuilds, which it has none of
			r := Conv(*f.MD)
			r.Refs, r.targets, r.problems, r.files = nil, nil, nil, nil
		}
	}
	for key, refs := range ms.Backlinks {
		ms.Backlinks[key] = UniqueReferrers(refs)
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
	fields map[*model.Markdown]fieldRefs       // every field with references, as the last build saw it
	refs   map[ID]map[*model.Markdown]Referrer // target -> the fields that refer to it, with their pages
	set    *Set                                // the last build's backlinks
	gen    uint64                              // counts updates, to find fields gone
}

// fieldRefs is what one field referred to, from which page.
type fieldRefs struct {
	r     *Rendered
	owner Referrer
	gen   uint64 // the update that last saw the field
}

func newBacklinkIndex(fields []Field, ms *Set) *backlinkIndex {
	x := &backlinkIndex{fields: map[*model.Markdown]fieldRefs{}, refs: map[ID]map[*model.Markdown]Referrer{}, set: ms}
	for _, f := range fields {
		if r := Conv(*f.MD); r != nil && len(r.Refs) > 0 {
			x.add(f)
		}
	}
	return x
}

func (x *backlinkIndex) add(f Field) {
	r := Conv(*f.MD)
	x.fields[f.MD] = fieldRefs{r: r, owner: f.Owner, gen: x.gen}
	for _, ref := range r.Refs {
		key := ID{ref.Kind, ref.ID}
		if x.refs[key] == nil {
			x.refs[key] = map[*model.Markdown]Referrer{}
		}
		x.refs[key][f.MD] = f.Owner
	}
}

func (x *backlinkIndex) remove(md *model.Markdown, old fieldRefs, affected map[ID]bool) {
	for _, ref := range old.r.Refs {
		key := ID{ref.Kind, ref.ID}
		delete(x.refs[key], md)
		affected[key] = true
	}
	delete(x.fields, md)
}

// update returns the backlinks of fields, converted, made from the last
// build's by redoing the targets that a changed, added or removed field
// refers to. The last build's set is left as it was.
func (x *backlinkIndex) update(fields []Field, seed maphash.Seed) *Set {
	x.gen++
	affected := map[ID]bool{}
	for _, f := range fields {
		old, had := x.fields[f.MD]
		r := Conv(*f.MD)
		switch {
		case had && old.r == r && old.owner == f.Owner:
			old.gen = x.gen
			x.fields[f.MD] = old
			continue
		case had:
			x.remove(f.MD, old, affected)
		}
		if r != nil && len(r.Refs) > 0 {
			x.add(f)
			for _, ref := range r.Refs {
				affected[ID{ref.Kind, ref.ID}] = true
			}
		}
	}
	for md, old := range x.fields {
		if old.gen != x.gen {
			x.remove(md, old, affected)
		}
	}
	ms := &Set{Backlinks: maps.Clone(x.set.Backlinks)}
	for key := range affected {
		var refs []Referrer
		for _, owner := range x.refs[key] {
			refs = append(refs, owner)
		}
		if len(refs) == 0 {
			delete(ms.Backlinks, key)
			delete(x.refs, key)
			continue
		}
		ms.Backlinks[key] = UniqueReferrers(refs)
	}
	x.set = ms
	return ms
}

// ConvertCached converts one field, or reuses an earlier conversion: the
// one the field kept from the last build, checked against the targets
// changed since (all of them when changed is nil), or one from the cache.
func ConvertCached(md goldmark.Markdown, r mdext.Resolver, f Field, cache *Cache, changed map[ID]bool, buf *bytes.Buffer) (*Rendered, model.ErrorList) {
	out := Conv(*f.MD)
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
	var errs model.ErrorList
	for _, p := range out.problems {
		errs = append(errs, &model.Error{Pos: f.MD.Position(p.Offset), Msg: p.Msg, Warning: p.Warning})
	}
	return out, errs
}

// parse parses one field for its cross-references and problems only.
func parse(md goldmark.Markdown, f Field) (*Rendered, model.ErrorList) {
	// Both come only from links, images and autolinks, which need a
	// bracket or an angle bracket.
	if !strings.ContainsAny(f.MD.Text, "[<") {
		return &Rendered{}, nil
	}
	pc := parser.NewContext(parser.WithIDs(noIDs{}))
	if f.Body {
		mdext.MarkSectionBody(pc)
	}
	md.Parser().Parse(text.NewReader([]byte(f.MD.Text)), parser.WithContext(pc))
	out := &Rendered{Refs: mdext.Refs(pc)}
	var errs model.ErrorList
	for _, p := range mdext.Problems(pc) {
		errs = append(errs, &model.Error{Pos: f.MD.Position(p.Offset), Msg: p.Msg, Warning: p.Warning})
	}
	return out, errs
}

// noIDs gives every heading the same id: parse renders no HTML, and ids
// neither find nor hide problems.
type noIDs struct{}

func (noIDs) Generate([]byte, ast.NodeKind) []byte { return []byte("h") }
func (noIDs) Put([]byte)                           {}

// convert renders one field.
func convert(md goldmark.Markdown, r mdext.Resolver, f Field, seed maphash.Seed, buf *bytes.Buffer) *Rendered {
	src := []byte(f.MD.Text)
	pc := parser.NewContext(parser.WithIDs(mdext.NewIDs(f.Prefix)))
	if f.Body {
		mdext.MarkSectionBody(pc)
	}
	doc := md.Parser().Parse(text.NewReader(src), parser.WithContext(pc))
	buf.Reset()
	out := &Rendered{Refs: mdext.Refs(pc), problems: mdext.Problems(pc), src: f.MD.Text, prefix: f.Prefix, wantText: f.WantText}
	if err := md.Renderer().Render(mdext.BufWriter{Buffer: buf}, src, doc); err != nil {
		out.problems = append(out.problems, mdext.Problem{Msg: "rendering markdown: " + err.Error()})
	}
	out.html = template.HTML(buf.String())
	if f.Body {
		out.lead = Clip(firstParagraph(string(out.html)))
	}
	if f.WantText {
		out.Text = mdext.Text(doc, src)
	}
	out.targets = make([]mdext.Target, len(out.Refs))
	var h maphash.Hash
	h.SetSeed(seed)
	for i, ref := range out.Refs {
		out.targets[i], _ = r.Resolve(ref.Kind, ref.ID)
		for _, s := range []string{ref.Kind, ref.ID, out.targets[i].URL, out.targets[i].Label, out.targets[i].Tag} {
			h.WriteString(s)
			h.WriteByte(0)
		}
		if ix, ok := r.(*Index); ok {
			if f := ix.file(ref.Kind, ref.ID); f != "" && !slices.Contains(out.files, f) {
				out.files = append(out.files, f)
			}
		}
	}
	out.digest = h.Sum64()
	return out
}

// UniqueReferrers sorts refs by URL and keeps one Referrer per page. The
// order does not depend on the order of refs.
func UniqueReferrers(refs []Referrer) []Referrer {
	slices.SortFunc(refs, func(a, b Referrer) int {
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

// demoteHeadings moves every heading of s, HTML, one level down, for
// Markdown shown under a heading of its own (a section's body on the home
// page): "<h2" becomes "<h3" and "</h2>" "</h3>", from h1 to h5. It is
// what a strings.Replacer of those ten pairs does, several times faster
// (FuzzDemoteHeadings holds it to that).
func demoteHeadings(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			break
		}
		j += i
		k := j + 1 // the h, or the / before it
		closing := k < len(s) && s[k] == '/'
		if closing {
			k++
		}
		if k+1 < len(s) && s[k] == 'h' && '1' <= s[k+1] && s[k+1] <= '5' && (!closing || k+2 < len(s) && s[k+2] == '>') {
			if last == 0 {
				b.Grow(len(s))
			}
			b.WriteString(s[last : k+1])
			b.WriteByte(s[k+1] + 1)
			last = k + 2
			i = last
			continue
		}
		i = j + 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// Demote returns a converted Markdown field with its headings one level
// down: computed once per conversion when keep is set, as for a build
// whose conversions a rebuild will show again, and each time if not.
func Demote(m model.Markdown, keep bool) template.HTML {
	r := Conv(m)
	switch {
	case r == nil:
		return ""
	case !keep:
		return template.HTML(demoteHeadings(string(r.html)))
	}
	r.demoteOnce.Do(func() { r.demoted = template.HTML(demoteHeadings(string(r.html))) })
	return r.demoted
}

// Files returns the files that define the targets of r's links, for the
// dependency graph.
func (r *Rendered) Files() []string { return r.files }

// Digest returns a hash of r's links and what they resolved to.
func (r *Rendered) Digest() uint64 { return r.digest }

// DropHTML lets go of r's HTML, for a build that shows it no more.
func (r *Rendered) DropHTML() { r.html = "" }

// Lead returns the plain text of the first paragraph of a converted
// section body, clipped: a page's description when its section has no
// summary. It is worked out once per conversion, which rebuilds keep.
func Lead(m model.Markdown) string {
	if r := Conv(m); r != nil {
		return r.lead
	}
	return ""
}

// firstParagraph returns the plain text of the first paragraph of h,
// HTML that goldmark made, "" when it has none.
func firstParagraph(h string) string {
	i := strings.Index(h, "<p>")
	if i < 0 {
		return ""
	}
	h = h[i+len("<p>"):]
	if j := strings.Index(h, "</p>"); j >= 0 {
		h = h[:j]
	}
	// Source note marks are numbers, not words.
	for {
		i := strings.Index(h, `<sup class="note-ref">`)
		j := strings.Index(h[max(i, 0):], "</sup>")
		if i < 0 || j < 0 {
			break
		}
		h = h[:i] + h[i+j+len("</sup>"):]
	}
	var b strings.Builder
	inTag := false
	for _, r := range h {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case !inTag:
			b.WriteRune(r)
		}
	}
	return strings.Join(strings.Fields(html.UnescapeString(b.String())), " ")
}

// Description returns the plain text of a converted field clipped for a
// page's description (see Clip), "" when it has none. It is worked out
// once per conversion, which rebuilds keep: every build describes every
// page.
func Description(m model.Markdown) string {
	r := Conv(m)
	if r == nil {
		return ""
	}
	r.descOnce.Do(func() { r.desc = Clip(r.Text) })
	return r.desc
}

// Clip shortens a description to about 200 characters, at a word, with
// its spaces collapsed. It reads at most the first 1,600 bytes of a long
// text, in one pass.
func Clip(s string) string {
	const limit, window = 200, 8 * 200
	if len(s) <= 4*limit && utf8.RuneCountInString(s) <= limit && !strings.ContainsAny(s, "\n\t\r") && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s {
		return s // the common case: nothing to do
	}
	var b strings.Builder
	n, cut := 0, -1 // runes written; where the last word written ends
	space, clipped := false, false
	for i, r := range s {
		if i >= window {
			clipped = true
			break
		}
		if unicode.IsSpace(r) {
			space = n > 0
			continue
		}
		if space {
			if n >= limit {
				clipped = true
				break
			}
			if n > limit/2 {
				cut = b.Len()
			}
			b.WriteByte(' ')
			n, space = n+1, false
		}
		if n >= limit {
			clipped = true
			break
		}
		b.WriteRune(r)
		n++
	}
	if !clipped {
		return b.String()
	}
	out := b.String()
	if cut >= 0 { // else no word ends in the second half: cut inside one
		out = out[:cut]
	}
	return strings.TrimRight(out, " ,;:") + "…"
}
