package mapping

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
	Users  *Users      `yaml:"users"`
	Groups *Groups     `yaml:"groups"`
}

// FaultRule turns a business fault into an error kind. A rule matches when every code it
// names is equal (case-sensitively) to the fault's; the first matching rule wins.
type FaultRule struct {
	At           Pos  `yaml:"-"`
	FaultCode    Text `yaml:"faultCode"`
	DetailCode   Text `yaml:"detailCode"`
	Kind         Text `yaml:"kind"`
	Message      Text `yaml:"message"`
	ExposeDetail bool `yaml:"exposeDetail"`
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
}

// Paging says how a list operation pages.
type Paging struct {
	At Pos `yaml:"-"`
	// Style is "pageNumber" (1-based page number and page size request fields).
	Style Text `yaml:"style"`
	// Page and Size name the request fields.
	Page Text `yaml:"page"`
	Size Text `yaml:"size"`
	// MaxSize is the largest page the application serves.
	MaxSize int `yaml:"maxSize"`
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
}

// Groups is the groups block.
type Groups struct {
	At             Pos       `yaml:"-"`
	ToSCIM         Entries   `yaml:"toSCIM"`
	Create         *Step     `yaml:"create"`
	Get            *Step     `yaml:"get"`
	List           *Step     `yaml:"list"`
	Fallback       *Fallback `yaml:"fallback"`
	Rename         *Step     `yaml:"rename"`
	AddMember      *Step     `yaml:"addMember"`
	RemoveMember   *Step     `yaml:"removeMember"`
	UnknownMembers Text      `yaml:"unknownMembers"`
	Delete         *Step     `yaml:"delete"`
}
