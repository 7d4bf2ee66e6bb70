package filter

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Resolver returns the values of an attribute of one resource: nil/empty when absent. Multi-valued
// attributes return one value per element; for a complex multi-valued attribute (emails) Values with
// Sub "" returns one map[string]any per element (keys are sub-attribute names), and Values with a Sub
// returns that sub-attribute of every element. Values are string, bool, float64, int64, time.Time,
// map[string]any or nil.
type Resolver interface {
	Values(p AttrPath) []any
}

// MatchOptions tunes Match.
type MatchOptions struct {
	// CaseExact reports whether string comparisons on the attribute are case-sensitive (SCIM's
	// caseExact=true, e.g. id). Nil means every attribute is case-insensitive, SCIM's default.
	// Inside a value path the function sees the full path: members[value eq "x"] asks about
	// members.value.
	CaseExact func(AttrPath) bool
}

// Match reports whether the resource behind r satisfies e, with SCIM's default case-insensitive
// string comparison.
func Match(e Expr, r Resolver) bool { return MatchWith(e, r, MatchOptions{}) }

// MatchWith reports whether the resource behind r satisfies e.
//
// Semantics (RFC 7644 §3.4.2.2): a comparison on a multi-valued attribute holds when any value
// satisfies it, except ne, which holds when no value equals the literal (so ne is true on an
// absent attribute). gt/ge/lt/le compare instants when the value is a time.Time and the literal
// is an RFC 3339 date-time (a literal without a zone is UTC), numbers when both sides are
// numeric, and strings lexically otherwise. A complex value compared directly (emails co "x")
// stands for its "value" sub-attribute. `eq null` holds when the attribute is absent, `ne null`
// when it is present. Comparisons between mismatched types (a boolean with co, a number with a
// string) are false.
func MatchWith(e Expr, r Resolver, o MatchOptions) bool {
	if r == nil {
		return false
	}
	m := matcher{opts: o}
	return m.match(e, r, nil)
}

type matcher struct {
	opts MatchOptions
}

// parent is the multi-valued attribute whose element r stands for, inside a value path.
func (m *matcher) match(e Expr, r Resolver, parent *AttrPath) bool {
	switch e := e.(type) {
	case Compare:
		return m.compare(e, r.Values(e.Path), m.caseExact(e.Path, parent))
	case Present:
		for _, v := range r.Values(e.Path) {
			if nonEmpty(v) {
				return true
			}
		}
		return false
	case And:
		// Walk the left spine in a loop so that a long chain costs no recursion.
		var rights []Expr
		var cur Expr = e
		for {
			a, ok := cur.(And)
			if !ok {
				break
			}
			rights = append(rights, a.Right)
			cur = a.Left
		}
		if !m.match(cur, r, parent) {
			return false
		}
		for i := len(rights) - 1; i >= 0; i-- {
			if !m.match(rights[i], r, parent) {
				return false
			}
		}
		return true
	case Or:
		var rights []Expr
		var cur Expr = e
		for {
			o, ok := cur.(Or)
			if !ok {
				break
			}
			rights = append(rights, o.Right)
			cur = o.Left
		}
		if m.match(cur, r, parent) {
			return true
		}
		for i := len(rights) - 1; i >= 0; i-- {
			if m.match(rights[i], r, parent) {
				return true
			}
		}
		return false
	case Not:
		return !m.match(e.X, r, parent)
	case ValuePath:
		if parent != nil {
			// The parser refuses nested value paths; a hand-built one matches nothing.
			return false
		}
		path := e.Path
		for _, v := range r.Values(e.Path) {
			el, ok := v.(map[string]any)
			if !ok {
				if v == nil {
					continue
				}
				// A simple multi-valued attribute: its elements answer to "value".
				el = map[string]any{"value": v}
			}
			if m.match(e.Filter, MapResolver(el), &path) {
				return true
			}
		}
		return false
	}
	return false
}

func (m *matcher) caseExact(p AttrPath, parent *AttrPath) bool {
	if m.opts.CaseExact == nil {
		return false
	}
	if parent != nil {
		return m.opts.CaseExact(AttrPath{URN: parent.URN, Name: parent.Name, Sub: p.Name})
	}
	return m.opts.CaseExact(p)
}

// MapResolver resolves unqualified paths against a JSON-like map, ignoring case as SCIM attribute
// names do; arrays become several values. It answers the paths inside a value path (against one
// element of the multi-valued attribute) and, for backends, paths into extension attribute maps.
type MapResolver map[string]any

// Values implements Resolver.
func (el MapResolver) Values(p AttrPath) []any {
	if p.URN != "" {
		return nil
	}
	v, ok := lookupFold(el, p.Name)
	if !ok {
		return nil
	}
	if p.Sub == "" {
		return flatten(v)
	}
	var out []any
	for _, x := range flatten(v) {
		if mm, ok := x.(map[string]any); ok {
			if sv, ok := lookupFold(mm, p.Sub); ok {
				out = append(out, flatten(sv)...)
			}
		}
	}
	return out
}

func lookupFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// flatten turns a multi-valued member of an element into its values; one level only, which is
// all SCIM's data model has.
func flatten(v any) []any {
	switch v := v.(type) {
	case []any:
		return v
	case []string:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case []map[string]any:
		out := make([]any, len(v))
		for i, s := range v {
			out[i] = s
		}
		return out
	case nil:
		return nil
	case int:
		return []any{int64(v)} // the numeric types Match compares are int64 and float64
	}
	return []any{v}
}

// nonEmpty is pr's notion of a value: not null, not "", and for a complex value at least one
// non-empty member.
func nonEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case string:
		return v != ""
	case map[string]any:
		for _, x := range v {
			switch x := x.(type) {
			case nil:
			case string:
				if x != "" {
					return true
				}
			case []any:
				if len(x) > 0 {
					return true
				}
			default:
				return true
			}
		}
		return false
	case []any:
		return len(v) > 0
	}
	return true
}

func (m *matcher) compare(c Compare, vals []any, caseExact bool) bool {
	if c.Value.Kind == Null {
		present := false
		for _, v := range vals {
			if nonEmpty(v) {
				present = true
				break
			}
		}
		switch c.Op {
		case Eq:
			return !present
		case Ne:
			return present
		}
		return false
	}
	if c.Op == Ne {
		for _, v := range vals {
			if compareOne(Eq, v, c.Value, caseExact) {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if compareOne(c.Op, v, c.Value, caseExact) {
			return true
		}
	}
	return false
}

// compareOne applies op (not ne, not pr) to one attribute value and the literal.
func compareOne(op Op, v any, lit Value, caseExact bool) bool {
	if mm, ok := v.(map[string]any); ok {
		// RFC 7644 §3.4.2.2: `emails co "example.com"` compares the primary "value".
		x, ok := lookupFold(mm, "value")
		if !ok {
			return false
		}
		if _, nested := x.(map[string]any); nested {
			return false
		}
		v = x
	}
	switch lit.Kind {
	case String:
		switch v := v.(type) {
		case string:
			return compareStrings(op, v, lit.Str, caseExact)
		case time.Time:
			if t, ok := parseTime(lit.Str); ok {
				return ordered(op, v.Compare(t))
			}
			return compareStrings(op, v.UTC().Format(time.RFC3339Nano), lit.Str, true)
		}
		return false
	case Number:
		x, ok := toFloat(v)
		if !ok {
			return false
		}
		if i, isInt := v.(int64); isInt {
			// Compare integers exactly when the literal is an integer: float64 loses precision
			// above 2^53, which ids and employee numbers can exceed.
			if li, err := strconv.ParseInt(lit.Str, 10, 64); err == nil {
				return ordered(op, cmpInt(i, li))
			}
		}
		y, err := strconv.ParseFloat(lit.Str, 64)
		if err != nil || math.IsNaN(x) {
			return false
		}
		return ordered(op, cmpFloat(x, y))
	case Bool:
		b, ok := v.(bool)
		if !ok || (op != Eq) {
			return false
		}
		return b == lit.Bool
	}
	return false
}

func toFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case int64:
		return float64(v), true
	case int:
		return float64(v), true
	case int32:
		return float64(v), true
	case float32:
		return float64(v), true
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// ordered turns a three-way comparison into the result of op. co/sw/ew have no meaning on
// ordered values and are false.
func ordered(op Op, c int) bool {
	switch op {
	case Eq:
		return c == 0
	case Gt:
		return c > 0
	case Ge:
		return c >= 0
	case Lt:
		return c < 0
	case Le:
		return c <= 0
	}
	return false
}

func compareStrings(op Op, a, b string, caseExact bool) bool {
	if !caseExact {
		switch op {
		case Eq:
			return strings.EqualFold(a, b)
		}
		a, b = strings.ToLower(a), strings.ToLower(b)
	}
	switch op {
	case Eq:
		return a == b
	case Co:
		return strings.Contains(a, b)
	case Sw:
		return strings.HasPrefix(a, b)
	case Ew:
		return strings.HasSuffix(a, b)
	}
	return ordered(op, strings.Compare(a, b))
}

// ParseTime reads a filter's date-time literal the way comparisons with meta.created and
// meta.lastModified do: RFC 3339 with Z or a numeric offset, without a zone (UTC: agents before
// 3.0.2 sent no zone), or a bare date (midnight UTC, as the mapping's pushed-down filters read
// it); fractional seconds are optional. The front end uses it to refuse a literal that is no
// time at all, which would otherwise be compared as a string and silently match nothing.
func ParseTime(s string) (time.Time, bool) { return parseTime(s) }

// parseTime is ParseTime.
func parseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len("2006-01-02") || len(s) > 40 {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05", s, time.UTC); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.UTC); err == nil {
		return t, true
	}
	return time.Time{}, false
}
