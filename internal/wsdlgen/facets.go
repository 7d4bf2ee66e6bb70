package wsdlgen

import (
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// KindFacet: fields were given the maxLength of their element's simple type.
const KindFacet = "facet"

// maxLengthTags gives each generated struct field whose element's simple type carries an
// xs:maxLength (or xs:length) facet the same `xsd:"maxLength=N"` note the runtime client
// writes (TagMaxLength), which gowsdl drops: the mapping refuses longer values before calling
// the application (docs/mapping.md#maxlength). It runs on the formatted source, after the other
// tag repairs, so that its edits never overlap theirs.
func maxLengthTags(src []byte, schemas []*node, r *Report) ([]byte, error) {
	if !hasFacets(schemas) {
		return src, nil // the usual case: nothing to parse
	}
	defs := map[string]*node{}
	simples := map[string]*node{}
	for _, s := range schemas {
		for _, e := range s.elems() {
			name := e.attrOr("name", "")
			switch {
			case name == "":
			case e.is(nsXSD, "simpleType"):
				if _, seen := simples[name]; !seen {
					simples[name] = e
				}
			case e.is(nsXSD, "complexType") || e.is(nsXSD, "element"):
				if _, seen := defs[goName(name)]; !seen {
					defs[goName(name)] = e
				}
			}
		}
	}
	if len(simples) == 0 && !hasFacets(schemas) {
		return src, nil
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "gen.go", src, parser.ParseComments)
	if err != nil {
		return nil, fmt.Errorf("repaired gowsdl output does not parse: %w", err)
	}
	off := func(pos token.Pos) int { return fset.Position(pos).Offset }
	var edits []edit
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, spec := range gd.Specs {
			ts := spec.(*ast.TypeSpec)
			st, ok := ts.Type.(*ast.StructType)
			def := defs[ts.Name.Name]
			if !ok || def == nil {
				continue
			}
			for _, fld := range st.Fields.List {
				if fld.Tag == nil || len(fld.Names) != 1 {
					continue
				}
				raw, err := strconv.Unquote(fld.Tag.Value)
				if err != nil {
					continue
				}
				tag := reflect.StructTag(raw)
				xmlTag, ok := tag.Lookup("xml")
				if _, has := tag.Lookup(TagXSD); !ok || has {
					continue
				}
				name, _, _ := strings.Cut(xmlTag, ",")
				if i := strings.LastIndexByte(name, ' '); i >= 0 {
					name = name[i+1:] // "namespace local"
				}
				el := localElement(def, name)
				if el == nil {
					continue
				}
				if n := facetMaxLength(el, simples); n > 0 {
					newTag := raw + ` ` + TagXSD + `:"` + TagMaxLength + strconv.Itoa(n) + `"`
					edits = append(edits, edit{off(fld.Tag.Pos()), off(fld.Tag.End()), "`" + newTag + "`"})
				}
			}
		}
	}
	if len(edits) == 0 {
		return src, nil
	}
	r.change(KindFacet, "%d field%s carry their element's xs:maxLength in an xsd tag (gowsdl drops facets)", len(edits), plural(len(edits)))
	out, err := format.Source(applyEdits(src, edits))
	if err != nil {
		return nil, fmt.Errorf("gowsdl output with maxLength tags does not format: %w", err)
	}
	return out, nil
}

// hasFacets says whether any schema has a length facet at all.
func hasFacets(schemas []*node) bool {
	found := false
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			if n.is(nsXSD, "maxLength") || n.is(nsXSD, "length") {
				found = true
			}
			return !found
		})
	}
	return found
}

// facetMaxLength is the smallest xs:maxLength or xs:length on the way from el's simple type
// (inline, or named by its type) down the restriction bases; 0 when there is none.
func facetMaxLength(el *node, simples map[string]*node) int {
	var st *node
	if in := el.children(nsXSD, "simpleType"); len(in) > 0 {
		st = in[0]
	} else if t, ok := el.attr("type"); ok {
		if _, local, ok := el.resolveQName(t); ok {
			st = simples[local]
		}
	}
	best := 0
	for depth := 0; st != nil && depth < 16; depth++ {
		rs := st.children(nsXSD, "restriction")
		if len(rs) == 0 {
			break
		}
		for _, facet := range []string{"maxLength", "length"} {
			for _, fc := range rs[0].children(nsXSD, facet) {
				if n, err := strconv.Atoi(strings.TrimSpace(fc.attrOr("value", ""))); err == nil && n > 0 && (best == 0 || n < best) {
					best = n
				}
			}
		}
		base, ok := rs[0].attr("base")
		if !ok {
			break
		}
		_, local, ok := rs[0].resolveQName(base)
		if !ok {
			break
		}
		st = simples[local]
	}
	return best
}
