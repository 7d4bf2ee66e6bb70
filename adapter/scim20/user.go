package scim20

import (
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

// ETag renders a backend version as the weak entity tag used in meta.version and the ETag header.
func ETag(version string) string {
	if version == "" {
		return ""
	}
	return `W/"` + strings.ReplaceAll(version, `"`, "") + `"`
}

// EncodeUser renders u as a SCIM 2.0 User; location is its absolute URL for meta.location ("" to
// leave it out). u.Password is never written. Written by hand in the order and with the omitempty
// rules of the struct encoding it replaced (the tests keep that encoding as their reference):
// reflection was most of the encoding's cost (docs/benchmarks.md, front end).
func (c *Codec) EncodeUser(u *backend.User, location string) ([]byte, error) {
	dst := make([]byte, 0, 640)
	dst = scimjson.AppendUserCore(dst, u, &c.user)
	dst, err := scimjson.AppendUserExtensions(dst, u, &c.user)
	if err != nil {
		return nil, err
	}
	dst = appendMeta(dst, "User", u.Meta, location)
	return append(dst, '}'), nil
}

// appendMeta appends `,"meta":{…}` (RFC 7643 §3.1); the version is the weak ETag, as the RFC's
// examples write it.
func appendMeta(dst []byte, resourceType string, m backend.Meta, location string) []byte {
	dst = append(dst, `,"meta":{"resourceType":`...)
	dst = scimjson.AppendString(dst, resourceType)
	if !m.Created.IsZero() {
		dst = append(dst, `,"created":"`...)
		dst = m.Created.UTC().AppendFormat(dst, time.RFC3339)
		dst = append(dst, '"')
	}
	if !m.LastModified.IsZero() {
		dst = append(dst, `,"lastModified":"`...)
		dst = m.LastModified.UTC().AppendFormat(dst, time.RFC3339)
		dst = append(dst, '"')
	}
	dst = scimjson.AppendOpt(dst, "location", location)
	dst = scimjson.AppendOpt(dst, "version", ETag(m.Version))
	return append(dst, '}')
}

func appendMultiValues(dst []byte, key string, vs []backend.MultiValue) []byte {
	if len(vs) == 0 {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, key...)
	dst = append(dst, '"', ':', '[')
	for i := range vs {
		v := &vs[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"value":`...)
		dst = scimjson.AppendString(dst, v.Value)
		dst = scimjson.AppendOpt(dst, "type", v.Type)
		if v.Primary {
			dst = append(dst, `,"primary":true`...)
		}
		dst = scimjson.AppendOpt(dst, "display", v.Display)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendRef appends a reference object: value, $ref and display, the last two when not empty.
func appendRef(dst []byte, value, ref, display string) []byte {
	dst = append(dst, `{"value":`...)
	dst = scimjson.AppendString(dst, value)
	dst = scimjson.AppendOpt(dst, "$ref", ref)
	dst = scimjson.AppendOpt(dst, "display", display)
	return append(dst, '}')
}

// UserInput is a decoded user body.
type UserInput struct {
	User backend.User
	// ActiveSet tells whether the body carried `active`: a PUT without it must not deactivate.
	ActiveSet bool
	// IgnoredExtensions lists extension keys (`urn:…`) that are neither the enterprise nor the
	// configured custom URN; their data is dropped, and the caller should warn.
	IgnoredExtensions []string
}

// DecodeUser decodes a SCIM 2.0 User body. `id`, `meta` and `groups` are read-only and the caller
// ignores them.
func (c *Codec) DecodeUser(data []byte) (*UserInput, error) {
	// The common shape is read without generic maps; anything else, and every refusal, goes the
	// generic way (see scimjson.DecodeUserFast).
	if fu, ok := scimjson.DecodeUserFast(data); ok {
		in := &UserInput{User: fu.User, ActiveSet: fu.ActiveSet}
		if c.extensions(in, fu.Exts) == nil {
			return in, nil
		}
	}
	return c.decodeUserGeneric(data)
}

// decodeUserGeneric is DecodeUser over generic maps: the definition of what a body means.
func (c *Codec) decodeUserGeneric(data []byte) (*UserInput, error) {
	m, err := scimjson.Parse(data, "user")
	if err != nil {
		return nil, err
	}
	return c.decodeUserDoc(m)
}

func (c *Codec) decodeUserDoc(doc map[string]any) (*UserInput, error) {
	m, orig := scimjson.Lower(doc)
	in := &UserInput{}
	var err error
	if in.ActiveSet, err = scimjson.UserCore(m, orig, &in.User); err != nil {
		return nil, err
	}
	if err := c.extensions(in, scimjson.ExtensionKeys(m, orig)); err != nil {
		return nil, err
	}
	return in, nil
}

// extensions reads the body's "urn:" keys (sorted by their lower-cased spelling).
func (c *Codec) extensions(in *UserInput, exts []scimjson.FastExt) error {
	u := &in.User
	var err error
	for _, e := range exts {
		key := e.Key
		switch {
		case strings.EqualFold(key, UserSchema):
			// A core-qualified copy of core attributes is legal but no client sends one; the
			// attributes at top level already said everything.
		case strings.EqualFold(key, EnterpriseSchema):
			if u.Enterprise, err = scimjson.Extension(e.Value, key, u.Enterprise, extMode); err != nil {
				return err
			}
		case c.IsCustomURN(key):
			if u.Custom, err = scimjson.Extension(e.Value, key, u.Custom, extMode); err != nil {
				return err
			}
		default:
			in.IgnoredExtensions = append(in.IgnoredExtensions, key)
		}
	}
	return nil
}

// extMode merges extension objects as SCIM 2.0 means them: null values are dropped, since "no
// value" and "unassigned" are the same, and a later spelling overwrites an earlier one.
var extMode = scimjson.ExtensionMode{Overwrite: true, DropNulls: true}
