package scim11

import (
	"encoding/json"
	"time"

	"github.com/scimbridge/scimbridge/backend"
)

// TimeLayout is how meta times are written: ISO-8601 in UTC with a `Z`, to the second, the form the
// agent itself sends in `meta.lastModified gt` filters (docs/okta-agent-protocol.md#user-shape). Sub-second precision is dropped on
// the wire, so an incremental import may see a user changed within the same second twice; that is
// harmless (imports are idempotent), whereas missing a change would not be.
const TimeLayout = "2006-01-02T15:04:05Z"

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

// extra is one extension object appended after the core attributes.
type extra struct {
	urn   string
	value any
}

// withExtensions marshals core and appends each extension as a top-level key. The URNs are
// already in core's schemas; json.Marshal of a struct gives a stable key order, which keeps
// responses diff-able.
func withExtensions(core any, exts []extra) ([]byte, error) {
	b, err := json.Marshal(core)
	if err != nil {
		return nil, err
	}
	if len(exts) == 0 {
		return b, nil
	}
	buf := b[:len(b)-1] // drop the closing brace; the extensions are appended in place
	for _, e := range exts {
		k, err := json.Marshal(e.urn)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(e.value)
		if err != nil {
			return nil, err
		}
		buf = append(buf, ',')
		buf = append(buf, k...)
		buf = append(buf, ':')
		buf = append(buf, v...)
	}
	return append(buf, '}'), nil
}

// EncodeUser renders u as a SCIM 1.1 user. u.Password is never written.
func (c *Codec) EncodeUser(u *backend.User) ([]byte, error) {
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

// EncodeGroup renders g as a SCIM 1.1 group, with the Okta group extension when it has a
// description.
func (c *Codec) EncodeGroup(g *backend.Group) ([]byte, error) {
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

// Paging says how a list was requested, because the SDK writes startIndex and itemsPerPage only
// when the client asked for paging (docs/okta-agent-protocol.md#paging-rules).
type Paging struct {
	// Paged is true when the request carried startIndex or count, or when the answer was cut short
	// (so that the client can see that it did not get everything).
	Paged      bool
	StartIndex int
}

// EncodeList renders already encoded resources as a SCIM 1.1 list response.
func EncodeList(total int, items [][]byte, p Paging) ([]byte, error) {
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

// EncodeUserList renders one page of users as a SCIM 1.1 list response.
func (c *Codec) EncodeUserList(page *backend.UserPage, p Paging) ([]byte, error) {
	items := make([][]byte, 0, len(page.Users))
	for i := range page.Users {
		b, err := c.EncodeUser(&page.Users[i])
		if err != nil {
			return nil, err
		}
		items = append(items, b)
	}
	return EncodeList(page.Total, items, p)
}

// EncodeGroupList renders one page of groups as a SCIM 1.1 list response.
func (c *Codec) EncodeGroupList(page *backend.GroupPage, p Paging) ([]byte, error) {
	items := make([][]byte, 0, len(page.Groups))
	for i := range page.Groups {
		b, err := c.EncodeGroup(&page.Groups[i])
		if err != nil {
			return nil, err
		}
		items = append(items, b)
	}
	return EncodeList(page.Total, items, p)
}

type errorItem struct {
	StatusCode   int     `json:"statusCode"`
	InternalCode string  `json:"internalCode"`
	Description  string  `json:"description"`
	HelpURL      *string `json:"help_url"`
}

// EncodeError renders the Okta SDK error body (docs/okta-agent-protocol.md#error-body):
// {"errors":[{"statusCode":…,"internalCode":"…","description":"…","help_url":null}]}.
func EncodeError(status int, internalCode, description string) []byte {
	b, err := json.Marshal(struct {
		Errors []errorItem `json:"errors"`
	}{[]errorItem{{StatusCode: status, InternalCode: internalCode, Description: description}}})
	if err != nil {
		// Marshalling ints and strings cannot fail; keep a valid body anyway.
		return []byte(`{"errors":[{"statusCode":500,"internalCode":"E0000049","description":"error","help_url":null}]}`)
	}
	return b
}

// ProviderConfig is what /ServiceProviderConfigs advertises besides the capability list. Every
// field must describe what the deployment really does.
type ProviderConfig struct {
	// Capabilities are the Okta userManagementCapabilities, in the order given.
	Capabilities []string
	// MaxResults is filter.maxResults, the largest page.
	MaxResults     int
	ChangePassword bool
	Sort           bool
	// MaxPayloadSize is the largest request body in bytes (bulk.maxPayloadSize; bulk itself is
	// not supported).
	MaxPayloadSize int64
	AuthSchemes    []AuthScheme
}

// AuthScheme is one entry of authenticationSchemes (SCIM 1.1 core schema: name, description,
// specUrl, documentationUrl, and the multi-valued type and primary).
type AuthScheme struct {
	Type             string `json:"type"`
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURL          string `json:"specUrl,omitempty"`
	DocumentationURL string `json:"documentationUrl,omitempty"`
	Primary          bool   `json:"primary"`
}

// ServiceProviderConfig renders the msg-capabilities document (docs/okta-agent-protocol.md). The
// agent's parser rejects unknown top-level attributes but ignores unknown sub-attributes, so the
// limits go inside the standard complex attributes only.
func ServiceProviderConfig(p ProviderConfig) ([]byte, error) {
	type supported struct {
		Supported bool `json:"supported"`
	}
	type bulkJSON struct {
		Supported      bool  `json:"supported"`
		MaxOperations  int   `json:"maxOperations"`
		MaxPayloadSize int64 `json:"maxPayloadSize"`
	}
	type filterJSON struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	}
	type caps struct {
		UserManagementCapabilities []string `json:"userManagementCapabilities"`
	}
	capabilities := p.Capabilities
	if capabilities == nil {
		capabilities = []string{}
	}
	schemes := p.AuthSchemes
	if schemes == nil {
		schemes = []AuthScheme{}
	}
	core := struct {
		Schemas               []string     `json:"schemas"`
		DocumentationURL      string       `json:"documentationUrl"`
		Patch                 supported    `json:"patch"`
		Bulk                  bulkJSON     `json:"bulk"`
		Filter                filterJSON   `json:"filter"`
		ChangePassword        supported    `json:"changePassword"`
		Sort                  supported    `json:"sort"`
		Etag                  supported    `json:"etag"`
		AuthenticationSchemes []AuthScheme `json:"authenticationSchemes"`
	}{
		Schemas:               []string{CoreSchema, ProviderConfigSchema},
		DocumentationURL:      "https://support.okta.com/scim-fake-page.html",
		Bulk:                  bulkJSON{MaxPayloadSize: p.MaxPayloadSize},
		Filter:                filterJSON{Supported: true, MaxResults: p.MaxResults},
		ChangePassword:        supported{p.ChangePassword},
		Sort:                  supported{p.Sort},
		AuthenticationSchemes: schemes,
	}
	return withExtensions(core, []extra{{ProviderConfigSchema, caps{capabilities}}})
}
