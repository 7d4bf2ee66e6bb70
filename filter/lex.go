package filter

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// parseAttrPath parses `[URN ":"] ATTRNAME ["." ATTRNAME]` at the current position. The URN ends
// at the last colon of the token: schema URNs contain dots ("2.0") and colons, attribute names
// contain neither, so only the part after the last colon is split at a dot.
func (p *parser) parseAttrPath() (AttrPath, error) {
	start := p.pos
	w := p.word()
	if w == "" {
		return AttrPath{}, p.unexpected("an attribute path such as userName")
	}
	path, off, msg := splitAttrPath(w)
	if msg != "" {
		return AttrPath{}, p.errorf(start+off, "%s", msg)
	}
	p.pos += len(w)
	return path, nil
}

// splitAttrPath validates a path token. On failure it returns the offset within w and a message.
func splitAttrPath(w string) (AttrPath, int, string) {
	var path AttrPath
	rest, restAt := w, 0
	if i := strings.LastIndexByte(w, ':'); i >= 0 {
		urn := w[:i]
		if urn == "" || !isAlpha(urn[0]) {
			return AttrPath{}, 0, "invalid schema URN: it must start with a letter, as in urn:ietf:params:scim:schemas:core:2.0:User"
		}
		if j := strings.IndexByte(urn, '$'); j >= 0 {
			return AttrPath{}, j, "invalid character '$' in a schema URN"
		}
		path.URN = urn
		rest, restAt = w[i+1:], i+1
	}
	name, sub, hasSub := strings.Cut(rest, ".")
	if off, msg := checkAttrName(name); msg != "" {
		return AttrPath{}, restAt + off, msg
	}
	path.Name = name
	if hasSub {
		subAt := restAt + len(name) + 1
		if off, msg := checkAttrName(sub); msg != "" {
			if i := strings.IndexByte(sub, '.'); i >= 0 && off == i {
				return AttrPath{}, subAt + i, "an attribute path has at most one sub-attribute (name.sub)"
			}
			return AttrPath{}, subAt + off, msg
		}
		path.Sub = sub
	}
	return path, 0, ""
}

// checkAttrName checks ATTRNAME = ALPHA *(ALPHA / DIGIT / "-" / "_"), or the special name "$ref".
// It returns the offset of the first bad byte and a message, or "" when the name is valid.
func checkAttrName(n string) (int, string) {
	if strings.EqualFold(n, "$ref") {
		return 0, ""
	}
	if n == "" {
		return 0, "expected an attribute name"
	}
	if !isAlpha(n[0]) {
		return 0, "an attribute name must start with a letter"
	}
	for i := 1; i < len(n); i++ {
		c := n[i]
		if !isAlpha(c) && !isDigit(c) && c != '-' && c != '_' {
			return i, "invalid character " + strconv.QuoteRune(rune(c)) + " in an attribute name"
		}
	}
	return 0, ""
}

// parseValue parses a comparison value: a JSON string, number, true, false or null.
func (p *parser) parseValue() (Value, error) {
	if p.eof() {
		return Value{}, p.unexpected("a value (a \"string\", a number, true, false or null)")
	}
	start := p.pos
	var v Value
	switch c := p.s[p.pos]; {
	case c == '"':
		s, err := p.parseString()
		if err != nil {
			return Value{}, err
		}
		v = Value{Kind: String, Str: s}
	case c == '-' || isDigit(c):
		n, err := p.parseNumber()
		if err != nil {
			return Value{}, err
		}
		v = Value{Kind: Number, Str: n}
	case isAlpha(c):
		w := p.word()
		switch {
		// JSON spells these in lower case; hand-written and some generated filters capitalise them,
		// and accepting that costs nothing.
		case strings.EqualFold(w, "true"):
			v = Value{Kind: Bool, Str: "true", Bool: true}
		case strings.EqualFold(w, "false"):
			v = Value{Kind: Bool, Str: "false"}
		case strings.EqualFold(w, "null"):
			v = Value{Kind: Null, Str: "null"}
		default:
			return Value{}, p.unexpected("a value (a \"string\", a number, true, false or null; strings need double quotes)")
		}
		p.pos += len(w)
	case strings.HasPrefix(p.s[p.pos:], "“") || strings.HasPrefix(p.s[p.pos:], "”"):
		return Value{}, p.errorf(p.pos, "typographic quotes are not allowed: use straight double quotes \"…\"")
	case c == '\'':
		return Value{}, p.errorf(p.pos, "single quotes are not allowed: strings use double quotes \"…\"")
	default:
		return Value{}, p.unexpected("a value (a \"string\", a number, true, false or null)")
	}
	// A value must end at a delimiter: `1and` or `truex` would otherwise be read as two tokens.
	if !p.eof() {
		if c := p.s[p.pos]; !isSpace(c) && c != ')' && c != ']' {
			return Value{}, p.errorf(p.pos, "expected a space, ')' or ']' after the value at offset %d, found %s", start, p.sample())
		}
	}
	return v, nil
}

// parseString decodes a JSON string literal (RFC 8259 §7) at the current position.
func (p *parser) parseString() (string, error) {
	open := p.pos
	i := p.pos + 1
	// Fast path: no escapes.
	for i < len(p.s) {
		c := p.s[i]
		if c == '"' {
			s := p.s[p.pos+1 : i]
			p.pos = i + 1
			return s, nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	var b strings.Builder
	b.WriteString(p.s[p.pos+1 : i])
	for {
		if i >= len(p.s) {
			return "", p.errorf(open, "unterminated string: expected a closing '\"'")
		}
		c := p.s[i]
		switch {
		case c == '"':
			p.pos = i + 1
			return b.String(), nil
		case c < 0x20:
			return "", p.errorf(i, "control character %s in a string: escape it (\\n, \\t, \\u00XX)", strconv.QuoteRune(rune(c)))
		case c != '\\':
			b.WriteByte(c)
			i++
			continue
		}
		if i+1 >= len(p.s) {
			return "", p.errorf(open, "unterminated string: expected a closing '\"'")
		}
		switch e := p.s[i+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
			i += 2
		case 'b':
			b.WriteByte('\b')
			i += 2
		case 'f':
			b.WriteByte('\f')
			i += 2
		case 'n':
			b.WriteByte('\n')
			i += 2
		case 'r':
			b.WriteByte('\r')
			i += 2
		case 't':
			b.WriteByte('\t')
			i += 2
		case 'u':
			r, ok := hex4(p.s, i+2)
			if !ok {
				return "", p.errorf(i, "invalid escape: \\u needs four hex digits")
			}
			n := 6
			if utf16.IsSurrogate(r) {
				// A high surrogate must pair with a following \uDC00–\uDFFF escape; a lone
				// surrogate is not a character and could not be re-rendered.
				r2, ok := rune(0), false
				if r < 0xDC00 && i+12 <= len(p.s) && p.s[i+6] == '\\' && p.s[i+7] == 'u' {
					r2, ok = hex4(p.s, i+8)
				}
				dec := utf16.DecodeRune(r, r2)
				if !ok || dec == utf8.RuneError {
					return "", p.errorf(i, "invalid escape: lone UTF-16 surrogate \\u%04X", r)
				}
				r, n = dec, 12
			}
			b.WriteRune(r)
			i += n
		default:
			return "", p.errorf(i, "invalid escape \\%s in a string: use \\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\uXXXX", string(rune(e)))
		}
	}
}

func hex4(s string, at int) (rune, bool) {
	if at+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[at : at+4]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// parseNumber scans a JSON number and returns its literal text:
// -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (p *parser) parseNumber() (string, error) {
	start := p.pos
	i := p.pos
	bad := func() error {
		return p.errorf(start, "invalid number: numbers use JSON syntax such as 42, -1.5 or 1e3")
	}
	if p.s[i] == '-' {
		i++
	}
	switch {
	case i < len(p.s) && p.s[i] == '0':
		i++
	case i < len(p.s) && isDigit(p.s[i]):
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
	default:
		return "", bad()
	}
	if i < len(p.s) && p.s[i] == '.' {
		i++
		if i >= len(p.s) || !isDigit(p.s[i]) {
			return "", bad()
		}
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
	}
	if i < len(p.s) && (p.s[i] == 'e' || p.s[i] == 'E') {
		i++
		if i < len(p.s) && (p.s[i] == '+' || p.s[i] == '-') {
			i++
		}
		if i >= len(p.s) || !isDigit(p.s[i]) {
			return "", bad()
		}
		for i < len(p.s) && isDigit(p.s[i]) {
			i++
		}
	}
	if i < len(p.s) && (isDigit(p.s[i]) || p.s[i] == '.') {
		// "01" or "1.2.3": not JSON.
		return "", bad()
	}
	p.pos = i
	return p.s[start:i], nil
}
