package scim20

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/scimbridge/scimbridge/backend"
)

// The reflection-based encoders the hand-written ones replaced, kept as the reference the golden
// and fuzz tests compare byte for byte (encode_golden_test.go).

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

type groupJSON struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	ExternalID  string    `json:"externalId,omitempty"`
	DisplayName string    `json:"displayName"`
	Members     []refJSON `json:"members"`
	Meta        *metaJSON `json:"meta"`
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

// refEncodeUser renders u as a SCIM 2.0 User; location is its absolute URL for meta.location ("" to
// leave it out). u.Password is never written.
func refEncodeUser(c *Codec, u *backend.User, location string) ([]byte, error) {
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

// refEncodeGroup renders g as a SCIM 2.0 Group; location is its absolute URL ("" to leave it out),
// userBase the Users endpoint URL for the members' $ref ("" to leave them out). The neutral
// description has no place in the RFC 7643 Group and is not written.
func refEncodeGroup(g *backend.Group, location, userBase string) ([]byte, error) {
	j := groupJSON{
		Schemas: []string{GroupSchema}, ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Members: make([]refJSON, 0, len(g.Members)), Meta: meta("Group", g.Meta, location),
	}
	for _, m := range g.Members {
		ref := refJSON{Value: m.Value, Display: m.Display}
		if userBase != "" {
			ref.Ref = userBase + "/" + m.Value
		}
		j.Members = append(j.Members, ref)
	}
	return json.Marshal(j)
}

type listJSON struct {
	Schemas      []string          `json:"schemas"`
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	ItemsPerPage int               `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// refEncodeList renders an RFC 7644 §3.4.2 ListResponse around already encoded resources.
// startIndex is 1-based; itemsPerPage is the number of resources on this page.
func refEncodeList(total, startIndex int, items [][]byte) ([]byte, error) {
	j := listJSON{Schemas: []string{ListResponseSchema}, TotalResults: total, StartIndex: max(startIndex, 1),
		ItemsPerPage: len(items), Resources: make([]json.RawMessage, len(items))}
	for i, it := range items {
		j.Resources[i] = it
	}
	return json.Marshal(j)
}
