package restclient

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/scimbridge/scimbridge/internal/diag"
)

// maxOpenAPISize bounds the document LoadOpenAPI reads.
const maxOpenAPISize = 8 << 20

// LoadOpenAPI reads an OpenAPI 3 document (JSON or YAML; $refs inside the document only) and
// builds a definition with one operation per operationId: path, query and header parameters,
// the application/json request body, and the first 2xx response's JSON body and headers. The
// backend's endpoint is the base URL the paths are appended to (servers are not read).
// Operations the client cannot call (no operationId, a cookie parameter, a body that is not
// JSON) are left out of the catalog and listed in Skipped with the reason.
func LoadOpenAPI(path string) (*Definition, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	return ParseOpenAPI(path, data)
}

// ParseOpenAPI is LoadOpenAPI for a document in memory; name is used in messages.
func ParseOpenAPI(name string, data []byte) (def *Definition, err error) {
	ps := &problems{diag.Collector{File: name}}
	if len(data) > maxOpenAPISize {
		ps.add(0, 0, "the OpenAPI document is larger than %d bytes", maxOpenAPISize)
		return nil, ps.err()
	}
	defer func() {
		// kin-openapi is not written for hostile input; a document that trips it is refused,
		// never allowed to take the bridge down.
		if r := recover(); r != nil {
			def, err = nil, ErrorList{{File: name, Msg: fmt.Sprintf("the OpenAPI document cannot be read (%v)", r)}}
		}
	}()
	loc := newDocLocator(data)
	if loc.err != nil {
		ps.add(loc.errLine, 0, "not an OpenAPI 3 document: %s", oneLine(loc.err.Error(), 300))
		return nil, ps.err()
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		a := loc.refIn(err.Error())
		ps.add(a.line, a.col, "not an OpenAPI 3 document: %s", oneLine(err.Error(), 300))
		return nil, ps.err()
	}
	if doc.OpenAPI == "" || !strings.HasPrefix(doc.OpenAPI, "3.") {
		a := loc.at("openapi")
		ps.add(a.line, a.col, "not an OpenAPI 3 document (openapi: %q)", doc.OpenAPI)
		return nil, ps.err()
	}
	opts := []openapi3.ValidationOption{openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation()}
	if err := doc.Validate(context.Background(), opts...); err != nil {
		a, msg := localize(doc, loc, opts, err)
		ps.add(a.line, a.col, "invalid OpenAPI document: %s", oneLine(msg, 300))
		return nil, ps.err()
	}
	d := &Definition{ops: map[string]*Operation{}, Skipped: map[string]string{}, uncallable: map[string]Problem{}}
	if doc.Paths == nil {
		ps.add(0, 0, "the OpenAPI document has no paths")
		return nil, ps.err()
	}
	paths := doc.Paths.InMatchingOrder()
	sort.Strings(paths)
	for _, p := range paths {
		item := doc.Paths.Value(p)
		for _, method := range methods {
			o := item.GetOperation(method)
			if o == nil {
				continue
			}
			where := method + " " + p
			opKey := []string{"paths", p, strings.ToLower(method)}
			if o.OperationID == "" {
				d.Skipped[where] = "no operationId"
				continue
			}
			idAt := loc.at(append(opKey, "operationId")...)
			if !validName.MatchString(o.OperationID) {
				d.Skipped[where] = fmt.Sprintf("operationId %q is not a usable name", o.OperationID)
				continue
			}
			if _, dup := d.ops[o.OperationID]; dup {
				ps.add(idAt.line, idAt.col, "operationId %s is used twice", o.OperationID)
				continue
			}
			skip := func(at pos, why string) {
				d.Skipped[o.OperationID+" ("+where+")"] = why
				d.uncallable[o.OperationID] = Problem{File: name, Pos: diag.Pos{Line: at.line, Col: at.col},
					Msg: fmt.Sprintf("operation %s (%s) cannot be called: %s", o.OperationID, where, why)}
			}
			desc, why, whyAt := openAPIOperation(method, p, item, o)
			if why != "" {
				skip(loc.at(append(opKey, whyAt...)...), why)
				continue
			}
			var msgs []string
			op := assemble(desc, func(_ pos, format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) })
			if op == nil {
				skip(idAt, strings.Join(msgs, "; "))
				continue
			}
			d.ops[op.Name] = op
			d.names = append(d.names, op.Name)
		}
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	if len(d.names) == 0 {
		a := loc.at("paths")
		ps.add(a.line, a.col, "the OpenAPI document has no operation the client can call (%d skipped)", len(d.Skipped))
		return nil, ps.err()
	}
	slices.Sort(d.names)
	return d, nil
}

// openAPIOperation describes one operation; why is set when the client cannot call it.
// whyAt is where, below the operation, the reason is written (keys; list indexes as numbers).
func openAPIOperation(method, path string, item *openapi3.PathItem, o *openapi3.Operation) (d opDesc, why string, whyAt []string) {
	c := &schemaConv{seen: map[*openapi3.Schema]bool{}}
	d = opDesc{name: o.OperationID, what: "operation " + o.OperationID, method: method, path: path}
	// Path-level parameters apply unless the operation overrides them (same name and place).
	all := append(openapi3.Parameters{}, o.Parameters...)
	for _, pr := range item.Parameters {
		if pr.Value != nil && o.Parameters.GetByInAndName(pr.Value.In, pr.Value.Name) == nil {
			all = append(all, pr)
		}
	}
	for i, pr := range all {
		p := pr.Value
		if p == nil {
			continue
		}
		switch p.In {
		case openapi3.ParameterInPath:
			// Path parameters are sent as text; the template names them.
		case openapi3.ParameterInQuery, openapi3.ParameterInHeader:
			var t *typeDesc
			if p.Schema != nil {
				t = c.typeOf(p.Schema, 0)
			} else {
				t = &typeDesc{kind: "string"}
			}
			if t.kind == "any" {
				t = &typeDesc{kind: "string"}
			}
			d.params = append(d.params, paramDesc{name: p.Name, in: p.In, t: t})
		default:
			at := []string{"parameters", strconv.Itoa(i)}
			if i >= len(o.Parameters) {
				at = nil // a path-level parameter
			}
			return d, fmt.Sprintf("a %s parameter (%s), which the client does not send", p.In, p.Name), at
		}
	}
	// The bodies are JSON, or XML when the document offers only XML for them; an operation
	// cannot mix the two.
	var bodyFmt, respFmt string
	if rb := o.RequestBody; rb != nil && rb.Value != nil {
		mt, f := pickMedia(rb.Value.Content)
		if mt == nil {
			return d, fmt.Sprintf("its request body is neither JSON nor XML (%s)", strings.Join(mediaTypes(rb.Value.Content), ", ")), []string{"requestBody"}
		}
		bodyFmt = f
		if mt.Schema == nil {
			d.body = &typeDesc{kind: "object"}
		} else {
			d.body = c.typeOf(mt.Schema, 0)
		}
		if f == "xml" {
			d.xml = &XMLForm{Body: rootName(mt.Schema)}
			if mt.Schema != nil && mt.Schema.Value != nil && mt.Schema.Value.XML != nil {
				d.xml.Namespace = mt.Schema.Value.XML.Namespace
			}
			if d.xml.Body == "" {
				return d, "its XML request body has no root element name (give the schema xml.name, or a $ref to a named schema)", []string{"requestBody"}
			}
		}
	}
	if o.Responses != nil {
		codes := make([]string, 0, o.Responses.Len())
		for code := range o.Responses.Map() {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			if !(len(code) == 3 && code[0] == '2') {
				continue
			}
			r := o.Responses.Value(code).Value
			if r == nil {
				continue
			}
			if mt, f := pickMedia(r.Content); mt != nil && mt.Schema != nil {
				d.response = c.typeOf(mt.Schema, 0)
				respFmt = f
				if f == "xml" {
					if d.xml == nil {
						d.xml = &XMLForm{}
					}
					d.xml.Response = rootName(mt.Schema)
				}
			}
			hs := make([]string, 0, len(r.Headers))
			for h := range r.Headers {
				hs = append(hs, h)
			}
			sort.Strings(hs)
			for _, h := range hs {
				hr := r.Headers[h]
				t := &typeDesc{kind: "string"}
				if hr.Value != nil && hr.Value.Schema != nil {
					if ht := c.typeOf(hr.Value.Schema, 0); ht.kind != "object" && ht.kind != "list" && ht.kind != "any" {
						t = ht
					}
				}
				d.respHeaders = append(d.respHeaders, paramDesc{name: h, in: "header", t: t})
			}
			break
		}
	}
	if bodyFmt != "" && respFmt != "" && bodyFmt != respFmt {
		return d, fmt.Sprintf("it sends %s and answers %s; the client speaks one of them per operation", strings.ToUpper(bodyFmt), strings.ToUpper(respFmt)), nil
	}
	return d, "", nil
}

// pickMedia picks the media type of a content map the client reads: JSON (application/json,
// any +json) before XML (application/xml, text/xml, any +xml).
func pickMedia(c openapi3.Content) (*openapi3.MediaType, string) {
	if mt := c.Get("application/json"); mt != nil {
		return mt, "json"
	}
	keys := mediaTypes(c)
	for _, k := range keys {
		if strings.HasSuffix(strings.ToLower(strings.Split(k, ";")[0]), "+json") {
			return c[k], "json"
		}
	}
	for _, k := range keys {
		t := strings.ToLower(strings.TrimSpace(strings.Split(k, ";")[0]))
		if t == "application/xml" || t == "text/xml" || strings.HasSuffix(t, "+xml") {
			return c[k], "xml"
		}
	}
	return nil, ""
}

func mediaTypes(c openapi3.Content) []string {
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// rootName is the root element of an XML body: the schema's xml.name, else the name of the
// component it refers to (#/components/schemas/User is <User>), as OpenAPI defines it.
func rootName(ref *openapi3.SchemaRef) string {
	if ref == nil {
		return ""
	}
	if ref.Value != nil && ref.Value.XML != nil && ref.Value.XML.Name != "" {
		return ref.Value.XML.Name
	}
	if name, ok := strings.CutPrefix(ref.Ref, "#/components/schemas/"); ok {
		return name
	}
	return ""
}

// schemaConv turns schemas into the type language. Recursive schemas become any at the point
// they recur (a Go struct cannot hold itself), as do oneOf/anyOf and free-form maps.
type schemaConv struct {
	seen  map[*openapi3.Schema]bool
	nodes int
}

func (c *schemaConv) typeOf(ref *openapi3.SchemaRef, depth int) *typeDesc {
	c.nodes++
	if ref == nil || ref.Value == nil || depth > maxTypeDepth || c.nodes > maxRestNodes {
		return &typeDesc{kind: "any"}
	}
	s := ref.Value
	if c.seen[s] {
		return &typeDesc{kind: "any"}
	}
	c.seen[s] = true
	defer delete(c.seen, s)
	if len(s.AllOf) > 0 {
		t := &typeDesc{kind: "object"}
		have := map[string]bool{}
		parts := s.AllOf
		if len(s.Properties) > 0 {
			parts = append(openapi3.SchemaRefs{{Value: &openapi3.Schema{Properties: s.Properties}}}, parts...)
		}
		for _, part := range parts {
			pt := c.typeOf(part, depth+1)
			if pt.kind != "object" {
				return &typeDesc{kind: "any"}
			}
			for _, f := range pt.fields {
				if !have[GoName(f.json)] {
					have[GoName(f.json)] = true
					t.fields = append(t.fields, f)
				}
			}
		}
		return t
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		return &typeDesc{kind: "any"}
	}
	typ := ""
	if s.Type != nil {
		for _, k := range []string{"object", "array", "string", "integer", "number", "boolean"} {
			if s.Type.Includes(k) {
				typ = k
				break
			}
		}
	} else if len(s.Properties) > 0 {
		typ = "object"
	}
	switch typ {
	case "object":
		if len(s.Properties) == 0 {
			return &typeDesc{kind: "any"} // a free-form map
		}
		names := make([]string, 0, len(s.Properties))
		for n := range s.Properties {
			names = append(names, n)
		}
		sort.Strings(names)
		t := &typeDesc{kind: "object"}
		have := map[string]bool{}
		for _, n := range names {
			if !validName.MatchString(n) || have[GoName(n)] {
				continue // a member the type language cannot name; it stays in the JSON, unread
			}
			have[GoName(n)] = true
			t.fields = append(t.fields, xmlField(n, s.Properties[n], c.typeOf(s.Properties[n], depth+1)))
		}
		return t
	case "array":
		return &typeDesc{kind: "list", elem: c.typeOf(s.Items, depth+1)}
	case "string":
		if s.Format == "date-time" {
			return &typeDesc{kind: "time"}
		}
		t := &typeDesc{kind: "string"}
		if s.MaxLength != nil && *s.MaxLength > 0 && *s.MaxLength <= 1<<20 {
			t.maxLen = int(*s.MaxLength)
		}
		return t
	case "integer":
		return &typeDesc{kind: "int"}
	case "number":
		return &typeDesc{kind: "number"}
	case "boolean":
		return &typeDesc{kind: "bool"}
	}
	return &typeDesc{kind: "any"}
}

// xmlField is a property with its XML form (the property's xml object): its element or
// attribute name, and for an array the repeated element's name (items' xml.name, else the
// property's), inside a wrapper element when wrapped.
func xmlField(name string, ref *openapi3.SchemaRef, t *typeDesc) fieldDesc {
	f := fieldDesc{json: name, t: t}
	if ref == nil || ref.Value == nil {
		return f
	}
	s := ref.Value
	own := name
	if s.XML != nil && s.XML.Name != "" {
		own = s.XML.Name
	}
	if s.XML != nil && s.XML.Attribute {
		f.attr = true
	}
	if t.kind == "list" {
		item := own
		if s.Items != nil && s.Items.Value != nil && s.Items.Value.XML != nil && s.Items.Value.XML.Name != "" {
			item = s.Items.Value.XML.Name
		}
		if s.XML != nil && s.XML.Wrapped {
			own = own + ">" + item
		} else {
			own = item
		}
	}
	if own != name || f.attr {
		f.xml = own
	}
	return f
}
