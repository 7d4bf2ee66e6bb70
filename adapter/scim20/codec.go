package scim20

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
)

// Schema and message URNs of RFC 7643 / RFC 7644.
const (
	UserSchema         = "urn:ietf:params:scim:schemas:core:2.0:User"
	GroupSchema        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	EnterpriseSchema   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	ListResponseSchema = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	PatchOpSchema      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	ErrorSchema        = "urn:ietf:params:scim:api:messages:2.0:Error"
	SPConfigSchema     = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceTypeSchema = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	SchemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// ContentType is the RFC 7644 §3.1 media type of every response.
const ContentType = "application/scim+json"

// Codec encodes and decodes SCIM 2.0 resources for one deployment. Its zero value is not useful:
// use New, because the custom extension URN is configured.
type Codec struct {
	customURN string
	aliases   []string
}

// New returns a codec whose custom user extension is customURN. For the Okta agent in v2 mode
// that is still `urn:okta:<appName>:1.0:user:custom`. aliases are other spellings accepted on
// input (the legacy `urn:okta:<appName>:1.0:user`), never written.
func New(customURN string, aliases ...string) *Codec {
	return &Codec{customURN: customURN, aliases: aliases}
}

// CustomURN is the custom extension URN the codec writes.
func (c *Codec) CustomURN() string { return c.customURN }

// IsCustomURN reports whether urn names the custom extension in any accepted spelling.
func (c *Codec) IsCustomURN(urn string) bool {
	if strings.EqualFold(urn, c.customURN) {
		return true
	}
	for _, a := range c.aliases {
		if strings.EqualFold(urn, a) {
			return true
		}
	}
	return false
}

// DecodeError is a client body that cannot be understood. Its message is safe to show to the
// client: it names the attribute and the problem, never the value (which may be a password).
// ScimType is the RFC 7644 §3.12 scimType that fits ("invalidSyntax", "invalidValue",
// "invalidPath", "noTarget", "mutability").
type DecodeError struct {
	ScimType string
	Msg      string
}

func (e *DecodeError) Error() string { return e.Msg }

func errf(scimType, format string, args ...any) error {
	return &DecodeError{ScimType: scimType, Msg: fmt.Sprintf(format, args...)}
}

// maxJSONDepth bounds nesting in request bodies: encoding/json recurses, and no SCIM resource is
// deeper than a handful of levels.
const maxJSONDepth = 64

// parseJSON decodes a request body into generic values with json.Number for numbers.
func parseJSON(data []byte, what string) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if d := jsonDepth(data); d > maxJSONDepth {
		return nil, errf("invalidSyntax", "the %s body nests deeper than %d levels", what, maxJSONDepth)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		var syn *json.SyntaxError
		switch {
		case errors.As(err, &syn):
			return nil, errf("invalidSyntax", "the %s body is not valid JSON (error at byte offset %d)", what, syn.Offset)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return nil, errf("invalidSyntax", "the %s body is empty or truncated", what)
		default:
			return nil, errf("invalidSyntax", "the %s body is not valid JSON", what)
		}
	}
	if dec.More() {
		return nil, errf("invalidSyntax", "the %s body has data after the JSON object", what)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errf("invalidSyntax", "the %s body must be a JSON object", what)
	}
	return m, nil
}

// jsonDepth returns the maximum bracket nesting of data, ignoring brackets inside strings.
func jsonDepth(data []byte) int {
	depth, maxD, inStr, esc := 0, 0, false, false
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
			depth++
			maxD = max(maxD, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return maxD
}

// lower returns m with lower-cased keys, and the original spelling of each.
func lower(m map[string]any) (map[string]any, map[string]string) {
	out := make(map[string]any, len(m))
	orig := make(map[string]string, len(m))
	for _, k := range sortedKeys(m) {
		lk := strings.ToLower(k)
		out[lk] = m[k]
		orig[lk] = k
	}
	return out, orig
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// findKey returns the key of m equal to name ignoring case, preferring an exact match.
func findKey(m map[string]any, name string) (string, bool) {
	if _, ok := m[name]; ok {
		return name, true
	}
	for _, k := range sortedKeys(m) {
		if strings.EqualFold(k, name) {
			return k, true
		}
	}
	return "", false
}

func str(v any, attr string) (string, error) {
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
	return "", errf("invalidValue", "attribute %q must be a string", attr)
}

// boolean accepts JSON booleans and the strings "true"/"false" in any case: Microsoft Entra sends
// `"value":"False"`.
func boolean(v any, attr string) (bool, error) {
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
	return false, errf("invalidValue", "attribute %q must be a boolean (true or false)", attr)
}

func array(v any, attr string) ([]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return t, nil
	}
	return nil, errf("invalidValue", "attribute %q must be an array", attr)
}

func object(v any, attr string) (map[string]any, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		m, _ := lower(t)
		return m, nil
	}
	return nil, errf("invalidValue", "attribute %q must be an object", attr)
}

// normalise turns json.Number into int64 when integral and in range, else float64, recursively,
// so that extension values use the types the backend model documents. It copies containers, so
// the result never aliases the input.
func normalise(x any) any {
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
			out[i] = normalise(v[i])
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k := range v {
			out[k] = normalise(v[k])
		}
		return out
	default:
		return x
	}
}
