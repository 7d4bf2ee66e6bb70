package restclient

import (
	"strings"
	"testing"
)

const posHead = "openapi: 3.0.3\ninfo: { title: t, version: '1' }\n"

// Problems of an OpenAPI document name their line and column in it, in YAML and in JSON.
func TestOpenAPIProblemsHavePositions(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"yaml syntax", posHead + "paths:\n  /a: [\n", `doc:4: not an OpenAPI 3 document: yaml: line 4: did not find expected node content`},
		{"unresolvable ref", posHead + "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200': { $ref: '#/components/responses/Nope' }\n",
			`doc:8:24: not an OpenAPI 3 document: failed to resolve "components" in fragment in URI: "#/components/responses/Nope"`},
		{"bad schema", posHead + "components:\n  schemas:\n    User: { type: object, properties: { id: { type: strin } } }\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: { '200': { description: ok } }\n",
			`doc:5:5: invalid OpenAPI document: schemas User: unsupported 'type' value "strin"`},
		{"duplicate operationId", posHead + "paths:\n  /a:\n    get:\n      operationId: a\n      responses: { '200': { description: ok } }\n  /b:\n    get:\n      operationId: a\n      responses: { '200': { description: ok } }\n",
			`doc:10:7: invalid OpenAPI document: invalid paths: operations "GET /a" and "GET /b" have the same operation id "a"`},
		{"no callable operation", posHead + "paths:\n  /a:\n    get:\n      responses: { '200': { description: ok } }\n", `doc:3:1: the OpenAPI document has no operation the client can call (1 skipped)`},
		{"json", "{\n\t\"openapi\": \"3.0.3\",\n\t\"info\": {\"title\": \"t\", \"version\": \"1\"},\n\t\"paths\": {\n\t\t\"/a\": {\"get\": {\"operationId\": \"a\", \"parameters\": [{\"name\": \"p\", \"in\": \"query\"}], \"responses\": {\"200\": {\"description\": \"ok\"}}}}\n\t}\n}", `doc:5:10: invalid OpenAPI document: /a get: parameter "p" schema is invalid: parameter must contain exactly one of content and schema`},
		{"swagger 2", "swagger: '2.0'\nopenapi: 2.0.0\n", `doc:2:1: not an OpenAPI 3 document (openapi: "2.0.0")`},
	} {
		_, err := ParseOpenAPI("doc", []byte(tc.doc))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: got\n%v\nwant\n%s", tc.name, err, tc.want)
		}
	}
}

// An operation the client cannot call is not an error of the document (another mapping may not
// need it), but says why at its place, for check to show when a mapping names it.
func TestOpenAPIUncallableHavePositions(t *testing.T) {
	doc := posHead + `paths:
  /a:
    post:
      operationId: csv
      requestBody: { content: { text/csv: { schema: { type: string } } } }
      responses: { '204': { description: ok } }
  /b:
    get:
      operationId: cookie
      parameters:
        - { name: q, in: query, schema: { type: string } }
        - { name: c, in: cookie, schema: { type: string } }
      responses: { '200': { description: ok } }
  /c:
    put:
      operationId: mixed
      requestBody: { content: { application/xml: { schema: { $ref: '#/components/schemas/T' } } } }
      responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/T' } } } } }
  /d:
    post:
      operationId: noroot
      requestBody: { content: { application/xml: { schema: { type: object, properties: { a: { type: string } } } } } }
      responses: { '204': { description: ok } }
    get:
      operationId: ok
      responses: { '200': { description: ok, content: { text/plain: { schema: { type: string } } } } }
components:
  schemas:
    T: { type: object, properties: { a: { type: string } } }
`
	d, err := ParseOpenAPI("doc.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range []string{"csv", "cookie", "mixed", "noroot", "ok"} {
		if p, ok := d.Uncallable(n); ok {
			got = append(got, p.String())
		}
	}
	want := []string{
		`doc.yaml:7:7: operation csv (POST /a) cannot be called: its request body is neither JSON nor XML (text/csv)`,
		`doc.yaml:14:11: operation cookie (GET /b) cannot be called: a cookie parameter (c), which the client does not send`,
		`doc.yaml:17:5: operation mixed (PUT /c) cannot be called: it sends XML and answers JSON; the client speaks one of them per operation`,
		`doc.yaml:24:7: operation noroot (POST /d) cannot be called: its XML request body has no root element name (give the schema xml.name, or a $ref to a named schema)`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
