package restclient

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"golang.org/x/net/http/httpguts"
)

// pos is a 1-based line and column; zero when unknown (an OpenAPI document).
type pos struct{ line, col int }

func at(n *yaml.Node) pos { return pos{n.Line, n.Column} }

// opDesc is one operation as declared, whatever declared it (the rest: block or an OpenAPI
// document); assemble turns it into an Operation with its Go types.
type opDesc struct {
	name, what      string
	at              pos
	method          string
	methodAt        pos
	path            string
	pathAt          pos
	params          []paramDesc // query and header parameters; path parameters come from the template
	body            *typeDesc
	bodyAt          pos
	response        *typeDesc
	responseAt      pos
	respHeaders     []paramDesc
	pathParamTypes  map[string]*typeDesc // OpenAPI: declared path parameter types (scalars)
	bodyContentType string
	xml             *XMLForm // nil: the bodies are JSON
	xmlAt           pos
}

type paramDesc struct {
	name, in   string // query, header
	t          *typeDesc
	at, typeAt pos
}

type reporter func(at pos, format string, args ...any)

// assemble checks an operation and builds its request and response structs: one request field
// per path, query and header parameter (GoName of its name) plus Body; the response's members,
// or Items/Value for a list/scalar body, plus Header for declared response headers. nil when
// something is wrong (reported).
func assemble(d opDesc, report reporter) *Operation {
	bad := false
	problem := func(a pos, format string, args ...any) {
		bad = true
		report(a, format, args...)
	}
	what := d.what
	op := &Operation{Name: d.name, Method: d.method, Path: d.path, body: -1}
	switch {
	case d.method == "":
		problem(d.at, "%s: method: required (%s)", what, strings.Join(methods, ", "))
	case !slices.Contains(methods, d.method):
		problem(d.methodAt, "%s.method: %q is not one of %s", what, d.method, strings.Join(methods, ", "))
	}
	if !strings.HasPrefix(d.path, "/") {
		problem(d.pathAt, "%s.path: required, a path starting with / (e.g. /users/{id}.json)", what)
	}
	var params []param
	var fields []reflect.StructField
	names := map[string]string{}
	addField := func(a pos, pname, in string, t reflect.Type, kind string) {
		g := GoName(pname)
		if other, dup := names[g]; dup {
			problem(a, "%s: %s parameter %q and %s become the same request field %s", what, in, pname, other, g)
			return
		}
		names[g] = fmt.Sprintf("%q", pname)
		params = append(params, param{name: pname, in: in, field: len(fields), kind: kind})
		fields = append(fields, reflect.StructField{Name: g, Type: t})
	}
	pathOnly, _, _ := strings.Cut(d.path, "?")
	for _, mm := range pathParamRE.FindAllStringSubmatch(pathOnly, -1) {
		if !validName.MatchString(mm[1]) {
			problem(d.pathAt, "%s.path: {%s} is not a usable parameter name", what, mm[1])
			continue
		}
		if _, dup := names[GoName(mm[1])]; dup {
			continue // the same parameter twice in a path is filled twice
		}
		addField(d.pathAt, mm[1], "path", stringType, "string")
	}
	if strings.Count(pathOnly, "{") != len(pathParamRE.FindAllString(pathOnly, -1)) || strings.Count(pathOnly, "}") != strings.Count(pathOnly, "{") {
		problem(d.pathAt, "%s.path: unbalanced braces", what)
	}
	for _, pd := range d.params {
		kind := pd.t.kind
		ok := kind != "object" && kind != "any"
		if kind == "list" {
			ok = pd.in == "query" && pd.t.elem.kind != "object" && pd.t.elem.kind != "list" && pd.t.elem.kind != "any"
		}
		section := map[string]string{"query": "query", "header": "headers"}[pd.in]
		if !ok {
			problem(pd.typeAt, "%s.%s.%s: parameters are scalars (string, int, number, bool, time)%s", what, section, pd.name,
				map[bool]string{true: " or lists of scalars", false: ""}[pd.in == "query"])
			continue
		}
		if pd.in == "header" && !httpguts.ValidHeaderFieldName(pd.name) {
			problem(pd.at, "%s.headers: %q is not a header name", what, pd.name)
			continue
		}
		gt, err := goType(pd.t, 0, false)
		if err != nil {
			problem(pd.typeAt, "%s.%s.%s: %v", what, section, pd.name, err)
			continue
		}
		addField(pd.at, pd.name, pd.in, gt, kind)
	}
	x := d.xml != nil
	if x {
		op.XML = d.xml
		if d.body != nil && d.xml.Body == "" {
			problem(d.xmlAt, "%s.xml.body: required with a body (the name of its root element)", what)
		}
		if d.body == nil && d.xml.Body != "" {
			problem(d.xmlAt, "%s.xml.body: the operation sends no body", what)
		}
		for _, r := range []string{d.xml.Body, d.xml.Response} {
			if r != "" && (!xmlNameRE.MatchString(r) || strings.Contains(r, ">")) {
				problem(d.xmlAt, "%s.xml: %q is not an XML element name", what, r)
			}
		}
	}
	if d.body != nil {
		switch {
		case !x && d.body.kind != "object":
			problem(d.bodyAt, "%s.body: a JSON body is an object (a mapping of members or a type from rest.types)", what)
		case x && (d.body.kind == "list" || d.body.kind == "any"):
			problem(d.bodyAt, "%s.body: an XML body is an object (the root element's attributes and children) or a scalar (its text)", what)
		default:
			if gt, err := goType(d.body, 0, x); err != nil {
				problem(errAt(err, d.bodyAt), "%s.body: %v", what, err)
			} else if _, dup := names["Body"]; dup {
				problem(d.bodyAt, "%s.body: a parameter already uses the request field Body", what)
			} else {
				op.body = len(fields)
				fields = append(fields, reflect.StructField{Name: "Body", Type: gt, Tag: `json:"-" xml:"-"`})
			}
		}
	}
	var respFields []reflect.StructField
	if t := d.response; t != nil {
		switch {
		case t.kind == "object":
			st, err := structType(t, 0, x)
			if err != nil {
				problem(errAt(err, d.responseAt), "%s.response: %v", what, err)
				break
			}
			for i := 0; i < st.NumField(); i++ {
				respFields = append(respFields, st.Field(i))
			}
		case t.kind == "list" && x:
			problem(d.responseAt, "%s.response: an XML response is an object (the root element's attributes and children; a list is a repeated member of it) or a scalar", what)
		case t.kind == "list":
			op.respField = "Items"
		default:
			op.respField = "Value"
		}
		if op.respField != "" {
			if gt, err := goType(t, 0, x); err != nil {
				problem(errAt(err, d.responseAt), "%s.response: %v", what, err)
			} else {
				respFields = append(respFields, reflect.StructField{Name: op.respField, Type: gt, Tag: `json:"-" xml:"-"`})
			}
		}
	}
	var hdrFields []reflect.StructField
	seenHdr := map[string]bool{}
	for _, pd := range d.respHeaders {
		t := pd.t
		if t.kind == "object" || t.kind == "list" || t.kind == "any" || !httpguts.ValidHeaderFieldName(pd.name) || seenHdr[GoName(pd.name)] {
			problem(pd.at, "%s.responseHeaders.%s: a header name (once) with a scalar type", what, pd.name)
			continue
		}
		seenHdr[GoName(pd.name)] = true
		gt, _ := goType(t, 0, false)
		op.respHeaders = append(op.respHeaders, param{name: pd.name, in: "header", field: len(hdrFields), kind: t.kind})
		hdrFields = append(hdrFields, reflect.StructField{Name: GoName(pd.name), Type: gt})
	}
	if len(hdrFields) > 0 {
		for _, f := range respFields {
			if f.Name == "Header" {
				problem(d.responseAt, "%s.responseHeaders: the response already has a member that becomes Header", what)
			}
		}
		respFields = append(respFields, reflect.StructField{Name: "Header", Type: reflect.StructOf(hdrFields), Tag: `json:"-" xml:"-"`})
	}
	if bad {
		return nil
	}
	op.params = params
	op.Request = reflect.StructOf(fields)
	op.Response = reflect.StructOf(respFields)
	return op
}
