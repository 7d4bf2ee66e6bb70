package adapter

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
)

// A SCIM 2.0 group keeps the client's externalId through POST, PUT and PATCH.
func TestV2GroupExternalIDKept(t *testing.T) {
	h := newHarness(t, nil, nil)
	r := h.do("POST", v2+"/Groups", []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","externalId":"ext-1","members":[]}`))
	if r.status != 201 || r.json(t)["externalId"] != "ext-1" {
		t.Fatalf("POST: %d %s", r.status, r.raw)
	}
	gid := r.json(t)["id"].(string)
	if got := h.do("GET", v2+"/Groups/"+gid, nil).json(t)["externalId"]; got != "ext-1" {
		t.Errorf("GET after POST: externalId %v", got)
	}
	r = h.do("PUT", v2+"/Groups/"+gid, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","externalId":"ext-2","members":[]}`))
	if r.status != 200 || r.json(t)["externalId"] != "ext-2" {
		t.Fatalf("PUT: %d %s", r.status, r.raw)
	}
	// A PUT without externalId leaves it alone.
	h.do("PUT", v2+"/Groups/"+gid, []byte(`{"displayName":"Ops","members":[]}`))
	if got := h.do("GET", v2+"/Groups/"+gid, nil).json(t)["externalId"]; got != "ext-2" {
		t.Errorf("GET after a PUT without externalId: %v", got)
	}
	r = h.do("PATCH", v2+"/Groups/"+gid, patchBody(`{"op":"replace","path":"externalId","value":"ext-3"}`))
	if r.status != 200 || r.json(t)["externalId"] != "ext-3" {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
}

// Control characters, invalid UTF-8 and over-long strings are refused with 400 invalidValue
// before the application is called; the message names the attribute, never the value.
func TestInputRules(t *testing.T) {
	hb, mem := newHook(memory.Options{})
	h := newHarness(t, hb, func(c *Config) { c.MaxStringLength = 100 })
	long := strings.Repeat("é", 101)
	for name, body := range map[string]string{
		"NUL":          `{"userName":"a\u0000b@example.com"}`,
		"escape":       `{"userName":"x@example.com","name":{"givenName":"\u001b[31m"}}`,
		"C1":           `{"userName":"x@example.com","displayName":"\u0085"}`,
		"invalid UTF8": "{\"userName\":\"bad\xff\xfe@example.com\"}",
		"too long":     `{"userName":"x@example.com","title":"` + long + `"}`,
		"custom long":  `{"userName":"x@example.com","urn:okta:onprem_app:1.0:user:custom":{"department":"` + long + `"}}`,
		"custom key":   `{"userName":"x@example.com","urn:okta:onprem_app:1.0:user:custom":{"a\u0000":"x"}}`,
	} {
		r := h.do("POST", v2+"/Users", []byte(body))
		wantError20(t, r, 400, "invalidValue")
		if strings.Contains(string(r.raw), "bad") || strings.Contains(string(r.raw), "ééé") {
			t.Errorf("%s: the message repeats the value: %s", name, r.raw)
		}
		wantError(t, h.do("POST", "/Users", []byte(body)), 400, codeBadRequest)
	}
	if page, _ := mem.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 10}); page.Total != 0 {
		t.Errorf("%d users were created from refused bodies", page.Total)
	}
	// Tabs and newlines stay allowed; exactly the limit passes.
	r := h.do("POST", "/Users", []byte(`{"userName":"ok@example.com","title":"`+strings.Repeat("é", 100)+`","displayName":"a\tb"}`))
	if r.status != 200 {
		t.Errorf("a string at the limit: %d %s", r.status, r.raw)
	}
	// A group too.
	wantError20(t, h.do("POST", v2+"/Groups", []byte(`{"displayName":"g\u0007"}`)), 400, "invalidValue")
}

// A startIndex past any backend's range answers an empty page with the true total, in both
// dialects, and never reaches the backend as an index it would overflow.
func TestPagingBeyondRange(t *testing.T) {
	hb, _ := newHook(memory.Options{})
	h := newHarness(t, hb, nil)
	create20(t, h, "p@example.com", "")
	for _, p := range []string{v2 + "/Users?startIndex=2147483648&count=10", "/Users?startIndex=9223372036854775807&count=10", v2 + "/Groups?startIndex=2147483648"} {
		r := h.do("GET", p, nil)
		m := r.json(t)
		if r.status != 200 || len(m["Resources"].([]any)) != 0 {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
		if strings.Contains(p, "Users") && fmt.Sprint(m["totalResults"]) != "1" {
			t.Errorf("GET %s: totalResults %v, want the true total 1", p, m["totalResults"])
		}
	}
	if q := hb.lastQuery; q.StartIndex > maxStartIndex {
		t.Errorf("the backend saw startIndex %d", q.StartIndex)
	}
}

// Twenty concurrent PUTs of one group, each with a different member list, end with exactly one of
// the sent lists: the diff is computed and applied under the group's lock.
func TestConcurrentGroupPutsEndInOneSentList(t *testing.T) {
	h := newHarness(t, nil, nil)
	var ids []string
	for i := range 8 {
		r := h.do("POST", "/Users", []byte(fmt.Sprintf(`{"userName":"c%d@example.com","active":true}`, i)))
		ids = append(ids, r.json(t)["id"].(string))
	}
	gid := h.do("POST", "/Groups", []byte(`{"displayName":"Race"}`)).json(t)["id"].(string)
	for iter := range 5 {
		sent := map[string]bool{}
		var wg sync.WaitGroup
		for i := range 20 {
			// Each list is a distinct, non-empty subset of the users.
			var members []string
			var key []string
			for j, id := range ids {
				if (i+1+iter)&(1<<j) != 0 || j == (i+iter)%len(ids) {
					members = append(members, `{"value":"`+id+`"}`)
					key = append(key, id)
				}
			}
			slices.Sort(key)
			sent[strings.Join(key, ",")] = true
			body := []byte(`{"displayName":"Race","members":[` + strings.Join(members, ",") + `]}`)
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := h.do("PUT", "/Groups/"+gid, body); r.status != 200 {
					t.Errorf("PUT: %d %s", r.status, r.raw)
				}
			}()
		}
		wg.Wait()
		got := groupMembers11(t, h, gid)
		if !sent[strings.Join(got, ",")] {
			t.Fatalf("iteration %d: the group ended with %v, which no PUT sent", iter, got)
		}
	}
}

func groupMembers11(t *testing.T, h *harness, gid string) []string {
	t.Helper()
	var out []string
	for _, m := range h.do("GET", "/Groups/"+gid, nil).json(t)["members"].([]any) {
		out = append(out, m.(map[string]any)["value"].(string))
	}
	slices.Sort(out)
	return out
}

// A PUT that deactivates never pushes the password it carries, so a policy refusal of it can never
// block the deactivation; a PUT carrying any remembered password is not a change.
func TestPasswordSequenceOfTheTester(t *testing.T) {
	hb, _ := newHook(memory.Options{})
	var pushed []string
	hb.setPassword = func(id, pw string) error {
		if slices.Contains(pushed, pw) {
			return backend.Errorf(backend.Policy, "reuse of a recent password")
		}
		pushed = append(pushed, pw)
		return nil
	}
	h := newHarness(t, hb, nil)
	uid := h.do("POST", "/Users", []byte(`{"userName":"seq@example.com","password":"verySecure","active":true}`)).json(t)["id"].(string)
	for _, step := range []struct {
		active bool
		pw     string
		pushes bool
	}{
		{true, "inSecure", true},                 // activateUser: a new password
		{true, "this-is-my-new-password", true},  // pushPasswordUpdate
		{false, "inSecure", false},               // deactivateUser with the earlier one: never pushed
		{true, "inSecure", false},                // reactivateUser: remembered, not a change
		{true, "inSecure", false},                // pushProfileUpdate
		{false, "a-password-never-seen", false},  // a deactivation never pushes, even a new one
		{true, "this-is-my-new-password", false}, // remembered
	} {
		before := len(pushed)
		r := h.do("PUT", "/Users/"+uid, []byte(fmt.Sprintf(`{"userName":"seq@example.com","password":%q,"active":%v}`, step.pw, step.active)))
		if r.status != 200 || r.json(t)["active"] != step.active {
			t.Fatalf("PUT active=%v: %d %s", step.active, r.status, r.raw)
		}
		if did := len(pushed) > before; did != step.pushes {
			t.Errorf("PUT active=%v password %q: pushed=%v, want %v", step.active, step.pw, did, step.pushes)
		}
	}
}

func userNames(t *testing.T, r response) []string {
	t.Helper()
	if r.status != 200 {
		t.Fatalf("listing: %d %s", r.status, r.raw)
	}
	var out []string
	for _, res := range r.json(t)["Resources"].([]any) {
		m := res.(map[string]any)
		if n, ok := m["userName"].(string); ok {
			out = append(out, n)
		} else {
			out = append(out, "group:"+m["displayName"].(string))
		}
	}
	return out
}

// sortBy/sortOrder are done in the bridge, in both dialects, and page after sorting; POST
// /.search answers as the GET with the same query.
func TestSortAndSearch(t *testing.T) {
	h := newHarness(t, nil, nil)
	for _, n := range []string{"carol", "Alice", "bob", "dave"} {
		create20(t, h, n+"@example.com", "")
	}
	h.do("POST", v2+"/Groups", []byte(`{"displayName":"Zeta"}`))
	if got := userNames(t, h.do("GET", v2+"/Users?sortBy=userName", nil)); !slices.Equal(got, []string{"Alice@example.com", "bob@example.com", "carol@example.com", "dave@example.com"}) {
		t.Errorf("ascending: %v", got)
	}
	if got := userNames(t, h.do("GET", "/Users?sortBy=userName&sortOrder=descending&startIndex=2&count=2", nil)); !slices.Equal(got, []string{"carol@example.com", "bob@example.com"}) {
		t.Errorf("1.1 descending page 2: %v", got)
	}
	wantError20(t, h.do("GET", v2+"/Users?sortBy=userName&sortOrder=sideways", nil), 400, "invalidValue")
	wantError20(t, h.do("GET", v2+"/Users?sortBy=urn:x:y", nil), 400, "invalidValue")

	r := h.do("POST", v2+"/Users/.search", []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
		"filter":"userName sw \"b\" or userName sw \"d\"","sortBy":"userName","sortOrder":"descending","attributes":["userName"],"startIndex":1,"count":10}`))
	if got := userNames(t, r); !slices.Equal(got, []string{"dave@example.com", "bob@example.com"}) {
		t.Errorf("POST /Users/.search: %v", got)
	}
	if _, has := r.json(t)["Resources"].([]any)[0].(map[string]any)["emails"]; has {
		t.Errorf("attributes of the SearchRequest not applied: %s", r.raw)
	}
	r = h.do("POST", v2+"/.search", []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"startIndex":4,"count":2}`))
	if got := userNames(t, r); !slices.Equal(got, []string{"dave@example.com", "group:Zeta"}) || fmt.Sprint(r.json(t)["totalResults"]) != "5" {
		t.Errorf("POST /.search across users and groups: %v %s", got, r.raw)
	}
	wantError20(t, h.do("POST", v2+"/Users/.search", []byte(`{"filter":`)), 400, "invalidSyntax")
}

// SCIM 1.1 /ServiceProviderConfigs describes the configured authentication and the limits,
// inside the standard attributes only (the agent's parser refuses unknown top-level ones).
func TestServiceProviderConfigs11(t *testing.T) {
	h := newHarness(t, nil, nil)
	m := h.do("GET", "/ServiceProviderConfigs", nil).json(t)
	schemes, _ := m["authenticationSchemes"].([]any)
	if len(schemes) != 1 || schemes[0].(map[string]any)["type"] != "httpbasic" || schemes[0].(map[string]any)["primary"] != true {
		t.Errorf("authenticationSchemes %v", m["authenticationSchemes"])
	}
	if fmt.Sprint(m["bulk"]) != "map[maxOperations:0 maxPayloadSize:1048576 supported:false]" || fmt.Sprint(m["sort"]) != "map[supported:true]" ||
		fmt.Sprint(m["filter"]) != "map[maxResults:1000 supported:true]" || fmt.Sprint(m["patch"]) != "map[supported:false]" {
		t.Errorf("limits: %v", m)
	}
	for k := range m {
		if !slices.Contains([]string{"schemas", "documentationUrl", "patch", "bulk", "filter", "changePassword", "sort", "etag",
			"authenticationSchemes", "urn:okta:schemas:scim:providerconfig:1.0"}, k) {
			t.Errorf("top-level attribute %q is not in the SCIM 1.1 ServiceProviderConfig schema", k)
		}
	}
	h = newHarness(t, nil, func(c *Config) {
		c.Auth = AuthConfig{Mode: "header", HeaderName: "X-Internal-AuthHeader", Token: "s3cret"}
	})
	h.auth = func(r *http.Request) { r.Header.Set("X-Internal-AuthHeader", "s3cret") }
	s := h.do("GET", "/ServiceProviderConfigs", nil).json(t)["authenticationSchemes"].([]any)[0].(map[string]any)
	if s["type"] != "httpheader" || !strings.Contains(s["description"].(string), "X-Internal-AuthHeader") || strings.Contains(fmt.Sprint(s), "s3cret") {
		t.Errorf("header scheme %v", s)
	}
}

// /Schemas and /ResourceTypes are answered in SCIM 1.1 too, in its vocabulary and URNs.
func TestDiscovery11(t *testing.T) {
	h := newHarness(t, nil, nil)
	for _, p := range []string{"/Schemas", "/scim/v1/ResourceTypes"} {
		r := h.do("GET", p, nil)
		if m := r.json(t); r.status != 200 || fmt.Sprint(m["totalResults"]) != "2" || fmt.Sprint(m["schemas"]) != "[urn:scim:schemas:core:1.0]" {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	u := h.do("GET", "/Schemas/Users", nil).json(t)
	if u["endpoint"] != "/Users" || u["schema"] != "urn:scim:schemas:core:1.0" {
		t.Fatalf("User schema %v", u)
	}
	bySchema := map[string][]string{}
	for _, a := range u["attributes"].([]any) {
		m := a.(map[string]any)
		bySchema[m["schema"].(string)] = append(bySchema[m["schema"].(string)], m["name"].(string))
		if m["name"] == "id" && m["readOnly"] != true {
			t.Errorf("id must be readOnly: %v", m)
		}
	}
	if !slices.Contains(bySchema["urn:scim:schemas:core:1.0"], "userName") || len(bySchema["urn:scim:schemas:extension:enterprise:1.0"]) == 0 {
		t.Errorf("attributes by schema: %v", bySchema)
	}
	rt := h.do("GET", "/ResourceTypes/Group", nil).json(t)
	if rt["endpoint"] != "/Groups" || fmt.Sprint(rt["schemaExtensions"]) != "[urn:okta:custom:group:1.0]" {
		t.Errorf("Group resource type %v", rt)
	}
	wantError(t, h.do("GET", "/Schemas/Nope", nil), 404, codeNotFound)
}
