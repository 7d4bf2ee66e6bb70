package mapping

import (
	"reflect"

	"github.com/expr-lang/expr/vm"
	"github.com/expr-lang/expr/vm/runtime"
)

// access is a plain access path — a name, then struct fields and map keys: `rec.Login`,
// `resp.Employee`, `user.name.givenName`, `id` — read without expr's virtual machine. Most
// expressions of a mapping file are such paths (docs/benchmarks.md), and running a VM for each
// costs more than the read itself.
//
// It is derived from the bytecode expr compiled, not from the source, so it reads exactly what
// the VM would (the struct field expr resolved at compile time, or a map key), and it gives up
// (ok false) wherever the VM would do anything else — a nil or mistyped value, which the VM
// reports as an error, or a map with methods — so that the caller runs the VM and its semantics
// and error messages stay the only ones.
type access struct {
	root  string
	steps []accessStep
}

// accessStep is one struct field (field set; expr's OpFetchField) or one map key (expr's OpPush
// of a string followed by OpFetch).
type accessStep struct {
	field []int
	key   string
}

// plainAccess returns the access path p's bytecode amounts to, or nil.
func plainAccess(p *vm.Program) *access {
	if p == nil || len(p.Bytecode) == 0 || len(p.Bytecode) != len(p.Arguments) {
		return nil
	}
	constant := func(i int) any {
		a := p.Arguments[i]
		if a < 0 || a >= len(p.Constants) {
			return nil
		}
		return p.Constants[a]
	}
	root, ok := constant(0).(string)
	if p.Bytecode[0] != vm.OpLoadFast || !ok {
		return nil
	}
	a := &access{root: root}
	for i := 1; i < len(p.Bytecode); i++ {
		switch p.Bytecode[i] {
		case vm.OpFetchField:
			f, ok := constant(i).(*runtime.Field)
			if !ok || len(f.Index) == 0 {
				return nil
			}
			a.steps = append(a.steps, accessStep{field: f.Index})
		case vm.OpPush:
			key, ok := constant(i).(string)
			if !ok || i+1 >= len(p.Bytecode) || p.Bytecode[i+1] != vm.OpFetch {
				return nil
			}
			a.steps = append(a.steps, accessStep{key: key})
			i++
		default:
			return nil
		}
	}
	return a
}

// get reads the path in env; ok is false where the VM must run instead (see access).
func (a *access) get(env map[string]any) (v any, ok bool) {
	v = env[a.root] // OpLoadFast
	for _, s := range a.steps {
		if s.field == nil {
			// runtime.Fetch on a map[string]any: the value, or nil for a missing key (the
			// zero value of the element type), also on a nil map.
			m, isMap := v.(map[string]any)
			if !isMap {
				return nil, false
			}
			v = m[s.key]
			continue
		}
		// runtime.FetchField: one indirection, then the field index path expr resolved.
		rv := reflect.ValueOf(v)
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil, false
			}
			rv = rv.Elem()
		}
		for i, x := range s.field {
			if i > 0 && rv.Kind() == reflect.Pointer {
				if rv.IsNil() {
					return nil, false
				}
				rv = rv.Elem()
			}
			if rv.Kind() != reflect.Struct || x < 0 || x >= rv.NumField() {
				return nil, false
			}
			rv = rv.Field(x)
		}
		if !rv.CanInterface() {
			return nil, false
		}
		v = rv.Interface()
	}
	return v, true
}

// getString reads the path in env where it ends in a string (or a pointer to one), as the
// toSCIM setters of string attributes would take it after plain: the string's contents, "" for a
// nil pointer. It is get without boxing the string into an interface, which cost an allocation
// per attribute of every record; ok is false wherever get's path must be taken instead.
func (a *access) getString(env map[string]any) (s string, ok bool) {
	if len(a.steps) == 0 || a.steps[len(a.steps)-1].field == nil {
		return "", false
	}
	prefix := access{root: a.root, steps: a.steps[:len(a.steps)-1]}
	v, ok := prefix.get(env)
	if !ok {
		return "", false
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", false
		}
		rv = rv.Elem()
	}
	for i, x := range a.steps[len(a.steps)-1].field {
		if i > 0 && rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return "", false
			}
			rv = rv.Elem()
		}
		if rv.Kind() != reflect.Struct || x < 0 || x >= rv.NumField() {
			return "", false
		}
		rv = rv.Field(x)
	}
	if !rv.CanInterface() {
		return "", false
	}
	if rv.Kind() == reflect.Pointer && rv.Type().Elem().Kind() == reflect.String {
		if rv.IsNil() {
			return "", true
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.String {
		return "", false
	}
	return rv.String(), true
}
