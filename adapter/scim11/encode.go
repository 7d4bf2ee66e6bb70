package scim11

import (
	"encoding/json"
	"strconv"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

// TimeLayout is how meta times are written: ISO-8601 in UTC with a `Z`, to the second, the form the
// agent itself sends in `meta.lastModified gt` filters (docs/okta-agent-protocol.md#user-shape). Sub-second precision is dropped on
// the wire, so an incremental import may see a user changed within the same second twice; that is
// harmless (imports are idempotent), whereas missing a change would not be.
const TimeLayout = "2006-01-02T15:04:05Z"

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

// EncodeUser renders u as a SCIM 1.1 user. u.Password is never written. The bytes are those
// json.Marshal gives for the struct encoding the tests keep as their reference (userJSON), the
// extensions following meta.
func (c *Codec) EncodeUser(u *backend.User) ([]byte, error) {
	return c.AppendUser(make([]byte, 0, 512), u)
}

// AppendUser appends u as EncodeUser renders it.
func (c *Codec) AppendUser(dst []byte, u *backend.User) ([]byte, error) {
	// Written by hand (the part both dialects share in scimjson): reflection was most of the
	// encoding's cost on every read (docs/benchmarks.md, front end).
	dst = scimjson.AppendUserCore(dst, u, &c.user)
	dst = appendMeta(dst, u.Meta)
	dst, err := scimjson.AppendUserExtensions(dst, u, &c.user)
	if err != nil {
		return nil, err
	}
	return append(dst, '}'), nil
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
		dst = append(dst, `,"primary":`...)
		dst = scimjson.AppendBool(dst, v.Primary)
		dst = scimjson.AppendOpt(dst, "display", v.Display)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendRef(dst []byte, value, display string) []byte {
	dst = append(dst, `{"value":`...)
	dst = scimjson.AppendString(dst, value)
	dst = scimjson.AppendOpt(dst, "display", display)
	return append(dst, '}')
}

// appendMeta appends `,"meta":{…}` as meta() and json.Marshal would, nothing when it is empty.
func appendMeta(dst []byte, m backend.Meta) []byte {
	if m.Created.IsZero() && m.LastModified.IsZero() && m.Version == "" {
		return dst
	}
	dst = append(dst, `,"meta":{`...)
	mark := len(dst)
	if !m.Created.IsZero() {
		dst = append(dst, `,"created":"`...)
		dst = m.Created.UTC().AppendFormat(dst, TimeLayout)
		dst = append(dst, '"')
	}
	if !m.LastModified.IsZero() {
		dst = append(dst, `,"lastModified":"`...)
		dst = m.LastModified.UTC().AppendFormat(dst, TimeLayout)
		dst = append(dst, '"')
	}
	dst = scimjson.AppendOpt(dst, "version", m.Version)
	dst = scimjson.TrimComma(dst, mark)
	return append(dst, '}')
}

// EncodeGroup renders g as a SCIM 1.1 group, with the Okta group extension when it has a
// description.
func (c *Codec) EncodeGroup(g *backend.Group) ([]byte, error) {
	dst := make([]byte, 0, 128+64*len(g.Members))
	dst = append(dst, `{"schemas":["`+CoreSchema+`"`...)
	if g.Description != "" {
		dst = append(dst, `,"`+GroupExtensionSchema+`"`...)
	}
	dst = append(dst, `],"id":`...)
	dst = scimjson.AppendString(dst, g.ID)
	dst = scimjson.AppendOpt(dst, "externalId", g.ExternalID)
	dst = append(dst, `,"displayName":`...)
	dst = scimjson.AppendString(dst, g.DisplayName)
	dst = append(dst, `,"members":[`...)
	for i, m := range g.Members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendRef(dst, m.Value, m.Display)
	}
	dst = append(dst, ']')
	dst = appendMeta(dst, g.Meta)
	if g.Description != "" {
		dst = append(dst, `,"`+GroupExtensionSchema+`":{"description":`...)
		dst = scimjson.AppendString(dst, g.Description)
		dst = append(dst, '}')
	}
	return append(dst, '}'), nil
}

// Paging says how a list was requested, because the SDK writes startIndex and itemsPerPage only
// when the client asked for paging (docs/okta-agent-protocol.md#paging-rules).
type Paging struct {
	// Paged is true when the request carried startIndex or count, or when the answer was cut short
	// (so that the client can see that it did not get everything).
	Paged      bool
	StartIndex int
}

// EncodeList renders already encoded resources as a SCIM 1.1 list response. The items must be
// compact JSON as this codec's encoders write it: they are copied as they are (json.Marshal of a
// json.RawMessage would only re-compact them).
func EncodeList(total int, items [][]byte, p Paging) ([]byte, error) {
	n := 128
	for _, it := range items {
		n += len(it) + 1
	}
	dst := make([]byte, 0, n)
	dst = append(dst, `{"schemas":["`+CoreSchema+`"],"totalResults":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	if p.Paged {
		dst = append(dst, `,"startIndex":`...)
		dst = strconv.AppendInt(dst, int64(max(p.StartIndex, 1)), 10)
		dst = append(dst, `,"itemsPerPage":`...)
		dst = strconv.AppendInt(dst, int64(len(items)), 10)
	}
	dst = append(dst, `,"Resources":[`...)
	for i, it := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, it...)
	}
	return append(dst, ']', '}'), nil
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
