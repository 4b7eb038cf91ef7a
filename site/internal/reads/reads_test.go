package reads

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// item is an entity of the toy model; note is a value inside one.
type item struct {
	ID    string
	Title string
	Notes []*note
	Next  *item
}

type note struct{ Text string }

// Heading is a method a template may call on an item, which the table
// must call again.
func (it *item) Heading() string { return "About " + it.Title }

// build is one build of the toy model: its items, and a function of one
// item that tells what follows it.
type build struct {
	items map[string]*item
	calls int
	moved map[*note]bool // notes changed in place
}

func (b *build) Entity(v reflect.Value) (Key, bool) {
	if it, ok := reflect.TypeAssert[*item](v); ok && it != nil {
		return Key{"item", it.ID}, true
	}
	return Key{}, false
}

func (b *build) Lookup(k Key) reflect.Value {
	if it := b.items[k.ID]; it != nil {
		return reflect.ValueOf(it)
	}
	return reflect.Value{}
}

func (b *build) Unchanged(x, y reflect.Value) bool { return x.Pointer() == y.Pointer() }

func (b *build) Call(name string, arg reflect.Value) (reflect.Value, bool) {
	b.calls++
	if name != "after" {
		return reflect.Value{}, false
	}
	it, _ := reflect.TypeAssert[*item](arg)
	return reflect.ValueOf(it.Next), true
}

func (b *build) Pure(name string) bool { return name == "upper" }
func (b *build) Moved() bool           { return b.moved != nil }
func (b *build) Kept(name string) bool { return false }

// Equal tells a note changed in place, as the site's model tells Markdown
// converted again.
func (b *build) Equal(x, y reflect.Value) (bool, bool) {
	if x.Type() != reflect.TypeFor[note]() || !x.CanAddr() || !b.moved[(*note)(x.Addr().UnsafePointer())] {
		return false, false
	}
	return false, true
}

func (b *build) read(r *Recorder, it *item, field string) {
	v := reflect.ValueOf(it)
	r.Read(v, field, nil, v.Elem().FieldByName(field))
}

func (b *build) call(r *Recorder, name string, it *item) {
	arg := reflect.ValueOf(it)
	v, _ := b.Call(name, arg)
	r.Read(reflect.Value{}, name, []reflect.Value{arg}, v)
}

// render records what a page of one item reads: its title, its notes
// and the title of what follows it.
func (b *build) render(t *Table, id string) Reads {
	r := t.Recorder(b)
	it := b.items[id]
	b.read(r, it, "Title")
	b.read(r, it, "Title") // twice: kept once
	v := reflect.ValueOf(it)
	r.Read(v, "Heading", nil, v.MethodByName("Heading").Call(nil)[0])
	b.read(r, it, "Notes")
	b.call(r, "after", it)
	if it.Next != nil {
		b.read(r, it.Next, "Title")
	}
	r.Read(reflect.Value{}, "upper", []reflect.Value{reflect.ValueOf("x")}, reflect.ValueOf("X"))
	r.Read(reflect.ValueOf(&note{"n"}), "Text", nil, reflect.ValueOf("n")) // a value: not kept
	return r.Done()
}

func newBuild() *build {
	a := &item{ID: "a", Title: "A", Notes: []*note{{"one"}}}
	b := &item{ID: "b", Title: "B"}
	c := &item{ID: "c", Title: "C"}
	a.Next, b.Next = b, c
	return &build{items: map[string]*item{"a": a, "b": b, "c": c}}
}

// clone returns the build with the items whose ids are in fresh made
// anew, as a rebuild makes those of a changed file.
func (b *build) clone(fresh ...string) *build {
	out := &build{items: map[string]*item{}}
	for id, it := range b.items {
		out.items[id] = it
	}
	for _, id := range fresh {
		c := *b.items[id]
		out.items[id] = &c
	}
	for _, it := range out.items { // follow the new items
		if it.Next != nil && out.items[it.Next.ID] != it.Next {
			c := *it
			c.Next = out.items[it.Next.ID]
			out.items[it.ID] = &c
		}
	}
	return out
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name string
		edit func(b *build) *build
		want string // the pages, a b c, that come out the same
	}{
		{"nothing", func(b *build) *build { return b.clone() }, "abc"},
		{"a new object holding the same", func(b *build) *build { return b.clone("a", "b") }, "abc"},
		{"a title", func(b *build) *build {
			n := b.clone("b")
			n.items["b"].Title = "B2"
			return n
		}, "c"}, // a shows b's title, b its own
		{"a note, in a new slice", func(b *build) *build {
			n := b.clone("a")
			n.items["a"].Notes = []*note{{"two"}}
			return n
		}, "bc"},
		{"a note, in place", func(b *build) *build {
			n := b.clone()
			n.items["a"].Notes[0].Text = "changed in place"
			n.moved = map[*note]bool{n.items["a"].Notes[0]: true}
			return n
		}, "bc"},
		{"what follows", func(b *build) *build {
			n := b.clone("b")
			n.items["b"].Next = n.items["a"]
			return n
		}, "ac"},
		{"an item gone", func(b *build) *build {
			n := b.clone()
			delete(n.items, "c")
			return n
		}, "a"}, // b reads c's title
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := newBuild()
			tbl := NewTable()
			tbl.Start()
			pages := map[string]Reads{}
			for _, id := range []string{"a", "b", "c"} {
				pages[id] = old.render(tbl, id)
			}
			tbl.Commit(func(f func(*Reads)) {})
			if got := len(tbl.reads); got != 12 {
				t.Errorf("%d reads kept, want 12: 3 titles, 3 headings, 3 note lists, 3 calls", got)
			}
			nb := tt.edit(old)
			changed := tbl.Check(nb)
			var same strings.Builder
			for _, id := range []string{"a", "b", "c"} {
				if _, ok := nb.items[id]; ok && changed.Unchanged(pages[id]) {
					same.WriteString(id)
				}
			}
			if same.String() != tt.want {
				t.Errorf("unchanged pages %q, want %q", same.String(), tt.want)
			}
		})
	}
}

// TestOpaqueAndCompact checks that an opaque rendering never counts as
// unchanged, and that Commit drops reads no rendering refers to while
// keeping the others' meaning.
func TestOpaqueAndCompact(t *testing.T) {
	b := newBuild()
	tbl := NewTable()
	tbl.Start()
	r := tbl.Recorder(b)
	b.read(r, b.items["a"], "Title")
	r.Opaque()
	if rs := r.Done(); !rs.Opaque() {
		t.Fatal("Done after Opaque: not opaque")
	}
	// Many pages read many titles; then only one page is left.
	for i := range 3000 {
		id := fmt.Sprint("x", i)
		b.items[id] = &item{ID: id, Title: "T"}
	}
	for _, it := range b.items {
		r := tbl.Recorder(b)
		b.read(r, it, "Title")
		r.Done()
	}
	keep := b.render(tbl, "a")
	tbl.Commit(func(f func(*Reads)) { f(&keep) })
	if len(tbl.reads) > 10 {
		t.Fatalf("%d reads kept for one page of 3", len(tbl.reads))
	}
	tbl.Start()
	if !tbl.Check(b).Unchanged(keep) {
		t.Fatal("unchanged page reported changed")
	}
	tbl.Commit(func(f func(*Reads)) { f(&keep) })
	n := b.clone("b")
	n.items["b"].Title = "B2"
	if tbl.Check(n).Unchanged(keep) {
		t.Error("after compacting, a page whose read changed counts as unchanged")
	}
}
