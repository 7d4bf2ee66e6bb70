package backend

import (
	"time"

	"github.com/scimbridge/scimbridge/filter"
)

// User is the neutral user: the attributes the Okta agent and SCIM 2.0 clients exchange
// (RFC 7643 §4.1, SCIM 1.1 core User), without any wire spelling.
//
// Extension attributes are kept apart from the core ones so that a codec can put them under the
// right schema URN: Enterprise holds the enterprise extension (employeeNumber, department,
// manager, …), Custom holds the app-specific extension whose URN the Okta admin configures
// (`urn:okta:<appName>:1.0:user:custom`). Their values are JSON-like: string, bool, float64,
// int64, []any, map[string]any, or nil.
type User struct {
	ID           string
	ExternalID   string
	UserName     string
	Name         Name
	DisplayName  string
	NickName     string
	Title        string
	UserType     string
	Locale       string
	Timezone     string
	Emails       []MultiValue
	PhoneNumbers []MultiValue
	Active       bool
	// Password is write-only: set on create and replace when the client sent one, never
	// returned by a backend. "" means "not sent".
	Password   string
	Groups     []GroupRef
	Enterprise map[string]any
	Custom     map[string]any
	Meta       Meta
}

// Name is the complex `name` attribute.
type Name struct {
	Formatted       string
	FamilyName      string
	GivenName       string
	MiddleName      string
	HonorificPrefix string
	HonorificSuffix string
}

// IsZero reports whether no part of the name is set.
func (n Name) IsZero() bool { return n == Name{} }

// MultiValue is one value of a multi-valued attribute such as emails or phoneNumbers.
type MultiValue struct {
	Value   string
	Type    string
	Primary bool
	Display string
}

// GroupRef is one entry of a user's read-only `groups` attribute.
type GroupRef struct {
	Value   string // the group id
	Display string
}

// Meta is the resource metadata. Zero times mean "unknown" and are not rendered.
type Meta struct {
	Created      time.Time
	LastModified time.Time
	// Version is an opaque version (ETag value without quotes), "" when the backend has none.
	Version string
}

// Group is the neutral group (RFC 7643 §4.2, SCIM 1.1 Group). Description is the Okta group
// extension's only attribute (`urn:okta:custom:group:1.0`).
type Group struct {
	ID          string
	ExternalID  string
	DisplayName string
	Description string
	Members     []Member
	Meta        Meta
}

// Member is one group member: the id of a user the connector already assigned.
type Member struct {
	Value   string
	Display string
}

// GroupChange is a partial update of a group. Nil pointers leave the attribute alone. The front
// end computes Add and Remove from whatever the client sent (a full member list in a SCIM 1.1 PUT,
// add/remove operations in a SCIM 2.0 PATCH), so that no backend ever replaces a membership
// wholesale.
type GroupChange struct {
	DisplayName *string
	Description *string
	// ExternalID is the client's id for the group (SCIM 2.0 externalId); a backend whose
	// application has no place for it keeps it in the bridge's state.
	ExternalID *string
	Add        []string // user ids to add; adding a member twice is not an error
	Remove     []string // user ids to remove; removing a non-member is not an error
}

// IsZero reports whether the change changes nothing.
func (c GroupChange) IsZero() bool {
	return c.DisplayName == nil && c.Description == nil && c.ExternalID == nil && len(c.Add) == 0 && len(c.Remove) == 0
}

// Query selects and pages a list of users or groups.
type Query struct {
	// Filter is nil for "everything".
	Filter filter.Expr
	// StartIndex is 1-based, as in SCIM. Values below 1 are treated as 1.
	StartIndex int
	// Count is the page size; a negative Count means the client asked for no paging (the
	// implementation may still cap the page and report the true total). Count 0 asks for the
	// total only.
	Count int
	// SortBy asks the backend to sort, by an attribute it lists in Capabilities.SortUsers (or
	// SortGroups), spelled as listed there; the front end sets it only for such an attribute and
	// only without a Filter, and sorts in the bridge otherwise. "" leaves the backend's order.
	SortBy string
	// SortDescending reverses SortBy's order.
	SortDescending bool
}

// UserPage is one page of a user list. Total counts every match, not just this page.
type UserPage struct {
	Total int
	Users []User
}

// GroupPage is one page of a group list. Total counts every match, not just this page.
type GroupPage struct {
	Total  int
	Groups []Group
}

// Neutral schema markers used in filter.AttrPath.URN once the front end has normalised a
// client's filter: the front end rewrites the dialect's extension URNs (SCIM 1.1 enterprise, the
// configured Okta custom URN in both its `…:user:custom` and legacy `…:user` spellings, SCIM 2.0
// enterprise) to these, so that backends never see app-specific URNs. Core attributes have URN "".
const (
	EnterpriseSchema = "enterprise"
	CustomSchema     = "custom"
)
