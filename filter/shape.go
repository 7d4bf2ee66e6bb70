package filter

import "strings"

// Equalities recognises the filters a backend can answer with a lookup by value: `p eq "v"`, or
// an or of such comparisons over the same path (ignoring case), in any grouping, which is how
// the Okta agent asks for a user by several emails (`email eq "a" OR email eq "b"`). It returns
// the path of the first comparison and the values in filter order. Only string values qualify.
// Paths are compared as written: `email`, `emails` and `emails.value` are different paths, and
// normalising them is the caller's business.
func Equalities(e Expr) (path AttrPath, values []string, ok bool) {
	// Depth-first, left to right, with an explicit stack: the tree can be a long chain.
	stack := []Expr{e}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		switch c := cur.(type) {
		case Or:
			stack = append(stack, c.Right, c.Left)
		case Compare:
			if c.Op != Eq || c.Value.Kind != String {
				return AttrPath{}, nil, false
			}
			if values == nil {
				path = c.Path
			} else if !path.EqualFold(c.Path) {
				return AttrPath{}, nil, false
			}
			values = append(values, c.Value.Str)
		default:
			return AttrPath{}, nil, false
		}
	}
	return path, values, true
}

// Shape gives a canonical description of a simple filter for push-down decisions: "<path> <op>"
// in lower case for a single comparison or presence test ("username eq", "meta.lastmodified gt",
// "title pr"), the same with " or" appended for an or of eq comparisons over one path
// ("email eq or"), and "" for anything else. The shape ignores the value's type; a caller that
// needs string values checks Compare.Value.Kind (or uses Equalities).
func Shape(e Expr) string {
	switch c := e.(type) {
	case Compare:
		return strings.ToLower(c.Path.String() + " " + string(c.Op))
	case Present:
		return strings.ToLower(c.Path.String()) + " pr"
	case Or:
		var first AttrPath
		n := 0
		stack := []Expr{c}
		for len(stack) > 0 {
			cur := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch x := cur.(type) {
			case Or:
				stack = append(stack, x.Right, x.Left)
			case Compare:
				if x.Op != Eq {
					return ""
				}
				if n == 0 {
					first = x.Path
				} else if !first.EqualFold(x.Path) {
					return ""
				}
				n++
			default:
				return ""
			}
		}
		return strings.ToLower(first.String()) + " eq or"
	}
	return ""
}
