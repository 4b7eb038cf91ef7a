package engine

import (
	"hash/maphash"
	"reflect"
	"unsafe"

	"github.com/explainer/explainer/site/internal/links"
	"github.com/explainer/explainer/site/internal/model"
	"github.com/explainer/explainer/site/internal/reads"
)

// This file tells the incremental builder's memory of reads (package
// reads) what the model's entities are, so that pages record what they
// read.
//
// Every rendering of the embedded theme records, through tmplexec, each
// field it takes from an entity (the explainer, a section, document,
// clause, topic, actor or source, .Site or the page's own data) and each
// template function it calls, with the value it got. The next build
// works the reads out again on its own content: a page is rendered again
// when one gives another value, or its template set changed. Markdown
// compares by source and conversion; a field that a rebuild converts
// again in place, because a target of its links changed, is listed in
// markdownSet.retargeted. Pages that tmplexec does not run (a project's
// own templates, or an execution tmplexec gives up on) record nothing
// and are rendered by every rebuild.

// entityOf returns the key of v when it is an entity of the model: a
// pointer whose target keeps its identity from one build to the next.
func entityOf(v reflect.Value) (reads.Key, bool) {
	key, _, ok := entity(v)
	return key, ok
}

// entityFile returns the input file that holds what v, an entity, says;
// "" for a page's data, which no file holds.
func entityFile(v reflect.Value) string {
	_, file, _ := entity(v)
	return file
}

// entity returns the key of v, an entity, and the file that holds it.
func entity(v reflect.Value) (key reads.Key, file string, ok bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return reads.Key{}, "", false
	}
	switch e := v.Interface().(type) {
	case *model.Section:
		return reads.Key{Kind: "section", ID: e.Slug}, e.Pos.File, true
	case *model.Document:
		return reads.Key{Kind: "doc", ID: e.ID}, e.Pos.File, true
	case *model.Clause:
		return reads.Key{Kind: "clause", ID: model.ClauseKey(e)}, e.Doc.Pos.File, true
	case *model.Topic:
		return reads.Key{Kind: "topic", ID: e.ID}, e.Pos.File, true
	case *model.Actor:
		return reads.Key{Kind: "actor", ID: e.ID}, e.Pos.File, true
	case *model.Source:
		return reads.Key{Kind: "source", ID: e.ID}, e.Pos.File, true
	case *model.Explainer:
		return reads.Key{Kind: "explainer"}, e.Pos.File, true
	case *siteData:
		return reads.Key{Kind: "site"}, e.Explainer.Pos.File, true
	case *pageData:
		return reads.Key{Kind: "page", ID: e.Path}, "", true
	}
	return reads.Key{}, "", false
}

var (
	markdownType = reflect.TypeFor[model.Markdown]()
	referrerType = reflect.TypeFor[links.Referrer]()
)

// readModel is a build as its reads see it.
type readModel struct{ b *build }

var _ reads.Model = readModel{}

func (m readModel) Entity(v reflect.Value) (reads.Key, bool) { return entityOf(v) }

func (m readModel) Lookup(k reads.Key) reflect.Value { return m.b.entities()[k] }

// Unchanged is true for the same entity object: an entity's exported
// fields do not change once it is loaded. A page's data, which each
// build makes anew, is unchanged when it holds the same.
func (m readModel) Unchanged(a, b reflect.Value) bool {
	if a.Pointer() == b.Pointer() {
		return true
	}
	pa, ok := reflect.TypeAssert[*pageData](a)
	pb, ok2 := reflect.TypeAssert[*pageData](b)
	if !ok || !ok2 {
		return false
	}
	x, y := *pa, *pb
	x.Site, y.Site = nil, nil // read on its own
	return x == y
}

func (m readModel) Call(name string, arg reflect.Value) (reflect.Value, bool) {
	return m.b.call(name, arg)
}

// Pure is true for the template functions whose result depends on their
// argument alone. Every other function may read the build.
func (m readModel) Pure(name string) bool {
	switch name {
	case "date", "datetime", "number", "stanceLabel", "fateLabel", "percent", "demote", "first",
		"sectionBlocks": // whether the set defines the block, which its key covers
		return true
	}
	return false
}

// Kept is true for the functions that read only the documents' lineage,
// when the build kept the last one, and for those that read only which
// entities exist, when none came or went.
func (m readModel) Kept(name string) bool {
	switch name {
	case "history", "changes", "tally", "changeGroups", "wordDiffs", "followedBy", "derivedFrom", "fatesOf", "topicTable":
		return m.b.keptLineage
	case "topics", "actors", "sources", "actor", "doc", "docs", "clause":
		return m.b.sameEntities
	}
	return false
}

// Equal compares Markdown by source and conversion.
func (m readModel) Equal(a, b reflect.Value) (equal, handled bool) {
	if a.Type() != markdownType {
		return false, false
	}
	if moved := m.b.ms.Retargeted; moved != nil &&
		(a.CanAddr() && moved[(*model.Markdown)(unsafe.Pointer(a.UnsafeAddr()))] ||
			b.CanAddr() && moved[(*model.Markdown)(unsafe.Pointer(b.UnsafeAddr()))]) {
		return false, true
	}
	ma, _ := reflect.TypeAssert[model.Markdown](a)
	mb, _ := reflect.TypeAssert[model.Markdown](b)
	return ma.Text == mb.Text && links.Conv(ma) == links.Conv(mb), true
}

func (m readModel) Moved() bool { return m.b.ms.Retargeted != nil }

// call calls the template function name with arg, if valid.
func (b *build) call(name string, arg reflect.Value) (reflect.Value, bool) {
	if f, ok := b.typed[name]; ok && arg.IsValid() {
		if v, ok := f.Call(arg); ok {
			return v, true
		}
	}
	f, ok := b.funcs[name]
	if !ok {
		return reflect.Value{}, false
	}
	fn := reflect.ValueOf(f)
	var args []reflect.Value
	if arg.IsValid() {
		args = []reflect.Value{arg}
	}
	if fn.Type().NumIn() != len(args) {
		return reflect.Value{}, false
	}
	out := fn.Call(args)
	if len(out) == 2 && !out[1].IsNil() {
		return reflect.Value{}, false
	}
	return out[0], true
}

// entities returns every entity of the build by its key.
func (b *build) entities() map[reads.Key]reflect.Value {
	b.entsOnce.Do(func() {
		p := b.p
		m := make(map[reads.Key]reflect.Value, 2*len(b.jobs)+16)
		add := func(v any) {
			rv := reflect.ValueOf(v)
			if key, ok := entityOf(rv); ok {
				m[key] = rv
			}
		}
		add(&p.Explainer)
		add(b.site)
		for _, s := range p.Sections {
			add(s)
		}
		for _, d := range p.Documents {
			add(d)
			for _, c := range d.Clauses {
				add(c)
			}
		}
		for _, t := range p.Topics {
			add(t)
		}
		for _, a := range p.Actors {
			add(a)
		}
		for _, s := range p.Sources {
			add(s)
		}
		for _, j := range b.jobs {
			add(j.data)
		}
		b.ents = m
	})
	return b.ents
}

// entityKeys returns a hash of the keys of every entity of the build, in
// no order.
func (b *build) entityKeys() uint64 {
	b.keysOnce.Do(func() {
		for k := range b.entities() {
			b.keys += maphash.Comparable(b.seed, k)
		}
	})
	return b.keys
}

// filesOf calls add with the input file of every entity in v, the files
// of the link targets of its Markdown and the file of every referrer, for
// the dependency graph.
func filesOf(v reflect.Value, add func(string), depth int) {
	if !v.IsValid() || depth > 100 {
		return
	}
	depth++
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if _, f, ok := entity(v); ok {
			if f != "" {
				add(f)
			}
			return
		}
		filesOf(v.Elem(), add, depth)
	case reflect.Interface:
		filesOf(v.Elem(), add, depth)
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			filesOf(v.Index(i), add, depth)
		}
	case reflect.Struct:
		switch v.Type() {
		case markdownType:
			if m, _ := reflect.TypeAssert[model.Markdown](v); links.Conv(m) != nil {
				for _, f := range links.Conv(m).Files() {
					add(f)
				}
			}
			return
		case referrerType:
			r, _ := reflect.TypeAssert[links.Referrer](v)
			add(model.UnitFile(r.File))
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				filesOf(v.Field(i), add, depth)
			}
		}
	}
}
