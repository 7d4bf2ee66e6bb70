package mapping

import (
	"reflect"
	"strings"
)

// exprFieldHint is a did-you-mean for expr's "type T has no field F": the nearest exported field
// of the structure T among the types reachable from env (the record, the request, the user), or
// "". Runtime-built structures have no name, so T is matched by its spelled-out type.
func exprFieldHint(msg string, env map[string]any) string {
	head, rest, ok := strings.Cut(msg, " has no field ")
	if !ok || !strings.HasPrefix(head, "type ") {
		return ""
	}
	want := strings.TrimPrefix(head, "type ")
	field, _, _ := strings.Cut(rest, " ")
	seen := map[reflect.Type]bool{}
	var found reflect.Type
	var walk func(t reflect.Type, depth int)
	walk = func(t reflect.Type, depth int) {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if found != nil || t == nil || t.Kind() != reflect.Struct || seen[t] || depth > 8 {
			return
		}
		seen[t] = true
		if t.String() == want {
			found = t
			return
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() {
				walk(f.Type, depth+1)
			}
		}
	}
	for _, v := range env {
		if v != nil {
			walk(reflect.TypeOf(v), 0)
		}
	}
	if found == nil {
		return ""
	}
	return didYouMean(field, exportedFields(found))
}
