package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
)

const (
	v2     = "/scim/v2"
	entURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
)

func patchBody(ops ...string) []byte {
	return []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[` + strings.Join(ops, ",") + `]}`)
}

// create20 posts a v2 user and returns its id.
func create20(t *testing.T, h *harness, userName string, extra string) string {
	t.Helper()
	body := fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":%q,"externalId":"00ujl29u0le5T6Aj10h7",
		"name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":%q,"type":"work"}],
		"displayName":"Test User","locale":"en-US","groups":[],"password":"1mz050nq","active":true%s}`, userName, userName, extra)
	r := h.do("POST", v2+"/Users", []byte(body))
	if r.status != 201 {
		t.Fatalf("POST /Users: %d %s", r.status, r.raw)
	}
	m := r.json(t)
	id, _ := m["id"].(string)
	if id == "" || r.header.Get("Location") != h.srv.URL+v2+"/Users/"+id {
		t.Fatalf("create: id %q Location %q", id, r.header.Get("Location"))
	}
	return id
}

func wantError20(t *testing.T, r response, status int, scimType string) {
	t.Helper()
	m := r.json(t)
	if r.status != status || m["status"] != fmt.Sprint(status) || m["scimType"] != nil && m["scimType"] != scimType ||
		(scimType != "" && m["scimType"] != scimType) || m["detail"] == "" ||
		!reflect.DeepEqual(m["schemas"], []any{"urn:ietf:params:scim:api:messages:2.0:Error"}) {
		t.Errorf("want %d %q, got %d %s", status, scimType, r.status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("error Content-Type %q", ct)
	}
}

func TestV2Discovery(t *testing.T) {
	h := newHarness(t, nil, nil)
	for _, p := range []string{"/ServiceProviderConfig", "/ServiceProviderConfigs"} {
		r := h.do("GET", v2+p, nil)
		m := r.json(t)
		if r.status != 200 || r.header.Get("Content-Type") != "application/scim+json" {
			t.Fatalf("%s: %d %s", p, r.status, r.header.Get("Content-Type"))
		}
		if !reflect.DeepEqual(m["schemas"], []any{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}) ||
			fmt.Sprint(m["patch"]) != "map[supported:true]" || fmt.Sprint(m["bulk"]) != "map[maxOperations:0 maxPayloadSize:1048576 supported:false]" ||
			fmt.Sprint(m["sort"]) != "map[supported:true]" || fmt.Sprint(m["etag"]) != "map[supported:false]" ||
			fmt.Sprint(m["changePassword"]) != "map[supported:true]" || fmt.Sprint(m["filter"]) != "map[maxResults:1000 supported:true]" {
			t.Errorf("%s: %s", p, r.raw)
		}
	}
	r := h.do("GET", v2+"/ResourceTypes", nil)
	m := r.json(t)
	res, _ := m["Resources"].([]any)
	if r.status != 200 || len(res) != 2 || m["totalResults"] != json.Number("2") {
		t.Fatalf("ResourceTypes: %s", r.raw)
	}
	user := res[0].(map[string]any)
	exts := fmt.Sprint(user["schemaExtensions"])
	if user["endpoint"] != "/Users" || !strings.Contains(exts, entURN) || !strings.Contains(exts, "urn:okta:onprem_app:1.0:user:custom") {
		t.Errorf("User resource type: %v", user)
	}
	r = h.do("GET", v2+"/Schemas", nil)
	m = r.json(t)
	var ids []string
	for _, s := range m["Resources"].([]any) {
		ids = append(ids, s.(map[string]any)["id"].(string))
	}
	want := []string{"urn:ietf:params:scim:schemas:core:2.0:User", entURN, "urn:okta:onprem_app:1.0:user:custom", "urn:ietf:params:scim:schemas:core:2.0:Group"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("schemas %v", ids)
	}
	if r := h.do("GET", v2+"/Schemas/"+entURN, nil); r.status != 200 || r.json(t)["id"] != entURN {
		t.Errorf("one schema: %d %s", r.status, r.raw)
	}
	wantError20(t, h.do("GET", v2+"/ResourceTypes/Nope", nil), 404, "")

	// A configured custom URN replaces the Okta one everywhere.
	h = newHarness(t, nil, func(c *Config) { c.SCIM2.CustomSchemaURN = "urn:example:custom:2.0:User" })
	if r := h.do("GET", v2+"/Schemas/urn:example:custom:2.0:User", nil); r.status != 200 {
		t.Errorf("custom schema: %d %s", r.status, r.raw)
	}
}

func TestV2OktaLifecycle(t *testing.T) {
	h := newHarness(t, nil, nil)
	// Existence check: a miss is 200 with an empty ListResponse.
	r := h.do("GET", v2+"/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100", nil)
	if r.status != 200 || string(r.raw) != `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}` {
		t.Fatalf("filter miss: %d %s", r.status, r.raw)
	}
	id := create20(t, h, "test.user@okta.local", `,"urn:okta:onprem_app:1.0:user:custom":{"departmentName":"Eng"}`)
	if n := h.mem.PasswordSets(id); n > 1 {
		t.Errorf("password set %d times on create", n)
	}
	r = h.do("GET", v2+"/Users/"+id, nil)
	u := r.json(t)
	meta, _ := u["meta"].(map[string]any)
	if r.status != 200 || meta["resourceType"] != "User" || meta["location"] != h.srv.URL+v2+"/Users/"+id ||
		meta["created"] == nil || meta["lastModified"] == nil || u["password"] != nil ||
		stringAt(u, "urn:okta:onprem_app:1.0:user:custom", "departmentName") != "Eng" {
		t.Fatalf("GET: %s", r.raw)
	}
	r = h.do("GET", v2+"/Users?filter=userName%20eq%20%22test.user%40okta.local%22", nil)
	if list := r.json(t); list["totalResults"] != json.Number("1") {
		t.Fatalf("filter hit: %s", r.raw)
	}

	// Deactivate and reactivate by PATCH (OIN style) and by PUT (AIW style).
	r = h.do("PATCH", v2+"/Users/"+id, patchBody(`{"op":"replace","value":{"active":false}}`))
	if r.status != 200 || r.json(t)["active"] != false {
		t.Fatalf("PATCH deactivate: %d %s", r.status, r.raw)
	}
	put := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"test.user@okta.local","name":{"givenName":"Test","familyName":"User"},
		"active":true,"password":"1mz050nq","urn:okta:onprem_app:1.0:user:custom":{"departmentName":"Eng"}}`
	r = h.do("PUT", v2+"/Users/"+id, []byte(put))
	if r.status != 200 || r.json(t)["active"] != true {
		t.Fatalf("PUT reactivate: %d %s", r.status, r.raw)
	}
	before := h.mem.PasswordSets(id)
	// The repeated password in the PUT did not reach the backend again (ledger), a new one by PATCH does.
	r = h.do("PATCH", v2+"/Users/"+id, patchBody(`{"op":"replace","value":{"password":"n3w-Passw0rd"}}`))
	if r.status != 200 || h.mem.PasswordSets(id) != before+1 {
		t.Fatalf("PATCH password: %d %s sets %d→%d", r.status, r.raw, before, h.mem.PasswordSets(id))
	}
	r = h.do("PATCH", v2+"/Users/"+id, patchBody(`{"op":"replace","value":{"password":"n3w-Passw0rd"}}`))
	if r.status != 200 || h.mem.PasswordSets(id) != before+1 {
		t.Errorf("repeated PATCH password reached the backend again")
	}
	// The profile survived every partial update.
	u = h.do("GET", v2+"/Users/"+id, nil).json(t)
	if stringAt(u, "name", "givenName") != "Test" || stringAt(u, "urn:okta:onprem_app:1.0:user:custom", "departmentName") != "Eng" {
		t.Errorf("profile after patches: %v", u)
	}
	// Okta never deletes; a DELETE with a delete-capable backend deletes.
	if r := h.do("DELETE", v2+"/Users/"+id, nil); r.status != 204 {
		t.Errorf("DELETE: %d %s", r.status, r.raw)
	}
	wantError20(t, h.do("GET", v2+"/Users/"+id, nil), 404, "")
}

func TestV2EntraUserPatch(t *testing.T) {
	h := newHarness(t, nil, nil)
	id := create20(t, h, "entra@example.com", "")
	r := h.do("PATCH", v2+"/Users/"+id, patchBody(
		`{"op":"Replace","path":"active","value":"False"}`,
		`{"op":"Replace","value":{"displayName":"Entra Person","name.familyName":"Person"}}`,
		`{"op":"Add","path":"emails[type eq \"home\"].value","value":"home@example.com"}`,
		`{"op":"Replace","path":"emails[type eq \"work\"].value","value":"work@example.com"}`,
		`{"op":"Add","path":"`+entURN+`:department","value":"Sales"}`,
		`{"op":"Add","path":"`+entURN+`:manager","value":{"value":"boss-id"}}`,
		`{"op":"Replace","path":"title","value":"Engineer"}`,
		`{"op":"Remove","path":"locale"}`,
	))
	u := r.json(t)
	if r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
	emails := fmt.Sprint(u["emails"])
	if u["active"] != false || u["displayName"] != "Entra Person" || stringAt(u, "name", "familyName") != "Person" ||
		stringAt(u, "name", "givenName") != "Test" || u["title"] != "Engineer" || u["locale"] != nil ||
		stringAt(u, entURN, "department") != "Sales" || stringAt(u, entURN, "manager", "value") != "boss-id" ||
		!strings.Contains(emails, "home@example.com") || !strings.Contains(emails, "work@example.com") || strings.Contains(emails, "entra@example.com") {
		t.Errorf("after PATCH: %s", r.raw)
	}
	// Boolean strings in any case, capitalised ops, path-less with a true string.
	r = h.do("PATCH", v2+"/Users/"+id, patchBody(`{"op":"REPLACE","value":{"active":"True"}}`))
	if r.status != 200 || r.json(t)["active"] != true {
		t.Errorf("active True: %d %s", r.status, r.raw)
	}
	for _, c := range []struct {
		body     []byte
		scimType string
	}{
		{patchBody(`{"op":"move","path":"title","value":"x"}`), "invalidSyntax"},
		{patchBody(`{"op":"remove"}`), "noTarget"},
		{patchBody(`{"op":"replace","path":"emails[type eq","value":"x"}`), "invalidPath"},
		{patchBody(`{"op":"replace","path":"urn:nope:1.0:thing","value":"x"}`), "invalidPath"},
		{patchBody(`{"op":"replace","path":"emails[type ne \"x\"].value","value":"x"}`), ""},
		{patchBody(`{"op":"replace","path":"active","value":"maybe"}`), "invalidValue"},
		{patchBody(`{"op":"replace","path":"userName","value":""}`), "invalidValue"},
		{[]byte(`{"Operations":[]}`), "invalidValue"},
		{[]byte(`{"Operations":`), "invalidSyntax"},
	} {
		r := h.do("PATCH", v2+"/Users/"+id, c.body)
		if c.scimType == "" {
			if r.status != 200 {
				t.Errorf("%s: %d %s", c.body, r.status, r.raw)
			}
			continue
		}
		wantError20(t, r, 400, c.scimType)
	}
	wantError20(t, h.do("PATCH", v2+"/Users/nope", patchBody(`{"op":"replace","value":{"active":false}}`)), 404, "")
}

func groupMembers(t *testing.T, h *harness, gid string) []string {
	t.Helper()
	r := h.do("GET", v2+"/Groups/"+gid, nil)
	var out []string
	for _, m := range r.json(t)["members"].([]any) {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	return out
}

func TestV2GroupPatchForms(t *testing.T) {
	h := newHarness(t, nil, nil)
	a, b, c := create20(t, h, "a@example.com", ""), create20(t, h, "b@example.com", ""), create20(t, h, "c@example.com", "")
	r := h.do("POST", v2+"/Groups", []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Eng","members":[]}`))
	if r.status != 201 || r.header.Get("Location") == "" {
		t.Fatalf("POST group: %d %s", r.status, r.raw)
	}
	gid := r.json(t)["id"].(string)
	wantError20(t, h.do("POST", v2+"/Groups", []byte(`{"displayName":"eng"}`)), 409, "uniqueness")

	steps := []struct {
		name string
		body []byte
		want []string
	}{
		{"okta rename without members", patchBody(`{"op":"replace","value":{"id":"` + gid + `","displayName":"Engineering"}}`), nil},
		{"okta add", patchBody(`{"op":"add","path":"members","value":[{"value":"` + a + `","display":"a"},{"value":"` + b + `"}]}`), []string{a, b}},
		{"add twice is idempotent", patchBody(`{"op":"Add","path":"members","value":[{"value":"` + a + `"}]}`), []string{a, b}},
		{"okta remove by value filter", patchBody(`{"op":"remove","path":"members[value eq \"` + a + `\"]"}`), []string{b}},
		{"entra add", patchBody(`{"op":"Add","path":"members","value":[{"value":"` + c + `"}]}`), []string{b, c}},
		{"entra remove with value list", patchBody(`{"op":"Remove","path":"members","value":[{"value":"` + b + `"}]}`), []string{c}},
		{"replace whole list", patchBody(`{"op":"replace","path":"members","value":[{"value":"` + a + `"},{"value":"` + b + `"}]}`), []string{a, b}},
		{"path-less members replace", patchBody(`{"op":"replace","value":{"members":[{"value":"` + c + `"}],"displayName":"Engineering"}}`), []string{c}},
		{"unknown member is skipped", patchBody(`{"op":"add","path":"members","value":[{"value":"no-such-user"}]}`), []string{c}},
	}
	for _, s := range steps {
		r := h.do("PATCH", v2+"/Groups/"+gid, s.body)
		if r.status != 200 {
			t.Fatalf("%s: %d %s", s.name, r.status, r.raw)
		}
		if got := groupMembers(t, h, gid); !reflect.DeepEqual(got, s.want) {
			t.Errorf("%s: members %v, want %v", s.name, got, s.want)
		}
	}
	if g := h.do("GET", v2+"/Groups/"+gid, nil).json(t); g["displayName"] != "Engineering" {
		t.Errorf("rename lost: %v", g)
	}
	// replace members [] on a non-empty group hits the same empty-group guard as a 1.1 PUT.
	r = h.do("PATCH", v2+"/Groups/"+gid, patchBody(`{"op":"replace","path":"members","value":[]}`))
	wantError20(t, r, 409, "")
	if got := groupMembers(t, h, gid); !reflect.DeepEqual(got, []string{c}) {
		t.Errorf("guard did not hold: %v", got)
	}
	r = h.do("PATCH", v2+"/Groups/"+gid, patchBody(`{"op":"remove","path":"members"}`))
	wantError20(t, r, 409, "")

	// With allowEmptying, the same request empties the group; 204 when configured.
	h2 := newHarness(t, nil, func(c *Config) { c.Groups.AllowEmptying = true; c.SCIM2.PatchStatus = 204 })
	x := create20(t, h2, "x@example.com", "")
	gid2 := h2.do("POST", v2+"/Groups", []byte(`{"displayName":"G","members":[{"value":"`+x+`"}]}`)).json(t)["id"].(string)
	r = h2.do("PATCH", v2+"/Groups/"+gid2, patchBody(`{"op":"replace","path":"members","value":[]}`))
	if r.status != 204 || len(r.raw) != 0 || len(groupMembers(t, h2, gid2)) != 0 {
		t.Errorf("allowEmptying + 204: %d %q", r.status, r.raw)
	}
	// PUT and DELETE of groups.
	r = h.do("PUT", v2+"/Groups/"+gid, []byte(`{"displayName":"Engineering","members":[{"value":"`+a+`"}]}`))
	if r.status != 200 || !reflect.DeepEqual(groupMembers(t, h, gid), []string{a}) {
		t.Errorf("PUT group: %d %s", r.status, r.raw)
	}
	if r := h.do("DELETE", v2+"/Groups/"+gid, nil); r.status != 204 {
		t.Errorf("DELETE group: %d", r.status)
	}
}

func TestV2ListsAndProjection(t *testing.T) {
	h := newHarness(t, nil, nil)
	for i := range 5 {
		create20(t, h, fmt.Sprintf("u%d@example.com", i), fmt.Sprintf(`,"%s":{"department":"D%d"}`, entURN, i%2))
	}
	r := h.do("GET", v2+"/Users?startIndex=2&count=2&attributes=userName,name.givenName", nil)
	m := r.json(t)
	res := m["Resources"].([]any)
	if m["totalResults"] != json.Number("5") || m["startIndex"] != json.Number("2") || m["itemsPerPage"] != json.Number("2") || len(res) != 2 {
		t.Fatalf("paging: %s", r.raw)
	}
	u := res[0].(map[string]any)
	if u["userName"] == nil || u["id"] == nil || u["schemas"] == nil || u["emails"] != nil || u["meta"] != nil ||
		stringAt(u, "name", "givenName") != "Test" || stringAt(u, "name", "familyName") != "" {
		t.Errorf("attributes: %v", u)
	}
	r = h.do("GET", v2+"/Users?excludedAttributes=emails,"+entURN+",id", nil)
	for _, it := range r.json(t)["Resources"].([]any) {
		u := it.(map[string]any)
		if u["emails"] != nil || u[entURN] != nil || u["id"] == nil {
			t.Errorf("excludedAttributes: %v", u)
		}
	}
	// Filters: enterprise URN, core URN prefix, case-insensitive names and operators, value paths.
	for f, want := range map[string]string{
		entURN + `:department eq "D1"`:                                   "2",
		`urn:ietf:params:scim:schemas:core:2.0:User:userName sw "u1"`:    "1",
		`USERNAME EQ "U2@EXAMPLE.COM"`:                                   "1",
		`emails[type eq "work" and value co "u3"]`:                       "1",
		`not (userName eq "u0@example.com") and (active eq true)`:        "4",
		`userName eq "a\"b"`:                                             "0",
		`urn:okta:onprem_app:1.0:user:custom:departmentName pr or id pr`: "5",
	} {
		r := h.do("GET", v2+"/Users?filter="+urlEncode(f), nil)
		if r.status != 200 || r.json(t)["totalResults"] != json.Number(want) {
			t.Errorf("filter %s: %d %s", f, r.status, r.raw)
		}
	}
	wantError20(t, h.do("GET", v2+"/Users?filter="+urlEncode(`userName eq`), nil), 400, "invalidFilter")
	wantError20(t, h.do("GET", v2+"/Users?filter="+urlEncode(`urn:other:1.0:x eq "y"`), nil), 400, "invalidFilter")
	wantError20(t, h.do("GET", v2+"/Users?count=x", nil), 400, "invalidValue")
	// sortBy is honoured (in the bridge here: the memory backend declares no sort of its own).
	if r := h.do("GET", v2+"/Users?sortBy=userName", nil); r.status != 200 {
		t.Errorf("sortBy: %d", r.status)
	}
}

func urlEncode(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "[", "%5B", "]", "%5D", "&", "%26", "+", "%2B", "#", "%23", "\\", "%5C", "(", "%28", ")", "%29").Replace(s)
}

func TestV2DeeplyNestedFilterIsRefusedQuickly(t *testing.T) {
	h := newHarness(t, nil, nil)
	f := strings.Repeat("(", 100000) + `userName eq "x"` + strings.Repeat(")", 100000)
	start := time.Now()
	r := h.do("GET", v2+"/Users?filter="+urlEncode(f), nil)
	wantError20(t, r, 400, "invalidFilter")
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestV2ErrorsAndAuth(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.auth = nil
	r := h.do("GET", v2+"/Users", nil)
	wantError20(t, r, 401, "")
	if r.header.Get("WWW-Authenticate") == "" {
		t.Errorf("401 without WWW-Authenticate")
	}
	h.auth = basicAuth
	create20(t, h, "dup@example.com", "")
	wantError20(t, h.do("POST", v2+"/Users", []byte(`{"userName":"DUP@example.com"}`)), 409, "uniqueness")
	wantError20(t, h.do("POST", v2+"/Users", []byte(`{"userName":`)), 400, "invalidSyntax")
	wantError20(t, h.do("POST", v2+"/Users", []byte(`{"name":{}}`)), 400, "invalidValue")
	wantError20(t, h.do("POST", v2+"/Users", []byte(`{"userName":"x","emails":"nope"}`)), 400, "invalidValue")
	wantError20(t, h.do("GET", v2+"/Groups/none", nil), 404, "")
	wantError20(t, h.do("POST", v2+"/Bulk", []byte(`{}`)), 501, "")
	deep := strings.Repeat(`{"a":`, 200) + "1" + strings.Repeat("}", 200)
	wantError20(t, h.do("POST", v2+"/Users", []byte(deep)), 400, "invalidSyntax")
	// The 1.1 routes keep their own error shape.
	wantError(t, h.do("GET", "/Users/none", nil), 404, codeNotFound)
}

// versioned gives every user a version, as a backend with optimistic locking does, and can
// switch user deletion off.
type versioned struct {
	*memory.Backend
	noDelete bool
}

func (v versioned) Capabilities() backend.Capabilities {
	c := v.Backend.Capabilities()
	c.DeleteUser = c.DeleteUser && !v.noDelete
	return c
}

func stamp(u *backend.User, err error) (*backend.User, error) {
	if u != nil {
		u.Meta.Version = fmt.Sprintf("v%d", u.Meta.LastModified.UnixNano())
	}
	return u, err
}

func (v versioned) GetUser(ctx context.Context, id string) (*backend.User, error) {
	return stamp(v.Backend.GetUser(ctx, id))
}

func (v versioned) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	return stamp(v.Backend.ReplaceUser(ctx, id, u))
}

func TestV2ETagAndIfMatch(t *testing.T) {
	tick := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	mem := memory.New(memory.Options{Now: func() time.Time { tick = tick.Add(time.Second); return tick }})
	h := newHarness(t, versioned{Backend: mem}, nil)
	id := create20(t, h, "etag@example.com", "")
	r := h.do("GET", v2+"/Users/"+id, nil)
	etag := r.header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"v`) || stringAt(r.json(t), "meta", "version") != etag {
		t.Fatalf("ETag %q body %s", etag, r.raw)
	}
	send := func(ifMatch string) response {
		req := patchBody(`{"op":"replace","path":"title","value":"T"}`)
		return h.doWith("PATCH", v2+"/Users/"+id, req, http.Header{"If-Match": {ifMatch}})
	}
	wantError20(t, send(`W/"v1"`), 412, "")
	r = send(etag)
	if r.status != 200 || r.header.Get("ETag") == etag || r.header.Get("ETag") == "" {
		t.Fatalf("matching If-Match: %d %s etag %q", r.status, r.raw, r.header.Get("ETag"))
	}
	wantError20(t, send(etag), 412, "") // the version moved on
	if r := send("*"); r.status != 200 {
		t.Errorf("If-Match *: %d", r.status)
	}

	// Without deletion in the backend, DELETE deactivates (default) or is refused.
	h = newHarness(t, versioned{Backend: memory.New(memory.Options{}), noDelete: true}, nil)
	id = create20(t, h, "keep@example.com", "")
	if r := h.do("DELETE", v2+"/Users/"+id, nil); r.status != 204 {
		t.Fatalf("DELETE as deactivate: %d %s", r.status, r.raw)
	}
	if u := h.do("GET", v2+"/Users/"+id, nil).json(t); u["active"] != false {
		t.Errorf("not deactivated: %v", u)
	}
	h = newHarness(t, versioned{Backend: memory.New(memory.Options{}), noDelete: true}, func(c *Config) { c.SCIM2.DeleteUser = "refuse" })
	id = create20(t, h, "keep@example.com", "")
	wantError20(t, h.do("DELETE", v2+"/Users/"+id, nil), 501, "")
	if u := h.do("GET", v2+"/Users/"+id, nil).json(t); u["active"] != true {
		t.Errorf("refused DELETE changed the user: %v", u)
	}
}

func TestV2ConfigValidation(t *testing.T) {
	for _, c := range []struct {
		mutate func(*SCIM2Config)
		want   string
	}{
		{func(c *SCIM2Config) { c.PatchStatus = 201 }, "scim2.patchStatus"},
		{func(c *SCIM2Config) { c.DeleteUser = "erase" }, "scim2.deleteUser"},
		{func(c *SCIM2Config) { c.CustomSchemaURN = "custom" }, "scim2.customSchemaURN"},
		{func(c *SCIM2Config) { c.BaseURL = "ftp://x" }, "scim2.baseURL"},
	} {
		cfg := Config{Auth: AuthConfig{Mode: "none"}}
		c.mutate(&cfg.SCIM2)
		cfg.Defaults()
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want an error naming %s, got %v", c.want, err)
		}
	}
	cfg := Config{Auth: AuthConfig{Mode: "none"}, AppName: "myapp"}
	cfg.Defaults()
	if cfg.SCIM2.CustomSchemaURN != "urn:okta:myapp:1.0:user:custom" || cfg.SCIM2.PatchStatus != 200 || cfg.SCIM2.DeleteUser != "deactivate" {
		t.Errorf("defaults %+v", cfg.SCIM2)
	}
}

func TestV2BaseURL(t *testing.T) {
	h := newHarness(t, nil, func(c *Config) { c.SCIM2.BaseURL = "https://bridge.example.com/scim/v2/" })
	r := h.do("POST", v2+"/Users", []byte(`{"userName":"loc@example.com"}`))
	id := r.json(t)["id"].(string)
	if r.header.Get("Location") != "https://bridge.example.com/scim/v2/Users/"+id {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
}

func stringAt(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}

// doWith is do with extra request headers.
func (h *harness) doWith(method, path string, body []byte, hdr http.Header) response {
	h.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if h.auth != nil {
		h.auth(req)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}
