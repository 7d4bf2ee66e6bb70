package restclient

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// The bundled simulator's document gives every operation, with the types the mapping needs:
// allOf merged, $refs followed, date-time as time, a list body as Items, the header total.
func TestOpenAPIRestsim(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "internal", "restsim", "openapi.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseOpenAPI("openapi.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"addMember", "createGroup", "createUser", "deleteGroup", "deleteUser", "getGroup", "getUser",
		"listGroups", "listUsers", "removeMember", "renameGroup", "setPassword", "updateUser"}
	if got := d.Operations(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("operations %v, skipped %v", got, d.Skipped)
	}
	list, _ := d.Lookup("listUsers")
	if f, ok := list.Response.FieldByName("Items"); !ok || f.Type.Kind() != reflect.Slice {
		t.Errorf("listUsers response %v: want Items", list.Response)
	}
	if f, ok := list.Response.FieldByName("Header"); !ok || f.Type.Field(0).Name != "XTotalCount" || f.Type.Field(0).Type != reflect.TypeOf(new(int64)) {
		t.Errorf("listUsers response %v: want Header.XTotalCount *int64", list.Response)
	}
	if f, ok := list.Request.FieldByName("UpdatedSince"); !ok || f.Type.String() != "*time.Time" {
		t.Errorf("listUsers request %v", list.Request)
	}
	// The record read by getUser is the very type createUser sends (the mapping's record:).
	create, _ := d.Lookup("createUser")
	get, _ := d.Lookup("getUser")
	if body, _ := create.Request.FieldByName("Body"); body.Type != reflect.PointerTo(get.Response) {
		t.Errorf("createUser body %v, getUser response %v: want the same struct", body.Type, get.Response)
	}
	group, _ := d.Lookup("getGroup")
	for _, f := range []string{"Id", "Name", "Members"} {
		if _, ok := group.Response.FieldByName(f); !ok {
			t.Errorf("getGroup response %v: allOf not merged (no %s)", group.Response, f)
		}
	}
	member, _ := d.Lookup("addMember")
	if _, ok := member.Request.FieldByName("UserId"); !ok || member.Method != "PUT" {
		t.Errorf("addMember %s %v", member.Method, member.Request)
	}
}

func TestOpenAPIRefusals(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{}`, "not an OpenAPI 3 document"},
		{`swagger: "2.0"`, "not an OpenAPI 3 document"},
		{"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}", "no operation the client can call"},
		{"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      parameters: [{name: c, in: cookie, schema: {type: string}}]\n      responses: {'200': {description: ok}}", "no operation the client can call (1 skipped)"},
		{"openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      operationId: a\n      responses: {'200': {$ref: 'other.yaml#/x'}}", "OpenAPI"},
	} {
		_, err := ParseOpenAPI("doc.yaml", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.doc, err, tc.want)
		}
	}
}

// The simulator's XML edition: the same operations, XML throughout, names from the schemas' xml
// objects (attributes, a wrapped list, list items named by their schema's xml.name), roots
// from xml.name, and a scalar body.
func TestOpenAPIRestsimXML(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "internal", "restsim", "openapi-xml.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ParseOpenAPI("openapi-xml.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Operations()) != 13 || len(d.Skipped) != 0 {
		t.Fatalf("operations %v, skipped %v", d.Operations(), d.Skipped)
	}
	tag := func(typ reflect.Type, path string) string {
		for _, name := range strings.Split(path, ".") {
			for typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Slice {
				typ = typ.Elem()
			}
			f, ok := typ.FieldByName(name)
			if !ok {
				t.Fatalf("%v has no %s", typ, name)
			}
			if name == path[strings.LastIndex(path, ".")+1:] {
				return f.Tag.Get("xml")
			}
			typ = f.Type
		}
		return ""
	}
	list, _ := d.Lookup("listUsers")
	get, _ := d.Lookup("getUser")
	group, _ := d.Lookup("getGroup")
	groups, _ := d.Lookup("listGroups")
	pw, _ := d.Lookup("setPassword")
	create, _ := d.Lookup("createGroup")
	for _, tc := range []struct{ got, want string }{
		{list.XML.Response, "users"}, {get.XML.Response, "user"}, {pw.XML.Body, "password"}, {create.XML.Body, "group"},
		{tag(list.Response, "Total"), "total,attr,omitempty"},
		{tag(list.Response, "Users"), "user,omitempty"},
		{tag(list.Response, "Users.Id"), "id,attr,omitempty"},
		{tag(group.Response, "Members"), "members>member,omitempty"},
		{tag(groups.Response, "Groups"), "group,omitempty"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if body, _ := pw.Request.FieldByName("Body"); body.Type != reflect.TypeOf(new(string)) {
		t.Errorf("setPassword body %v, want *string", body.Type)
	}
}
