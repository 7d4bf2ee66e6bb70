package backend

// AttrType is the SCIM data type of an attribute (RFC 7643 §2.3).
type AttrType string

// The SCIM data types.
const (
	TypeString    AttrType = "string"
	TypeBoolean   AttrType = "boolean"
	TypeInteger   AttrType = "integer"
	TypeDecimal   AttrType = "decimal"
	TypeDateTime  AttrType = "dateTime"
	TypeReference AttrType = "reference"
	TypeComplex   AttrType = "complex"
)

// AttrInfo describes the values of one attribute a backend returns.
type AttrInfo struct {
	Type AttrType
	// MultiValued is true when the attribute carries a list of values of Type.
	MultiValued bool
}

// AttributeDescriber is implemented by a Backend that knows the types of the user attributes it
// returns, keyed as Capabilities.UserAttributes spells them ("custom.isAdmin"). The SCIM 2.0
// /Schemas document declares these types, so that a client following the schema sends values the
// backend accepts. An attribute it does not describe is declared with its standard type (string
// for extension attributes). Optional: the front end checks for it with a type assertion.
type AttributeDescriber interface {
	UserAttributeTypes() map[string]AttrInfo
}

// MaxLength is a limit on the length of a string attribute, in characters (Unicode code
// points, as XSD counts them), with where it comes from for the error message.
type MaxLength struct {
	Limit  int
	Source string // e.g. "the mapping's maxLength"
}

// LengthLimiter is implemented by a Backend whose application limits the length of some string
// attributes, keyed as the front end names them ("userName", "name.givenName", "emails.value",
// "custom.<name>"; for groups "displayName", "description", "externalId"). The front end refuses
// a longer value with 400 before calling the backend. Optional: checked with a type assertion.
type LengthLimiter interface {
	MaxLengths() (users, groups map[string]MaxLength)
}
