package filter

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Default limits. The length default fits every filter a real client sends (the Okta forms are
// under 150 bytes) with a wide margin; the depth default is far above what a person writes and far
// below what could hurt the stack.
const (
	DefaultMaxLength = 4096
	DefaultMaxDepth  = 32

	// maxDepthCeiling caps a configured MaxDepth, so that no configuration can make the
	// parser's recursion (three frames per level) deep enough to matter.
	maxDepthCeiling = 1000
)

// Limits bounds the input a parser accepts. A zero or negative field takes its default; MaxDepth
// is capped at 1000.
//
// MaxDepth counts nesting levels: each parenthesised group, each `not (…)`, each value path
// `attr[…]` and each and/or chain of two or more terms opens one level. A chain is one level
// however long it is, so `a pr and b pr and c pr` has depth 1, `(a pr or b pr) and c pr` depth 3
// (the and-chain, the group, the or-chain), and a lone comparison depth 0.
type Limits struct {
	MaxLength int
	MaxDepth  int
}

func (l Limits) withDefaults() Limits {
	if l.MaxLength <= 0 {
		l.MaxLength = DefaultMaxLength
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxDepth > maxDepthCeiling {
		l.MaxDepth = maxDepthCeiling
	}
	return l
}

// SyntaxError reports why a filter or path was refused. Offset is the byte offset in the input
// where the problem was found; Msg is short and meant for the client (it ends up in the detail of
// a 400 invalidFilter or invalidPath), so it never echoes more than a few bytes of the input.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("%s (at offset %d)", e.Msg, e.Offset)
}

// Parse parses a SCIM filter (RFC 7644 §3.4.2.2, which also covers the SCIM 1.1 forms) with the
// default limits. Errors are *SyntaxError.
func Parse(s string) (Expr, error) { return ParseWith(s, Limits{}) }

// ParseWith parses a SCIM filter within the given limits. Errors are *SyntaxError.
func ParseWith(s string, lim Limits) (Expr, error) {
	p, err := newParser(s, lim)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.eof() {
		return nil, p.errorf(p.pos, "empty filter: expected an attribute path such as userName")
	}
	e, _, err := p.parseOr(0, false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, p.unexpected("'and', 'or' or the end of the filter")
	}
	return e, nil
}

type parser struct {
	s   string
	pos int
	lim Limits
}

func newParser(s string, lim Limits) (*parser, error) {
	lim = lim.withDefaults()
	if len(s) > lim.MaxLength {
		return nil, &SyntaxError{Offset: lim.MaxLength, Msg: fmt.Sprintf("too long: %d bytes, the limit is %d", len(s), lim.MaxLength)}
	}
	if !utf8.ValidString(s) {
		// Checked up front so that every string we keep re-renders byte for byte.
		off := 0
		for off < len(s) {
			r, n := utf8.DecodeRuneInString(s[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		return nil, &SyntaxError{Offset: off, Msg: "invalid UTF-8"}
	}
	return &parser{s: s, lim: lim}, nil
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) errorf(off int, format string, args ...any) *SyntaxError {
	return &SyntaxError{Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// unexpected reports what was expected at the current position and a short sample of what is
// there instead.
func (p *parser) unexpected(expected string) *SyntaxError {
	if p.eof() {
		return p.errorf(p.pos, "expected %s, found the end of the filter", expected)
	}
	return p.errorf(p.pos, "expected %s, found %s", expected, p.sample())
}

// sample quotes the next token (at most 20 bytes, cut on a rune boundary) for an error message.
func (p *parser) sample() string {
	rest := p.s[p.pos:]
	n := 0
	for n < len(rest) && n < 20 {
		c := rest[n]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
		_, size := utf8.DecodeRuneInString(rest[n:])
		if n+size > 20 && n > 0 {
			break
		}
		n += size
		if isPunct(c) {
			break
		}
	}
	if n == 0 {
		_, n = utf8.DecodeRuneInString(rest)
	}
	return fmt.Sprintf("%q", rest[:n])
}

func isPunct(c byte) bool {
	return c == '(' || c == ')' || c == '[' || c == ']' || c == '"'
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func (p *parser) skipSpace() {
	for p.pos < len(p.s) && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isPathChar reports the bytes an attribute path (with its schema URN) is made of. URNs may hold
// more in theory; SCIM schema URNs never do, and excluding everything else keeps the token
// boundaries obvious.
func isPathChar(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '_' || c == '.' || c == ':' || c == '$'
}

// word returns the run of path characters at the current position without consuming it.
func (p *parser) word() string {
	end := p.pos
	for end < len(p.s) && isPathChar(p.s[end]) {
		end++
	}
	return p.s[p.pos:end]
}

// checkDepth refuses to open a nesting level beyond the limit. Every recursive call of the parser
// passes through it, which is what bounds the recursion.
func (p *parser) checkDepth(depth, off int) error {
	if depth > p.lim.MaxDepth {
		return p.errorf(off, "nested too deeply: more than %d levels of parentheses, not, [ ] and and/or chains", p.lim.MaxDepth)
	}
	return nil
}

// parseOr parses an or-chain of and-chains. level is the number of levels already open around
// it; the result's depth is the number of levels the expression itself opens. Chains are parsed
// in a loop and built left-associatively, so their length costs no recursion. inValue is true
// inside a value path's brackets, where value paths may not nest.
func (p *parser) parseOr(level int, inValue bool) (Expr, int, error) {
	start := p.pos
	left, depth, err := p.parseAnd(level, inValue)
	if err != nil {
		return nil, 0, err
	}
	chain := false
	for {
		p.skipSpace()
		if !p.keyword("or") {
			break
		}
		opAt := p.pos
		if !chain {
			chain = true
			// The chain opens a level around everything parsed so far and everything to come.
			if err := p.checkDepth(level+1+depth, start); err != nil {
				return nil, 0, err
			}
		}
		p.pos += 2
		p.skipSpace()
		if p.eof() {
			return nil, 0, p.errorf(p.pos, "expected a filter after 'or' at offset %d, found the end of the filter", opAt)
		}
		right, d, err := p.parseAnd(level+1, inValue)
		if err != nil {
			return nil, 0, err
		}
		if d > depth {
			depth = d
		}
		left = Or{Left: left, Right: right}
	}
	if chain {
		depth++
	}
	return left, depth, nil
}

func (p *parser) parseAnd(level int, inValue bool) (Expr, int, error) {
	start := p.pos
	left, depth, err := p.parseUnary(level, inValue)
	if err != nil {
		return nil, 0, err
	}
	chain := false
	for {
		p.skipSpace()
		if !p.keyword("and") {
			break
		}
		opAt := p.pos
		if !chain {
			chain = true
			if err := p.checkDepth(level+1+depth, start); err != nil {
				return nil, 0, err
			}
		}
		p.pos += 3
		p.skipSpace()
		if p.eof() {
			return nil, 0, p.errorf(p.pos, "expected a filter after 'and' at offset %d, found the end of the filter", opAt)
		}
		right, d, err := p.parseUnary(level+1, inValue)
		if err != nil {
			return nil, 0, err
		}
		if d > depth {
			depth = d
		}
		left = And{Left: left, Right: right}
	}
	if chain {
		depth++
	}
	return left, depth, nil
}

// keyword reports whether the word at the current position is kw, ignoring case. The word must
// end there: `order` is an attribute, not `or` followed by `der`.
func (p *parser) keyword(kw string) bool {
	w := p.word()
	return len(w) == len(kw) && strings.EqualFold(w, kw)
}

// parseUnary parses a group, a negation, a value path or an attribute expression.
func (p *parser) parseUnary(level int, inValue bool) (Expr, int, error) {
	p.skipSpace()
	start := p.pos
	if p.eof() {
		return nil, 0, p.unexpected("an attribute path, 'not' or '('")
	}
	c := p.s[p.pos]
	if c == '(' {
		if err := p.checkDepth(level+1, start); err != nil {
			return nil, 0, err
		}
		p.pos++
		e, d, err := p.parseOr(level+1, inValue)
		if err != nil {
			return nil, 0, err
		}
		p.skipSpace()
		if p.eof() || p.s[p.pos] != ')' {
			return nil, 0, p.unexpected(fmt.Sprintf("'and', 'or' or ')' closing the '(' at offset %d", start))
		}
		p.pos++
		return e, d + 1, nil
	}
	if p.keyword("not") {
		// `not` is a negation only when a group follows; otherwise it is an attribute named "not".
		after := p.pos + 3
		for after < len(p.s) && isSpace(p.s[after]) {
			after++
		}
		if after < len(p.s) && p.s[after] == '(' {
			if err := p.checkDepth(level+1, start); err != nil {
				return nil, 0, err
			}
			p.pos = after + 1
			e, d, err := p.parseOr(level+1, inValue)
			if err != nil {
				return nil, 0, err
			}
			p.skipSpace()
			if p.eof() || p.s[p.pos] != ')' {
				return nil, 0, p.unexpected(fmt.Sprintf("'and', 'or' or ')' closing the 'not (' at offset %d", start))
			}
			p.pos++
			return Not{X: e}, d + 1, nil
		}
	}
	if c == '"' || c == '\'' || strings.HasPrefix(p.s[p.pos:], "“") {
		return nil, 0, p.unexpected("an attribute path (attribute names are not quoted)")
	}
	path, err := p.parseAttrPath()
	if err != nil {
		return nil, 0, err
	}
	if !p.eof() && p.s[p.pos] == '[' {
		if inValue {
			return nil, 0, p.errorf(p.pos, "value paths cannot be nested: '[' inside '[…]'")
		}
		f, d, err := p.parseValueFilter(level, start)
		if err != nil {
			return nil, 0, err
		}
		if !p.eof() && p.s[p.pos] == '.' {
			return nil, 0, p.errorf(p.pos, "a value path in a filter cannot be followed by a sub-attribute: write %s[… and sub eq …] instead", shortText(path.String()))
		}
		return ValuePath{Path: path, Filter: f}, d + 1, nil
	}
	e, err := p.parseAttrExp(path, start)
	return e, 0, err
}

// parseValueFilter parses `[valFilter]` with p at the '['; start is where the value path began.
func (p *parser) parseValueFilter(level, start int) (Expr, int, error) {
	open := p.pos
	if err := p.checkDepth(level+1, start); err != nil {
		return nil, 0, err
	}
	p.pos++
	p.skipSpace()
	if !p.eof() && p.s[p.pos] == ']' {
		return nil, 0, p.errorf(p.pos, "empty value filter: expected a filter inside '[…]'")
	}
	f, d, err := p.parseOr(level+1, true)
	if err != nil {
		return nil, 0, err
	}
	p.skipSpace()
	if p.eof() || p.s[p.pos] != ']' {
		return nil, 0, p.unexpected(fmt.Sprintf("'and', 'or' or ']' closing the '[' at offset %d", open))
	}
	p.pos++
	return f, d, nil
}

// parseAttrExp parses what follows an attribute path: `pr` or an operator and a value.
func (p *parser) parseAttrExp(path AttrPath, start int) (Expr, error) {
	if p.eof() || !isSpace(p.s[p.pos]) {
		if p.eof() {
			return nil, p.unexpected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after " + quoteShort(path.String()))
		}
		return nil, p.unexpected("a space and an operator after the attribute path")
	}
	p.skipSpace()
	opAt := p.pos
	w := p.word()
	op, ok := parseOp(w)
	if !ok {
		return nil, p.unexpected("an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")
	}
	p.pos += len(w)
	if op == Pr {
		return Present{Path: path}, nil
	}
	p.skipSpace()
	if p.pos == opAt+len(w) && !p.eof() && p.s[p.pos] != '"' {
		return nil, p.unexpected("a space and a value after '" + string(op) + "'")
	}
	v, err := p.parseValue()
	if err != nil {
		return nil, err
	}
	return Compare{Path: path, Op: op, Value: v}, nil
}

func parseOp(w string) (Op, bool) {
	if len(w) != 2 {
		return "", false
	}
	switch op := Op(strings.ToLower(w)); op {
	case Eq, Ne, Co, Sw, Ew, Gt, Ge, Lt, Le, Pr:
		return op, true
	}
	return "", false
}

func quoteShort(s string) string { return fmt.Sprintf("%q", shortText(s)) }

// shortText cuts an attribute path (ASCII by construction) for an error message.
func shortText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
