package mapping

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Function is one function of the expression library: its implementation and, optionally,
// signatures (values of func types such as new(func(string) string)) that expr uses to check
// calls at compile time.
type Function struct {
	Fn    func(args ...any) (any, error)
	Types []any
	// Doc is the one-line description shown in docs/mapping.md.
	Doc string
}

// Functions returns the standard function library, a fresh map each time so that callers may
// add to it or remove from it before passing it in Options. Nothing is registered globally.
func Functions() map[string]Function {
	fns := map[string]Function{
		"primaryEmail": {Fn: func(a ...any) (any, error) { return primaryOf(a[0], "emails") }, Types: []any{new(func(map[string]any) any)},
			Doc: "the value of the user's primary email (or its first one), nil when none"},
		"secondaryEmail": {Fn: func(a ...any) (any, error) { return secondaryOf(a[0], "emails") }, Types: []any{new(func(map[string]any) any)},
			Doc: "the value of the first email that is not the one primaryEmail returns, nil when none"},
		"primaryPhone": {Fn: func(a ...any) (any, error) { return primaryOf(a[0], "phoneNumbers") }, Types: []any{new(func(map[string]any) any)},
			Doc: "the value of the user's primary phone number (or its first one), nil when none"},
		"emailOfType": {Fn: emailOfType, Types: []any{new(func(map[string]any, string) any)},
			Doc: "the value of the user's first email of the given type (case-insensitive), nil when none"},
		"lower": {Fn: stringFn(strings.ToLower), Types: []any{new(func(any) any)},
			Doc: "lower-cases a string; nil stays nil"},
		"upper": {Fn: stringFn(strings.ToUpper), Types: []any{new(func(any) any)},
			Doc: "upper-cases a string; nil stays nil"},
		"trim": {Fn: stringFn(strings.TrimSpace), Types: []any{new(func(any) any)},
			Doc: "removes leading and trailing white space; nil stays nil"},
		"join": {Fn: join, Types: []any{new(func([]any, string) string)},
			Doc: "joins the non-nil elements of a list with a separator"},
		"split": {Fn: split, Types: []any{new(func(any, string) []any)},
			Doc: "splits a string at a separator; nil gives an empty list"},
		"default": {Fn: func(a ...any) (any, error) {
			if empty(a[0]) {
				return a[1], nil
			}
			return a[0], nil
		}, Types: []any{new(func(any, any) any)},
			Doc: "its first argument unless that is nil or \"\", else its second"},
		"parseTime": {Fn: func(a ...any) (any, error) {
			if empty(a[0]) {
				return nil, nil
			}
			return toTime(a[0])
		}, Types: []any{new(func(any) any)},
			Doc: "parses an RFC 3339 time (no zone means UTC); nil or \"\" gives nil"},
		"kvMap": {Fn: kvMap, Types: []any{new(func(any, string, string) map[string]any)},
			Doc: "turns a list of key/value records (e.g. WSO2 claims) into a map: kvMap(resp.Return_, \"ClaimUri\", \"Value\")"},
		"kvList": {Fn: kvList, Types: []any{new(func(map[string]any, string, string) []any)},
			Doc: "turns a map into a list of {keyField: key, valueField: value} for a request, sorted by key, leaving out nil and \"\" values"},
		"formatTime": {Fn: formatTime, Types: []any{new(func(any, string) any)},
			Doc: "formats a time with a Go layout (e.g. \"2006-01-02\"), in UTC; nil gives nil"},
	}
	for n, f := range xpathFunctions() {
		fns[n] = f
	}
	return fns
}

func empty(v any) bool {
	if v == nil {
		return true
	}
	s, ok := v.(string)
	return ok && s == ""
}

func stringFn(f func(string) string) func(a ...any) (any, error) {
	return func(a ...any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		s, ok := scalarString(plain(a[0]))
		if !ok {
			return nil, fmt.Errorf("expected a string, got %s", describe(a[0]))
		}
		return f(s), nil
	}
}

// multi returns the elements of a multi-valued attribute of a SCIM-shaped user map.
func multi(user any, attr string) ([]map[string]any, error) {
	if user == nil {
		return nil, nil
	}
	m, ok := user.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("expected the user, got %s", describe(user))
	}
	list, _ := m[attr].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if em, ok := e.(map[string]any); ok {
			if s, _ := em["value"].(string); s != "" {
				out = append(out, em)
			}
		}
	}
	return out, nil
}

func primaryIndex(list []map[string]any) int {
	for i, e := range list {
		if p, _ := e["primary"].(bool); p {
			return i
		}
	}
	if len(list) > 0 {
		return 0
	}
	return -1
}

func primaryOf(user any, attr string) (any, error) {
	list, err := multi(user, attr)
	if err != nil {
		return nil, err
	}
	if i := primaryIndex(list); i >= 0 {
		return list[i]["value"], nil
	}
	return nil, nil
}

func secondaryOf(user any, attr string) (any, error) {
	list, err := multi(user, attr)
	if err != nil {
		return nil, err
	}
	p := primaryIndex(list)
	for i, e := range list {
		if i != p {
			return e["value"], nil
		}
	}
	return nil, nil
}

func emailOfType(a ...any) (any, error) {
	list, err := multi(a[0], "emails")
	if err != nil {
		return nil, err
	}
	want, _ := a[1].(string)
	for _, e := range list {
		if t, _ := e["type"].(string); strings.EqualFold(t, want) {
			return e["value"], nil
		}
	}
	return nil, nil
}

func join(a ...any) (any, error) {
	list, _ := a[0].([]any)
	sep, _ := a[1].(string)
	parts := make([]string, 0, len(list))
	for _, e := range list {
		if e == nil {
			continue
		}
		s, ok := scalarString(plain(e))
		if !ok {
			return nil, fmt.Errorf("join: cannot use %s as a string", describe(e))
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, sep), nil
}

func split(a ...any) (any, error) {
	if empty(a[0]) {
		return []any{}, nil
	}
	s, ok := a[0].(string)
	if !ok {
		return nil, fmt.Errorf("split: expected a string, got %s", describe(a[0]))
	}
	sep, _ := a[1].(string)
	if sep == "" {
		return nil, errors.New("split: the separator is empty")
	}
	parts := strings.Split(s, sep)
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out, nil
}

func formatTime(a ...any) (any, error) {
	if empty(a[0]) {
		return nil, nil
	}
	p := plain(a[0])
	if p == nil {
		return nil, nil
	}
	t, err := toTime(p)
	if err != nil {
		return nil, err
	}
	if t.IsZero() {
		return nil, nil
	}
	layout, _ := a[1].(string)
	return t.UTC().Format(layout), nil
}

// field reads a named field of a struct (pointers followed) or a key of a map, as plain value.
func field(e any, name string) any {
	if m, ok := e.(map[string]any); ok {
		return plain(m[name])
	}
	rv := reflect.ValueOf(e)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() || rv.Kind() != reflect.Struct {
		return nil
	}
	f := rv.FieldByName(name)
	if !f.IsValid() || !f.CanInterface() {
		return nil
	}
	return plain(f.Interface())
}

func kvMap(a ...any) (any, error) {
	keyField, _ := a[1].(string)
	valField, _ := a[2].(string)
	out := map[string]any{}
	if a[0] == nil {
		return out, nil
	}
	rv := reflect.ValueOf(a[0])
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("kvMap: expected a list, got %s", describe(a[0]))
	}
	for i := 0; i < rv.Len(); i++ {
		e := rv.Index(i).Interface()
		k, ok := scalarString(field(e, keyField))
		if !ok || k == "" {
			continue
		}
		if v := field(e, valField); v != nil {
			out[k] = v
		}
	}
	return out, nil
}

func kvList(a ...any) (any, error) {
	m, _ := a[0].(map[string]any)
	keyField, _ := a[1].(string)
	valField, _ := a[2].(string)
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if !empty(v) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{keyField: k, valField: m[k]})
	}
	return out, nil
}
