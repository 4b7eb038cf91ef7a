package site

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"github.com/explainer/explainer/site/internal/tmplexec"
)

// This file records what rendering a page reads, so that a rebuild
// renders again only the pages whose reads changed.
//
// tmplexec tells a recorder every field a template takes from a value and
// every template function it calls (see tmplexec.Recorder). A read of an
// entity of the model (the explainer, a section, document, clause, topic,
// actor or source, the site and the page itself) is kept as the entity's
// key and the field's name; a function call as the function's name and
// its argument. Each read is kept once, in the Builder's readTable, with
// a digest of the value it gave. The next build works out each read
// again on its own model and compares digests: a page is rendered again
// when any of its reads changed, or its template did.
//
// A digest covers a value as templates can see it: every exported field,
// element and pointed-to value, with two exceptions. An entity reached
// inside a value counts by its key, since a template that goes on to
// read its fields records those reads; and Markdown counts by its source,
// its heading prefix and the targets of its links, which make its HTML.
// Execution is deterministic, so a page whose reads all give the same
// digests is the same page.
//
// Pages that tmplexec does not run (a project's own templates, or an
// execution tmplexec gives up on) record nothing and are rendered by
// every rebuild.

// entityOf returns the key of v when it is an entity of the model: a
// pointer whose target keeps its identity from one build to the next.
func entityOf(v reflect.Value) (refID, bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return refID{}, false
	}
	switch e := v.Interface().(type) {
	case *Section:
		return refID{"section", e.Slug}, true
	case *Document:
		return refID{"doc", e.ID}, true
	case *Clause:
		return refID{"clause", clauseKey(e)}, true
	case *Topic:
		return refID{"topic", e.ID}, true
	case *Actor:
		return refID{"actor", e.ID}, true
	case *Source:
		return refID{"source", e.ID}, true
	case *Explainer:
		return refID{"explainer", ""}, true
	case *siteData:
		return refID{"site", ""}, true
	case *pageData:
		return refID{"page", e.Path}, true
	}
	return refID{}, false
}

// entityFile returns the input file that holds what v, an entity, says.
func entityFile(v reflect.Value) string {
	switch e := v.Interface().(type) {
	case *Section:
		return e.Pos.File
	case *Document:
		return e.Pos.File
	case *Clause:
		return e.Doc.Pos.File
	case *Topic:
		return e.Pos.File
	case *Actor:
		return e.Pos.File
	case *Source:
		return e.Pos.File
	case *Explainer:
		return e.Pos.File
	case *siteData:
		return e.Explainer.Pos.File
	}
	return ""
}

var (
	markdownType = reflect.TypeFor[Markdown]()
	referrerType = reflect.TypeFor[referrer]()
)

// digester hashes values as the package comment says.
type digester struct {
	h maphash.Hash
	// files, if set, is told the input file of every entity hashed, the
	// files of every Markdown's link targets and the file of every
	// referrer, for the dependency graph.
	files func(string)
}

func newDigester(seed maphash.Seed) *digester {
	d := &digester{}
	d.h.SetSeed(seed)
	return d
}

// sum returns the digest of v, and resets d.
func (d *digester) sum(v reflect.Value) uint64 {
	d.h.Reset()
	d.value(v)
	return d.h.Sum64()
}

func (d *digester) u64(x uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	d.h.Write(b[:])
}

func (d *digester) str(s string) {
	d.u64(uint64(len(s)))
	d.h.WriteString(s)
}

func (d *digester) value(v reflect.Value) {
	if !v.IsValid() {
		d.h.WriteByte(0)
		return
	}
	d.h.WriteByte(byte(v.Kind()))
	switch v.Kind() {
	case reflect.String:
		d.str(v.String())
	case reflect.Bool:
		if v.Bool() {
			d.h.WriteByte(1)
		} else {
			d.h.WriteByte(0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		d.u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		d.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		d.u64(math.Float64bits(v.Float()))
	case reflect.Pointer:
		if v.IsNil() {
			d.h.WriteByte(0)
			return
		}
		if key, ok := entityOf(v); ok {
			d.h.WriteByte(1)
			d.str(key.kind)
			d.str(key.id)
			if d.files != nil {
				if f := entityFile(v); f != "" {
					d.files(f)
				}
			}
			return
		}
		d.h.WriteByte(2)
		d.value(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			d.h.WriteByte(0)
			return
		}
		d.str(v.Elem().Type().String())
		d.value(v.Elem())
	case reflect.Slice, reflect.Array:
		n := v.Len()
		d.u64(uint64(n))
		for i := range n {
			d.value(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == markdownType {
			d.markdown(v)
			return
		}
		if d.files != nil && v.Type() == referrerType {
			r, _ := reflect.TypeAssert[referrer](v)
			d.files(unitFile(r.File))
		}
		t := v.Type()
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				d.value(v.Field(i))
			}
		}
	case reflect.Map:
		// The model has no maps; a map is hashed by its pairs, in any
		// order.
		var sum uint64
		it := v.MapRange()
		for it.Next() {
			e := &digester{files: d.files}
			e.h.SetSeed(d.h.Seed())
			e.value(it.Key())
			e.value(it.Value())
			sum += e.h.Sum64()
		}
		d.u64(sum)
	default: // functions and channels: by identity
		d.u64(uint64(v.Pointer()))
	}
}

// markdown hashes a Markdown field by what makes its HTML.
func (d *digester) markdown(v reflect.Value) {
	m, _ := reflect.TypeAssert[Markdown](v)
	d.str(m.Text)
	if m.r == nil {
		d.h.WriteByte(0)
		return
	}
	d.h.WriteByte(1)
	d.str(m.r.prefix)
	d.u64(m.r.digest)
	if d.files != nil {
		for _, f := range m.r.files {
			d.files(f)
		}
	}
}

// pureFunc reports whether name is one of the template functions whose
// result depends on their argument alone, which the reads that gave it
// cover: calls of them are not recorded. Every other function may read
// the build.
func pureFunc(name string) bool {
	switch name {
	case "date", "datetime", "number", "stanceLabel", "fateLabel", "percent", "demote",
		"sectionBlocks": // whether the set defines the block, which its key covers
		return true
	}
	return false
}

// A read is one thing a rendering read: a field of an entity, or what a
// template function returned for an argument.
type read struct {
	readKey
	entity bool          // a field of an entity, not a function
	slot   int32         // the entity's, or the argument's when it is one; else -1
	arg    reflect.Value // the argument, when it is no entity
	files  []string      // the input files of the value read, for the graph
}

// readKey names a read: the entity, the field or function, and a digest
// of the argument.
type readKey struct {
	ent  refID
	name string
	arg  uint64
}

// readState is what a read gave in one build: its digest, and the value,
// which lets a later build that finds the very same value know the
// digest without working it out (see evaluate).
type readState struct {
	sum uint64
	val reflect.Value
}

// readTable holds every read of the renderings of a Builder's last
// build, each once, with what it gave. The entities they read are kept
// apart, in slots, so that a build finds each once.
type readTable struct {
	mu    sync.Mutex
	ids   map[readKey]int32
	reads []read
	last  []readState // by read, in the last good build
	next  []readState // by read, in the build under way

	slots    map[refID]int32
	entities []refID
	entLast  []reflect.Value // by slot, in the last good build; invalid if it had none
	entNext  []reflect.Value // by slot, in the build under way
}

// pageReads are the reads of one rendering, by their index in the
// readTable, sorted; opaque when it could not be recorded.
type pageReads struct {
	ids    []int32
	opaque bool
}

// recorder records the reads of one rendering, as tmplexec tells them.
type recorder struct {
	seen   map[seenKey]bool
	reads  []read
	states []readState
	ents   []reflect.Value // by read: the entity read or given, if any
	opaque bool
	d      *digester
	files  []string // of the read being recorded
}

type seenKey struct {
	ptr  unsafe.Pointer // the entity; nil for a function
	name string
	arg  uint64
}

func (b *build) newRecorder() *recorder {
	r := &recorder{seen: map[seenKey]bool{}}
	r.d = newDigester(b.seed)
	r.d.files = func(f string) { r.files = append(r.files, f) }
	return r
}

// Read implements tmplexec.Recorder.
func (r *recorder) Read(receiver reflect.Value, name string, args []reflect.Value, v reflect.Value) {
	var ent refID
	var ptr unsafe.Pointer
	if receiver.IsValid() {
		var ok bool
		if ent, ok = entityOf(receiver); !ok {
			return // a value, which the read that gave it covers
		}
		ptr = receiver.UnsafePointer()
	} else if pureFunc(name) {
		return
	}
	if len(args) > 1 || receiver.IsValid() && len(args) > 0 {
		r.opaque = true // no template function or model method takes more
		return
	}
	var arg reflect.Value
	var argSum uint64
	entity := receiver
	if len(args) == 1 {
		arg = args[0]
		if arg.Kind() == reflect.Interface && !arg.IsNil() {
			arg = arg.Elem()
		}
		argSum = r.d.sum(arg)
		if key, ok := entityOf(arg); ok {
			ent, entity, arg = key, arg, reflect.Value{}
		}
	}
	sk := seenKey{ptr, name, argSum}
	if r.seen[sk] {
		return
	}
	r.seen[sk] = true
	r.files = r.files[:0]
	if receiver.IsValid() {
		if f := entityFile(receiver); f != "" {
			r.files = append(r.files, f)
		}
	}
	st := readState{sum: r.d.sum(v), val: v}
	r.reads = append(r.reads, read{
		readKey: readKey{ent, name, argSum},
		entity:  receiver.IsValid(), arg: arg, files: slices.Clone(r.files),
	})
	r.states = append(r.states, st)
	r.ents = append(r.ents, entity)
}

var _ tmplexec.Recorder = (*recorder)(nil)

func newReadTable() *readTable {
	return &readTable{ids: map[readKey]int32{}, slots: map[refID]int32{}}
}

// intern adds what r recorded to t and returns it as pageReads.
func (t *readTable) intern(r *recorder) pageReads {
	if r.opaque {
		return pageReads{opaque: true}
	}
	ids := make([]int32, 0, len(r.reads))
	t.mu.Lock()
	for i, rd := range r.reads {
		id, ok := t.ids[rd.readKey]
		if !ok {
			rd.slot = -1
			if e := r.ents[i]; e.IsValid() {
				rd.slot = t.slot(rd.ent, e)
			}
			id = int32(len(t.reads))
			t.ids[rd.readKey] = id
			t.reads = append(t.reads, rd)
			t.next = append(t.next, r.states[i])
		}
		ids = append(ids, id)
	}
	t.mu.Unlock()
	slices.Sort(ids)
	return pageReads{ids: ids}
}

// slot returns the slot of the entity key, e in this build.
func (t *readTable) slot(key refID, e reflect.Value) int32 {
	s, ok := t.slots[key]
	if !ok {
		s = int32(len(t.entities))
		t.slots[key] = s
		t.entities = append(t.entities, key)
		t.entNext = append(t.entNext, e)
	}
	return s
}

// check works out every read of t again on build b, which follows the
// build whose states t holds, and returns which changed. What they give
// in b becomes t's last when b succeeds (see commit).
func (t *readTable) check(b *build) []bool {
	ents := b.entities()
	t.entNext = make([]reflect.Value, len(t.entities), len(t.entities)+len(t.entities)/8)
	same := make([]bool, len(t.entities))
	for i, key := range t.entities {
		cur := ents[key]
		t.entNext[i] = cur
		// An entity's exported fields do not change once it is
		// loaded, but for Markdown converted again in place.
		same[i] = cur.IsValid() && i < len(t.entLast) && t.entLast[i].IsValid() &&
			!b.ms.retargeted && sameEntity(t.entLast[i], cur)
	}
	n := len(t.reads)
	changed := make([]bool, n)
	t.next = make([]readState, n, n+n/8)
	const chunk = 256
	parallel((n+chunk-1)/chunk, 1, func(c int, _ *bytes.Buffer) {
		d := newDigester(b.seed)
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			rd := &t.reads[i]
			var last *readState
			if i < len(t.last) {
				last = &t.last[i]
			}
			if rd.entity && last != nil && same[rd.slot] {
				t.next[i] = *last
				continue
			}
			st, ok := b.evaluate(rd, last, t.entNext, d)
			t.next[i] = st
			changed[i] = !ok || last == nil || st.sum != last.sum
		}
	})
	return changed
}

// commit makes what the reads gave in the build that just succeeded the
// last, and, when most reads of the table are no longer read by any
// rendering, drops those. each calls its function with every rendering's
// reads, which it may renumber.
func (t *readTable) commit(each func(func(*pageReads))) {
	t.last, t.next = t.next, nil
	t.entLast, t.entNext = t.entNext, nil
	live := make([]bool, len(t.reads))
	n := 0
	each(func(rs *pageReads) {
		for _, id := range rs.ids {
			if !live[id] {
				live[id] = true
				n++
			}
		}
	})
	if len(t.reads) < 2*n+1024 {
		return
	}
	old := struct {
		reads    []read
		last     []readState
		entities []refID
		entLast  []reflect.Value
	}{t.reads, t.last, t.entities, t.entLast}
	t.ids, t.slots = make(map[readKey]int32, n), map[refID]int32{}
	t.reads, t.last, t.entities, t.entLast, t.entNext = nil, nil, nil, nil, nil
	renum := make([]int32, len(old.reads))
	for id, ok := range live {
		if !ok {
			continue
		}
		rd := old.reads[id]
		if rd.slot >= 0 {
			rd.slot = t.slot(old.entities[rd.slot], old.entLast[rd.slot])
		}
		renum[id] = int32(len(t.reads))
		t.ids[rd.readKey] = renum[id]
		t.reads = append(t.reads, rd)
		t.last = append(t.last, old.last[id])
	}
	t.entLast, t.entNext = t.entNext, nil
	each(func(rs *pageReads) {
		ids := make([]int32, len(rs.ids))
		for i, id := range rs.ids {
			ids[i] = renum[id]
		}
		rs.ids = ids // still sorted: renumbering keeps the order
	})
}

// evaluate works out rd on build b, whose entities are in ents by slot,
// and returns what it gives, or false when it gives nothing: its entity
// is gone, or the function fails.
//
// A read that gives a value identical to the one it gave in the last
// build, last, has the same digest: evaluate hashes only what is new.
func (b *build) evaluate(rd *read, last *readState, ents []reflect.Value, d *digester) (readState, bool) {
	var st readState
	var ent reflect.Value
	if rd.slot >= 0 {
		if ent = ents[rd.slot]; !ent.IsValid() {
			return st, false
		}
	}
	if rd.entity {
		st.val = ent.Elem().FieldByName(rd.name)
		if !st.val.IsValid() {
			return st, false
		}
		st.sum = b.digest(st.val, last, d)
		return st, true
	}
	arg := rd.arg
	if ent.IsValid() {
		arg = ent
	}
	var ok bool
	if st.val, ok = b.call(rd.name, arg); !ok {
		return st, false
	}
	st.sum = b.digest(st.val, last, d)
	return st, true
}

// digest returns the digest of v, a read's value, which is last's when
// v is identical to last's value.
func (b *build) digest(v reflect.Value, last *readState, d *digester) uint64 {
	if last != nil && !b.ms.retargeted && identical(last.val, v) {
		return last.sum
	}
	return d.sum(v)
}

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

// sameEntity reports whether entity b is entity a, or, for a page's
// data, which each build makes anew, holds the same.
func sameEntity(a, b reflect.Value) bool {
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

// identical reports whether a and b are the same value as digests see
// it, without hashing either: entities by key, Markdown by source and
// conversion, anything else by its exported fields and elements. A
// pointer is followed only when the two differ: what a pointer points to
// does not change once made, but for Markdown that a rebuild converts
// again in place (see evaluate).
func identical(a, b reflect.Value) bool {
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		if a.Pointer() == b.Pointer() {
			return true
		}
		if a.IsNil() || b.IsNil() {
			return false
		}
		if ka, ok := entityOf(a); ok {
			kb, _ := entityOf(b)
			return ka == kb
		}
		return identical(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.Pointer() == b.Pointer() {
			return true
		}
		fallthrough
	case reflect.Array:
		for i := range a.Len() {
			if !identical(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Interface:
		return a.IsNil() == b.IsNil() && (a.IsNil() || identical(a.Elem(), b.Elem()))
	case reflect.Struct:
		if a.Type() == markdownType {
			ma, _ := reflect.TypeAssert[Markdown](a)
			mb, _ := reflect.TypeAssert[Markdown](b)
			return ma.Text == mb.Text && ma.r == mb.r
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() && !identical(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.String:
		return a.String() == b.String()
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return a.Equal(b)
	}
	return false
}

// entities returns every entity of the build by its key.
func (b *build) entities() map[refID]reflect.Value {
	b.entsOnce.Do(func() {
		p := b.p
		m := make(map[refID]reflect.Value, 2*len(b.jobs)+16)
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
