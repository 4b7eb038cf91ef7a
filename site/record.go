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
// the value it gave. The next build works each read out again on its own
// model and compares the values (see identical): a page is rendered again
// when any of its reads gives another value, or its template changed.
//
// Values compare as templates can see them: by every exported field,
// element and pointed-to value, with two exceptions. An entity reached
// inside a value counts by its key, since a template that goes on to read
// its fields records those reads; and Markdown counts by its source and
// its conversion. Execution is deterministic, so a page whose reads all
// give the same values is the same page.
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

// digester hashes values as identical compares them: it names the
// arguments of function calls, and walks what a page read for the input
// files of the dependency graph.
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
}

// readKey names a read: the entity, the field or function, and a hash of
// the argument.
type readKey struct {
	ent  refID
	name string
	arg  uint64
}

// readTable holds every read of the renderings of a Builder's last
// build, each once, with the value it gave. The entities they read are
// kept apart, in slots, so that a build finds each once.
type readTable struct {
	mu    sync.Mutex
	ids   map[readKey]int32
	reads []read
	last  []reflect.Value // by read, in the last good build
	next  []reflect.Value // by read, in the build under way

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

// recorder records the reads of renderings, one at a time, as tmplexec
// tells them. It knows the reads it has interned in the build, by the
// entity's address, so that most reads cost one lookup.
type recorder struct {
	known   map[seenKey]int32 // interned reads by entity, name and argument; -1 while pending, -2 for no entity
	ids     []int32           // this rendering's interned reads
	pending []pendingRead     // this rendering's reads to intern
	opaque  bool
	d       *digester
}

// seenKey names a read in one build: the address of the entity read or
// given (nil for none), the name's, and a hash of any other argument.
type seenKey struct {
	ptr  unsafe.Pointer
	name unsafe.Pointer
	n    int
	arg  uint64
}

type pendingRead struct {
	key seenKey
	rd  read
	val reflect.Value
	ent reflect.Value
}

// recorder returns a recorder for one rendering, which done gives back
// once its reads are interned.
func (b *build) recorder() *recorder {
	if r, ok := b.recorders.Get().(*recorder); ok {
		return r
	}
	return &recorder{known: map[seenKey]int32{}, d: newDigester(b.seed)}
}

// Read implements tmplexec.Recorder.
func (r *recorder) Read(receiver reflect.Value, name string, args []reflect.Value, v reflect.Value) {
	var arg reflect.Value
	var argSum uint64
	var ptr unsafe.Pointer
	if receiver.IsValid() {
		if receiver.Kind() != reflect.Pointer || len(args) > 0 {
			if _, ok := entityOf(receiver); ok {
				r.opaque = true // no model method takes arguments
			}
			return
		}
		ptr = receiver.UnsafePointer()
	} else {
		if pureFunc(name) {
			return
		}
		if len(args) > 1 {
			r.opaque = true // no template function takes more
			return
		}
		if len(args) == 1 {
			arg = args[0]
			if arg.Kind() == reflect.Interface && !arg.IsNil() {
				arg = arg.Elem()
			}
			if arg.Kind() == reflect.Pointer && !arg.IsNil() {
				ptr = arg.UnsafePointer()
			} else {
				argSum = r.d.sum(arg)
			}
		}
	}
	sk := seenKey{ptr, unsafe.Pointer(unsafe.StringData(name)), len(name), argSum}
	if id, ok := r.known[sk]; ok {
		if id >= 0 {
			r.ids = append(r.ids, id)
		}
		return
	}
	rd := read{readKey: readKey{name: name}, entity: receiver.IsValid()}
	var ent reflect.Value
	switch {
	case receiver.IsValid():
		key, ok := entityOf(receiver)
		if !ok {
			r.known[sk] = -2 // a value, which the read that gave it covers
			return
		}
		rd.ent, ent = key, receiver
	case arg.IsValid():
		if key, ok := entityOf(arg); ok {
			rd.ent, ent = key, arg
		} else {
			if argSum == 0 {
				argSum = r.d.sum(arg)
			}
			rd.arg, rd.readKey.arg = arg, argSum
		}
	}
	r.known[sk] = -1
	r.pending = append(r.pending, pendingRead{sk, rd, v, ent})
}

var _ tmplexec.Recorder = (*recorder)(nil)

// done interns what r recorded of a rendering in b's table, returns it,
// and keeps r for the next rendering.
func (b *build) done(r *recorder) pageReads {
	t := b.reads
	if len(r.pending) > 0 {
		t.mu.Lock()
		for _, p := range r.pending {
			id, ok := t.ids[p.rd.readKey]
			if !ok {
				p.rd.slot = -1
				if p.ent.IsValid() {
					p.rd.slot = t.slot(p.rd.ent, p.ent)
				}
				id = int32(len(t.reads))
				t.ids[p.rd.readKey] = id
				t.reads = append(t.reads, p.rd)
				t.next = append(t.next, p.val)
			}
			r.known[p.key] = id
			r.ids = append(r.ids, id)
		}
		t.mu.Unlock()
	}
	rs := pageReads{opaque: r.opaque}
	if !r.opaque {
		slices.Sort(r.ids)
		rs.ids = slices.Clone(slices.Compact(r.ids))
	}
	clear(r.pending) // holds no value of this build
	r.ids, r.pending, r.opaque = r.ids[:0], r.pending[:0], false
	b.recorders.Put(r)
	return rs
}

func newReadTable() *readTable {
	return &readTable{ids: map[readKey]int32{}, slots: map[refID]int32{}}
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
// build whose values t holds, and returns which changed. What they give
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
			b.ms.retargeted == nil && sameEntity(t.entLast[i], cur)
	}
	n := len(t.reads)
	changed := make([]bool, n)
	t.next = make([]reflect.Value, n, n+n/8)
	const chunk = 256
	parallel((n+chunk-1)/chunk, 1, func(c int, _ *bytes.Buffer) {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			rd := &t.reads[i]
			var last reflect.Value
			if i < len(t.last) {
				last = t.last[i]
			}
			if rd.entity && last.IsValid() && same[rd.slot] {
				t.next[i] = last
				continue
			}
			v, ok := b.evaluate(rd, t.entNext)
			t.next[i] = v
			changed[i] = !ok || !last.IsValid() || !identical(last, v, b.ms.retargeted, 0)
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
		last     []reflect.Value
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
func (b *build) evaluate(rd *read, ents []reflect.Value) (reflect.Value, bool) {
	var ent reflect.Value
	if rd.slot >= 0 {
		if ent = ents[rd.slot]; !ent.IsValid() {
			return reflect.Value{}, false
		}
	}
	if rd.entity {
		v := ent.Elem().FieldByName(rd.name)
		return v, v.IsValid()
	}
	arg := rd.arg
	if ent.IsValid() {
		arg = ent
	}
	return b.call(rd.name, arg)
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

// identical reports whether a and b are the same value as templates can
// see it: entities by key, Markdown by source and conversion, anything
// else by its exported fields and elements. What a pointer or a slice
// points to does not change once made, so the same pointer is the same
// value, but for Markdown that a rebuild converted again in place,
// listed in moved: while any is, identical looks through every pointer.
func identical(a, b reflect.Value, moved map[*Markdown]bool, depth int) bool {
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() || depth > 100 {
		return false
	}
	depth++
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		if ka, ok := entityOf(a); ok {
			kb, _ := entityOf(b)
			return ka == kb
		}
		return a.Pointer() == b.Pointer() && moved == nil || identical(a.Elem(), b.Elem(), moved, depth)
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.Pointer() == b.Pointer() && moved == nil {
			return true
		}
		fallthrough
	case reflect.Array:
		for i := range a.Len() {
			if !identical(a.Index(i), b.Index(i), moved, depth) {
				return false
			}
		}
		return true
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		return identical(a.Elem(), b.Elem(), moved, depth)
	case reflect.Struct:
		if a.Type() == markdownType {
			if a.CanAddr() && moved[(*Markdown)(unsafe.Pointer(a.UnsafeAddr()))] ||
				b.CanAddr() && moved[(*Markdown)(unsafe.Pointer(b.UnsafeAddr()))] {
				return false
			}
			ma, _ := reflect.TypeAssert[Markdown](a)
			mb, _ := reflect.TypeAssert[Markdown](b)
			return ma.Text == mb.Text && ma.r == mb.r
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() && !identical(a.Field(i), b.Field(i), moved, depth) {
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
	return false // maps, functions and channels, which the model has none of
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
