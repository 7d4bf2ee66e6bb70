package restclient

import (
	"fmt"
	"reflect"
	"strings"
	"time"
	"unicode"
)

// typeDesc is a JSON type as a definition declares it (the rest: block's type language or an
// OpenAPI schema): a scalar, a list or an object. Compile turns it into a Go type with
// reflect.StructOf, so that the mapping engine checks field paths and expressions against it
// exactly as against a generated SOAP struct.
type typeDesc struct {
	kind   string // string, int, number, bool, time, any, list, object
	elem   *typeDesc
	fields []fieldDesc // object, in declared order
	name   string      // a named type's name, for messages
}

type fieldDesc struct {
	json string
	t    *typeDesc
}

var scalarKinds = []string{"string", "int", "number", "bool", "time", "any"}

var (
	stringType = reflect.TypeOf("")
	intType    = reflect.TypeOf(int64(0))
	numberType = reflect.TypeOf(float64(0))
	boolType   = reflect.TypeOf(false)
	timeType   = reflect.TypeOf(time.Time{})
	anyType    = reflect.TypeOf((*any)(nil)).Elem()
)

func scalarType(kind string) reflect.Type {
	switch kind {
	case "string":
		return stringType
	case "int":
		return intType
	case "number":
		return numberType
	case "bool":
		return boolType
	case "time":
		return timeType
	}
	return anyType
}

// maxTypeDepth bounds how deeply types nest; JSON APIs nest a few levels.
const maxTypeDepth = 20

// goType is the type of a field holding t: scalars and objects behind pointers, so that an
// absent value (nil) differs from a zero one and is left out of a request body (omitempty);
// lists as slices, objects in lists behind pointers (as gowsdl generates them).
func goType(t *typeDesc, depth int) (reflect.Type, error) {
	if depth > maxTypeDepth {
		return nil, fmt.Errorf("types nest more than %d levels deep", maxTypeDepth)
	}
	switch t.kind {
	case "list":
		et, err := goType(t.elem, depth+1)
		if err != nil {
			return nil, err
		}
		if t.elem.kind != "object" && t.elem.kind != "list" && et.Kind() == reflect.Pointer {
			et = et.Elem() // []string, not []*string
		}
		return reflect.SliceOf(et), nil
	case "object":
		st, err := structType(t, depth)
		if err != nil {
			return nil, err
		}
		return reflect.PointerTo(st), nil
	case "any":
		return anyType, nil
	}
	return reflect.PointerTo(scalarType(t.kind)), nil
}

// structType builds the struct of an object type: one field per member, named GoName(member),
// tagged with the member's JSON name.
func structType(t *typeDesc, depth int) (reflect.Type, error) {
	fields := make([]reflect.StructField, 0, len(t.fields))
	seen := map[string]string{}
	for _, f := range t.fields {
		name := GoName(f.json)
		if other, dup := seen[name]; dup {
			return nil, fmt.Errorf("members %q and %q both become the Go field %s", other, f.json, name)
		}
		seen[name] = f.json
		ft, err := goType(f.t, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f.json, err)
		}
		fields = append(fields, reflect.StructField{
			Name: name,
			Type: ft,
			Tag:  reflect.StructTag(fmt.Sprintf(`json:"%s,omitempty"`, f.json)),
		})
	}
	return reflect.StructOf(fields), nil
}

// GoName is the Go field name of a JSON member or parameter: its words (split at '_', '-', '.',
// spaces and other non-identifier characters) capitalised and joined, so `total_count` is
// TotalCount, `user_id` UserId and `X-Total-Count` XTotalCount. A name starting with a digit gets
// an F in front.
func GoName(s string) string {
	var b strings.Builder
	up := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			up = true
			continue
		}
		if up {
			r = unicode.ToUpper(r)
			up = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if out == "" {
		return "F"
	}
	if first := []rune(out)[0]; unicode.IsDigit(first) || !unicode.IsUpper(first) {
		// Letters without case (CJK) cannot be exported either.
		out = "F" + out
	}
	return out
}
