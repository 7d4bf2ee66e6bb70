package scim11

import (
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
	Primary bool   `json:"primary"`
	Display string `json:"display,omitempty"`
}

type refJSON struct {
	Value   string `json:"value"`
	Display string `json:"display,omitempty"`
}

type metaJSON struct {
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Version      string `json:"version,omitempty"`
}

// userJSON holds only SCIM 1.1 core User attributes (docs/okta-agent-protocol.md#no-unknown-core-attributes); extensions are appended as extra keys.
// There is deliberately no password field.
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
	Meta         *metaJSON        `json:"meta,omitempty"`
}

type groupJSON struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	ExternalID  string    `json:"externalId,omitempty"`
	DisplayName string    `json:"displayName"`
	Members     []refJSON `json:"members"`
	Meta        *metaJSON `json:"meta,omitempty"`
}

type listJSON struct {
	Schemas      []string          `json:"schemas"`
	TotalResults int               `json:"totalResults"`
	StartIndex   *int              `json:"startIndex,omitempty"`
	ItemsPerPage *int              `json:"itemsPerPage,omitempty"`
	Resources    []json.RawMessage `json:"Resources"`
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

func meta(m backend.Meta) *metaJSON {
	j := &metaJSON{Created: formatTime(m.Created), LastModified: formatTime(m.LastModified), Version: m.Version}
	if *j == (metaJSON{}) {
		return nil
	}
	return j
}

func multiValuesJSON(in []backend.MultiValue) []multiValueJSON {
	if len(in) == 0 {
		return nil
	}
	out := make([]multiValueJSON, len(in))
	for i, v := range in {
		out[i] = multiValueJSON{Value: v.Value, Type: v.Type, Primary: v.Primary, Display: v.Display}
	}
	return out
}

// refEncodeUser renders u as a SCIM 1.1 user. u.Password is never written.
func refEncodeUser(c *Codec, u *backend.User) ([]byte, error) {
	j := userJSON{
		Schemas:      append(make([]string, 0, 3), CoreSchema), // room for both extensions
		ID:           u.ID,
		ExternalID:   u.ExternalID,
		UserName:     u.UserName,
		DisplayName:  u.DisplayName,
		NickName:     u.NickName,
		Title:        u.Title,
		UserType:     u.UserType,
		Locale:       u.Locale,
		Timezone:     u.Timezone,
		Active:       u.Active,
		Emails:       multiValuesJSON(u.Emails),
		PhoneNumbers: multiValuesJSON(u.PhoneNumbers),
		Meta:         meta(u.Meta),
	}
	if !u.Name.IsZero() {
		n := nameJSON(u.Name)
		j.Name = &n
	}
	for _, g := range u.Groups {
		j.Groups = append(j.Groups, refJSON(g))
	}
	exts := make([]extra, 0, 2)
	if len(u.Enterprise) > 0 {
		j.Schemas = append(j.Schemas, EnterpriseSchema)
		exts = append(exts, extra{EnterpriseSchema, u.Enterprise})
	}
	if len(u.Custom) > 0 {
		j.Schemas = append(j.Schemas, c.customURN)
		exts = append(exts, extra{c.customURN, u.Custom})
	}
	return withExtensions(&j, exts)
}

// refEncodeGroup renders g as a SCIM 1.1 group, with the Okta group extension when it has a
// description.
func refEncodeGroup(g *backend.Group) ([]byte, error) {
	j := groupJSON{
		Schemas:     []string{CoreSchema},
		ID:          g.ID,
		ExternalID:  g.ExternalID,
		DisplayName: g.DisplayName,
		Members:     make([]refJSON, 0, len(g.Members)),
		Meta:        meta(g.Meta),
	}
	for _, m := range g.Members {
		j.Members = append(j.Members, refJSON(m))
	}
	var exts []extra
	if g.Description != "" {
		j.Schemas = append(j.Schemas, GroupExtensionSchema)
		exts = append(exts, extra{GroupExtensionSchema, map[string]string{"description": g.Description}})
	}
	return withExtensions(j, exts)
}

// refEncodeList renders already encoded resources as a SCIM 1.1 list response.
func refEncodeList(total int, items [][]byte, p Paging) ([]byte, error) {
	j := listJSON{Schemas: []string{CoreSchema}, TotalResults: total, Resources: make([]json.RawMessage, len(items))}
	for i, it := range items {
		j.Resources[i] = it
	}
	if p.Paged {
		si, n := max(p.StartIndex, 1), len(items)
		j.StartIndex, j.ItemsPerPage = &si, &n
	}
	return json.Marshal(j)
}
