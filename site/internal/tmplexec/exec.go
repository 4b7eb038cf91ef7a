// Package tmplexec executes html/template templates several times faster
// than html/template does, with the same output.
//
// html/template works in two steps: it rewrites a template's parse tree
// so that every action ends in the escaper its context needs, then hands
// the tree to text/template's interpreter. That interpreter looks every
// field up by name, calls every function and escaper through reflection,
// and boxes every argument, for every action on every page. Compile takes
// the tree that html/template escaped and turns it into Go closures once:
// field indexes are found once per type, the escapers are this package's
// own and write straight into the page, and constants are made once.
//
// It covers what templates commonly use: text, actions, if, with, range
// over slices and arrays, else and else-if chains, variables, break and
// continue, template calls, fields, methods, functions, and the builtins
// and, or, not, len, eq, ne, lt, le, gt and ge. Compile refuses a
// template that needs more (another builtin, range over a map or a
// channel, an escaper for JavaScript). Execute does not report errors of
// its own: whatever is unusual at run time (a nil pointer, a missing map
// key, a function's error, a panic, a value html/template would convert
// in a way this package does not) makes it give up, and the caller runs
// html/template instead, which gives the same page or the error that
// explains what went wrong. The two agree byte for byte, or a test fails.
package tmplexec

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync/atomic"
	"text/template/parse"
)

// ErrGaveUp is what Execute returns when the template needs html/template
// to run it: the caller should execute it with html/template instead.
var ErrGaveUp = errors.New("tmplexec: gave up; execute with html/template")

// gaveUp stops an execution that this package cannot finish faithfully.
// The error says where, for whoever wonders why a page is slow.
func gaveUp() error {
	_, file, line, _ := runtime.Caller(1)
	return fmt.Errorf("%w (%s:%d)", ErrGaveUp, filepath.Base(file), line)
}

// errBreak and errContinue carry {{break}} and {{continue}} up to their
// range.
var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

// maxDepth bounds template recursion; deeper calls give up, and
// html/template reports the error.
const maxDepth = 10000

// A Program is a template compiled for Execute. It is safe for
// concurrent use.
type Program struct {
	entry *tmpl
}

type tmpl struct {
	name string
	root nodeFn
}

type (
	// nodeFn executes a node with dot as dot.
	nodeFn func(s *state, dot reflect.Value) error
	// valueFn evaluates a pipeline, a command or an argument. final is
	// the value the previous command of the pipeline gave, if hasFinal.
	valueFn func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error)
	// argFn evaluates an argument for a parameter of type typ; a nil typ
	// asks for the value as it is, with constants given their ideal type.
	argFn func(s *state, dot reflect.Value, typ reflect.Type) (reflect.Value, error)
)

type state struct {
	w     *bytes.Buffer
	rec   Recorder   // told what the execution reads; nil if no one asks
	vars  []variable // the variables in scope are vars[base:]
	base  int        // where the executing template's variables start
	depth int
	one   [1]reflect.Value // the argument of an escaper, without allocating
}

type variable struct {
	name  string
	value reflect.Value
}

func (s *state) push(name string, v reflect.Value) { s.vars = append(s.vars, variable{name, v}) }
func (s *state) mark() int                         { return len(s.vars) }
func (s *state) pop(mark int)                      { s.vars = s.vars[:mark] }

func (s *state) lookup(name string) (reflect.Value, bool) {
	for i := len(s.vars) - 1; i >= s.base; i-- {
		if s.vars[i].name == name {
			return s.vars[i].value, true
		}
	}
	return reflect.Value{}, false
}

func (s *state) set(name string, v reflect.Value) bool {
	for i := len(s.vars) - 1; i >= s.base; i-- {
		if s.vars[i].name == name {
			s.vars[i].value = v
			return true
		}
	}
	return false
}

// Compile compiles the template called name in set, and every template
// it calls, for Execute. funcs must be the functions set was given;
// typed may hold some of them, under the same names, as Typed makes
// them, for Execute to call without reflection. Set
// is escaped as executing name would escape it; an escaping error is
// returned as html/template gives it. Compile fails with an error that
// wraps errors.ErrUnsupported for a template it does not cover.
func Compile(set *template.Template, name string, funcs template.FuncMap, typed map[string]Func) (*Program, error) {
	// Executing is the only way to have html/template escape a tree. A
	// value with no fields stops execution at its first field.
	if err := set.ExecuteTemplate(io.Discard, name, struct{}{}); err != nil {
		var escErr *template.Error
		if errors.As(err, &escErr) {
			return nil, err
		}
	}
	c := &compiler{set: set, tmpls: map[string]*tmpl{}, funcs: map[string]reflect.Value{}, typed: typed}
	for name, f := range funcs {
		c.funcs[name] = reflect.ValueOf(f)
	}
	t := c.template(name)
	if c.err != nil {
		return nil, c.err
	}
	return &Program{entry: t}, nil
}

// A Recorder is told what an execution reads from outside the template:
// every field it takes and method it calls on a value, and every call of
// one of Compile's funcs. What the builtins and escapers do, and what
// the template holds itself, depends on nothing else. From these reads a
// caller can tell whether executing again on other data would give the
// same output: it would if every read gave the same value.
type Recorder interface {
	// Read is told that the execution took v from receiver's field or
	// method name, with args as the method's arguments. For a call of a
	// function of funcs, receiver is the zero Value.
	Read(receiver reflect.Value, name string, args []reflect.Value, v reflect.Value)
}

// Execute writes the page the template gives for data to w. On any
// error, what it wrote to w is to be thrown away; ErrGaveUp means that
// html/template should run the template instead.
func (p *Program) Execute(w *bytes.Buffer, data any) error {
	return p.ExecuteRecorded(w, data, nil)
}

// ExecuteRecorded is Execute, telling rec, if not nil, what the execution
// reads.
func (p *Program) ExecuteRecorded(w *bytes.Buffer, data any, rec Recorder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w (panic: %v)", ErrGaveUp, r)
		}
	}()
	dot, ok := data.(reflect.Value)
	if !ok {
		dot = reflect.ValueOf(data)
	}
	s := &state{w: w, rec: rec, vars: make([]variable, 1, 32)}
	s.vars[0] = variable{"$", dot}
	if err := p.entry.root(s, dot); err != nil {
		if !errors.Is(err, ErrGaveUp) { // break or continue outside a range
			return gaveUp()
		}
		return err
	}
	return nil
}

type compiler struct {
	set   *template.Template
	tmpls map[string]*tmpl
	funcs map[string]reflect.Value
	typed map[string]Func // funcs' functions as Typed makes them, by name
	err   error
}

func (c *compiler) unsupported(n parse.Node, format string, args ...any) {
	if c.err == nil {
		c.err = fmt.Errorf("tmplexec: %s: %s: %w", n, fmt.Sprintf(format, args...), errors.ErrUnsupported)
	}
}

// template returns the compiled template called name, compiling it on
// first use. A template that calls itself finds itself here, half made.
func (c *compiler) template(name string) *tmpl {
	if t, ok := c.tmpls[name]; ok {
		return t
	}
	t := &tmpl{name: name}
	c.tmpls[name] = t
	ht := c.set.Lookup(name)
	if ht == nil || ht.Tree == nil || ht.Tree.Root == nil {
		if c.err == nil {
			c.err = fmt.Errorf("tmplexec: no template %q: %w", name, errors.ErrUnsupported)
		}
		t.root = func(*state, reflect.Value) error { return gaveUp() }
		return t
	}
	t.root = c.list(ht.Tree.Root)
	return t
}

func (c *compiler) list(l *parse.ListNode) nodeFn {
	if l == nil {
		return func(*state, reflect.Value) error { return nil }
	}
	var fns []nodeFn
	for _, n := range l.Nodes {
		if fn := c.node(n); fn != nil {
			fns = append(fns, fn)
		}
	}
	switch len(fns) {
	case 0:
		return func(*state, reflect.Value) error { return nil }
	case 1:
		return fns[0]
	}
	return func(s *state, dot reflect.Value) error {
		for _, fn := range fns {
			if err := fn(s, dot); err != nil {
				return err
			}
		}
		return nil
	}
}

func (c *compiler) node(n parse.Node) nodeFn {
	switch n := n.(type) {
	case *parse.TextNode:
		text := n.Text
		return func(s *state, _ reflect.Value) error {
			s.w.Write(text)
			return nil
		}
	case *parse.CommentNode:
		return nil
	case *parse.ActionNode:
		return c.action(n)
	case *parse.IfNode:
		return c.ifOrWith(&n.BranchNode, false)
	case *parse.WithNode:
		return c.ifOrWith(&n.BranchNode, true)
	case *parse.RangeNode:
		return c.rangeNode(n)
	case *parse.TemplateNode:
		return c.templateNode(n)
	case *parse.BreakNode:
		return func(*state, reflect.Value) error { return errBreak }
	case *parse.ContinueNode:
		return func(*state, reflect.Value) error { return errContinue }
	case *parse.ListNode:
		return c.list(n)
	}
	c.unsupported(n, "node type %T", n)
	return nil
}

// action compiles {{pipeline}}. A pipeline that ends in one of the
// escapers writes through it straight into the page.
func (c *compiler) action(n *parse.ActionNode) nodeFn {
	p := n.Pipe
	if len(p.Decl) > 0 {
		eval := c.pipeline(p)
		return func(s *state, dot reflect.Value) error {
			_, err := eval(s, dot, reflect.Value{}, false)
			return err
		}
	}
	// The escapers that end the pipeline, as html/template added them.
	var chain []string
	for i := len(p.Cmds) - 1; i > 0; i-- {
		id, ok := p.Cmds[i].Args[0].(*parse.IdentifierNode)
		if !ok || len(p.Cmds[i].Args) > 1 || escapers[id.Ident] == nil {
			break
		}
		if _, user := c.funcs[id.Ident]; user {
			break
		}
		chain = append([]string{id.Ident}, chain...)
	}
	if esc := fuse(chain); esc != nil {
		rest := c.commands(p.Cmds[:len(p.Cmds)-len(chain)])
		return func(s *state, dot reflect.Value) error {
			v, err := rest(s, dot)
			if err != nil {
				return err
			}
			s.one[0] = v
			return esc(s.w, s.one[:])
		}
	}
	eval := c.pipeline(p)
	return func(s *state, dot reflect.Value) error {
		v, err := eval(s, dot, reflect.Value{}, false)
		if err != nil {
			return err
		}
		if v.Kind() == reflect.String && v.Type() == stringType {
			s.w.WriteString(v.String())
			return nil
		}
		iface, ok := printable(v)
		if !ok {
			return gaveUp()
		}
		fmt.Fprint(s.w, iface)
		return nil
	}
}

// printable is the value text/template prints for v.
func printable(v reflect.Value) (any, bool) {
	if v.Kind() == reflect.Pointer {
		v, _ = indirect(v)
	}
	if !v.IsValid() {
		return "<no value>", true
	}
	if !v.Type().Implements(errorType) && !v.Type().Implements(stringerType) {
		if v.CanAddr() && (reflect.PointerTo(v.Type()).Implements(errorType) || reflect.PointerTo(v.Type()).Implements(stringerType)) {
			v = v.Addr()
		} else if k := v.Kind(); k == reflect.Chan || k == reflect.Func {
			return nil, false
		}
	}
	return v.Interface(), true
}

// commands compiles the commands of a pipeline, each given the value of
// the one before as its last argument.
func (c *compiler) commands(cmds []*parse.CommandNode) func(s *state, dot reflect.Value) (reflect.Value, error) {
	fns := make([]valueFn, len(cmds))
	for i, cmd := range cmds {
		fns[i] = c.command(cmd)
	}
	return func(s *state, dot reflect.Value) (reflect.Value, error) {
		var v reflect.Value
		for i, fn := range fns {
			var err error
			v, err = fn(s, dot, v, i > 0)
			if err != nil {
				return reflect.Value{}, err
			}
			// A value of type any is taken out of its interface.
			if v.Kind() == reflect.Interface && v.Type().NumMethod() == 0 {
				v = reflect.ValueOf(v.Interface())
			}
		}
		return v, nil
	}
}

// pipeline compiles a pipeline with its variable declarations or
// assignments, if any.
func (c *compiler) pipeline(p *parse.PipeNode) valueFn {
	if p == nil {
		return func(*state, reflect.Value, reflect.Value, bool) (reflect.Value, error) {
			return reflect.Value{}, nil
		}
	}
	cmds := c.commands(p.Cmds)
	names := make([]string, len(p.Decl))
	for i, v := range p.Decl {
		if len(v.Ident) != 1 {
			c.unsupported(v, "declaration of a field")
		}
		names[i] = v.Ident[0]
	}
	assign := p.IsAssign
	return func(s *state, dot, _ reflect.Value, _ bool) (reflect.Value, error) {
		v, err := cmds(s, dot)
		if err != nil {
			return v, err
		}
		for _, name := range names {
			if assign {
				if !s.set(name, v) {
					return v, gaveUp()
				}
			} else {
				s.push(name, v)
			}
		}
		return v, nil
	}
}

func (c *compiler) ifOrWith(b *parse.BranchNode, with bool) nodeFn {
	pipe := c.pipeline(b.Pipe)
	list := c.list(b.List)
	var elseList nodeFn
	if b.ElseList != nil {
		elseList = c.list(b.ElseList)
	}
	return func(s *state, dot reflect.Value) error {
		mark := s.mark()
		defer s.pop(mark)
		v, err := pipe(s, dot, reflect.Value{}, false)
		if err != nil {
			return err
		}
		truth, ok := isTrue(indirectInterface(v))
		if !ok {
			return gaveUp()
		}
		if truth {
			if with {
				return list(s, v)
			}
			return list(s, dot)
		}
		if elseList != nil {
			return elseList(s, dot)
		}
		return nil
	}
}

func (c *compiler) rangeNode(r *parse.RangeNode) nodeFn {
	pipe := c.pipeline(r.Pipe)
	list := c.list(r.List)
	var elseList nodeFn
	if r.ElseList != nil {
		elseList = c.list(r.ElseList)
	}
	decl := len(r.Pipe.Decl)
	if r.Pipe.IsAssign && decl > 0 {
		c.unsupported(r, "range with assignment")
	}
	return func(s *state, dot reflect.Value) error {
		outer := s.mark()
		defer s.pop(outer)
		v, err := pipe(s, dot, reflect.Value{}, false)
		if err != nil {
			return err
		}
		v, _ = indirect(v)
		mark := s.mark()
		switch v.Kind() {
		case reflect.Array, reflect.Slice:
			n := v.Len()
			if n == 0 {
				break
			}
			for i := range n {
				elem := v.Index(i)
				if decl > 0 {
					s.vars[mark-1].value = elem
				}
				if decl > 1 {
					s.vars[mark-2].value = reflect.ValueOf(i)
				}
				err := list(s, elem)
				s.pop(mark)
				if err == errBreak {
					break
				}
				if err != nil && err != errContinue {
					return err
				}
			}
			return nil
		case reflect.Invalid:
		default:
			return gaveUp()
		}
		if elseList != nil {
			return elseList(s, dot)
		}
		return nil
	}
}

func (c *compiler) templateNode(n *parse.TemplateNode) nodeFn {
	t := c.template(n.Name)
	pipe := c.pipeline(n.Pipe)
	return func(s *state, dot reflect.Value) error {
		v, err := pipe(s, dot, reflect.Value{}, false)
		if err != nil {
			return err
		}
		if s.depth >= maxDepth {
			return gaveUp()
		}
		// The template sees only its own variables, from $ on.
		base := s.base
		s.base = len(s.vars)
		s.push("$", v)
		s.depth++
		err = t.root(s, v)
		s.depth--
		s.pop(s.base)
		s.base = base
		return err
	}
}

// command compiles one command of a pipeline.
func (c *compiler) command(cmd *parse.CommandNode) valueFn {
	args := cmd.Args
	switch n := args[0].(type) {
	case *parse.FieldNode:
		chain := c.fields(n.Ident, args)
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			return chain(s, dot, dot, final, hasFinal)
		}
	case *parse.ChainNode:
		return c.chain(n, args)
	case *parse.IdentifierNode:
		return c.function(n.Ident, n, args)
	case *parse.VariableNode:
		return c.variable(n, args)
	case *parse.PipeNode:
		if len(args) > 1 || len(n.Decl) > 0 {
			c.unsupported(n, "parenthesized pipeline with arguments or declarations")
		}
		pipe := c.pipeline(n)
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			if hasFinal {
				return reflect.Value{}, gaveUp()
			}
			return pipe(s, dot, reflect.Value{}, false)
		}
	}
	if len(args) > 1 {
		c.unsupported(args[0], "can't give arguments to a non-function")
	}
	var constant reflect.Value
	switch n := args[0].(type) {
	case *parse.DotNode:
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			if hasFinal {
				return reflect.Value{}, gaveUp()
			}
			return dot, nil
		}
	case *parse.BoolNode:
		constant = reflect.ValueOf(n.True)
	case *parse.StringNode:
		constant = reflect.ValueOf(n.Text)
	case *parse.NumberNode:
		constant = c.idealConstant(n)
	default:
		c.unsupported(n, "command")
	}
	return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		if hasFinal {
			return reflect.Value{}, gaveUp()
		}
		return constant, nil
	}
}

func (c *compiler) idealConstant(n *parse.NumberNode) reflect.Value {
	isHexInt := len(n.Text) > 2 && n.Text[0] == '0' && (n.Text[1] == 'x' || n.Text[1] == 'X') && !strings.ContainsAny(n.Text, "pP")
	isRuneInt := len(n.Text) > 0 && n.Text[0] == '\''
	switch {
	case n.IsComplex:
		return reflect.ValueOf(n.Complex128)
	case n.IsFloat && !isHexInt && !isRuneInt && strings.ContainsAny(n.Text, ".eEpP"):
		return reflect.ValueOf(n.Float64)
	case n.IsInt && int64(int(n.Int64)) == n.Int64:
		return reflect.ValueOf(int(n.Int64))
	}
	c.unsupported(n, "number")
	return reflect.Value{}
}

// variable compiles $x or $x.Field.Chain as a command.
func (c *compiler) variable(n *parse.VariableNode, args []parse.Node) valueFn {
	name := n.Ident[0]
	if len(n.Ident) == 1 {
		if len(args) > 1 {
			c.unsupported(n, "can't give arguments to a variable")
		}
		return func(s *state, _, _ reflect.Value, hasFinal bool) (reflect.Value, error) {
			v, ok := s.lookup(name)
			if !ok || hasFinal {
				return reflect.Value{}, gaveUp()
			}
			return v, nil
		}
	}
	chain := c.fields(n.Ident[1:], args)
	return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		v, ok := s.lookup(name)
		if !ok {
			return reflect.Value{}, gaveUp()
		}
		return chain(s, dot, v, final, hasFinal)
	}
}

// chain compiles (pipeline).Field.Chain as a command.
func (c *compiler) chain(n *parse.ChainNode, args []parse.Node) valueFn {
	inner := c.arg(n.Node)
	chain := c.fields(n.Field, args)
	return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		v, err := inner(s, dot, nil)
		if err != nil {
			return v, err
		}
		return chain(s, dot, v, final, hasFinal)
	}
}

// fieldChainFn evaluates .A.B.C on receiver; the last name is given the
// command's arguments if it is a method.
type fieldChainFn func(s *state, dot, receiver, final reflect.Value, hasFinal bool) (reflect.Value, error)

func (c *compiler) fields(idents []string, args []parse.Node) fieldChainFn {
	steps := make([]*field, len(idents))
	for i, name := range idents {
		steps[i] = &field{name: name}
	}
	var argFns []argFn
	if len(args) > 1 {
		for _, a := range args[1:] {
			argFns = append(argFns, c.arg(a))
		}
	}
	last := len(steps) - 1
	return func(s *state, dot, receiver, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		var err error
		for _, f := range steps[:last] {
			if receiver, err = f.eval(s, dot, receiver, nil, reflect.Value{}, false); err != nil {
				return receiver, err
			}
		}
		return steps[last].eval(s, dot, receiver, argFns, final, hasFinal)
	}
}

// A field is one name of a chain. It remembers how it resolved on the
// last type it met, which is nearly always the type it meets next.
type field struct {
	name  string
	cache atomic.Pointer[fieldCache]
}

type fieldCache struct {
	typ reflect.Type // the receiver's type
	odd bool         // a named pointer type, whose methods are not its element's
	// For a pointer to a struct, or a struct:
	ptrMethod int   // index of the method of *T, or -1
	valMethod int   // index of the method of T, or -1
	index     []int // the field, if no method
	exported  bool
}

func (f *field) resolve(typ reflect.Type) *fieldCache {
	if e := f.cache.Load(); e != nil && e.typ == typ {
		return e
	}
	e := &fieldCache{typ: typ, ptrMethod: -1, valMethod: -1}
	st := typ
	if typ.Kind() == reflect.Pointer {
		st = typ.Elem()
		e.odd = typ != reflect.PointerTo(st)
	}
	if m, ok := reflect.PointerTo(st).MethodByName(f.name); ok {
		e.ptrMethod = m.Index
	}
	if typ.Kind() != reflect.Pointer {
		if m, ok := typ.MethodByName(f.name); ok {
			e.valMethod = m.Index
		}
	}
	if st.Kind() == reflect.Struct {
		if sf, ok := st.FieldByName(f.name); ok {
			e.index, e.exported = sf.Index, sf.IsExported()
		}
	}
	f.cache.Store(e)
	return e
}

// eval is text/template's evalField for the common cases: a method of a
// pointer to a struct or of a struct, or an exported field. Anything else
// gives up.
func (f *field) eval(s *state, dot, receiver reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	if receiver.Kind() == reflect.Interface {
		if receiver.IsNil() {
			return reflect.Value{}, gaveUp()
		}
		receiver = receiver.Elem()
	}
	orig := receiver
	var e *fieldCache
	var method reflect.Value
	switch receiver.Kind() {
	case reflect.Pointer:
		if receiver.IsNil() || receiver.Type().Elem().Kind() != reflect.Struct {
			return reflect.Value{}, gaveUp()
		}
		e = f.resolve(receiver.Type())
		if e.odd {
			return reflect.Value{}, gaveUp()
		}
		if e.ptrMethod >= 0 {
			method = receiver.Method(e.ptrMethod)
			break
		}
		receiver = receiver.Elem()
	case reflect.Struct:
		e = f.resolve(receiver.Type())
		if receiver.CanAddr() && e.ptrMethod >= 0 {
			method = receiver.Addr().Method(e.ptrMethod)
		} else if !receiver.CanAddr() && e.valMethod >= 0 {
			method = receiver.Method(e.valMethod)
		}
	default:
		return reflect.Value{}, gaveUp()
	}
	if method.IsValid() {
		v, argv, err := call(s, dot, method, args, final, hasFinal)
		if err == nil && s.rec != nil {
			s.rec.Read(orig, f.name, argv, v)
		}
		return v, err
	}
	if e.index == nil || !e.exported || len(args) > 0 || hasFinal {
		return reflect.Value{}, gaveUp()
	}
	v, err := receiver.FieldByIndexErr(e.index)
	if err != nil {
		return reflect.Value{}, gaveUp()
	}
	if s.rec != nil {
		s.rec.Read(orig, f.name, nil, v)
	}
	return v, nil
}

// function compiles a call of a function, an escaper or a builtin.
func (c *compiler) function(name string, n parse.Node, args []parse.Node) valueFn {
	argFns := make([]argFn, 0, len(args))
	for _, a := range args[1:] {
		argFns = append(argFns, c.arg(a))
	}
	if fn, ok := c.funcs[name]; ok {
		if !fn.IsValid() || fn.Kind() != reflect.Func {
			c.unsupported(n, "function %q is not a function", name)
			return nil
		}
		if f := typedCall(name, fn, c.typed[name], argFns); f != nil {
			return f
		}
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			v, argv, err := call(s, dot, fn, argFns, final, hasFinal)
			if err == nil && s.rec != nil {
				s.rec.Read(reflect.Value{}, name, argv, v)
			}
			return v, err
		}
	}
	if esc, ok := escapers[name]; ok {
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			vals, err := values(nil, s, dot, argFns, final, hasFinal)
			if err != nil {
				return reflect.Value{}, err
			}
			var b bytes.Buffer
			if err := esc(&b, vals); err != nil {
				return reflect.Value{}, err
			}
			return reflect.ValueOf(b.String()), nil
		}
	}
	if b, ok := builtins[name]; ok {
		return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
			return b(s, dot, argFns, final, hasFinal)
		}
	}
	c.unsupported(n, "function %q", name)
	return nil
}

// call calls fn, a function or a bound method, as text/template would.
// It returns fn's result with the arguments it was called with.
func call(s *state, dot, fn reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, []reflect.Value, error) {
	typ := fn.Type()
	numIn := len(args)
	if hasFinal {
		numIn++
	}
	numFixed := len(args)
	if typ.IsVariadic() {
		numFixed = typ.NumIn() - 1
		if numIn < numFixed {
			return reflect.Value{}, nil, gaveUp()
		}
	} else if numIn != typ.NumIn() {
		return reflect.Value{}, nil, gaveUp()
	}
	switch {
	case typ.NumOut() == 1:
	case typ.NumOut() == 2 && typ.Out(1) == errorType:
	default:
		return reflect.Value{}, nil, gaveUp()
	}
	argv := make([]reflect.Value, numIn)
	i := 0
	for ; i < numFixed && i < len(args); i++ {
		v, err := args[i](s, dot, typ.In(i))
		if err != nil {
			return v, nil, err
		}
		argv[i] = v
	}
	if typ.IsVariadic() {
		elem := typ.In(typ.NumIn() - 1).Elem()
		for ; i < len(args); i++ {
			v, err := args[i](s, dot, elem)
			if err != nil {
				return v, nil, err
			}
			argv[i] = v
		}
	}
	if hasFinal {
		t := typ.In(typ.NumIn() - 1)
		if typ.IsVariadic() {
			if numIn-1 < numFixed {
				t = typ.In(numIn - 1)
			} else {
				t = t.Elem()
			}
		}
		v, err := validateType(final, t)
		if err != nil {
			return v, nil, err
		}
		argv[i] = v
	}
	out := fn.Call(argv)
	if len(out) == 2 && !out[1].IsNil() {
		return reflect.Value{}, nil, gaveUp()
	}
	v := out[0]
	if v.Type() == reflectValueType {
		v = v.Interface().(reflect.Value)
	}
	return v, argv, nil
}

var reflectValueType = reflect.TypeFor[reflect.Value]()

// validateType is text/template's: it makes v fit a parameter of type
// typ, or gives up where text/template would convert or fail.
func validateType(v reflect.Value, typ reflect.Type) (reflect.Value, error) {
	if !v.IsValid() {
		if typ == nil {
			return reflect.ValueOf(nil), nil
		}
		if canBeNil(typ) {
			return reflect.Zero(typ), nil
		}
		return v, gaveUp()
	}
	if typ == reflectValueType && v.Type() != typ {
		return reflect.ValueOf(v), nil
	}
	if typ != nil && !v.Type().AssignableTo(typ) {
		if v.Kind() == reflect.Interface && !v.IsNil() {
			v = v.Elem()
			if v.Type().AssignableTo(typ) {
				return v, nil
			}
		}
		switch {
		case v.Kind() == reflect.Pointer && v.Type().Elem().AssignableTo(typ):
			if v.IsNil() {
				return v, gaveUp()
			}
			return v.Elem(), nil
		case reflect.PointerTo(v.Type()).AssignableTo(typ) && v.CanAddr():
			return v.Addr(), nil
		}
		return v, gaveUp()
	}
	return v, nil
}

func canBeNil(typ reflect.Type) bool {
	switch typ.Kind() {
	case reflect.Chan, reflect.Func, reflect.Interface, reflect.Map, reflect.Pointer, reflect.Slice:
		return true
	case reflect.Struct:
		return typ == reflectValueType
	}
	return false
}

// arg compiles an argument of a command.
func (c *compiler) arg(n parse.Node) argFn {
	var eval func(s *state, dot reflect.Value) (reflect.Value, error)
	switch n := n.(type) {
	case *parse.DotNode:
		eval = func(_ *state, dot reflect.Value) (reflect.Value, error) { return dot, nil }
	case *parse.NilNode:
		return func(_ *state, _ reflect.Value, typ reflect.Type) (reflect.Value, error) {
			if typ == nil || !canBeNil(typ) {
				return reflect.Value{}, gaveUp()
			}
			return reflect.Zero(typ), nil
		}
	case *parse.FieldNode:
		chain := c.fields(n.Ident, nil)
		eval = func(s *state, dot reflect.Value) (reflect.Value, error) {
			return chain(s, dot, dot, reflect.Value{}, false)
		}
	case *parse.VariableNode:
		v := c.variable(n, nil)
		eval = func(s *state, dot reflect.Value) (reflect.Value, error) {
			return v(s, dot, reflect.Value{}, false)
		}
	case *parse.PipeNode:
		if len(n.Decl) > 0 {
			c.unsupported(n, "declaration in an argument")
		}
		p := c.pipeline(n)
		eval = func(s *state, dot reflect.Value) (reflect.Value, error) {
			return p(s, dot, reflect.Value{}, false)
		}
	case *parse.IdentifierNode:
		f := c.function(n.Ident, n, []parse.Node{n})
		eval = func(s *state, dot reflect.Value) (reflect.Value, error) {
			return f(s, dot, reflect.Value{}, false)
		}
	case *parse.ChainNode:
		ch := c.chain(n, nil)
		eval = func(s *state, dot reflect.Value) (reflect.Value, error) {
			return ch(s, dot, reflect.Value{}, false)
		}
	case *parse.BoolNode, *parse.StringNode, *parse.NumberNode:
		return c.literal(n)
	default:
		c.unsupported(n, "argument")
		return nil
	}
	return func(s *state, dot reflect.Value, typ reflect.Type) (reflect.Value, error) {
		v, err := eval(s, dot)
		if err != nil {
			return v, err
		}
		return validateType(v, typ)
	}
}

// literal compiles a constant argument, which takes the type of its
// parameter.
func (c *compiler) literal(n parse.Node) argFn {
	var ideal reflect.Value
	switch n := n.(type) {
	case *parse.BoolNode:
		ideal = reflect.ValueOf(n.True)
	case *parse.StringNode:
		ideal = reflect.ValueOf(n.Text)
	case *parse.NumberNode:
		ideal = c.idealConstant(n)
	}
	num, _ := n.(*parse.NumberNode)
	return func(_ *state, _ reflect.Value, typ reflect.Type) (reflect.Value, error) {
		if typ == nil || typ == reflectValueType {
			if typ != nil {
				return reflect.ValueOf(ideal), nil
			}
			return ideal, nil
		}
		if typ.Kind() == reflect.Interface && typ.NumMethod() == 0 {
			return ideal, nil
		}
		v := reflect.New(typ).Elem()
		switch k := typ.Kind(); {
		case k == reflect.Bool && ideal.Kind() == reflect.Bool:
			v.SetBool(ideal.Bool())
		case k == reflect.String && ideal.Kind() == reflect.String:
			v.SetString(ideal.String())
		case num != nil && num.IsInt && reflect.Int <= k && k <= reflect.Int64:
			v.SetInt(num.Int64)
		case num != nil && num.IsUint && reflect.Uint <= k && k <= reflect.Uintptr:
			v.SetUint(num.Uint64)
		case num != nil && num.IsFloat && (k == reflect.Float32 || k == reflect.Float64):
			v.SetFloat(num.Float64)
		default:
			return v, gaveUp()
		}
		return v, nil
	}
}

// indirect follows pointers and interfaces to a value, stopping at nil.
func indirect(v reflect.Value) (reflect.Value, bool) {
	for ; v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface; v = v.Elem() {
		if v.IsNil() {
			return v, true
		}
	}
	return v, false
}

func indirectInterface(v reflect.Value) reflect.Value {
	if v.Kind() != reflect.Interface || v.IsNil() {
		return v
	}
	return v.Elem()
}

// isTrue is text/template's truth: not the zero value of its type.
func isTrue(v reflect.Value) (truth, ok bool) {
	if !v.IsValid() {
		return false, true
	}
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() > 0, true
	case reflect.Bool:
		return v.Bool(), true
	case reflect.Complex64, reflect.Complex128:
		return v.Complex() != 0, true
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.UnsafePointer, reflect.Interface:
		return !v.IsNil(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() != 0, true
	case reflect.Float32, reflect.Float64:
		return v.Float() != 0, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() != 0, true
	case reflect.Struct:
		return true, true
	}
	return false, false
}
