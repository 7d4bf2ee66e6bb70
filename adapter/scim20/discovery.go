package scim20

import (
	"encoding/json"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// ProviderFeatures is what the ServiceProviderConfig advertises. Every field must describe what
// the deployment really does: clients such as Entra choose their requests from it.
type ProviderFeatures struct {
	Patch          bool
	ChangePassword bool
	ETag           bool
	Sort           bool
	MaxResults     int
	// MaxPayloadSize is the largest request body in bytes (bulk.maxPayloadSize; bulk itself is
	// not supported).
	MaxPayloadSize int64
	// AuthScheme is "httpbasic" or "oauthbearertoken" (RFC 7643 §5), "" for none.
	AuthScheme string
	// OktaCapabilities, when not nil, is listed as userManagementCapabilities under Okta's
	// provider-config extension, the same names the SCIM 1.1 document gives. RFC 7643 has no
	// field for "cannot change profiles" or "no group push"; a client that reads this learns it
	// before calling (docs/design-notes.md).
	OktaCapabilities []string
}

// OktaProviderConfigURN is the extension the Okta capabilities are listed under.
const OktaProviderConfigURN = "urn:okta:schemas:scim:providerconfig:1.0"

type oktaProviderConfig struct {
	UserManagementCapabilities []string `json:"userManagementCapabilities"`
}

type supported struct {
	Supported bool `json:"supported"`
}

type docMeta struct {
	ResourceType string `json:"resourceType"`
	Location     string `json:"location,omitempty"`
}

// ServiceProviderConfig renders the RFC 7643 §5 document. base is the absolute /scim/v2 URL.
func ServiceProviderConfig(f ProviderFeatures, base string) ([]byte, error) {
	type bulk struct {
		Supported      bool  `json:"supported"`
		MaxOperations  int   `json:"maxOperations"`
		MaxPayloadSize int64 `json:"maxPayloadSize"`
	}
	type filterJSON struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	}
	type scheme struct {
		Type        string `json:"type"`
		Name        string `json:"name"`
		Description string `json:"description"`
		Primary     bool   `json:"primary"`
	}
	schemes := []scheme{}
	switch f.AuthScheme {
	case "httpbasic":
		schemes = append(schemes, scheme{"httpbasic", "HTTP Basic", "Authentication with the username and password configured for this connector.", true})
	case "oauthbearertoken":
		schemes = append(schemes, scheme{"oauthbearertoken", "Bearer token", "Authentication with the static token configured for this connector.", true})
	}
	schemas := []string{SPConfigSchema}
	var okta *oktaProviderConfig
	if f.OktaCapabilities != nil {
		schemas = append(schemas, OktaProviderConfigURN)
		okta = &oktaProviderConfig{f.OktaCapabilities}
	}
	return json.Marshal(struct {
		Schemas               []string            `json:"schemas"`
		DocumentationURI      string              `json:"documentationUri,omitempty"`
		Patch                 supported           `json:"patch"`
		Bulk                  bulk                `json:"bulk"`
		Filter                filterJSON          `json:"filter"`
		ChangePassword        supported           `json:"changePassword"`
		Sort                  supported           `json:"sort"`
		Etag                  supported           `json:"etag"`
		AuthenticationSchemes []scheme            `json:"authenticationSchemes"`
		Okta                  *oktaProviderConfig `json:"urn:okta:schemas:scim:providerconfig:1.0,omitempty"`
		Meta                  docMeta             `json:"meta"`
	}{
		Schemas:               schemas,
		Okta:                  okta,
		Patch:                 supported{f.Patch},
		Filter:                filterJSON{true, f.MaxResults},
		ChangePassword:        supported{f.ChangePassword},
		Etag:                  supported{f.ETag},
		Sort:                  supported{f.Sort},
		Bulk:                  bulk{MaxPayloadSize: f.MaxPayloadSize},
		AuthenticationSchemes: schemes,
		Meta:                  docMeta{"ServiceProviderConfig", join(base, "/ServiceProviderConfig")},
	})
}

func join(base, p string) string {
	if base == "" {
		return ""
	}
	return strings.TrimRight(base, "/") + p
}

type extRef struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

type resourceType struct {
	Schemas          []string `json:"schemas"`
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Endpoint         string   `json:"endpoint"`
	Description      string   `json:"description"`
	Schema           string   `json:"schema"`
	SchemaExtensions []extRef `json:"schemaExtensions"`
	Meta             docMeta  `json:"meta"`
}

// ResourceTypes returns the User and Group resource types (RFC 7643 §6), each encoded; groups is
// false when the backend has no groups, so that clients do not try to push any.
func (c *Codec) ResourceTypes(base string, groups bool) map[string][]byte {
	out := map[string][]byte{}
	user := resourceType{
		Schemas: []string{ResourceTypeSchema}, ID: "User", Name: "User", Endpoint: "/Users",
		Description: "User Account", Schema: UserSchema,
		SchemaExtensions: []extRef{{EnterpriseSchema, false}, {c.customURN, false}},
		Meta:             docMeta{"ResourceType", join(base, "/ResourceTypes/User")},
	}
	out["User"], _ = json.Marshal(user) // plain structs of strings cannot fail to marshal
	if groups {
		group := resourceType{
			Schemas: []string{ResourceTypeSchema}, ID: "Group", Name: "Group", Endpoint: "/Groups",
			Description: "Group", Schema: GroupSchema, SchemaExtensions: []extRef{},
			Meta: docMeta{"ResourceType", join(base, "/ResourceTypes/Group")},
		}
		out["Group"], _ = json.Marshal(group)
	}
	return out
}

// Attribute is an RFC 7643 §7 attribute definition.
type Attribute struct {
	Name            string      `json:"name"`
	Type            string      `json:"type"`
	MultiValued     bool        `json:"multiValued"`
	Description     string      `json:"description"`
	Required        bool        `json:"required"`
	CaseExact       bool        `json:"caseExact"`
	Mutability      string      `json:"mutability"`
	Returned        string      `json:"returned"`
	Uniqueness      string      `json:"uniqueness"`
	ReferenceTypes  []string    `json:"referenceTypes,omitempty"`
	SubAttributes   []Attribute `json:"subAttributes,omitempty"`
	CanonicalValues []string    `json:"canonicalValues,omitempty"`
}

func attr(name, typ, desc string) Attribute {
	return Attribute{Name: name, Type: typ, Description: desc, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

func (a Attribute) multi() Attribute     { a.MultiValued = true; return a }
func (a Attribute) required() Attribute  { a.Required = true; return a }
func (a Attribute) unique() Attribute    { a.Uniqueness = "server"; return a }
func (a Attribute) exact() Attribute     { a.CaseExact = true; return a }
func (a Attribute) readOnly() Attribute  { a.Mutability = "readOnly"; return a }
func (a Attribute) writeOnly() Attribute { a.Mutability = "writeOnly"; a.Returned = "never"; return a }
func (a Attribute) sub(s ...Attribute) Attribute {
	a.SubAttributes = s
	return a
}

func multiValueAttrs(what string) []Attribute {
	return []Attribute{
		attr("value", "string", what+" value."),
		attr("display", "string", "A human-readable name."),
		attr("type", "string", "A label such as work or home."),
		attr("primary", "boolean", "Whether this is the primary value."),
	}
}

type schemaDoc struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Attributes  []Attribute `json:"attributes"`
	Meta        docMeta     `json:"meta"`
}

// Schemas returns the schema documents (RFC 7643 §7) keyed by URN: the core User, the enterprise
// extension, the custom extension with customAttrs (the mapping's custom attribute names), and
// Group when groups is true.
//
// types, when the backend describes them (backend.AttributeDescriber, keyed "custom.<name>" and
// "enterprise.<name>"), gives the extension attributes' real types, so that a custom boolean is
// declared boolean; an attribute it does not describe is declared a string.
//
// userAttrs, when not nil, is what the backend stores (backend.Capabilities.UserAttributes): core
// and enterprise attributes outside it are left out, so that a client is not invited to send
// values that would be silently dropped. userName is always declared; nil declares everything.
func (c *Codec) Schemas(base string, groups bool, customAttrs, userAttrs []string, types map[string]backend.AttrInfo) map[string][]byte {
	out := map[string][]byte{}
	for _, d := range c.SchemaDefs(groups, customAttrs, userAttrs, types) {
		d.Schemas = []string{SchemaSchema}
		d.Meta = docMeta{"Schema", join(base, "/Schemas/"+d.ID)}
		out[d.ID], _ = json.Marshal(d) // plain structs of strings cannot fail to marshal
	}
	return out
}

// SchemaDef is one schema's definition: its URN, name and attributes.
type SchemaDef = schemaDoc

// SchemaDefs returns the definitions Schemas encodes (see there), for a dialect that writes them
// in another shape (SCIM 1.1).
func (c *Codec) SchemaDefs(groups bool, customAttrs, userAttrs []string, types map[string]backend.AttrInfo) []SchemaDef {
	name := attr("name", "complex", "The components of the user's name.").sub(
		attr("formatted", "string", "The full name."), attr("familyName", "string", "The family name."),
		attr("givenName", "string", "The given name."), attr("middleName", "string", "The middle name."),
		attr("honorificPrefix", "string", "The honorific prefix."), attr("honorificSuffix", "string", "The honorific suffix."))
	groupRef := attr("groups", "complex", "The groups the user belongs to; changed through the Group resource only.").multi().readOnly().sub(
		attr("value", "string", "The group's id.").readOnly(), attr("display", "string", "The group's name.").readOnly())
	docs := []schemaDoc{{
		ID: UserSchema, Name: "User", Description: "User Account",
		Attributes: []Attribute{
			idAttr("user"),
			attr("externalId", "string", "The client's identifier for the user.").exact(),
			attr("userName", "string", "Unique identifier for the user.").required().unique(),
			name,
			attr("displayName", "string", "The name displayed to end users."),
			attr("nickName", "string", "The casual name."),
			attr("title", "string", "The user's title."),
			attr("userType", "string", "The relationship to the organisation."),
			attr("locale", "string", "The default location, e.g. en-US."),
			attr("timezone", "string", "The time zone, e.g. America/Los_Angeles."),
			attr("active", "boolean", "Whether the account can log in."),
			attr("password", "string", "The password; never returned.").writeOnly(),
			attr("emails", "complex", "Email addresses.").multi().sub(multiValueAttrs("The email address")...),
			attr("phoneNumbers", "complex", "Phone numbers.").multi().sub(multiValueAttrs("The phone number")...),
			groupRef,
		},
	}, {
		ID: EnterpriseSchema, Name: "EnterpriseUser", Description: "Enterprise User",
		Attributes: []Attribute{
			attr("employeeNumber", "string", "The employee number."),
			attr("costCenter", "string", "The cost center."),
			attr("organization", "string", "The organization."),
			attr("division", "string", "The division."),
			attr("department", "string", "The department."),
			attr("manager", "complex", "The user's manager.").sub(
				attr("value", "string", "The manager's id."), attr("displayName", "string", "The manager's name.").readOnly()),
		},
	}}
	if userAttrs != nil {
		docs[0].Attributes = declared(docs[0].Attributes, "", userAttrs)
		docs[1].Attributes = declared(docs[1].Attributes, "enterprise.", userAttrs)
	}
	for i, a := range docs[1].Attributes {
		docs[1].Attributes[i] = typed(a, types["enterprise."+a.Name])
	}
	custom := schemaDoc{ID: c.customURN, Name: "CustomUser", Description: "Attributes specific to the application behind this connector", Attributes: []Attribute{}}
	for _, a := range customAttrs {
		custom.Attributes = append(custom.Attributes, typed(attr(a, "string", "Application attribute "+a+"."), types["custom."+a]))
	}
	docs = append(docs, custom)
	if groups {
		docs = append(docs, schemaDoc{
			ID: GroupSchema, Name: "Group", Description: "Group",
			Attributes: []Attribute{
				idAttr("group"),
				attr("externalId", "string", "The client's identifier for the group.").exact(),
				attr("displayName", "string", "The group's name.").required().unique(),
				attr("members", "complex", "The group's members.").multi().sub(
					attr("value", "string", "The member's id.").exact(),
					attr("display", "string", "The member's name.").readOnly(),
					func() Attribute {
						a := attr("$ref", "reference", "The member's URL.").readOnly()
						a.ReferenceTypes = []string{"User"}
						return a
					}()),
			},
		})
	}
	return docs
}

// idAttr is the id every resource carries: assigned by the connector, never changed by a client.
func idAttr(what string) Attribute {
	a := attr("id", "string", "The connector's identifier for the "+what+".").readOnly().unique().exact()
	a.Returned = "always"
	return a
}

// typed gives a declared attribute the type the backend reports, when it reports one. A complex
// declaration (the enterprise manager) keeps its sub-attributes and type.
func typed(a Attribute, info backend.AttrInfo) Attribute {
	if info.Type == "" || a.Type == "complex" {
		return a
	}
	a.Type = string(info.Type)
	a.MultiValued = info.MultiValued
	if info.Type != backend.TypeString && info.Type != backend.TypeReference {
		a.CaseExact = false
	}
	return a
}

// declared keeps the attributes named in have (prefix + name, or prefix + name.sub for the
// sub-attributes of a complex one such as name). userName, password and groups are governed by
// other capabilities and are kept.
func declared(attrs []Attribute, prefix string, have []string) []Attribute {
	set := map[string]bool{}
	for _, h := range have {
		set[strings.ToLower(h)] = true
	}
	var out []Attribute
	for _, a := range attrs {
		full := strings.ToLower(prefix + a.Name)
		switch {
		case prefix == "" && (a.Name == "id" || a.Name == "userName" || a.Name == "password" || a.Name == "groups"):
			out = append(out, a)
		case set[full]:
			out = append(out, a)
		case a.Type == "complex" && !a.MultiValued:
			var subs []Attribute
			for _, sub := range a.SubAttributes {
				if set[full+"."+strings.ToLower(sub.Name)] {
					subs = append(subs, sub)
				}
			}
			if len(subs) > 0 {
				a.SubAttributes = subs
				out = append(out, a)
			}
		}
	}
	return out
}
