package scim11

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

func readSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := oktafixtures.Bytes(name)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	return b
}

// coreUserAttrs is the SCIM 1.1 core User attribute list the agent's parser accepts
// (docs/okta-agent-protocol.md#agent-parser).
var coreUserAttrs = map[string]bool{
	"schemas": true, "id": true, "externalId": true, "meta": true, "userName": true, "name": true,
	"displayName": true, "nickName": true, "profileUrl": true, "title": true, "userType": true,
	"preferredLanguage": true, "locale": true, "timezone": true, "active": true, "password": true,
	"emails": true, "phoneNumbers": true, "ims": true, "photos": true, "addresses": true,
	"groups": true, "entitlements": true, "roles": true, "x509Certificates": true,
}

func TestDecodeOktaUserSamples(t *testing.T) {
	c := New("onprem_app", "custom")
	in, err := c.DecodeUser(readSample(t, "createNewUser-withCustomExtension.json"))
	if err != nil {
		t.Fatal(err)
	}
	u := in.User
	if u.UserName != "myemail@domain.com" || !u.Active || !in.ActiveSet || u.Password != "verySecure" {
		t.Errorf("core attributes wrong: %+v", u)
	}
	if u.Name.GivenName != "FirstName" || u.Name.FamilyName != "LastName" {
		t.Errorf("name: %+v", u.Name)
	}
	wantEmails := []backend.MultiValue{
		{Value: "myemail@domain.com", Type: "primary", Primary: true},
		{Value: "mypersonalemail@domain.com", Type: "secondary"},
	}
	if !reflect.DeepEqual(u.Emails, wantEmails) {
		t.Errorf("emails: %+v", u.Emails)
	}
	if len(u.PhoneNumbers) != 1 || u.PhoneNumbers[0].Value != "123-444-5555" || u.PhoneNumbers[0].Type != "mobile" {
		t.Errorf("phones: %+v", u.PhoneNumbers)
	}
	wantCustom := map[string]any{"isAdmin": false, "isOkta": false, "departmentName": "Testing User"}
	if !reflect.DeepEqual(u.Custom, wantCustom) {
		t.Errorf("custom: %#v", u.Custom)
	}
	if len(in.IgnoredExtensions) != 0 {
		t.Errorf("ignored: %v", in.IgnoredExtensions)
	}

	in, err = c.DecodeUser(readSample(t, "createPendingUser.json"))
	if err != nil {
		t.Fatal(err)
	}
	if in.User.Active || !in.ActiveSet {
		t.Errorf("pending user must decode as inactive with active set")
	}
	if len(in.User.Groups) != 1 || in.User.Groups[0].Value != "1002" {
		t.Errorf("groups: %+v", in.User.Groups)
	}

	for _, f := range []string{"activateUser.json", "deactivateUser.json", "reactivateUser.json", "pushPasswordUpdate.json", "pushProfileUpdate.json", "createNewUser.json", "createNewUser-withGroups.json", "createPendingUser-withCustomExtension.json"} {
		if _, err := c.DecodeUser(readSample(t, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	in, _ = c.DecodeUser(readSample(t, "pushProfileUpdate.json"))
	if in.User.ID != "101" || in.User.Name.FamilyName != "Taylor" || in.User.Custom["departmentName"] != "Cloud Service Management" {
		t.Errorf("profile update: %+v", in.User)
	}
}

func TestDecodeUserTolerance(t *testing.T) {
	c := New("myapp", "custom")
	body := `{"USERNAME":"a@b","Active":"false","emails":[{"value":"a@b","primary":"true"}],
	  "unknownAttr":{"x":1},
	  "urn:okta:myapp:1.0:user":{"dept":"legacy","only":"legacy"},
	  "URN:OKTA:MYAPP:1.0:USER:CUSTOM":{"dept":"new","n":3,"f":1.5,"list":["a",2]},
	  "urn:scim:schemas:extension:enterprise:1.0":{"employeeNumber":"42","manager":{"managerId":"u9"}},
	  "urn:okta:otherapp:1.0:user:custom":{"lost":true}}`
	in, err := c.DecodeUser([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	u := in.User
	if u.UserName != "a@b" || u.Active || !in.ActiveSet || !u.Emails[0].Primary {
		t.Errorf("tolerant decoding failed: %+v", u)
	}
	want := map[string]any{"dept": "new", "only": "legacy", "n": int64(3), "f": 1.5, "list": []any{"a", int64(2)}}
	if !reflect.DeepEqual(u.Custom, want) {
		t.Errorf("custom = %#v, want %#v", u.Custom, want)
	}
	if u.Enterprise["employeeNumber"] != "42" {
		t.Errorf("enterprise: %#v", u.Enterprise)
	}
	if !reflect.DeepEqual(in.IgnoredExtensions, []string{"urn:okta:otherapp:1.0:user:custom"}) {
		t.Errorf("ignored = %v", in.IgnoredExtensions)
	}
	in, err = c.DecodeUser([]byte(`{"userName":"x"}`))
	if err != nil || in.ActiveSet {
		t.Errorf("absent active must leave ActiveSet false: %v %+v", err, in)
	}
}

func TestDecodeUserErrorsNeverEchoPassword(t *testing.T) {
	c := New("onprem_app", "custom")
	cases := map[string]string{
		"syntax":       `{"userName":"x","password":"s3cr3t-PW" `,
		"not object":   `["s3cr3t-PW"]`,
		"bad bool":     `{"password":"s3cr3t-PW","active":"s3cr3t-PW"}`,
		"bad emails":   `{"password":"s3cr3t-PW","emails":"s3cr3t-PW"}`,
		"bad password": `{"password":{"s3cr3t-PW":1}}`,
		"empty":        ``,
		"null":         `null`,
		"trailing":     `{"password":"s3cr3t-PW"} {"x":1}`,
	}
	for name, body := range cases {
		_, err := c.DecodeUser([]byte(body))
		if err == nil {
			t.Errorf("%s: expected an error", name)
			continue
		}
		if _, ok := err.(*DecodeError); !ok {
			t.Errorf("%s: error type %T", name, err)
		}
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: error echoes the password: %v", name, err)
		}
	}
}

func TestDecodeGroup(t *testing.T) {
	c := New("onprem_app", "custom")
	g, err := c.DecodeGroup(readSample(t, "createGroup.json"))
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "AppGroup-02" || g.DisplayName != "AppGroup-04" || !g.DescriptionSet || g.Description != "This is the second group" || !g.MembersSet || len(g.Members) != 2 {
		t.Errorf("createGroup: %+v", g)
	}
	g, err = c.DecodeGroup([]byte(`{"displayName":"G","members":[{"value":"u1"},{"value":"u2","operation":"DELETE"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if g.Members[0].Delete || !g.Members[1].Delete || g.DescriptionSet {
		t.Errorf("delta members: %+v", g)
	}
	g, err = c.DecodeGroup([]byte(`{"displayName":"G"}`))
	if err != nil || g.MembersSet {
		t.Errorf("absent members must be MembersSet=false: %v %+v", err, g)
	}
	for _, bad := range []string{`{"members":[{"value":"u1","operation":"add"}]}`, `{"members":[{"display":"x"}]}`, `{"members":{}}`} {
		if _, err := c.DecodeGroup([]byte(bad)); err == nil {
			t.Errorf("%s: expected error", bad)
		}
	}
}

func decodeMap(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	return m
}

func TestEncodeUserShape(t *testing.T) {
	c := New("onprem_app", "custom")
	ts := time.Date(2020, 4, 17, 10, 11, 12, 999, time.FixedZone("x", 3600))
	u := &backend.User{
		ID: "u1", UserName: "okta", Password: "never-emit", Active: true,
		Name:       backend.Name{GivenName: "John"},
		Emails:     []backend.MultiValue{{Value: "j@x", Type: "work", Primary: true}},
		Groups:     []backend.GroupRef{{Value: "g1", Display: "G"}},
		Enterprise: map[string]any{"employeeNumber": "7"},
		Custom:     map[string]any{"isAdmin": true},
		Meta:       backend.Meta{Created: ts, LastModified: ts},
	}
	b, err := c.EncodeUser(u)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "never-emit") || strings.Contains(string(b), "password") {
		t.Fatalf("password emitted: %s", b)
	}
	m := decodeMap(t, b)
	schemas := m["schemas"].([]any)
	want := []any{CoreSchema, EnterpriseSchema, "urn:okta:onprem_app:1.0:user:custom"}
	if !reflect.DeepEqual(schemas, want) {
		t.Errorf("schemas = %v", schemas)
	}
	for k := range m {
		if !coreUserAttrs[k] && !strings.HasPrefix(k, "urn:") {
			t.Errorf("unknown top-level attribute %q", k)
		}
		if strings.HasPrefix(k, "urn:") && !contains(schemas, k) {
			t.Errorf("extension %q not declared in schemas", k)
		}
	}
	meta := m["meta"].(map[string]any)
	if meta["created"] != "2020-04-17T09:11:12Z" || meta["lastModified"] != "2020-04-17T09:11:12Z" {
		t.Errorf("meta = %v", meta)
	}
	if m["active"] != true {
		t.Errorf("active = %v", m["active"])
	}

	// A user without extensions declares only the core schema; an inactive user says so.
	b, _ = c.EncodeUser(&backend.User{ID: "u2", UserName: "x"})
	m = decodeMap(t, b)
	if !reflect.DeepEqual(m["schemas"], []any{CoreSchema}) || m["active"] != false {
		t.Errorf("minimal user: %s", b)
	}
}

func contains(list []any, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestEncodeGroupAndLists(t *testing.T) {
	c := New("onprem_app", "custom")
	g := &backend.Group{ID: "g1", DisplayName: "G", Description: "d", Members: []backend.Member{{Value: "u1", Display: "okta"}}}
	b, _ := c.EncodeGroup(g)
	m := decodeMap(t, b)
	if !reflect.DeepEqual(m["schemas"], []any{CoreSchema, GroupExtensionSchema}) {
		t.Errorf("group schemas: %s", b)
	}
	if m[GroupExtensionSchema].(map[string]any)["description"] != "d" {
		t.Errorf("description: %s", b)
	}
	b, _ = c.EncodeGroup(&backend.Group{ID: "g2", DisplayName: "E"})
	if !strings.Contains(string(b), `"members":[]`) || strings.Contains(string(b), GroupExtensionSchema) {
		t.Errorf("empty group: %s", b)
	}

	b, _ = c.EncodeUserList(&backend.UserPage{Total: 0}, Paging{Paged: true, StartIndex: 1})
	if string(b) != `{"schemas":["urn:scim:schemas:core:1.0"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}` {
		t.Errorf("empty list: %s", b)
	}
	b, _ = c.EncodeGroupList(&backend.GroupPage{Total: 5, Groups: []backend.Group{*g}}, Paging{})
	m = decodeMap(t, b)
	if _, ok := m["startIndex"]; ok {
		t.Errorf("unpaged list must omit startIndex: %s", b)
	}
	if m["totalResults"] != json.Number("5") || len(m["Resources"].([]any)) != 1 {
		t.Errorf("list: %s", b)
	}
}

func TestEncodeErrorAndConfig(t *testing.T) {
	got := string(EncodeError(404, "E0000048", "Cannot find the user [x]"))
	want := `{"errors":[{"statusCode":404,"internalCode":"E0000048","description":"Cannot find the user [x]","help_url":null}]}`
	if got != want {
		t.Errorf("error body = %s", got)
	}
	b, err := ServiceProviderConfig(ProviderConfig{Capabilities: []string{"GROUP_PUSH", "IMPORT_NEW_USERS"}, MaxResults: 1000, MaxPayloadSize: 1 << 20,
		AuthSchemes: []AuthScheme{{Type: "httpbasic", Name: "HTTP Basic", Description: "d", SpecURL: "https://www.rfc-editor.org/rfc/rfc7617", Primary: true}}})
	if err != nil {
		t.Fatal(err)
	}
	want = `{"schemas":["urn:scim:schemas:core:1.0","urn:okta:schemas:scim:providerconfig:1.0"],"documentationUrl":"https://support.okta.com/scim-fake-page.html","patch":{"supported":false},"bulk":{"supported":false,"maxOperations":0,"maxPayloadSize":1048576},"filter":{"supported":true,"maxResults":1000},"changePassword":{"supported":false},"sort":{"supported":false},"etag":{"supported":false},"authenticationSchemes":[{"type":"httpbasic","name":"HTTP Basic","description":"d","specUrl":"https://www.rfc-editor.org/rfc/rfc7617","primary":true}],"urn:okta:schemas:scim:providerconfig:1.0":{"userManagementCapabilities":["GROUP_PUSH","IMPORT_NEW_USERS"]}}`
	if string(b) != want {
		t.Errorf("config =\n%s\nwant\n%s", b, want)
	}
}

// TestRoundTrip checks that what we write, we read back identically (except the password, which
// is never written).
func TestRoundTrip(t *testing.T) {
	c := New("onprem_app", "custom")
	in, err := c.DecodeUser(readSample(t, "activateUser.json"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := c.EncodeUser(&in.User)
	if err != nil {
		t.Fatal(err)
	}
	back, err := c.DecodeUser(b)
	if err != nil {
		t.Fatal(err)
	}
	in.User.Password = ""
	if !reflect.DeepEqual(back.User, in.User) {
		t.Errorf("round trip:\n%+v\n%+v", back.User, in.User)
	}
}
