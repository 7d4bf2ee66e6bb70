package mapping

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hooklift/gowsdl/soap"
)

// This file moves values between expressions and the generated structs: field paths checked at
// compile time, setters that allocate what they pass through, and conversions between the few
// kinds of values gowsdl generates (strings, *bool, int32/int64/float64, slices, nested struct
// pointers and soap.XSDDateTime) and the JSON-like values the neutral model uses.

var (
	xsdDateTimeType = reflect.TypeOf(soap.XSDDateTime{})
	timeType        = reflect.TypeOf(time.Time{})
)

// fieldPath is a checked dotted path of struct fields, as reflect field indexes per level.
type fieldPath struct {
	text string
	idx  [][]int
	leaf reflect.Type
	// maxLen is the leaf field's schema limit in characters (its xs:maxLength), 0 for none.
	maxLen int
}

// exportedFields lists the settable field names of a struct type, for did-you-mean.
func exportedFields(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.IsExported() && f.Name != "XMLName" {
			names = append(names, f.Name)
		}
	}
	sort.Strings(names)
	return names
}

// resolvePath checks a dotted field path against a struct type. Intermediate levels may be
// structs or pointers to structs; names are Go field names, matched exactly.
func resolvePath(t reflect.Type, path string) (fieldPath, error) {
	fp := fieldPath{text: path}
	cur := t
	var sofar []string
	for _, name := range strings.Split(path, ".") {
		for cur.Kind() == reflect.Pointer {
			cur = cur.Elem()
		}
		if cur.Kind() != reflect.Struct {
			return fp, fmt.Errorf("%s is not a structure, it has no field %q", cur, name)
		}
		f, ok := cur.FieldByName(name)
		if !ok || !f.IsExported() || name == "XMLName" {
			return fp, fmt.Errorf("%s has no field %q%s", typeLabel(cur, strings.Join(sofar, ".")), name, didYouMean(name, exportedFields(cur)))
		}
		if len(f.Index) > 1 {
			// A promoted field goes through an embedded (possibly nil) pointer; v0 keeps to
			// the plain fields gowsdl generates.
			return fp, fmt.Errorf("%s.%s is promoted from an embedded field, which is not supported", typeLabel(cur, strings.Join(sofar, ".")), name)
		}
		fp.idx = append(fp.idx, f.Index)
		sofar = append(sofar, name)
		cur = f.Type
		fp.maxLen = tagMaxLength(f.Tag)
	}
	fp.leaf = cur
	return fp, nil
}

// set assigns val to the path inside root (an addressable struct). Pointers to structs on the
// way are allocated when nil and copied when not (copy-on-write), so that a record copied for
// read-merge-write never shares a modified sub-record with the record it was copied from.
func (fp fieldPath) set(root reflect.Value, val any) error {
	cur := root
	for i, idx := range fp.idx {
		for cur.Kind() == reflect.Pointer {
			cp := reflect.New(cur.Type().Elem())
			if !cur.IsNil() {
				cp.Elem().Set(cur.Elem())
			}
			cur.Set(cp)
			cur = cur.Elem()
		}
		cur = cur.FieldByIndex(idx)
		if i == len(fp.idx)-1 {
			if err := assign(cur, val); err != nil {
				return fmt.Errorf("%s: %w", fp.text, err)
			}
		}
	}
	return nil
}

// clear sets the path to its zero value, if the structs on the way exist.
func (fp fieldPath) clear(root reflect.Value) {
	cur := root
	for i, idx := range fp.idx {
		for cur.Kind() == reflect.Pointer {
			if cur.IsNil() {
				return
			}
			cp := reflect.New(cur.Type().Elem())
			cp.Elem().Set(cur.Elem())
			cur.Set(cp)
			cur = cur.Elem()
		}
		cur = cur.FieldByIndex(idx)
		if i == len(fp.idx)-1 {
			cur.Set(reflect.Zero(cur.Type()))
		}
	}
}

// assign converts val to dst's type and stores it. nil stores the zero value. Conversions are
// the ones a mapping author expects (a SCIM boolean into *bool, a number into int32, a time
// into soap.XSDDateTime, a scalar into a string); anything else is an error naming both types.
func assign(dst reflect.Value, val any) error {
	if val == nil {
		dst.Set(reflect.Zero(dst.Type()))
		return nil
	}
	t := dst.Type()
	rv := reflect.ValueOf(val)
	if rv.Type().AssignableTo(t) {
		dst.Set(rv)
		return nil
	}
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			dst.Set(reflect.Zero(t))
			return nil
		}
		return assign(dst, rv.Elem().Interface())
	}
	switch {
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := assign(p.Elem(), val); err != nil {
			return err
		}
		dst.Set(p)
		return nil
	case t == xsdDateTimeType:
		tm, err := toTime(val)
		if err != nil {
			return err
		}
		if tm.IsZero() {
			dst.Set(reflect.Zero(t))
			return nil
		}
		dst.Set(reflect.ValueOf(soap.CreateXsdDateTime(tm.UTC(), true)))
		return nil
	case t == timeType:
		tm, err := toTime(val)
		if err != nil {
			return err
		}
		dst.Set(reflect.ValueOf(tm))
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := scalarString(val)
		if !ok {
			return fmt.Errorf("cannot use %s as a string", describe(val))
		}
		dst.SetString(s)
	case reflect.Bool:
		switch v := val.(type) {
		case bool:
			dst.SetBool(v)
		case string:
			b, err := strconv.ParseBool(strings.ToLower(strings.TrimSpace(v)))
			if err != nil {
				return fmt.Errorf("cannot use the string %q as a boolean", v)
			}
			dst.SetBool(b)
		default:
			return fmt.Errorf("cannot use %s as a boolean", describe(val))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := toInt(val)
		if err != nil {
			return err
		}
		if dst.OverflowInt(n) {
			return fmt.Errorf("the number %d does not fit in %s", n, t)
		}
		dst.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := toInt(val)
		if err != nil {
			return err
		}
		if n < 0 || dst.OverflowUint(uint64(n)) {
			return fmt.Errorf("the number %d does not fit in %s", n, t)
		}
		dst.SetUint(uint64(n))
	case reflect.Float32, reflect.Float64:
		f, err := toFloat(val)
		if err != nil {
			return err
		}
		dst.SetFloat(f)
	case reflect.Slice:
		src := reflect.ValueOf(val)
		if src.Kind() != reflect.Slice && src.Kind() != reflect.Array {
			return fmt.Errorf("cannot use %s as a list", describe(val))
		}
		out := reflect.MakeSlice(t, src.Len(), src.Len())
		for i := 0; i < src.Len(); i++ {
			if err := assign(out.Index(i), src.Index(i).Interface()); err != nil {
				return fmt.Errorf("element %d: %w", i, err)
			}
		}
		dst.Set(out)
	case reflect.Struct:
		m, ok := val.(map[string]any)
		if !ok {
			return fmt.Errorf("cannot use %s as %s", describe(val), t)
		}
		return assignStruct(dst, m)
	default:
		if rv.Type().ConvertibleTo(t) && rv.Kind() == t.Kind() {
			dst.Set(rv.Convert(t))
			return nil
		}
		return fmt.Errorf("cannot use %s as %s", describe(val), t)
	}
	return nil
}

func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case time.Time:
		return "a time"
	}
	return fmt.Sprintf("a value of type %T", v)
}

func scalarString(v any) (string, bool) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), true
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64), true
	}
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339), true
	}
	return "", false
}

func toInt(v any) (int64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return 0, fmt.Errorf("the number %d is too large", rv.Uint())
		}
		return int64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if f != math.Trunc(f) || f > math.MaxInt64 || f < math.MinInt64 {
			return 0, fmt.Errorf("the number %v is not a whole number in range", f)
		}
		return int64(f), nil
	case reflect.String:
		n, err := strconv.ParseInt(strings.TrimSpace(rv.String()), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("the string %q is not a whole number", rv.String())
		}
		return n, nil
	}
	return 0, fmt.Errorf("cannot use %s as a number", describe(v))
}

func toFloat(v any) (float64, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
		if err != nil {
			return 0, fmt.Errorf("the string %q is not a number", rv.String())
		}
		return f, nil
	}
	return 0, fmt.Errorf("cannot use %s as a number", describe(v))
}

// toTime accepts a time.Time, a soap.XSDDateTime or an RFC 3339 string.
func toTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case soap.XSDDateTime:
		return xsdTime(t), nil
	case *soap.XSDDateTime:
		if t == nil {
			return time.Time{}, nil
		}
		return xsdTime(*t), nil
	case string:
		return parseTimeString(t)
	}
	return time.Time{}, fmt.Errorf("cannot use %s as a time", describe(v))
}

// xsdTime reads a soap.XSDDateTime; the zero value stays the zero time (ToGoTime would move
// it into the local zone, which is no longer IsZero).
func xsdTime(x soap.XSDDateTime) time.Time {
	if x == (soap.XSDDateTime{}) {
		return time.Time{}
	}
	return x.ToGoTime()
}

// parseTimeString parses RFC 3339 with or without a zone (no zone means UTC, as the Okta
// agent's older versions sent local times without one and UTC is the documented assumption).
func parseTimeString(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("the string %q is not an RFC 3339 time", s)
}

// plain turns what an expression returned into a JSON-like value: pointers are followed (nil
// is nil), named string and number types become string, int64 and float64, times become
// time.Time (the zero XSDDateTime is nil: "unknown"), slices become []any and maps
// map[string]any. Structs stay as they are (records handed on to toSCIM).
func plain(v any) any {
	if v == nil {
		return nil
	}
	switch t := v.(type) {
	case string, bool, int64, float64, map[string]any:
		return v
	case time.Time:
		if t.IsZero() {
			return nil
		}
		return t
	case soap.XSDDateTime:
		tm := xsdTime(t)
		if tm.IsZero() {
			return nil
		}
		return tm
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = plain(e)
		}
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
		return plain(rv.Elem().Interface())
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return rv.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if rv.Uint() > math.MaxInt64 {
			return float64(rv.Uint())
		}
		return int64(rv.Uint())
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			return v // []byte stays bytes
		}
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plain(rv.Index(i).Interface())
		}
		return out
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			return v
		}
		out := make(map[string]any, rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			out[iter.Key().String()] = plain(iter.Value().Interface())
		}
		return out
	}
	return v
}

// assignStruct fills a generated struct from a map (e.g. one element of kvList): keys are Go
// field names, matched exactly or else case-insensitively; a key the struct lacks is an error.
func assignStruct(dst reflect.Value, m map[string]any) error {
	t := dst.Type()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f, ok := t.FieldByName(k)
		if !ok {
			f, ok = t.FieldByNameFunc(func(n string) bool { return strings.EqualFold(n, k) })
		}
		if !ok || !f.IsExported() || len(f.Index) != 1 || f.Name == "XMLName" {
			return fmt.Errorf("%s has no field %q%s", t.Name(), k, didYouMean(k, exportedFields(t)))
		}
		if err := assign(dst.Field(f.Index[0]), m[k]); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}
