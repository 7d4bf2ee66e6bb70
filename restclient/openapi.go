package restclient

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sort"
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
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		ps.add(0, 0, "not an OpenAPI 3 document: %s", oneLine(err.Error(), 300))
		return nil, ps.err()
	}
	if doc.OpenAPI == "" || !strings.HasPrefix(doc.OpenAPI, "3.") {
		ps.add(0, 0, "not an OpenAPI 3 document (openapi: %q)", doc.OpenAPI)
		return nil, ps.err()
	}
	if err := doc.Validate(context.Background(), openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation()); err != nil {
		ps.add(0, 0, "invalid OpenAPI document: %s", oneLine(err.Error(), 300))
		return nil, ps.err()
	}
	d := &Definition{ops: map[string]*Operation{}, Skipped: map[string]string{}}
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
			if o.OperationID == "" {
				d.Skipped[where] = "no operationId"
				continue
			}
			if !validName.MatchString(o.OperationID) {
				d.Skipped[where] = fmt.Sprintf("operationId %q is not a usable name", o.OperationID)
				continue
			}
			if _, dup := d.ops[o.OperationID]; dup {
				ps.add(0, 0, "operationId %s is used twice", o.OperationID)
				continue
			}
			desc, why := openAPIOperation(method, p, item, o)
			if why != "" {
				d.Skipped[o.OperationID+" ("+where+")"] = why
				continue
			}
			var msgs []string
			op := assemble(desc, func(_ pos, format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) })
			if op == nil {
				d.Skipped[o.OperationID+" ("+where+")"] = strings.Join(msgs, "; ")
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
		ps.add(0, 0, "the OpenAPI document has no operation the client can call (%d skipped)", len(d.Skipped))
		return nil, ps.err()
	}
	slices.Sort(d.names)
	return d, nil
}

// openAPIOperation describes one operation; why is set when the client cannot call it.
func openAPIOperation(method, path string, item *openapi3.PathItem, o *openapi3.Operation) (opDesc, string) {
	c := &schemaConv{seen: map[*openapi3.Schema]bool{}}
	d := opDesc{name: o.OperationID, what: "operation " + o.OperationID, method: method, path: path}
	// Path-level parameters apply unless the operation overrides them (same name and place).
	all := append(openapi3.Parameters{}, o.Parameters...)
	for _, pr := range item.Parameters {
		if pr.Value != nil && o.Parameters.GetByInAndName(pr.Value.In, pr.Value.Name) == nil {
			all = append(all, pr)
		}
	}
	for _, pr := range all {
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
			return d, fmt.Sprintf("a %s parameter (%s), which the client does not send", p.In, p.Name)
		}
	}
	if rb := o.RequestBody; rb != nil && rb.Value != nil {
		mt := jsonMedia(rb.Value.Content)
		if mt == nil {
			return d, "its request body is not JSON"
		}
		if mt.Schema == nil {
			d.body = &typeDesc{kind: "object"}
		} else {
			d.body = c.typeOf(mt.Schema, 0)
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
			if mt := jsonMedia(r.Content); mt != nil && mt.Schema != nil {
				d.response = c.typeOf(mt.Schema, 0)
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
	return d, ""
}

// jsonMedia picks the JSON media type of a content map (application/json, or any +json).
func jsonMedia(c openapi3.Content) *openapi3.MediaType {
	if mt := c.Get("application/json"); mt != nil {
		return mt
	}
	keys := make([]string, 0, len(c))
	for k := range c {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasSuffix(strings.ToLower(strings.Split(k, ";")[0]), "+json") {
			return c[k]
		}
	}
	return nil
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
			t.fields = append(t.fields, fieldDesc{json: n, t: c.typeOf(s.Properties[n], depth+1)})
		}
		return t
	case "array":
		return &typeDesc{kind: "list", elem: c.typeOf(s.Items, depth+1)}
	case "string":
		if s.Format == "date-time" {
			return &typeDesc{kind: "time"}
		}
		return &typeDesc{kind: "string"}
	case "integer":
		return &typeDesc{kind: "int"}
	case "number":
		return &typeDesc{kind: "number"}
	case "boolean":
		return &typeDesc{kind: "bool"}
	}
	return &typeDesc{kind: "any"}
}
