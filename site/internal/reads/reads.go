// Package reads remembers what renderings read, so that a rebuild can
// tell which renderings would come out the same without doing them.
//
// A Recorder is told every read of one rendering at a time, as
// tmplexec.Recorder: a field of a value, or what a function returned for
// an argument. Reads of entities, values whose identity a Model can name
// with a Key from one build to the next, are kept as the entity's key and
// the name of the field or method; function calls as the function's name
// and argument. Reads of other values are covered by the read that gave
// the value. Each read is kept once, in a Table, with the value it gave.
// Check works every read out again on the next build's Model and says
// which give another value: a rendering none of whose reads changed,
// executed the same way, comes out the same.
//
// Values compare as templates can see them (see Model.Equal): by every
// exported field, element and pointed-to value; entities inside a value
// by key, since a template that goes on to read their fields records
// those reads. What a pointer points to is taken not to change once made,
// so two values that share a pointer are the same there, unless the
// Model says values moved in place.
package reads

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/explainer/explainer/site/internal/parallel"
)

// A Key names an entity across builds. Entities are pointers, and whether
// a value is one depends on its type alone.
type Key struct{ Kind, ID string }

// A Model is what a Table needs of one build.
type Model interface {
	// Entity returns the key of v when v is an entity: a non-nil pointer
	// of a type of entities.
	Entity(v reflect.Value) (Key, bool)
	// Lookup returns the entity of the build with key k, or the zero Value.
	Lookup(k Key) reflect.Value
	// Unchanged reports whether entity b of the build gives every read
	// what entity a, of an earlier build, gave: when it is the very same
	// object, and nothing moved in place, or holds the same.
	Unchanged(a, b reflect.Value) bool
	// Call calls the function name with arg, which is invalid for a
	// function of no argument.
	Call(name string, arg reflect.Value) (reflect.Value, bool)
	// Pure reports whether function name's result depends on its
	// argument alone, which the read that gave it covers: its calls are
	// not recorded.
	Pure(name string) bool
	// Kept reports whether function name returns, for every argument
	// that is still there, what it returned in the earlier build, because
	// what it reads is as it was: Check then does not call it.
	Kept(name string) bool
	// Equal compares a and b of a type whose exported fields do not tell
	// all, such as a value converted in the build, and says whether it
	// did (handled).
	Equal(a, b reflect.Value) (equal, handled bool)
	// Moved reports whether a value of an earlier build may have changed
	// in place: then values compare through every pointer.
	Moved() bool
}

// A read is one thing a rendering read: a field of an entity, or what a
// function returned for an argument.
type read struct {
	readKey
	entity bool          // a field of an entity, not a function
	slot   int32         // the entity's, or the argument's when it is one; else -1
	arg    reflect.Value // the argument, when it is no entity
}

// readKey names a read: the entity, the field or function, and a hash of
// any other argument.
type readKey struct {
	ent  Key
	name string
	arg  uint64
}

// A Table holds every read of the renderings of the last good build, each
// once, with the value it gave; and those of the build under way as they
// are recorded. The entities they read are kept apart, in slots, so that
// Check finds each once.
type Table struct {
	mu    sync.Mutex
	ids   map[readKey]int32
	reads []read
	last  []reflect.Value // by read, in the last good build
	next  []reflect.Value // by read, in the build under way

	slots    map[Key]int32
	entities []Key
	entLast  []reflect.Value // by slot, in the last good build; invalid if it had none
	entNext  []reflect.Value // by slot, in the build under way

	seed      maphash.Seed
	recorders sync.Pool // of *Recorder, for the build under way
	gen       atomic.Uint64
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{ids: map[readKey]int32{}, slots: map[Key]int32{}, seed: maphash.MakeSeed()}
}

// Reads are the reads of one rendering, as Recorder.Done returns them.
type Reads struct {
	ids    []int32 // in the Table, sorted
	opaque bool
}

// Opaque reports whether the rendering could not be recorded: then it
// changes on every build.
func (rs Reads) Opaque() bool { return rs.opaque }

// A Recorder records the reads of renderings of one build, one rendering
// at a time. It knows the reads it has kept in the build by the address
// of the entity, so that most reads cost one lookup.
type Recorder struct {
	t       *Table
	m       Model
	gen     uint64
	known   map[seenKey]int32 // by entity, name and argument: the read, or -1 while pending
	types   []typeKind        // whether each type met is one of entities
	ids     []int32           // this rendering's reads kept
	pending []pendingRead     // this rendering's reads to keep
	opaque  bool
	h       hasher
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

// Start begins a build: the Recorders the table hands out until the next
// Start record that build. A Recorder knows the entities of its build by
// address, which a later build may reuse.
func (t *Table) Start() {
	t.gen.Add(1)
	t.recorders = sync.Pool{}
}

// Recorder returns a recorder for one rendering of the build on m, which
// Done gives back.
func (t *Table) Recorder(m Model) *Recorder {
	if r, ok := t.recorders.Get().(*Recorder); ok && r.gen == t.gen.Load() {
		return r
	}
	return &Recorder{t: t, m: m, gen: t.gen.Load(), known: map[seenKey]int32{}, h: hasher{m: m, seed: t.seed}}
}

// Opaque marks the rendering as one that could not be recorded.
func (r *Recorder) Opaque() { r.opaque = true }

// Read implements tmplexec.Recorder.
func (r *Recorder) Read(receiver reflect.Value, name string, args []reflect.Value, v reflect.Value) {
	var arg reflect.Value
	var argSum uint64
	var ptr unsafe.Pointer
	if receiver.IsValid() {
		if receiver.Kind() != reflect.Pointer || receiver.IsNil() || !r.entityType(receiver) {
			return // a value, which the read that gave it covers
		}
		if len(args) > 0 {
			r.opaque = true // a method with arguments: not recorded
			return
		}
		ptr = receiver.UnsafePointer()
	} else {
		if r.m.Pure(name) {
			return
		}
		if len(args) > 1 {
			r.opaque = true // a function of more arguments: not recorded
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
				argSum = r.h.sum(arg)
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
		rd.ent, _ = r.m.Entity(receiver)
		ent = receiver
	case arg.IsValid():
		if key, ok := r.m.Entity(arg); ok {
			rd.ent, ent = key, arg
		} else {
			if argSum == 0 {
				argSum = r.h.sum(arg)
			}
			rd.arg, rd.readKey.arg = arg, argSum
		}
	}
	r.known[sk] = -1
	r.pending = append(r.pending, pendingRead{sk, rd, v, ent})
}

// entityType reports whether v, a pointer, is of a type of entities. The
// Model is asked once a type.
func (r *Recorder) entityType(v reflect.Value) bool {
	t := v.Type()
	for _, k := range r.types {
		if k.t == t {
			return k.entity
		}
	}
	_, ok := r.m.Entity(v)
	r.types = append(r.types, typeKind{t, ok})
	return ok
}

type typeKind struct {
	t      reflect.Type
	entity bool
}

// Done keeps what r recorded of a rendering in its table, returns it, and
// readies r for the next rendering.
func (r *Recorder) Done() Reads {
	t := r.t
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
	rs := Reads{opaque: r.opaque}
	if !r.opaque {
		slices.Sort(r.ids)
		rs.ids = slices.Clone(slices.Compact(r.ids))
	}
	clear(r.pending) // holds no value of this build
	r.ids, r.pending, r.opaque = r.ids[:0], r.pending[:0], false
	t.recorders.Put(r)
	return rs
}

// slot returns the slot of the entity key, e in the build under way.
func (t *Table) slot(key Key, e reflect.Value) int32 {
	s, ok := t.slots[key]
	if !ok {
		s = int32(len(t.entities))
		t.slots[key] = s
		t.entities = append(t.entities, key)
		t.entNext = append(t.entNext, e)
	}
	return s
}

// Changed tells which reads of the last good build give another value in
// the build under way (see Check).
type Changed struct {
	changed []bool
}

// Unchanged reports whether a rendering of the last good build with reads
// rs would come out the same in the build Check checked.
func (c Changed) Unchanged(rs Reads) bool {
	if c.changed == nil || rs.opaque {
		return false
	}
	for _, id := range rs.ids {
		if int(id) >= len(c.changed) || c.changed[id] {
			return false
		}
	}
	return true
}

// Check works out every read of the last good build again on m, the
// build under way, and returns which changed. What they give becomes the
// table's when that build succeeds (see Commit).
func (t *Table) Check(m Model) Changed {
	t.entNext = make([]reflect.Value, len(t.entities), len(t.entities)+len(t.entities)/8)
	same := make([]bool, len(t.entities))
	moved := m.Moved()
	for i, key := range t.entities {
		cur := m.Lookup(key)
		t.entNext[i] = cur
		same[i] = cur.IsValid() && i < len(t.entLast) && t.entLast[i].IsValid() && !moved && m.Unchanged(t.entLast[i], cur)
	}
	n := len(t.reads)
	changed := make([]bool, n)
	t.next = make([]reflect.Value, n, n+n/8)
	const chunk = 256
	parallel.Do((n+chunk-1)/chunk, 1, func(c int, _ *bytes.Buffer) {
		for i := c * chunk; i < min(n, (c+1)*chunk); i++ {
			rd := &t.reads[i]
			var last reflect.Value
			if i < len(t.last) {
				last = t.last[i]
			}
			if last.IsValid() && (rd.entity && same[rd.slot] ||
				!rd.entity && !moved && m.Kept(rd.name) && (rd.slot < 0 || t.entNext[rd.slot].IsValid())) {
				t.next[i] = last
				continue
			}
			v, ok := t.evaluate(m, rd)
			t.next[i] = v
			changed[i] = !ok || !last.IsValid() || !equal(m, moved, last, v, 0)
		}
	})
	return Changed{changed}
}

// evaluate works out rd on m and returns what it gives, or false when it
// gives nothing: its entity is gone, or the function fails.
func (t *Table) evaluate(m Model, rd *read) (reflect.Value, bool) {
	var ent reflect.Value
	if rd.slot >= 0 {
		if ent = t.entNext[rd.slot]; !ent.IsValid() {
			return reflect.Value{}, false
		}
	}
	if rd.entity {
		if m := ent.MethodByName(rd.name); m.IsValid() {
			return call(m, nil)
		}
		v := ent.Elem().FieldByName(rd.name)
		return v, v.IsValid()
	}
	arg := rd.arg
	if ent.IsValid() {
		arg = ent
	}
	return m.Call(rd.name, arg)
}

// call calls fn, a method of no argument, as a template would: false
// when it takes arguments or fails.
func call(fn reflect.Value, args []reflect.Value) (reflect.Value, bool) {
	t := fn.Type()
	if t.NumIn() != len(args) || t.NumOut() == 0 || t.NumOut() > 2 {
		return reflect.Value{}, false
	}
	out := fn.Call(args)
	if len(out) == 2 && !out[1].IsNil() {
		return reflect.Value{}, false
	}
	return out[0], true
}

// Commit makes what the reads gave in the build that just succeeded the
// last good build's. When most reads of the table are no longer read by
// any rendering, it drops those: each calls its function with every
// rendering's reads, which it may renumber.
func (t *Table) Commit(each func(func(*Reads))) {
	t.last, t.next = t.next, nil
	t.entLast, t.entNext = t.entNext, nil
	live := make([]bool, len(t.reads))
	n := 0
	each(func(rs *Reads) {
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
		entities []Key
		entLast  []reflect.Value
	}{t.reads, t.last, t.entities, t.entLast}
	t.ids, t.slots = make(map[readKey]int32, n), map[Key]int32{}
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
	each(func(rs *Reads) {
		ids := make([]int32, len(rs.ids))
		for i, id := range rs.ids {
			ids[i] = renum[id]
		}
		rs.ids = ids // still sorted: renumbering keeps the order
	})
}

// A Snapshot is what the reads of the last good build gave, for a caller
// that walks them after later builds changed the table.
type Snapshot struct {
	reads []read
	vals  []reflect.Value
	ents  []reflect.Value
}

// Snapshot returns the values of the last good build.
func (t *Table) Snapshot() Snapshot { return Snapshot{t.reads, t.last, t.entLast} }

// Each calls f with every read of rs: the entity it read, if any, and
// the value it gave.
func (s Snapshot) Each(rs Reads, f func(entity, v reflect.Value)) {
	for _, id := range rs.ids {
		var ent reflect.Value
		if rd := s.reads[id]; rd.entity {
			ent = s.ents[rd.slot]
		}
		f(ent, s.vals[id])
	}
}

// equal reports whether a and b are the same value as the package comment
// says.
func equal(m Model, moved bool, a, b reflect.Value, depth int) bool {
	if !a.IsValid() || !b.IsValid() || a.Type() != b.Type() || depth > 100 {
		return false
	}
	depth++
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		if ka, ok := m.Entity(a); ok {
			kb, _ := m.Entity(b)
			return ka == kb
		}
		return a.Pointer() == b.Pointer() && !moved || equal(m, moved, a.Elem(), b.Elem(), depth)
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		if a.Len() == 0 || a.Pointer() == b.Pointer() && !moved {
			return true
		}
		fallthrough
	case reflect.Array:
		for i := range a.Len() {
			if !equal(m, moved, a.Index(i), b.Index(i), depth) {
				return false
			}
		}
		return true
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() && b.IsNil()
		}
		return equal(m, moved, a.Elem(), b.Elem(), depth)
	case reflect.Struct:
		if eq, ok := m.Equal(a, b); ok {
			return eq
		}
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() && !equal(m, moved, a.Field(i), b.Field(i), depth) {
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
	return false // maps, functions and channels: never the same
}

// hasher hashes a function's argument as equal compares values: entities
// by key.
type hasher struct {
	m    Model
	seed maphash.Seed
	h    maphash.Hash
}

func (h *hasher) sum(v reflect.Value) uint64 {
	h.h.SetSeed(h.seed)
	h.value(v)
	return h.h.Sum64()
}

func (h *hasher) u64(x uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], x)
	h.h.Write(b[:])
}

func (h *hasher) value(v reflect.Value) {
	if !v.IsValid() {
		h.h.WriteByte(0)
		return
	}
	h.h.WriteByte(byte(v.Kind()))
	switch v.Kind() {
	case reflect.String:
		h.u64(uint64(v.Len()))
		h.h.WriteString(v.String())
	case reflect.Bool:
		if v.Bool() {
			h.h.WriteByte(1)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h.u64(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		h.u64(v.Uint())
	case reflect.Float32, reflect.Float64:
		h.u64(math.Float64bits(v.Float()))
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if key, ok := h.m.Entity(v); ok {
			h.h.WriteString(key.Kind)
			h.h.WriteByte(0)
			h.h.WriteString(key.ID)
			return
		}
		h.value(v.Elem())
	case reflect.Interface:
		if !v.IsNil() {
			h.h.WriteString(v.Elem().Type().String())
			h.value(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		h.u64(uint64(v.Len()))
		for i := range v.Len() {
			h.value(v.Index(i))
		}
	case reflect.Struct:
		t := v.Type()
		h.h.WriteString(t.String())
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				h.value(v.Field(i))
			}
		}
	default: // maps, functions and channels: by identity
		h.u64(uint64(v.Pointer()))
	}
}
