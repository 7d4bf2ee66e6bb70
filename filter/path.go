package filter

import "strings"

// PatchPath is the target of a SCIM 2.0 PATCH operation (RFC 7644 §3.5.2):
//
//	PATH = attrPath / valuePath [subAttr]
//
// `name.familyName` has Attr{Name: "name", Sub: "familyName"} and no Filter;
// `members[value eq "2819c2"]` has Attr{Name: "members"} and a Filter;
// `emails[type eq "work"].value` has Attr{Name: "emails"}, a Filter and SubAttr "value".
// Paths inside Filter are relative to Attr, as in a ValuePath.
type PatchPath struct {
	Attr    AttrPath
	Filter  Expr   // nil when the path has no [valFilter]
	SubAttr string // the sub-attribute after the filter; only set together with Filter
}

// String renders the path in PATCH syntax; ParsePath(p.String()) gives p back.
func (p PatchPath) String() string {
	var b strings.Builder
	b.WriteString(p.Attr.String())
	if p.Filter != nil {
		b.WriteByte('[')
		writeExpr(&b, p.Filter)
		b.WriteByte(']')
		if p.SubAttr != "" {
			b.WriteByte('.')
			b.WriteString(p.SubAttr)
		}
	}
	return b.String()
}

// ParsePath parses a SCIM 2.0 PATCH path with the default limits. Errors are *SyntaxError.
func ParsePath(s string) (PatchPath, error) { return ParsePathWith(s, Limits{}) }

// ParsePathWith parses a SCIM 2.0 PATCH path within the given limits. Surrounding whitespace is
// ignored. Errors are *SyntaxError.
func ParsePathWith(s string, lim Limits) (PatchPath, error) {
	p, err := newParser(s, lim)
	if err != nil {
		return PatchPath{}, err
	}
	p.skipSpace()
	if p.eof() {
		return PatchPath{}, p.errorf(p.pos, "empty path: expected an attribute path such as members or name.familyName")
	}
	start := p.pos
	attr, err := p.parseAttrPath()
	if err != nil {
		return PatchPath{}, err
	}
	out := PatchPath{Attr: attr}
	if !p.eof() && p.s[p.pos] == '[' {
		f, _, err := p.parseValueFilter(0, start)
		if err != nil {
			return PatchPath{}, err
		}
		out.Filter = f
		if !p.eof() && p.s[p.pos] == '.' {
			p.pos++
			subAt := p.pos
			w := p.word()
			if off, msg := checkAttrName(w); msg != "" {
				if w == "" {
					return PatchPath{}, p.unexpected("a sub-attribute name after '].'")
				}
				return PatchPath{}, p.errorf(subAt+off, "%s", msg)
			}
			out.SubAttr = w
			p.pos += len(w)
		}
	}
	p.skipSpace()
	if !p.eof() {
		if out.Filter == nil {
			return PatchPath{}, p.unexpected("'[' or the end of the path")
		}
		return PatchPath{}, p.unexpected("'.subAttribute' or the end of the path")
	}
	return out, nil
}
