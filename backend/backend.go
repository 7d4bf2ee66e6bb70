package backend

import "context"

// Backend stores users and groups. Every method takes the request's context first and must
// return promptly when it is done; implementations are safe for concurrent use.
//
// A method the configured backend cannot perform returns an *Error of Kind Unsupported, and
// Capabilities says so up front so that the front end can leave the feature out of its
// discovery documents instead of failing at call time.
type Backend interface {
	// Capabilities reports what this backend can really do. It must be cheap and constant.
	Capabilities() Capabilities

	// CreateUser creates u and returns the stored user with its new, stable, URL-safe ID
	// (RFC 7644 §3.3; docs/okta-agent-protocol.md: msg-create-user, msg-create-pending-user). Any u.ID is ignored. u.Active false creates a disabled
	// (pending) account. u.Password, when set, is the initial password. A user that already
	// exists (same userName, by the backend's own uniqueness rule) gives Kind Conflict.
	CreateUser(ctx context.Context, u *User) (*User, error)

	// GetUser returns one user (RFC 7644 §3.4.1), or Kind NotFound.
	GetUser(ctx context.Context, id string) (*User, error)

	// ListUsers returns the users matching q.Filter, in a stable order (the same order for every
	// page of one listing), windowed by q.StartIndex and q.Count (RFC 7644 §3.4.2). A filter the
	// backend cannot evaluate gives Kind Invalid with a message naming what is not supported.
	ListUsers(ctx context.Context, q Query) (*UserPage, error)

	// ReplaceUser makes user id equal to u: every profile attribute and Active (RFC 7644 §3.5.1;
	// docs/okta-agent-protocol.md: msg-activate … msg-profile-update). u.Password is ignored here: the front end decides whether a password
	// really changed and calls SetPassword. It returns the stored user after the change, with
	// the real resulting Active (the Okta agent reads it back on activation). Unknown id gives
	// Kind NotFound.
	ReplaceUser(ctx context.Context, id string, u *User) (*User, error)

	// SetPassword sets user id's password. A backend password policy refusal (reuse, strength)
	// gives Kind Policy.
	SetPassword(ctx context.Context, id, password string) error

	// DeleteUser removes user id, or does what the backend's mapping says deletion means
	// (RFC 7644 §3.6). The Okta agent never deletes users; SCIM 2.0 clients may.
	DeleteUser(ctx context.Context, id string) error

	// CreateGroup creates g with its initial members and returns the stored group with a new
	// ID; any g.ID is ignored. A group with the same display name (case-insensitively) gives
	// Kind Conflict. Member ids that name no user are skipped, not fatal (docs/okta-agent-protocol.md#unknown-group-members).
	CreateGroup(ctx context.Context, g *Group) (*Group, error)

	// GetGroup returns one group with its members, or Kind NotFound.
	GetGroup(ctx context.Context, id string) (*Group, error)

	// ListGroups returns groups in a stable order, windowed like ListUsers.
	ListGroups(ctx context.Context, q Query) (*GroupPage, error)

	// UpdateGroup applies ch to group id and returns the stored group after the change. Member
	// ids that name no user are skipped, not fatal. Unknown id gives Kind NotFound; a rename to
	// another group's name gives Kind Conflict.
	UpdateGroup(ctx context.Context, id string, ch GroupChange) (*Group, error)

	// DeleteGroup deletes group id, or gives Kind NotFound.
	DeleteGroup(ctx context.Context, id string) error
}

// Capabilities lists what a backend can do. The front end derives the SCIM discovery documents
// and the Okta userManagementCapabilities from it, so a field must be true only when the
// operation really works end to end.
type Capabilities struct {
	CreateUser bool
	GetUser    bool
	ListUsers  bool
	// FilterUsers lists the filter shapes ListUsers evaluates, e.g. "userName eq",
	// "emails eq", "meta.lastModified gt". Shapes are lower case.
	FilterUsers []string
	ReplaceUser bool
	// Activation is true when ReplaceUser can change Active both ways.
	Activation  bool
	SetPassword bool
	DeleteUser  bool
	// IncrementalImport is true when ListUsers answers `meta.lastModified gt "…"` exactly
	// (Okta OPP_SCIM_INCREMENTAL_IMPORTS, docs/okta-agent-protocol.md#msg-incremental-import).
	IncrementalImport bool

	// UserAttributes lists the user attributes the backend stores and returns, as dotted neutral
	// names: core ones ("userName", "name.givenName", "emails", "phoneNumbers", "active", …),
	// "enterprise.<name>" and "custom.<name>". The SCIM 2.0 /Schemas document declares only these,
	// so that a client does not send attributes that would be silently dropped. Nil means "not
	// reported": the whole standard schema is declared.
	UserAttributes []string
	// SortUsers and SortGroups list the attributes an unfiltered ListUsers or ListGroups sorts by
	// itself (Query.SortBy), in neutral dotted names ("userName", "name.familyName",
	// "custom.<name>").
	SortUsers  []string
	SortGroups []string
	// ScanUsers and ScanGroups bound how many records the front end may read to answer one
	// listing itself (sorting in the bridge): the mapping's fallback.maxScan. 0: no bound of the
	// backend's (the front end's own applies).
	ScanUsers  int
	ScanGroups int

	CreateGroup bool
	GetGroup    bool
	ListGroups  bool
	UpdateGroup bool
	DeleteGroup bool
}
