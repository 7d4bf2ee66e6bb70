package filter

import "strconv"

// String renders the comparison in filter syntax.
func (c Compare) String() string { return c.Path.String() + " " + string(c.Op) + " " + c.Value.String() }

// String renders the presence test in filter syntax.
func (p Present) String() string { return p.Path.String() + " pr" }

// String renders the conjunction, parenthesised.
func (a And) String() string { return "(" + a.Left.String() + " and " + a.Right.String() + ")" }

// String renders the disjunction, parenthesised.
func (o Or) String() string { return "(" + o.Left.String() + " or " + o.Right.String() + ")" }

// String renders the negation.
func (n Not) String() string { return "not (" + n.X.String() + ")" }

// String renders the value path.
func (v ValuePath) String() string { return v.Path.String() + "[" + v.Filter.String() + "]" }

// String renders the value as a filter literal (strings quoted and escaped as JSON).
func (v Value) String() string {
	switch v.Kind {
	case String:
		return strconv.Quote(v.Str)
	case Bool:
		return strconv.FormatBool(v.Bool)
	case Null:
		return "null"
	default:
		return v.Str
	}
}
