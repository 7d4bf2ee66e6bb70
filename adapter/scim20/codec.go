package scim20

import (
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
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
	user      scimjson.UserDialect
}

// New returns a codec whose custom user extension is customURN. For the Okta agent in v2 mode
// that is still `urn:okta:<appName>:1.0:user:custom`. aliases are other spellings accepted on
// input (the legacy `urn:okta:<appName>:1.0:user`), never written.
func New(customURN string, aliases ...string) *Codec {
	c := &Codec{customURN: customURN, aliases: aliases}
	c.user = scimjson.UserDialect{CoreSchema: UserSchema, EnterpriseSchema: EnterpriseSchema, CustomURN: customURN,
		MultiValues: appendMultiValues, Group: func(dst []byte, g *backend.GroupRef) []byte { return appendRef(dst, g.Value, "", g.Display) }}
	return c
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

// DecodeError is a client body that cannot be understood; ScimType is the RFC 7644 §3.12
// scimType that fits (see scimjson.Error: its message never carries a value).
type DecodeError = scimjson.Error

func errf(t scimjson.ScimType, format string, args ...any) error {
	return scimjson.Errorf(t, format, args...)
}
