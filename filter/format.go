package filter

import (
	"strings"
)

// The String methods render canonical filter syntax: lower-case operators and keywords, single
// spaces, strings as JSON, and parentheses only where the tree needs them (an or inside an and,
// a right-nested chain of the same operator). For every expression Parse returns,
// Parse(e.String()) returns an equal expression; FuzzParse checks it.

// String renders the comparison in filter syntax.
func (c Compare) String() string {
	var b strings.Builder
	writeExpr(&b, c)
	return b.String()
}

// String renders the presence test in filter syntax.
func (p Present) String() string { return p.Path.String() + " pr" }

// String renders the conjunction.
func (a And) String() string {
	var b strings.Builder
	writeExpr(&b, a)
	return b.String()
}

// String renders the disjunction.
func (o Or) String() string {
	var b strings.Builder
	writeExpr(&b, o)
	return b.String()
}

// String renders the negation.
func (n Not) String() string {
	var b strings.Builder
	writeExpr(&b, n)
	return b.String()
}

// String renders the value path.
func (v ValuePath) String() string {
	var b strings.Builder
	writeExpr(&b, v)
	return b.String()
}

// String renders the value as a filter literal (strings quoted and escaped as JSON).
func (v Value) String() string {
	switch v.Kind {
	case String:
		var b strings.Builder
		writeJSONString(&b, v.Str)
		return b.String()
	case Bool:
		if v.Bool {
			return "true"
		}
		return "false"
	case Null:
		return "null"
	default:
		return v.Str
	}
}

// writeExpr renders e. And/or chains are walked in a loop along their left spine, so a long
// chain costs no recursion; the recursion left is bounded by the nesting of the tree.
func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case Compare:
		b.WriteString(e.Path.String())
		b.WriteByte(' ')
		b.WriteString(string(e.Op))
		b.WriteByte(' ')
		b.WriteString(e.Value.String())
	case Present:
		b.WriteString(e.Path.String())
		b.WriteString(" pr")
	case And:
		writeChain(b, e, " and ")
	case Or:
		writeChain(b, e, " or ")
	case Not:
		b.WriteString("not (")
		writeExpr(b, e.X)
		b.WriteByte(')')
	case ValuePath:
		b.WriteString(e.Path.String())
		b.WriteByte('[')
		writeExpr(b, e.Filter)
		b.WriteByte(']')
	case nil:
		// Only a hand-built tree can hold nil; render something that will not parse rather than
		// something that silently means a different filter.
		b.WriteString("<nil>")
	default:
		b.WriteString(e.String())
	}
}

// writeChain renders a maximal chain of the same operator, given its top (rightmost) node.
func writeChain(b *strings.Builder, top Expr, sep string) {
	var rights []Expr
	cur := top
	isAnd := sep == " and "
	for {
		if a, ok := cur.(And); ok && isAnd {
			rights = append(rights, a.Right)
			cur = a.Left
			continue
		}
		if o, ok := cur.(Or); ok && !isAnd {
			rights = append(rights, o.Right)
			cur = o.Left
			continue
		}
		break
	}
	// cur is the leftmost term. It is not of the chain's own kind, so it only needs parentheses
	// when it is an or inside an and.
	writeTerm(b, cur, isAnd, true)
	for i := len(rights) - 1; i >= 0; i-- {
		b.WriteString(sep)
		writeTerm(b, rights[i], isAnd, false)
	}
}

func writeTerm(b *strings.Builder, t Expr, inAnd, leftmost bool) {
	paren := false
	switch t.(type) {
	case Or:
		// An or always needs parentheses inside an and; inside an or, only as a right operand
		// (a left one would have been part of the chain).
		paren = inAnd || !leftmost
	case And:
		paren = inAnd && !leftmost
	}
	if paren {
		b.WriteByte('(')
	}
	writeExpr(b, t)
	if paren {
		b.WriteByte(')')
	}
}

// writeJSONString writes s as a JSON string literal. Only what JSON requires is escaped (the
// quote, the backslash and control characters), so the output is never longer than any valid
// spelling of the same string.
func writeJSONString(b *strings.Builder, s string) {
	const hexdig = "0123456789abcdef"
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b.WriteString(s[start:i])
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteString(`\u00`)
			b.WriteByte(hexdig[c>>4])
			b.WriteByte(hexdig[c&0xf])
		}
		start = i + 1
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}
