package tmplexec

import (
	"cmp"
	"math"
	"reflect"
	"strings"
)

// builtin is one of text/template's predefined functions. Where
// text/template would fail, it gives up instead.
type builtin func(s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error)

// builtins are the predefined functions this package runs itself.
// Compile refuses a template that calls any other.
var builtins = map[string]builtin{
	"and": andOr(false),
	"or":  andOr(true),
	"not": not,
	"len": length,
	"eq":  compare(true, equal),
	"ne":  compare(false, func(a, b reflect.Value) (bool, bool) { t, ok := equal(a, b); return !t, ok }),
	"lt":  compare(false, less),
	"le":  compare(false, lessOrEqual),
	"gt":  compare(false, func(a, b reflect.Value) (bool, bool) { t, ok := lessOrEqual(a, b); return !t, ok }),
	"ge":  compare(false, func(a, b reflect.Value) (bool, bool) { t, ok := less(a, b); return !t, ok }),
}

// values evaluates the arguments of a builtin as they are, and the final
// value after them, appending them to vals.
func values(vals []reflect.Value, s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) ([]reflect.Value, error) {
	for _, a := range args {
		v, err := a(s, dot, nil)
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
	}
	if hasFinal {
		vals = append(vals, final)
	}
	return vals, nil
}

func truth(v reflect.Value) bool {
	t, _ := isTrue(indirectInterface(v))
	return t
}

// andOr returns and, or with or set: the first argument that decides,
// evaluating no further, or else the last.
func andOr(or bool) builtin {
	return func(s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		if len(args)+btoi(hasFinal) < 1 {
			return reflect.Value{}, gaveUp()
		}
		var v reflect.Value
		for _, a := range args {
			var err error
			if v, err = a(s, dot, nil); err != nil {
				return v, err
			}
			if truth(v) == or {
				return v, nil
			}
		}
		if hasFinal {
			v = final
		}
		return v, nil
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func not(s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	var buf [2]reflect.Value
	vals, err := values(buf[:0], s, dot, args, final, hasFinal)
	if err != nil || len(vals) != 1 {
		return reflect.Value{}, gaveUp()
	}
	return reflect.ValueOf(!truth(vals[0])), nil
}

func length(s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error) {
	var buf [2]reflect.Value
	vals, err := values(buf[:0], s, dot, args, final, hasFinal)
	if err != nil || len(vals) != 1 {
		return reflect.Value{}, gaveUp()
	}
	v, isNil := indirect(vals[0])
	if isNil {
		return reflect.Value{}, gaveUp()
	}
	switch v.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice, reflect.String:
		return reflect.ValueOf(v.Len()), nil
	}
	return reflect.Value{}, gaveUp()
}

// compare makes eq, ne, lt, le, gt or ge from op, which reports false
// in its second result where text/template would fail. With variadic,
// as for eq, it compares its first argument with each of the others;
// otherwise it takes two.
func compare(variadic bool, op func(a, b reflect.Value) (bool, bool)) builtin {
	return func(s *state, dot reflect.Value, args []argFn, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		var buf [4]reflect.Value
		vals, err := values(buf[:0], s, dot, args, final, hasFinal)
		if err != nil || len(vals) < 2 || !variadic && len(vals) != 2 {
			return reflect.Value{}, gaveUp()
		}
		a := indirectInterface(vals[0])
		for _, b := range vals[1:] {
			t, ok := op(a, indirectInterface(b))
			if !ok {
				return reflect.Value{}, gaveUp()
			}
			if t {
				return reflect.ValueOf(true), nil
			}
		}
		return reflect.ValueOf(false), nil
	}
}

type kind int

const (
	invalidKind kind = iota
	boolKind
	intKind
	uintKind
	floatKind
	stringKind
)

func basicKind(v reflect.Value) kind {
	switch v.Kind() {
	case reflect.Bool:
		return boolKind
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return intKind
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return uintKind
	case reflect.Float32, reflect.Float64:
		return floatKind
	case reflect.String:
		return stringKind
	}
	return invalidKind
}

// order compares two values of basic kinds as text/template's eq and lt
// do, integers of either sign with each other, and reports false in ok
// where they would fail. Booleans are only equal (0) or not (1); a NaN is
// left to text/template.
func order(a, b reflect.Value) (c int, ok bool) {
	ka, kb := basicKind(a), basicKind(b)
	switch {
	case ka == intKind && kb == uintKind:
		if a.Int() < 0 {
			return -1, true
		}
		return cmp.Compare(uint64(a.Int()), b.Uint()), true
	case ka == uintKind && kb == intKind:
		if b.Int() < 0 {
			return 1, true
		}
		return cmp.Compare(a.Uint(), uint64(b.Int())), true
	case ka != kb:
		return 0, false
	}
	switch ka {
	case boolKind:
		if a.Bool() == b.Bool() {
			return 0, true
		}
		return 1, true
	case floatKind:
		x, y := a.Float(), b.Float()
		if math.IsNaN(x) || math.IsNaN(y) {
			return 0, false
		}
		return cmp.Compare(x, y), true
	case intKind:
		return cmp.Compare(a.Int(), b.Int()), true
	case stringKind:
		return strings.Compare(a.String(), b.String()), true
	case uintKind:
		return cmp.Compare(a.Uint(), b.Uint()), true
	}
	return 0, false
}

// equal is text/template's eq for two values.
func equal(a, b reflect.Value) (truth, ok bool) {
	c, ok := order(a, b)
	return c == 0, ok
}

// less is text/template's lt, which does not order booleans.
func less(a, b reflect.Value) (truth, ok bool) {
	c, ok := order(a, b)
	return c < 0, ok && basicKind(a) != boolKind
}

// lessOrEqual is text/template's le.
func lessOrEqual(a, b reflect.Value) (truth, ok bool) {
	c, ok := order(a, b)
	return c <= 0, ok && basicKind(a) != boolKind
}
