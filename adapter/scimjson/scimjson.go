package scimjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ScimType is an RFC 7644 §3.12 scimType: the machine-readable kind of a 400 (or 409) answer.
type ScimType string

// The RFC 7644 §3.12 scimTypes the bridge uses.
const (
	InvalidFilter ScimType = "invalidFilter"
	TooMany       ScimType = "tooMany"
	Uniqueness    ScimType = "uniqueness"
	Mutability    ScimType = "mutability"
	InvalidSyntax ScimType = "invalidSyntax"
	InvalidPath   ScimType = "invalidPath"
	NoTarget      ScimType = "noTarget"
	InvalidValue  ScimType = "invalidValue"
	InvalidVers   ScimType = "invalidVers"
	Sensitive     ScimType = "sensitive"
)

// Error is a client body that cannot be understood. Its message is safe to show to the client:
// it names the attribute and the problem, never the value (which may be a password).
type Error struct {
	ScimType ScimType
	Msg      string
}

func (e *Error) Error() string { return e.Msg }

// Errorf returns an *Error of type t.
func Errorf(t ScimType, format string, args ...any) error {
	return &Error{ScimType: t, Msg: fmt.Sprintf(format, args...)}
}

// MaxDepth bounds nesting in request bodies: encoding/json recurses, and no SCIM resource is
// deeper than a handful of levels.
const MaxDepth = 64

// Parse decodes a request body that must be one JSON object into generic values, with
// json.Number for numbers. A UTF-8 byte order mark (sent by some Windows clients) is skipped.
// what names the body in messages ("user", "group", "PatchOp").
func Parse(data []byte, what string) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		// Decoding would turn the bad bytes into U+FFFD and store a name nobody sent.
		return nil, Errorf(InvalidValue, "the %s body is not valid UTF-8", what)
	}
	if d := depth(data); d > MaxDepth {
		return nil, Errorf(InvalidSyntax, "the %s body nests deeper than %d levels", what, MaxDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, Errorf(InvalidSyntax, "the %s body is not valid JSON (error at byte offset %d)", what, syn.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, Errorf(InvalidSyntax, "the %s body is empty or truncated", what)
		default:
			return nil, Errorf(InvalidSyntax, "the %s body is not valid JSON", what)
		}
	}
	if dec.More() {
		return nil, Errorf(InvalidSyntax, "the %s body has data after the JSON object", what)
	}
	switch t := v.(type) {
	case map[string]any:
		return t, nil
	case nil:
		return nil, Errorf(InvalidSyntax, "the %s body must be a JSON object, not null", what)
	default:
		return nil, Errorf(InvalidSyntax, "the %s body must be a JSON object, got a JSON %s", what, kind(v))
	}
}

func kind(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	}
	return "value"
}

// depth returns the maximum bracket nesting of data, ignoring brackets inside strings.
func depth(data []byte) int {
	d, maxD, inStr, esc := 0, 0, false, false
	for _, c := range data {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			d++
			maxD = max(maxD, d)
		case c == '}' || c == ']':
			d--
		}
	}
	return maxD
}

// Lower returns m with lower-cased keys, and the original spelling of each. Keys that differ only
// by case resolve deterministically (the last in sorted order wins).
func Lower(m map[string]any) (map[string]any, map[string]string) {
	out := make(map[string]any, len(m))
	orig := make(map[string]string, len(m))
	for _, k := range SortedKeys(m) {
		lk := strings.ToLower(k)
		out[lk] = m[k]
		orig[lk] = k
	}
	return out, orig
}

// SortedKeys returns the keys of m in order, so that everything decided by iterating an object is
// stable.
func SortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// FindKey returns the key of m equal to name ignoring case, preferring an exact match.
func FindKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for _, k := range SortedKeys(m) {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

// Str reads a string attribute. Numbers and booleans are accepted as their text (an employee
// number typed as a number in Okta still means the same text); null is "".
func Str(v any, attr string) (string, error) {
	switch t := v.(type) {
	case nil:
		return "", nil
	case string:
		return t, nil
	case json.Number:
		return t.String(), nil
	case bool:
		return strconv.FormatBool(t), nil
	}
	return "", Errorf(InvalidValue, "attribute %q must be a string", attr)
}

// Bool reads a boolean attribute; the strings "true"/"false" in any case are accepted too
// (Microsoft Entra sends `"value":"False"`). null is false.
func Bool(v any, attr string) (bool, error) {
	switch t := v.(type) {
	case nil:
		return false, nil
	case bool:
		return t, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, Errorf(InvalidValue, "attribute %q must be a boolean (true or false)", attr)
}

// Array reads an array attribute; null is an empty one.
func Array(v any, attr string) ([]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return t, nil
	}
	return nil, Errorf(InvalidValue, "attribute %q must be an array", attr)
}

// Object reads an object attribute with lower-cased keys; null is nil.
func Object(v any, attr string) (map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		m, _ := Lower(t)
		return m, nil
	}
	return nil, Errorf(InvalidValue, "attribute %q must be an object", attr)
}

// Normalise turns json.Number into int64 when integral and in range, else float64 (or its text
// when out of range), recursively, so that extension values use the types the backend model
// documents. It copies containers, so the result never aliases the input.
func Normalise(x any) any {
	switch v := x.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, err := v.Float64()
		if err != nil || math.IsInf(f, 0) {
			return v.String()
		}
		return f
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = Normalise(v[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k := range v {
			out[k] = Normalise(v[k])
		}
		return out
	default:
		return x
	}
}
