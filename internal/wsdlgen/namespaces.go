package wsdlgen

import (
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"
)

// qualifyFields gives struct fields their element's namespace in the xml tag. gowsdl tags child
// elements without a namespace, so encoding/xml writes them in whatever default namespace the
// parent declared: right when the whole WSDL uses one namespace (then nothing is changed here),
// wrong as soon as a type of another namespace is nested (WSO2's ClaimValue children belong to
// common.mgt…, not to the service namespace of addUser), which strict servers such as Axis2
// reject. Only elements of qualified form are changed; fields that gowsdl inherits through an
// embedded base type are qualified in the base type's own struct.
func qualifyFields(f *ast.File, off func(token.Pos) int, schemas []*node, r *Report) []edit {
	nss := map[string]bool{}
	for _, s := range schemas {
		nss[s.attrOr("targetNamespace", "")] = true
	}
	if len(nss) < 2 {
		return nil
	}
	// Go type name → its XSD definition (global complexType, or element with an inline type).
	defs := map[string]*node{}
	for _, s := range schemas {
		for _, e := range s.elems() {
			if (e.is(nsXSD, "complexType") || e.is(nsXSD, "element")) && e.attrOr("name", "") != "" {
				if _, seen := defs[goName(e.attrOr("name", ""))]; !seen {
					defs[goName(e.attrOr("name", ""))] = e
				}
			}
		}
	}
	var edits []edit
	fields, types := 0, 0
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
			changed := false
			for _, fld := range st.Fields.List {
				if fld.Tag == nil || len(fld.Names) != 1 || fld.Names[0].Name == "XMLName" {
					continue
				}
				raw, err := strconv.Unquote(fld.Tag.Value)
				if err != nil {
					continue
				}
				xmlTag, ok := reflect.StructTag(raw).Lookup("xml")
				if !ok {
					continue
				}
				name, opts, _ := strings.Cut(xmlTag, ",")
				if name == "" || strings.Contains(name, " ") || strings.Contains(opts, "attr") || strings.Contains(opts, "any") || strings.Contains(opts, "chardata") || strings.Contains(opts, "innerxml") {
					continue
				}
				ns, ok := elementNS(def, name)
				if !ok || ns == "" {
					continue
				}
				newTag := strings.Replace(raw, `xml:"`+xmlTag+`"`, `xml:"`+ns+" "+xmlTag+`"`, 1)
				edits = append(edits, edit{off(fld.Tag.Pos()), off(fld.Tag.End()), "`" + newTag + "`"})
				fields++
				changed = true
			}
			if changed {
				types++
			}
		}
	}
	if fields > 0 {
		r.change(KindNamespace, "%d fields of %d types now carry their element's namespace in the xml tag (gowsdl leaves child elements unqualified, so they would inherit the parent's namespace; the WSDL uses %d namespaces)", fields, types, len(nss))
	}
	return edits
}

// elementNS finds the local element (or element ref) named name in a type definition, not
// descending into nested anonymous types, and returns its namespace: the schema's target
// namespace for a qualified local element, the referenced element's namespace for a ref.
func elementNS(def *node, name string) (string, bool) {
	schema := def
	for schema != nil && !schema.is(nsXSD, "schema") {
		schema = schema.parent
	}
	if schema == nil {
		return "", false
	}
	found := localElement(def, name)
	if found == nil {
		return "", false
	}
	if ref, ok := found.attr("ref"); ok {
		ns, _, ok := found.resolveQName(ref)
		return ns, ok
	}
	form := found.attrOr("form", schema.attrOr("elementFormDefault", "unqualified"))
	if form != "qualified" {
		return "", false
	}
	return schema.attrOr("targetNamespace", ""), true
}

// localElement finds the local element (or element ref) named name in a type definition, not
// descending into nested anonymous types; nil when there is none.
func localElement(def *node, name string) *node {
	var found *node
	var visit func(n *node, depth int)
	visit = func(n *node, depth int) {
		for _, c := range n.elems() {
			if found != nil || c.ns() != nsXSD {
				continue
			}
			switch c.local {
			case "element":
				if c.attrOr("name", "") == name {
					found = c
				} else if ref, ok := c.attr("ref"); ok {
					if _, local, _ := c.resolveQName(ref); local == name {
						found = c
					}
				}
			case "complexType", "sequence", "choice", "all", "complexContent", "extension", "restriction":
				if depth < 32 && !(c.local == "complexType" && depth > 0) {
					visit(c, depth+1)
				}
			}
		}
	}
	visit(def, 0)
	return found
}
