package scim11

import (
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
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
	user      scimjson.UserDialect
}

// New returns a codec for the Okta app whose internal name is appName and whose app-user custom
// schema is customSchemaName (usually "custom").
func New(appName, customSchemaName string) *Codec {
	legacy := "urn:okta:" + appName + ":1.0:user"
	c := &Codec{customURN: legacy + ":" + customSchemaName, legacyURN: legacy}
	c.user = scimjson.UserDialect{CoreSchema: CoreSchema, EnterpriseSchema: EnterpriseSchema, CustomURN: c.customURN,
		MultiValues: appendMultiValues, Group: func(dst []byte, g *backend.GroupRef) []byte { return appendRef(dst, g.Value, g.Display) }}
	return c
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

// MemberInput is one entry of a group body's `members`; Delete marks the SCIM 1.1 delta syntax.
type MemberInput = scimjson.Member

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

// DecodeError is a client body that cannot be understood (see scimjson.Error: its message never
// carries a value).
type DecodeError = scimjson.Error

// DecodeUser decodes a SCIM 1.1 user body. `id`, `meta` and `groups` are read but the caller
// decides whether to use them (a create ignores the client's id; groups are read-only in OPP).
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
	doc, err := scimjson.Parse(data, "user")
	if err != nil {
		return nil, err
	}
	m, orig := scimjson.Lower(doc)
	in := &UserInput{}
	if in.ActiveSet, err = scimjson.UserCore(m, orig, &in.User); err != nil {
		return nil, err
	}
	if err := c.extensions(in, scimjson.ExtensionKeys(m, orig)); err != nil {
		return nil, err
	}
	return in, nil
}

// extensions reads the body's "urn:" keys (sorted by their lower-cased spelling). The configured
// custom URN wins over the legacy spelling when both carry a key.
func (c *Codec) extensions(in *UserInput, exts []scimjson.FastExt) error {
	u := &in.User
	var err error
	for _, e := range exts {
		key := e.Key
		switch {
		case strings.EqualFold(key, EnterpriseSchema):
			if u.Enterprise, err = scimjson.Extension(e.Value, key, u.Enterprise, scimjson.ExtensionMode{}); err != nil {
				return err
			}
		case strings.EqualFold(key, c.legacyURN):
			if u.Custom, err = scimjson.Extension(e.Value, key, u.Custom, scimjson.ExtensionMode{}); err != nil {
				return err
			}
		case strings.EqualFold(key, c.customURN):
			if u.Custom, err = scimjson.Extension(e.Value, key, u.Custom, scimjson.ExtensionMode{Overwrite: true}); err != nil {
				return err
			}
		default:
			in.IgnoredExtensions = append(in.IgnoredExtensions, key)
		}
	}
	return nil
}

// DecodeGroup decodes a SCIM 1.1 group body.
func (c *Codec) DecodeGroup(data []byte) (*GroupInput, error) {
	// As DecodeUser: the common shape without generic maps, the rest the generic way.
	if fg, ok := scimjson.DecodeGroupFast(data, true); ok {
		in := &GroupInput{ID: fg.ID, ExternalID: fg.ExternalID, DisplayName: fg.DisplayName,
			DisplayNameSet: fg.DisplayNameSet, Members: fg.Members, MembersSet: fg.MembersPresent}
		if groupExtensions(in, fg.Exts) == nil {
			return in, nil
		}
	}
	return c.decodeGroupGeneric(data)
}

// decodeGroupGeneric is DecodeGroup over generic maps: the definition of what a body means.
func (c *Codec) decodeGroupGeneric(data []byte) (*GroupInput, error) {
	doc, err := scimjson.Parse(data, "group")
	if err != nil {
		return nil, err
	}
	m, orig := scimjson.Lower(doc)
	in := &GroupInput{}
	if in.ID, err = scimjson.Str(m["id"], "id"); err != nil {
		return nil, err
	}
	if in.ExternalID, err = scimjson.Str(m["externalid"], "externalId"); err != nil {
		return nil, err
	}
	if v, ok := m["displayname"]; ok && v != nil {
		if in.DisplayName, err = scimjson.Str(v, "displayName"); err != nil {
			return nil, err
		}
		in.DisplayNameSet = true
	}
	if v, ok := m["members"]; ok {
		in.MembersSet = true
		if in.Members, err = scimjson.Members(v, true); err != nil {
			return nil, err
		}
	}
	if err := groupExtensions(in, scimjson.ExtensionKeys(m, orig)); err != nil {
		return nil, err
	}
	return in, nil
}

// groupExtensions reads the body's "urn:" keys: the Okta group extension's description.
func groupExtensions(in *GroupInput, exts []scimjson.FastExt) error {
	for _, e := range exts {
		if !strings.EqualFold(e.Key, GroupExtensionSchema) {
			in.IgnoredExtensions = append(in.IgnoredExtensions, e.Key)
			continue
		}
		ext, err := scimjson.Object(e.Value, e.Key)
		if err != nil {
			return err
		}
		if v, ok := ext["description"]; ok {
			if in.Description, err = scimjson.Str(v, "description"); err != nil {
				return err
			}
			in.DescriptionSet = true
		}
	}
	return nil
}
