package filter

import "strings"

// AttrPath names an attribute as a filter sees it: an optional schema URN, an attribute name and
// an optional sub-attribute. `urn:okta:onprem_app:1.0:user:custom:departmentName` has
// URN "urn:okta:onprem_app:1.0:user:custom" and Name "departmentName"; `meta.lastModified` has
// Name "meta" and Sub "lastModified"; `name.givenName` has Name "name" and Sub "givenName".
//
// Names keep the spelling the client sent; SCIM attribute names are case-insensitive, so compare
// paths with Is or EqualFold, never with ==.
type AttrPath struct {
	URN  string
	Name string
	Sub  string
}

// String renders the path in filter syntax.
func (p AttrPath) String() string {
	var b strings.Builder
	if p.URN != "" {
		b.WriteString(p.URN)
		b.WriteByte(':')
	}
	b.WriteString(p.Name)
	if p.Sub != "" {
		b.WriteByte('.')
		b.WriteString(p.Sub)
	}
	return b.String()
}

// EqualFold reports whether two paths name the same attribute, ignoring case as SCIM requires.
func (p AttrPath) EqualFold(q AttrPath) bool {
	return strings.EqualFold(p.URN, q.URN) && strings.EqualFold(p.Name, q.Name) && strings.EqualFold(p.Sub, q.Sub)
}

// Is reports whether the path is the unqualified attribute written as "name" or "name.sub".
func (p AttrPath) Is(dotted string) bool {
	name, sub, _ := strings.Cut(dotted, ".")
	return p.URN == "" && strings.EqualFold(p.Name, name) && strings.EqualFold(p.Sub, sub)
}

// Op is a comparison operator, always lower case after parsing.
type Op string

// The RFC 7644 §3.4.2.2 attribute operators.
const (
	Eq Op = "eq"
	Ne Op = "ne"
	Co Op = "co"
	Sw Op = "sw"
	Ew Op = "ew"
	Gt Op = "gt"
	Ge Op = "ge"
	Lt Op = "lt"
	Le Op = "le"
	Pr Op = "pr"
)

// ValueKind tells which JSON type a comparison value had in the filter text.
type ValueKind int

// The kinds of comparison values RFC 7644 allows.
const (
	String ValueKind = iota
	Number
	Bool
	Null
)

// Value is a comparison value. Str holds the unescaped string for String, the literal text for
// Number (so that no precision is lost before the backend sees it), and "true"/"false"/"null"
// for the others.
type Value struct {
	Kind ValueKind
	Str  string
	Bool bool
}

// Expr is a parsed filter. The concrete types are Compare, Present, And, Or, Not and ValuePath.
type Expr interface {
	// String renders the expression back in canonical filter syntax (lower-case operators,
	// fully parenthesised where precedence would otherwise matter).
	String() string
	isExpr()
}

// Compare is `path op value`.
type Compare struct {
	Path  AttrPath
	Op    Op
	Value Value
}

// Present is `path pr`.
type Present struct {
	Path AttrPath
}

// And is `left and right`.
type And struct {
	Left, Right Expr
}

// Or is `left or right`. The Okta agent writes it in upper case (`OR`).
type Or struct {
	Left, Right Expr
}

// Not is `not (x)`.
type Not struct {
	X Expr
}

// ValuePath is `path[filter]`, e.g. `emails[type eq "work" and value co "@example.com"]`. The
// paths inside Filter are relative to Path (sub-attributes of the multi-valued attribute).
type ValuePath struct {
	Path   AttrPath
	Filter Expr
}

func (Compare) isExpr()   {}
func (Present) isExpr()   {}
func (And) isExpr()       {}
func (Or) isExpr()        {}
func (Not) isExpr()       {}
func (ValuePath) isExpr() {}
