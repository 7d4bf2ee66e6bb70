package scim20

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

type nameJSON struct {
	Formatted       string `json:"formatted,omitempty"`
	FamilyName      string `json:"familyName,omitempty"`
	GivenName       string `json:"givenName,omitempty"`
	MiddleName      string `json:"middleName,omitempty"`
	HonorificPrefix string `json:"honorificPrefix,omitempty"`
	HonorificSuffix string `json:"honorificSuffix,omitempty"`
}

type multiValueJSON struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary,omitempty"`
	Display string `json:"display,omitempty"`
}

type refJSON struct {
	Value   string `json:"value"`
	Ref     string `json:"$ref,omitempty"`
	Display string `json:"display,omitempty"`
}

// metaJSON is RFC 7643 §3.1 meta. Version is the weak ETag, as the RFC's examples write it.
type metaJSON struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

type userJSON struct {
	Schemas      []string         `json:"schemas"`
	ID           string           `json:"id"`
	ExternalID   string           `json:"externalId,omitempty"`
	UserName     string           `json:"userName"`
	Name         *nameJSON        `json:"name,omitempty"`
	DisplayName  string           `json:"displayName,omitempty"`
	NickName     string           `json:"nickName,omitempty"`
	Title        string           `json:"title,omitempty"`
	UserType     string           `json:"userType,omitempty"`
	Locale       string           `json:"locale,omitempty"`
	Timezone     string           `json:"timezone,omitempty"`
	Active       bool             `json:"active"`
	Emails       []multiValueJSON `json:"emails,omitempty"`
	PhoneNumbers []multiValueJSON `json:"phoneNumbers,omitempty"`
	Groups       []refJSON        `json:"groups,omitempty"`
}

// ETag renders a backend version as the weak entity tag used in meta.version and the ETag header.
func ETag(version string) string {
	if version == "" {
		return ""
	}
	return `W/"` + strings.ReplaceAll(version, `"`, "") + `"`
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

func meta(resourceType string, m backend.Meta, location string) *metaJSON {
	return &metaJSON{
		ResourceType: resourceType,
		Created:      formatTime(m.Created),
		LastModified: formatTime(m.LastModified),
		Location:     location,
		Version:      ETag(m.Version),
	}
}

func multiValuesJSON(in []backend.MultiValue) []multiValueJSON {
	if len(in) == 0 {
		return nil
	}
	out := make([]multiValueJSON, len(in))
	for i, v := range in {
		out[i] = multiValueJSON(v)
	}
	return out
}

// withMembers marshals core, appends each extra key/value in order, then meta last.
func withExtras(core any, extras [][2]any) ([]byte, error) {
	b, err := json.Marshal(core)
	if err != nil {
		return nil, err
	}
	if len(extras) == 0 {
		return b, nil
	}
	var buf bytes.Buffer
	buf.Write(b[:len(b)-1])
	for _, e := range extras {
		k, err := json.Marshal(e[0])
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e[1])
		if err != nil {
			return nil, err
		}
		buf.WriteByte(',')
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// EncodeUser renders u as a SCIM 2.0 User; location is its absolute URL for meta.location ("" to
// leave it out). u.Password is never written.
func (c *Codec) EncodeUser(u *backend.User, location string) ([]byte, error) {
	j := userJSON{
		Schemas: []string{UserSchema}, ID: u.ID, ExternalID: u.ExternalID, UserName: u.UserName,
		DisplayName: u.DisplayName, NickName: u.NickName, Title: u.Title, UserType: u.UserType,
		Locale: u.Locale, Timezone: u.Timezone, Active: u.Active,
		Emails: multiValuesJSON(u.Emails), PhoneNumbers: multiValuesJSON(u.PhoneNumbers),
	}
	if !u.Name.IsZero() {
		n := nameJSON(u.Name)
		j.Name = &n
	}
	for _, g := range u.Groups {
		j.Groups = append(j.Groups, refJSON{Value: g.Value, Display: g.Display})
	}
	var extras [][2]any
	if len(u.Enterprise) > 0 {
		j.Schemas = append(j.Schemas, EnterpriseSchema)
		extras = append(extras, [2]any{EnterpriseSchema, u.Enterprise})
	}
	if len(u.Custom) > 0 {
		j.Schemas = append(j.Schemas, c.customURN)
		extras = append(extras, [2]any{c.customURN, u.Custom})
	}
	extras = append(extras, [2]any{"meta", meta("User", u.Meta, location)})
	return withExtras(j, extras)
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
