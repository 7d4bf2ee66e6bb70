package mapping

import "go.yaml.in/yaml/v3"

// The spec types mirror the mapping file one to one. They hold text and positions only; all
// meaning (operation names, field paths, expressions) is checked and compiled by Compile.
// docs/mapping.md is the reference of every key.

// Text is a scalar from the file with its position: a name or an expression as written.
type Text struct {
	Value string
	At    Pos
}

// Set reports whether the key was given a non-empty value.
func (t Text) Set() bool { return t.Value != "" }

// Entry is one `key: value` line of an ordered block such as toSCIM, fromSCIM or request.
type Entry struct {
	Key   Text
	Value Text
}

// Entries is an ordered block of entries; order matters (e.g. the first email is primary).
type Entries []Entry

// Spec is a parsed mapping file.
type Spec struct {
	// File is the name used in problem positions.
	File   string      `yaml:"-"`
	At     Pos         `yaml:"-"`
	Client Text        `yaml:"client"`
	Faults []FaultRule `yaml:"faults"`
	// FaultDetail reads the code and message of a fault from its detail by XPath, for
	// applications whose detail elements are not named Code and Message.
	FaultDetail *FaultDetail `yaml:"faultDetail"`
	Users       *Users       `yaml:"users"`
	Groups      *Groups      `yaml:"groups"`
	// REST declares the operations of a REST backend inline (method, path, parameters, body
	// and response types); package restclient reads it and builds the catalog this file is
	// compiled against. The engine itself never looks inside.
	REST *yaml.Node `yaml:"rest"`
}

// FaultRule turns a business fault into an error kind. A rule matches when every code it
// names is equal (case-sensitively) to the fault's; the first matching rule wins.
type FaultRule struct {
	At         Pos  `yaml:"-"`
	FaultCode  Text `yaml:"faultCode"`
	DetailCode Text `yaml:"detailCode"`
	// Pattern is a regular expression (Go syntax) matched against the fault string and the
	// detail message, for applications that put the meaning in text (WSO2's UserStoreException).
	Pattern      Text `yaml:"pattern"`
	Kind         Text `yaml:"kind"`
	Message      Text `yaml:"message"`
	ExposeDetail bool `yaml:"exposeDetail"`
	// DetailPattern is a regular expression matched against the raw XML of the fault detail.
	DetailPattern Text `yaml:"detailPattern"`
	// Breaker says whether the fault counts towards the circuit breaker ("true"/"false"); empty:
	// server faults count unless the rule's kind is a business one, client faults never.
	Breaker Text `yaml:"breaker"`
}

// FaultDetail names XPaths (over the fault's <detail> element) that give the fault's code and
// message; each replaces what the client found by element name.
type FaultDetail struct {
	At      Pos  `yaml:"-"`
	Code    Text `yaml:"code"`
	Message Text `yaml:"message"`
}

// Fail ends an operation with an error instead of a call (e.g. refusing a rename the
// application cannot do).
type Fail struct {
	At      Pos  `yaml:"-"`
	Kind    Text `yaml:"kind"`
	Message Text `yaml:"message"`
}

// Step is one call of a legacy operation. v0 operations are one step each; the engine already
// runs every operation as a list of steps so that multi-step operations (issue #4) are an
// addition to the file format, not a rewrite of the engine.
type Step struct {
	At Pos `yaml:"-"`
	// Call names the operation.
	Call Text `yaml:"call"`
	// Record names the request field that receives the record built by fromSCIM.
	Record Text `yaml:"record"`
	// Request sets request fields (dotted paths) from expressions.
	Request Entries `yaml:"request"`
	// Result is the expression that yields the record from the response.
	Result Text `yaml:"result"`
	// Items and Total read a list response.
	Items  Text    `yaml:"items"`
	Total  Text    `yaml:"total"`
	Paging *Paging `yaml:"paging"`
	// Fetch: "get" says items gives ids, each read with the block's get.
	Fetch Text `yaml:"fetch"`

	// Steps makes the block a multi-step operation; the block's own call keys are then unused.
	Steps []Step `yaml:"steps"`
	// When is a condition: the step runs only when it gives true.
	When Text `yaml:"when"`
	// As binds the step's response under a name for the steps after it.
	As Text `yaml:"as"`
	// Fail ends the operation with an error (no call).
	Fail *Fail `yaml:"fail"`
	// ID gives the resource's id after the operation when no step's result gives the record
	// (create, rename): the engine reads the record again with get.
	ID Text `yaml:"id"`
	// CheckExisting (create only) looks the resource up by userName or displayName before
	// creating it and answers conflict when it exists, for applications that accept duplicates.
	CheckExisting bool `yaml:"checkExisting"`
}

// Paging says how a list operation pages.
type Paging struct {
	At Pos `yaml:"-"`
	// Style is "pageNumber" (1-based page number and page size request fields), "offset"
	// (0-based offset and size) or "none" (one call lists everything).
	Style Text `yaml:"style"`
	// Page, Offset and Size name the request fields.
	Page   Text `yaml:"page"`
	Offset Text `yaml:"offset"`
	Size   Text `yaml:"size"`
	// Limit (style none) names the request field that caps how many items one call returns.
	Limit Text `yaml:"limit"`
	// MaxSize is the largest page the application serves (style none: the most items the
	// bridge asks for and keeps in a snapshot).
	MaxSize int `yaml:"maxSize"`
	// SnapshotTTL (style none) keeps one listing's items for the pages after its first, so that
	// every page of an import run sees the same order (a Go duration, e.g. "2m").
	SnapshotTTL Text `yaml:"snapshotTTL"`
}

// Sort says how the list operation sorts (users.sort, groups.sort).
type Sort struct {
	At Pos `yaml:"-"`
	// By maps each attribute (as toSCIM names it) to the application's value for it.
	By Entries `yaml:"by"`
	// Field and Order name the list request's fields for the sort key and the direction.
	Field Text `yaml:"field"`
	Order Text `yaml:"order"`
	// Ascending and Descending are Order's values (a boolean Order is true for descending).
	Ascending  Text `yaml:"ascending"`
	Descending Text `yaml:"descending"`
}

// SearchRule pushes a filter of one shape down to the application.
type SearchRule struct {
	At    Pos  `yaml:"-"`
	Shape Text `yaml:"shape"`
	// Use names another block that answers the filter instead of a call; v0 knows "get".
	Use  Text `yaml:"use"`
	Step `yaml:",inline"`
}

// Fallback bounds the adapter-side evaluation of filters no search rule answers.
type Fallback struct {
	At      Pos `yaml:"-"`
	MaxScan int `yaml:"maxScan"`
}

// Replace is the user replace block.
type Replace struct {
	At       Pos  `yaml:"-"`
	Strategy Text `yaml:"strategy"`
	Absent   Text `yaml:"absent"`
	Step     `yaml:",inline"`
}

// Users is the users block.
type Users struct {
	At          Pos          `yaml:"-"`
	ToSCIM      Entries      `yaml:"toSCIM"`
	FromSCIM    Entries      `yaml:"fromSCIM"`
	Create      *Step        `yaml:"create"`
	Get         *Step        `yaml:"get"`
	List        *Step        `yaml:"list"`
	Search      []SearchRule `yaml:"search"`
	Fallback    *Fallback    `yaml:"fallback"`
	Replace     *Replace     `yaml:"replace"`
	Activate    *Step        `yaml:"activate"`
	Deactivate  *Step        `yaml:"deactivate"`
	SetPassword *Step        `yaml:"setPassword"`
	Delete      *Step        `yaml:"delete"`
	// ChangeTracking "hash": the application keeps no change times; the bridge hashes every
	// user it reads and assigns meta.lastModified from its state store.
	ChangeTracking Text `yaml:"changeTracking"`
	// MaxLength limits string attributes (SCIM name: characters), checked before any call.
	MaxLength Entries `yaml:"maxLength"`
	// Sort pushes sorting down to list.
	Sort *Sort `yaml:"sort"`
}

// Groups is the groups block.
type Groups struct {
	At           Pos       `yaml:"-"`
	ToSCIM       Entries   `yaml:"toSCIM"`
	Create       *Step     `yaml:"create"`
	Get          *Step     `yaml:"get"`
	List         *Step     `yaml:"list"`
	Fallback     *Fallback `yaml:"fallback"`
	Rename       *Step     `yaml:"rename"`
	AddMember    *Step     `yaml:"addMember"`
	RemoveMember *Step     `yaml:"removeMember"`
	// UpdateMembers adds and removes members in one call (env add, remove: lists of user ids).
	UpdateMembers  *Step `yaml:"updateMembers"`
	UnknownMembers Text  `yaml:"unknownMembers"`
	Delete         *Step `yaml:"delete"`
	// SurrogateIDs: the id toSCIM gives is the application's name for the group, which a
	// rename changes; the bridge issues stable ids and keeps the map in its state store.
	SurrogateIDs bool `yaml:"surrogateIds"`
	// MaxLength limits displayName, description and externalId (characters).
	MaxLength Entries `yaml:"maxLength"`
	// Sort pushes sorting down to list.
	Sort *Sort `yaml:"sort"`
}
