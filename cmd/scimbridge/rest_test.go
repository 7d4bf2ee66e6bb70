package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A bad REST mapping fails check with positions, both in its rest: block and where the mapping
// uses the operations (field paths and expressions checked against the runtime types); the
// Redmine example checks clean.
func TestCheckRESTMapping(t *testing.T) {
	bad := `client: shop
rest:
  types:
    User: { id: int, login: string }
  operations:
    getUser: { method: GET, path: "/users/{id}", response: { user: User } }
    createUser: { method: POST, path: /users, body: { user: Usr }, response: { user: User } }
users:
  toSCIM:
    id: string(rec.Id)
    userName: rec.Logn
  get: { call: getUser, request: { ID: id }, result: resp.User }
`
	path := filepath.Join(t.TempDir(), "shop.mapping.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := checkMapping(path, "", &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stdout.String())
	}
	want := path + `:7:61: rest.operations.createUser.body.user: unknown type "Usr" (did you mean "User"?)`
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	// With the rest: block fixed, the mapping's own mistakes are found against the types.
	fixed := strings.Replace(bad, "user: Usr", "user: User", 1)
	if err := os.WriteFile(path, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := checkMapping(path, "", &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, w := range []string{path + ":11:15: ", `Logn`, path + ":12:36: ", `"ID" (did you mean "Id"?)`} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("missing %q in:\n%s", w, stderr.String())
		}
	}

	stdout.Reset()
	stderr.Reset()
	if code := checkMapping(filepath.Join("..", "..", "deploy", "examples", "redmine.mapping.yaml"), "", &stdout, &stderr); code != 0 {
		t.Fatalf("the Redmine example: exit %d: %s", code, stderr.String())
	}
	if code := checkMapping(filepath.Join("..", "..", "deploy", "examples", "redmine-xml.mapping.yaml"), "", &stdout, &stderr); code != 0 {
		t.Fatalf("the Redmine XML example: exit %d: %s", code, stderr.String())
	}
	stderr.Reset()
	if code := checkMapping(filepath.Join("..", "..", "deploy", "examples", "restsim-xml.mapping.yaml"),
		filepath.Join("..", "..", "internal", "restsim", "openapi-xml.yaml"), &stdout, &stderr); code != 0 {
		t.Fatalf("the XML restsim example: exit %d: %s", code, stderr.String())
	}
}

// rest inspect lists the OpenAPI document's operations with their Go field names, and its
// skeleton passes check --mapping --openapi.
func TestRESTInspect(t *testing.T) {
	doc := filepath.Join("..", "..", "internal", "restsim", "openapi.yaml")
	skel := filepath.Join(t.TempDir(), "skel.mapping.yaml")
	var stdout, stderr bytes.Buffer
	if code := cmdREST([]string{"inspect", doc, "--skeleton", skel}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"listUsers  GET /users\n", "    UpdatedSince time\n", "      XTotalCount int\n", "    Items []object\n", "addMember  PUT /groups/{id}/members/{userId}\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("missing %q in:\n%s", want, stdout.String())
		}
	}
	stdout.Reset()
	if code := checkMapping(skel, doc, &stdout, &stderr); code != 0 {
		t.Fatalf("the skeleton does not check: %s", stderr.String())
	}
	if code := cmdREST([]string{"inspect", filepath.Join("..", "..", "README.md")}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "OpenAPI") {
		t.Fatalf("a non-OpenAPI file: exit %d, %s", code, stderr.String())
	}
	// The XML edition: the root elements, and the element or attribute behind each field.
	stdout.Reset()
	xmlDoc := filepath.Join("..", "..", "internal", "restsim", "openapi-xml.yaml")
	if code := cmdREST([]string{"inspect", xmlDoc, "--skeleton", skel}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"listUsers  GET /users\n  XML: body <any>, reply <users>\n", "    Total int  (@total)\n", "    Users []object  (<user>)\n",
		"      Id string  (@id)\n", "    Members []string  (<members><member>)\n", "  XML: body <password>, reply <any>\n  request:\n    Id string\n    Body string\n"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("missing %q in:\n%s", want, stdout.String())
		}
	}
	if code := checkMapping(skel, xmlDoc, &stdout, &stderr); code != 0 {
		t.Fatalf("the XML skeleton does not check: %s", stderr.String())
	}
}

// Problems in an OpenAPI document fail check with their place in the document: a broken schema,
// and an operation the mapping names that the client cannot call (beside the mapping's own
// "unknown operation" at its place in the mapping).
func TestCheckOpenAPIProblemsHavePositions(t *testing.T) {
	dir := t.TempDir()
	mappingPath := filepath.Join(dir, "m.yaml")
	docPath := filepath.Join(dir, "api.yaml")
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(mappingPath, `client: api
users:
  toSCIM: { id: rec.Id, userName: rec.Login }
  get: { call: getUser, request: { Id: id }, result: resp }
  fromSCIM: { Login: user.userName }
  create: { call: createUser, record: Body, result: resp }
`)
	doc := `openapi: 3.0.3
info: { title: t, version: '1' }
paths:
  /users:
    post:
      operationId: createUser
      requestBody: { content: { text/csv: { schema: { type: string } } } }
      responses: { '201': { description: ok } }
  /users/{id}:
    get:
      operationId: getUser
      parameters: [{ name: id, in: path, required: true, schema: { type: string } }]
      responses: { '200': { description: ok, content: { application/json: { schema: { $ref: '#/components/schemas/User' } } } } }
components:
  schemas:
    User: { type: object, properties: { id: { type: string }, login: { type: string } } }
`
	write(docPath, doc)
	var stdout, stderr bytes.Buffer
	if code := checkMapping(mappingPath, docPath, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stdout.String())
	}
	want := mappingPath + `:6:19: users.create.call: unknown operation "createUser"` + "\n" +
		docPath + `:7:7: operation createUser (POST /users) cannot be called: its request body is neither JSON nor XML (text/csv)`
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	write(docPath, strings.Replace(doc, "login: { type: string }", "login: { type: strng }", 1))
	stderr.Reset()
	if code := checkMapping(mappingPath, docPath, &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	want = docPath + `:16:5: invalid OpenAPI document: schemas User: unsupported 'type' value "strng"`
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// XML operations are checked as JSON ones are: a bad attribute declaration in the rest: block at
// its place, then the mapping's field paths against the XML types (attributes are fields too).
func TestCheckRESTMappingXML(t *testing.T) {
	bad := `client: shop
rest:
  types:
    User: { "@id": int, login: string, tags: { tag: "[]string" } }
  operations:
    getUser: { method: GET, path: "/users/{id}.xml", xml: { response: user }, response: User }
    listUsers: { method: GET, path: /users.xml, xml: { response: users }, response: { "@total": { n: int }, user: "[]User" } }
users:
  toSCIM:
    id: string(rec.Id)
    userName: rec.Logn
    nickName: rec.Tags.Tag[0]
  get: { call: getUser, request: { ID: id }, result: resp }
`
	path := filepath.Join(t.TempDir(), "shop.mapping.yaml")
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := checkMapping(path, "", &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stdout.String())
	}
	want := path + `:7:87: rest.operations.listUsers.response: @total: an attribute holds a scalar (string, int, number, bool, time)`
	if got := strings.TrimSpace(stderr.String()); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(bad, `"@total": { n: int }`, `"@total": int`, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := checkMapping(path, "", &stdout, &stderr); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	for _, w := range []string{path + ":11:15: ", `Logn`, path + ":13:36: ", `"ID" (did you mean "Id"?)`} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("missing %q in:\n%s", w, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "Tags.Tag") || strings.Contains(stderr.String(), ":12:") {
		t.Errorf("a good path into a wrapped list was refused:\n%s", stderr.String())
	}
}
