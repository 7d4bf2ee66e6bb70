package scim11

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// Schema URNs of the SCIM 1.1 dialect (docs/okta-agent-protocol.md#wire-urns).
const (
	CoreSchema           = "urn:scim:schemas:core:1.0"
	EnterpriseSchema     = "urn:scim:schemas:extension:enterprise:1.0"
	GroupExtensionSchema = "urn:okta:custom:group:1.0"
	ProviderConfigSchema = "urn:okta:schemas:scim:providerconfig:1.0"
)

// Codec encodes and decodes SCIM 1.1 resources for one Okta app. Its zero value is not useful: use
// New, because the custom extension URN embeds the app's internal name.
type Codec struct {
	customURN string // urn:okta:<appName>:1.0:user:<customSchemaName>
	legacyURN string // urn:okta:<appName>:1.0:user
}

// New returns a codec for the Okta app whose internal name is appName and whose app-user custom
// schema is customSchemaName (usually "custom").
func New(appName, customSchemaName string) *Codec {
	legacy := "urn:okta:" + appName + ":1.0:user"
	return &Codec{customURN: legacy + ":" + customSchemaName, legacyURN: legacy}
}

// CustomURN is the custom extension URN the codec writes: `urn:okta:<appName>:1.0:user:<custom>`.
func (c *Codec) CustomURN() string { return c.customURN }

// LegacyCustomURN is the older spelling without the schema name, accepted on input only.
func (c *Codec) LegacyCustomURN() string { return c.legacyURN }

// IsCustomURN reports whether urn names the custom extension in either spelling.
func (c *Codec) IsCustomURN(urn string) bool {
	return strings.EqualFold(urn, c.customURN) || strings.EqualFold(urn, c.legacyURN)
}

// UserInput is a decoded user body.
type UserInput struct {
	User backend.User
	// ActiveSet tells whether the body carried `active`: a PUT without it must not deactivate.
	ActiveSet bool
	// IgnoredExtensions lists extension-looking keys (`urn:…`) that are neither the enterprise nor
	// the configured custom URN. A non-empty list usually means appName or customSchemaName does not
	// match the Okta app, so the caller should warn: the data in them is dropped.
	IgnoredExtensions []string
}

// MemberInput is one entry of a group body's `members`.
type MemberInput struct {
	Value   string
	Display string
	// Delete is the SCIM 1.1 delta syntax `{"value":"x","operation":"delete"}` used by Okta's cloud
	// 1.1 client: remove this member rather than list it.
	Delete bool
}

// GroupInput is a decoded group body. Members keeps the client's list as sent (including
// `operation: delete` entries) because what it means depends on the front end's membership mode.
type GroupInput struct {
	ID                string // what the client sent; never used as the stored id
	DisplayName       string
	DisplayNameSet    bool
	Description       string
	DescriptionSet    bool
	ExternalID        string
	Members           []MemberInput
	MembersSet        bool
	IgnoredExtensions []string
}

// DecodeError is a client body that cannot be understood. Its message is safe to show to the
// client: it names the attribute and the problem, never the value (which may be a password).
type DecodeError struct {
	Msg string
}

func (e *DecodeError) Error() string { return e.Msg }

func decodeErrorf(format string, args ...any) error {
	return &DecodeError{Msg: fmt.Sprintf(format, args...)}
}

// parseObject reads a JSON object into raw members with lower-cased keys. Later duplicates (which
// differ only by case) win, as in most JSON readers; the original keys are kept for URN matching.
func parseObject(data []byte, what string) (map[string]json.RawMessage, map[string]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a UTF-8 BOM from Windows agents is harmless
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil {
		return nil, nil, jsonProblem(err, what)
	}
	if dec.More() {
		return nil, nil, decodeErrorf("the %s body has data after the JSON object", what)
	}
	if raw == nil {
		return nil, nil, decodeErrorf("the %s body must be a JSON object, not null", what)
	}
	lower := make(map[string]json.RawMessage, len(raw))
	orig := make(map[string]string, len(raw))
	for k, v := range raw {
		lk := strings.ToLower(k)
		lower[lk] = v
		orig[lk] = k
	}
	return lower, orig, nil
}

// jsonProblem turns a JSON decoding error into a client-safe message: offsets and types, never
// the offending value.
func jsonProblem(err error, what string) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return decodeErrorf("the %s body is not valid JSON (error at byte offset %d)", what, syn.Offset)
	case errors.As(err, &typ):
		return decodeErrorf("the %s body must be a JSON object, got a JSON %s", what, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return decodeErrorf("the %s body is empty or truncated", what)
	default:
		return decodeErrorf("the %s body is not valid JSON", what)
	}
}

func isNull(v json.RawMessage) bool {
	return len(bytes.TrimSpace(v)) == 0 || string(bytes.TrimSpace(v)) == "null"
}

func str(v json.RawMessage, attr string) (string, error) {
	if isNull(v) {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	// Numbers are accepted for string attributes (an employee number typed as a number in Okta
	// still means the same text); anything else is a client error.
	var n json.Number
	if err := json.Unmarshal(v, &n); err == nil {
		return n.String(), nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return strconv.FormatBool(b), nil
	}
	return "", decodeErrorf("attribute %q must be a string", attr)
}

func boolean(v json.RawMessage, attr string) (bool, error) {
	if isNull(v) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(v, &b); err == nil {
		return b, nil
	}
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, decodeErrorf("attribute %q must be a boolean (true or false)", attr)
}

func array(v json.RawMessage, attr string) ([]json.RawMessage, error) {
	if isNull(v) {
		return nil, nil
	}
	var a []json.RawMessage
	if err := json.Unmarshal(v, &a); err != nil {
		return nil, decodeErrorf("attribute %q must be an array", attr)
	}
	return a, nil
}

func object(v json.RawMessage, attr string) (map[string]json.RawMessage, error) {
	if isNull(v) {
		return nil, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil {
		return nil, decodeErrorf("attribute %q must be an object", attr)
	}
	lower := make(map[string]json.RawMessage, len(m))
	for k, x := range m {
		lower[strings.ToLower(k)] = x
	}
	return lower, nil
}

// DecodeUser decodes a SCIM 1.1 user body. `id`, `meta` and `groups` are read but the caller
// decides whether to use them (a create ignores the client's id; groups are read-only in OPP).
func (c *Codec) DecodeUser(data []byte) (*UserInput, error) {
	m, orig, err := parseObject(data, "user")
	if err != nil {
		return nil, err
	}
	in := &UserInput{}
	u := &in.User
	strs := []struct {
		key string
		dst *string
	}{
		{"id", &u.ID}, {"externalid", &u.ExternalID}, {"username", &u.UserName},
		{"displayname", &u.DisplayName}, {"nickname", &u.NickName}, {"title", &u.Title},
		{"usertype", &u.UserType}, {"locale", &u.Locale}, {"timezone", &u.Timezone},
		{"password", &u.Password},
	}
	for _, s := range strs {
		if v, ok := m[s.key]; ok {
			if *s.dst, err = str(v, orig[s.key]); err != nil {
				return nil, err
			}
		}
	}
	if v, ok := m["active"]; ok && !isNull(v) {
		if u.Active, err = boolean(v, "active"); err != nil {
			return nil, err
		}
		in.ActiveSet = true
	}
	if v, ok := m["name"]; ok {
		nm, err := object(v, "name")
		if err != nil {
			return nil, err
		}
		parts := []struct {
			key string
			dst *string
		}{
			{"formatted", &u.Name.Formatted}, {"familyname", &u.Name.FamilyName},
			{"givenname", &u.Name.GivenName}, {"middlename", &u.Name.MiddleName},
			{"honorificprefix", &u.Name.HonorificPrefix}, {"honorificsuffix", &u.Name.HonorificSuffix},
		}
		for _, p := range parts {
			if x, ok := nm[p.key]; ok {
				if *p.dst, err = str(x, "name."+p.key); err != nil {
					return nil, err
				}
			}
		}
	}
	if u.Emails, err = multiValues(m["emails"], "emails"); err != nil {
		return nil, err
	}
	if u.PhoneNumbers, err = multiValues(m["phonenumbers"], "phoneNumbers"); err != nil {
		return nil, err
	}
	if v, ok := m["groups"]; ok {
		items, err := array(v, "groups")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			o, err := object(it, "groups")
			if err != nil {
				return nil, err
			}
			var g backend.GroupRef
			if g.Value, err = str(o["value"], "groups.value"); err != nil {
				return nil, err
			}
			if g.Display, err = str(o["display"], "groups.display"); err != nil {
				return nil, err
			}
			u.Groups = append(u.Groups, g)
		}
	}
	// Extensions: the configured custom URN wins over the legacy spelling when both carry a key.
	for _, lk := range sortedKeys(m) {
		if !strings.HasPrefix(lk, "urn:") {
			continue
		}
		key := orig[lk]
		switch {
		case strings.EqualFold(key, EnterpriseSchema):
			if u.Enterprise, err = extension(m[lk], key, u.Enterprise, false); err != nil {
				return nil, err
			}
		case strings.EqualFold(key, c.legacyURN):
			if u.Custom, err = extension(m[lk], key, u.Custom, false); err != nil {
				return nil, err
			}
		case strings.EqualFold(key, c.customURN):
			if u.Custom, err = extension(m[lk], key, u.Custom, true); err != nil {
				return nil, err
			}
		default:
			in.IgnoredExtensions = append(in.IgnoredExtensions, key)
		}
	}
	return in, nil
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	// Deterministic order so that the legacy-vs-custom precedence and IgnoredExtensions are stable.
	slices.Sort(keys)
	return keys
}

func multiValues(v json.RawMessage, attr string) ([]backend.MultiValue, error) {
	items, err := array(v, attr)
	if err != nil {
		return nil, err
	}
	var out []backend.MultiValue
	for _, it := range items {
		o, err := object(it, attr)
		if err != nil {
			return nil, err
		}
		if o == nil {
			continue
		}
		var mv backend.MultiValue
		if mv.Value, err = str(o["value"], attr+".value"); err != nil {
			return nil, err
		}
		if mv.Type, err = str(o["type"], attr+".type"); err != nil {
			return nil, err
		}
		if mv.Display, err = str(o["display"], attr+".display"); err != nil {
			return nil, err
		}
		if mv.Primary, err = boolean(o["primary"], attr+".primary"); err != nil {
			return nil, err
		}
		out = append(out, mv)
	}
	return out, nil
}

// extension decodes an extension object into dst (created when nil). Existing keys are kept
// unless overwrite is set, so the precedence between two spellings does not depend on map order.
func extension(v json.RawMessage, urn string, dst map[string]any, overwrite bool) (map[string]any, error) {
	if isNull(v) {
		return dst, nil
	}
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, decodeErrorf("extension %q must be an object", urn)
	}
	if dst == nil {
		dst = make(map[string]any, len(m))
	}
	for k, x := range m {
		if _, exists := dst[k]; exists && !overwrite {
			continue
		}
		dst[k] = normalise(x)
	}
	return dst, nil
}

// normalise turns json.Number into int64 when integral and in range, else float64, recursively,
// so that extension values use the types the backend model documents.
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
		for i := range v {
			v[i] = normalise(v[i])
		}
		return v
	case map[string]any:
		for k := range v {
			v[k] = normalise(v[k])
		}
		return v
	default:
		return x
	}
}

// DecodeGroup decodes a SCIM 1.1 group body.
func (c *Codec) DecodeGroup(data []byte) (*GroupInput, error) {
	m, orig, err := parseObject(data, "group")
	if err != nil {
		return nil, err
	}
	in := &GroupInput{}
	if in.ID, err = str(m["id"], "id"); err != nil {
		return nil, err
	}
	if in.ExternalID, err = str(m["externalid"], "externalId"); err != nil {
		return nil, err
	}
	if v, ok := m["displayname"]; ok && !isNull(v) {
		if in.DisplayName, err = str(v, "displayName"); err != nil {
			return nil, err
		}
		in.DisplayNameSet = true
	}
	if v, ok := m["members"]; ok {
		in.MembersSet = true
		items, err := array(v, "members")
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			o, err := object(it, "members")
			if err != nil {
				return nil, err
			}
			if o == nil {
				continue
			}
			var mi MemberInput
			if mi.Value, err = str(o["value"], "members.value"); err != nil {
				return nil, err
			}
			if mi.Display, err = str(o["display"], "members.display"); err != nil {
				return nil, err
			}
			op, err := str(o["operation"], "members.operation")
			if err != nil {
				return nil, err
			}
			switch strings.ToLower(op) {
			case "":
			case "delete":
				mi.Delete = true
			default:
				return nil, decodeErrorf("members.operation must be \"delete\" or absent")
			}
			if mi.Value == "" {
				return nil, decodeErrorf("every entry of members needs a value (the member's user id)")
			}
			in.Members = append(in.Members, mi)
		}
	}
	for _, lk := range sortedKeys(m) {
		if !strings.HasPrefix(lk, "urn:") {
			continue
		}
		key := orig[lk]
		if !strings.EqualFold(key, GroupExtensionSchema) {
			in.IgnoredExtensions = append(in.IgnoredExtensions, key)
			continue
		}
		ext, err := object(m[lk], key)
		if err != nil {
			return nil, err
		}
		if v, ok := ext["description"]; ok {
			if in.Description, err = str(v, "description"); err != nil {
				return nil, err
			}
			in.DescriptionSet = true
		}
	}
	return in, nil
}
