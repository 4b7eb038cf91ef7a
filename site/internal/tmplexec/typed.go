package tmplexec

import "reflect"

// A Func is a template function of one argument that a Program calls
// without reflection (see Typed).
type Func struct {
	in   reflect.Type // the argument's type
	call func(arg reflect.Value) (reflect.Value, bool)
}

// Typed returns f as a Func, for Compile's typed functions. Calling
// through reflect costs more than most template functions do: an
// argument list, results, and the checks of reflect.Value.Call, on every
// call. A Func checks its argument once and calls f directly, with the
// same results. f must take and return no interface type other than a
// parameter of type any; for any other, Typed returns a Func that Compile
// ignores, and the function is called through reflect.
func Typed[A, R any](f func(A) R) Func {
	in, out := reflect.TypeFor[A](), reflect.TypeFor[R]()
	if in.Kind() == reflect.Interface && in.NumMethod() > 0 || out.Kind() == reflect.Interface || out == reflectValueType {
		return Func{}
	}
	return Func{in: in, call: func(arg reflect.Value) (reflect.Value, bool) {
		a, ok := reflect.TypeAssert[A](arg)
		if !ok {
			// A nil of type any asserts to nothing, but is an argument.
			if in.Kind() != reflect.Interface || arg.Kind() != reflect.Interface || !arg.IsNil() {
				return reflect.Value{}, false
			}
		}
		return reflect.ValueOf(f(a)), true
	}}
}

// Call calls f with arg, as a Program would: false when f is not a
// typed function or arg does not fit it.
func (f Func) Call(arg reflect.Value) (reflect.Value, bool) {
	if f.call == nil {
		return reflect.Value{}, false
	}
	return f.call(arg)
}

// typedCall returns the function call of fn, a function of one argument
// called name, through t, which is fn as a Func.
func typedCall(name string, fn reflect.Value, t Func, args []argFn) valueFn {
	if t.call == nil || fn.Type().NumIn() != 1 || fn.Type().In(0) != t.in || fn.Type().IsVariadic() {
		return nil
	}
	return func(s *state, dot, final reflect.Value, hasFinal bool) (reflect.Value, error) {
		var arg reflect.Value
		var err error
		switch {
		case len(args) == 1 && !hasFinal:
			arg, err = args[0](s, dot, t.in)
		case len(args) == 0 && hasFinal:
			arg, err = validateType(final, t.in)
		default:
			return reflect.Value{}, gaveUp()
		}
		if err != nil {
			return arg, err
		}
		v, ok := t.call(arg)
		if !ok {
			return reflect.Value{}, gaveUp()
		}
		if s.rec != nil {
			s.rec.Read(reflect.Value{}, name, []reflect.Value{arg}, v)
		}
		return v, nil
	}
}
