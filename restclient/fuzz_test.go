package restclient

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseDefinition: any rest: block gives a definition or problems, never a panic, and a
// definition's types are usable.
func FuzzParseDefinition(f *testing.F) {
	f.Add([]byte(testDef))
	f.Add([]byte("operations: { a: { method: GET, path: \"/x/{id}\", response: \"[][]T\" } }\ntypes: { T: { a: \"[]T\" } }"))
	f.Add([]byte("types: &t { A: { b: *t } }\noperations: { x: { method: POST, path: /, body: A } }"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var n yaml.Node
		if yaml.Unmarshal(data, &n) != nil || len(n.Content) == 0 {
			return
		}
		d, err := Parse("fuzz.yaml", n.Content[0])
		if err != nil {
			return
		}
		for _, name := range d.Operations() {
			o, _ := d.Lookup(name)
			if o.Request.Kind().String() != "struct" || o.Response.Kind().String() != "struct" {
				t.Fatalf("%s: request %v, response %v", name, o.Request, o.Response)
			}
		}
	})
}

// FuzzReply: whatever a server answers (body, Content-Type, Link header), reading it neither
// panics nor loses the bounds on what an error keeps.
func FuzzReply(f *testing.F) {
	f.Add([]byte(`{"errors":["Login has already been taken"]}`), "application/json", `</a?page=2>; rel="next"`)
	f.Add([]byte(`<html><script>x</script><p>Bad</p></html>`), "text/html", `<x>;rel=next, <y>; rel="prev next"`)
	f.Add([]byte(`{"user":{"id":1,"created_on":"2024-01-01T00:00:00Z","tags":["a"]},"users":[{}]}`), "", `<,>;`)
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(testDef), &n); err != nil {
		f.Fatal(err)
	}
	d, err := Parse("fuzz.yaml", n.Content[0])
	if err != nil {
		f.Fatal(err)
	}
	base, _ := url.Parse("http://127.0.0.1/api/users")
	f.Fuzz(func(t *testing.T, body []byte, ctype, link string) {
		code, msg := errorText(ctype, body, []string{"errors"}, nil)
		if len(code) > 260 || len(msg) > maxErrorText+4 {
			t.Fatalf("error text not capped: %d %d", len(code), len(msg))
		}
		h := http.Header{"Link": []string{link}, "X-Total-Count": []string{string(body[:min(len(body), 20)])}}
		_ = nextLink(h, base)
		for _, name := range d.Operations() {
			o, _ := d.Lookup(name)
			_, _ = decodeResponse(o, h, body)
		}
	})
}

// FuzzParseOpenAPI: any document gives a definition or an error, never a panic or a hang.
func FuzzParseOpenAPI(f *testing.F) {
	for _, doc := range []string{"openapi.yaml", "openapi-xml.yaml"} {
		if data, err := os.ReadFile(filepath.Join("..", "internal", "restsim", doc)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a/{id}:\n    get:\n      operationId: a\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/T'}}}}}\ncomponents: {schemas: {T: {type: object, properties: {t: {$ref: '#/components/schemas/T'}}}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseOpenAPI("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, name := range d.Operations() {
			if o, _ := d.Lookup(name); o.Request == nil || o.Response == nil {
				t.Fatalf("%s has no types", name)
			}
		}
	})
}

// FuzzXMLReply: whatever XML (or not) a server answers, reading it into every XML operation's
// response and reading it as an error body neither panics nor expands an entity, and an error
// keeps its bounds.
func FuzzXMLReply(f *testing.F) {
	f.Add([]byte(`<users total_count="2" type="array"><user><id>1</id><login>a</login><tags>x</tags><last_login_on/></user></users>`))
	f.Add([]byte(`<group xmlns="urn:x"><users><user id="5" name="J"/></users><custom k="v"><a>1</a></custom></group>`))
	f.Add([]byte(`<!DOCTYPE u [<!ENTITY e "boom">]><user><login>&e;</login></user>`))
	f.Add([]byte(`<errors type="array"><error>Login has already been taken</error></errors>`))
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(xmlDef), &n); err != nil {
		f.Fatal(err)
	}
	d, err := Parse("fuzz.yaml", n.Content[0])
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, name := range d.Operations() {
			o, _ := d.Lookup(name)
			if out, err := decodeResponse(o, http.Header{}, body); err == nil && strings.Contains(fmt.Sprintf("%+v", out.Interface()), "boom") {
				t.Fatalf("%s: an entity was expanded: %+v", name, out.Interface())
			}
		}
		code, msg, _ := xmlErrorText(body, d.errXMLMessage, d.errXMLCode)
		if len(code) > 260 || len(msg) > maxErrorText+4 {
			t.Fatalf("error text not capped: %d %d", len(code), len(msg))
		}
	})
}
