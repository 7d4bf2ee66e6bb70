package mapping

import (
	"reflect"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// Sorting pushed down (docs/mapping.md#sort). users.sort and groups.sort say which attributes
// the list operation sorts by and through which request fields; an unfiltered listing the front
// end asks to sort by one of them (backend.Query.SortBy) sends the application's value for it
// and the direction, and pages as usual. The front end sorts every other listing itself.

// The environment names a sorted listing carries: they reach the request through the step's
// sorting, and make the listing's snapshot and page keys differ from the unsorted one's.
const (
	envSortBy   = "$sortBy"
	envSortDesc = "$sortDescending"
)

// sorting is a compiled sort block.
type sorting struct {
	by    map[string]string // lower-case attribute → the application's value
	attrs []string          // as written, for Capabilities
	field fieldPath
	order *fieldPath // always set once compiled
	// asc and desc are order's values; a bool order field is true for descending.
	asc, desc string
}

// apply sets the sort fields of a list request from env; nothing when env asks no sort.
func (s *sorting) apply(req reflect.Value, env map[string]any) error {
	by, ok := env[envSortBy].(string)
	if !ok {
		return nil
	}
	if err := s.field.set(req, by); err != nil {
		return err
	}
	desc, _ := env[envSortDesc].(bool)
	if deref(s.order.leaf).Kind() == reflect.Bool {
		return s.order.set(req, desc)
	}
	if desc {
		return s.order.set(req, s.desc)
	}
	return s.order.set(req, s.asc)
}

// sortEnv is the environment of a listing sorted by q, or of an unsorted one when the mapping
// does not sort by q.SortBy.
func sortEnv(s *sorting, q backend.Query) map[string]any {
	if s == nil || q.SortBy == "" {
		return map[string]any{}
	}
	v, ok := s.by[strings.ToLower(q.SortBy)]
	if !ok {
		return map[string]any{}
	}
	return map[string]any{envSortBy: v, envSortDesc: q.SortDescending}
}

// sorting compiles a sort block for the list operation list; attrs are the attributes toSCIM
// gives, which are the ones a client can sort by.
func (c *compiler) sorting(s *Sort, what string, list operation, attrs []string) *sorting {
	if s == nil {
		return nil
	}
	w := what + ".sort"
	if len(list) == 0 || list.last() == nil {
		c.ps.add(s.At, "%s: needs %s.list (the operation that sorts)", w, what)
		return nil
	}
	st := list.last()
	out := &sorting{by: map[string]string{}, asc: s.Ascending.Value, desc: s.Descending.Value}
	ok := true
	if len(s.By) == 0 {
		c.ps.add(s.At, "%s.by: required (each attribute the application sorts by, and its name for it)", w)
		ok = false
	}
	for _, en := range s.By {
		attr := en.Key.Value
		if !containsString(attrs, attr) {
			c.ps.add(en.Key.At, "%s.by.%s: %q is not an attribute %s.toSCIM gives%s", w, attr, attr, what, didYouMean(attr, attrs))
			ok = false
			continue
		}
		if strings.TrimSpace(en.Value.Value) == "" {
			c.ps.add(en.Value.At, "%s.by.%s: give the application's name for this sort key", w, attr)
			ok = false
			continue
		}
		out.by[strings.ToLower(attr)] = en.Value.Value
		out.attrs = append(out.attrs, attr)
	}
	if !s.Field.Set() {
		c.ps.add(s.At, "%s.field: required (the request field of %s that receives the sort key)", w, st.call)
		ok = false
	} else if fp, err := resolvePath(st.req, s.Field.Value); err != nil {
		c.ps.add(s.Field.At, "%s.field: %v", w, err)
		ok = false
	} else if deref(fp.leaf).Kind() != reflect.String {
		c.ps.add(s.Field.At, "%s.field: %s is a %s; the sort key is text", w, s.Field.Value, fp.leaf)
		ok = false
	} else {
		out.field = fp
	}
	if !s.Order.Set() {
		c.ps.add(s.At, "%s.order: required (the request field of %s that receives the direction)", w, st.call)
		ok = false
	} else if fp, err := resolvePath(st.req, s.Order.Value); err != nil {
		c.ps.add(s.Order.At, "%s.order: %v", w, err)
		ok = false
	} else {
		switch k := deref(fp.leaf).Kind(); {
		case k == reflect.Bool:
			out.order = &fp // true for descending
		case k != reflect.String:
			c.ps.add(s.Order.At, "%s.order: %s is a %s; give a text or boolean field", w, s.Order.Value, fp.leaf)
			ok = false
		case !s.Ascending.Set() || !s.Descending.Set():
			c.ps.add(s.Order.At, "%s: a text order field needs ascending and descending (the values the application takes)", w)
			ok = false
		default:
			out.order = &fp
		}
	}
	if !ok {
		return nil
	}
	st.sort = out
	return out
}

// sortable lists the attributes a sorting pushes down, for Capabilities.
func sortable(s *sorting) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s.attrs...)
}
