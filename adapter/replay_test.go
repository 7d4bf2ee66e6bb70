package adapter

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
)

// TestOktaMessageCatalog replays every SCIM 1.1 message of docs/okta-agent-protocol.md with the
// agent's sample payloads, in lifecycle order, under both base paths.
func TestOktaMessageCatalog(t *testing.T) {
	for _, base := range []string{"/scim/v1", ""} {
		t.Run("base="+base, func(t *testing.T) { replayCatalog(t, base) })
	}
}

func replayCatalog(t *testing.T, base string) {
	h := newHarness(t, nil, nil)
	ctx := context.Background()

	// msg-capabilities.
	r := h.do("GET", base+"/ServiceProviderConfigs", nil)
	if r.status != 200 {
		t.Fatalf("ServiceProviderConfigs: %d %s", r.status, r.raw)
	}
	caps := r.json(t)["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)["userManagementCapabilities"]
	want := []any{"GROUP_PUSH", "IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_PASSWORD_UPDATES",
		"PUSH_PENDING_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS", "OPP_SCIM_INCREMENTAL_IMPORTS"}
	if !reflect.DeepEqual(caps, want) {
		t.Errorf("capabilities = %v", caps)
	}

	// msg-create-user: the existence check misses with the exact empty-list shape, then POST.
	r = h.do("GET", base+"/Users?filter=userName%20eq%20%22myemail%40domain.com%22&startIndex=1&count=100", nil)
	if string(r.raw) != `{"schemas":["urn:scim:schemas:core:1.0"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}` {
		t.Errorf("filter miss body: %s", r.raw)
	}
	r = h.do("POST", base+"/Users", sample(t, "createNewUser.json", nil))
	if r.status != 200 {
		t.Fatalf("createNewUser: %d %s", r.status, r.raw)
	}
	created := r.json(t)
	checkUserShape(t, created)
	uid := created["id"].(string)
	if created["active"] != true || created["userName"] != "myemail@domain.com" {
		t.Errorf("created user %v", created)
	}
	if !h.mem.HasPassword(uid) {
		t.Errorf("initial password not passed to the backend")
	}
	// The existence check now finds it, in either query encoding.
	for _, q := range []string{"filter=userName%20eq%20%22MYEMAIL%40domain.com%22&startIndex=1&count=100", "filter=userName+eq+%22myemail%40domain.com%22"} {
		res := checkList(t, h.do("GET", base+"/Users?"+q, nil), 1, strings.Contains(q, "count"))
		if res[0]["id"] != uid {
			t.Errorf("%s found %v", q, res[0]["id"])
		}
	}
	// The email-OR form of the check.
	res := checkList(t, h.do("GET", base+"/Users?filter=email+eq+%22nobody%40x.test%22+OR+email+eq+%22mypersonalemail%40domain.com%22&startIndex=1&count=100", nil), 1, true)
	if res[0]["id"] != uid {
		t.Errorf("email OR form found %v", res)
	}
	// A second create of the same userName (the race duplicates-409 describes) is a 409 in the SDK shape.
	wantError(t, h.do("POST", base+"/Users", sample(t, "createNewUser-withCustomExtension.json", nil)), 409, codeDuplicateUser)
	// Groups in a create body are read-only and ignored.
	r = h.do("POST", base+"/Users", []byte(strings.Replace(string(sample(t, "createNewUser-withGroups.json", nil)), "myemail@domain.com\"", "grouped@domain.com\"", 1)))
	if r.status != 200 {
		t.Fatalf("createNewUser-withGroups: %d %s", r.status, r.raw)
	}
	if _, has := r.json(t)["groups"]; has {
		t.Errorf("groups from the create body were applied: %s", r.raw)
	}

	// msg-create-pending-user with the custom extension.
	r = h.do("POST", base+"/Users", sample(t, "createPendingUser-withCustomExtension.json", nil))
	if r.status != 200 {
		t.Fatalf("createPendingUser: %d %s", r.status, r.raw)
	}
	pending := r.json(t)
	checkUserShape(t, pending)
	pid := pending["id"].(string)
	if pending["active"] != false {
		t.Errorf("pending user active: %v", pending["active"])
	}
	ext, _ := pending["urn:okta:onprem_app:1.0:user:custom"].(map[string]any)
	if ext["departmentName"] != "Testing User" || ext["isAdmin"] != false {
		t.Errorf("custom extension not stored/returned: %s", r.raw)
	}
	r = h.do("POST", base+"/Users", []byte(strings.Replace(string(sample(t, "createPendingUser.json", nil)), "myemail-pending@domain.com\"", "pending2@domain.com\"", 1)))
	if r.status != 200 || r.json(t)["active"] != false {
		t.Errorf("createPendingUser.json: %d %s", r.status, r.raw)
	}

	// msg-activate … msg-profile-update: full-object PUTs. Password pushes reach the backend only when the password
	// changes (agent-password-on-every-put): activate (inSecure ≠ verySecure: set), deactivate and reactivate (same: not
	// set), pushPasswordUpdate (set), pushProfileUpdate (back to inSecure, one of the remembered passwords: not set).
	ids := map[string]string{"101": pid}
	steps := []struct {
		file   string
		active bool
		sets   int
	}{
		{"activateUser.json", true, 1},
		{"deactivateUser.json", false, 1},
		{"reactivateUser.json", true, 1},
		{"pushPasswordUpdate.json", true, 2},
		{"pushProfileUpdate.json", true, 2},
	}
	for _, st := range steps {
		r = h.do("PUT", base+"/Users/"+pid, sample(t, st.file, ids))
		if r.status != 200 {
			t.Fatalf("%s: %d %s", st.file, r.status, r.raw)
		}
		u := r.json(t)
		checkUserShape(t, u)
		if u["active"] != st.active || u["id"] != pid {
			t.Errorf("%s: response active=%v id=%v", st.file, u["active"], u["id"])
		}
		stored, err := h.mem.GetUser(ctx, pid)
		if err != nil || stored.Active != st.active {
			t.Errorf("%s: stored active %v (%v)", st.file, stored.Active, err)
		}
		if got := h.mem.PasswordSets(pid); got != st.sets {
			t.Errorf("%s: SetPassword called %d times in total, want %d", st.file, got, st.sets)
		}
	}
	stored, _ := h.mem.GetUser(ctx, pid)
	if stored.Name.FamilyName != "Taylor" || stored.Emails[0].Value != "jtaylor@example.com" || stored.Custom["departmentName"] != "Cloud Service Management" {
		t.Errorf("profile update not applied: %+v", stored)
	}
	wantError(t, h.do("PUT", base+"/Users/u999", sample(t, "activateUser.json", nil)), 404, codeNotFound)

	// msg-import-users and msg-get-user.
	users := checkList(t, h.do("GET", base+"/Users?startIndex=1&count=100", nil), 4, true)
	for _, u := range users {
		checkUserShape(t, u)
	}
	r = h.do("GET", base+"/Users/"+pid, nil)
	if r.status != 200 || r.json(t)["userName"] != "okta" {
		t.Errorf("GET /Users/{id}: %d %s", r.status, r.raw)
	}
	wantError(t, h.do("GET", base+"/Users/u999", nil), 404, codeNotFound)

	// msg-incremental-import: strictly after the pending user's last change, nothing; before it,
	// that user.
	lm := stored.Meta.LastModified
	after := url.QueryEscape(`meta.lastModified gt "` + lm.UTC().Add(time.Second).Format(time.RFC3339) + `"`)
	checkList(t, h.do("GET", base+"/Users?filter="+after+"&startIndex=1&count=100", nil), 0, true)
	before := url.QueryEscape(`meta.lastModified gt "` + lm.UTC().Add(-time.Nanosecond).Format(time.RFC3339Nano) + `"`)
	res = checkList(t, h.do("GET", base+"/Users?filter="+before+"&startIndex=1&count=100", nil), 1, true)
	if res[0]["id"] != pid {
		t.Errorf("incremental import found %v", res[0]["id"])
	}
	// The custom attribute as unique field, in both URN spellings.
	for _, f := range []string{`urn:okta:onprem_app:1.0:user:custom:departmentName eq "Cloud Service Management"`, `urn:okta:onprem_app:1.0:user:departmentName eq "cloud service management"`} {
		res = checkList(t, h.do("GET", base+"/Users?filter="+url.QueryEscape(f), nil), 1, false)
		if res[0]["id"] != pid {
			t.Errorf("%s found %v", f, res[0]["id"])
		}
	}

	// msg-create-group: the client id is ignored, members are our users.
	ids["102"] = uid
	r = h.do("POST", base+"/Groups", sample(t, "createGroup.json", ids))
	if r.status != 200 {
		t.Fatalf("createGroup: %d %s", r.status, r.raw)
	}
	g := r.json(t)
	gid := g["id"].(string)
	if gid == "AppGroup-02" || g["displayName"] != "AppGroup-04" || len(g["members"].([]any)) != 2 {
		t.Errorf("created group %s", r.raw)
	}
	if !reflect.DeepEqual(g["schemas"], []any{"urn:scim:schemas:core:1.0", "urn:okta:custom:group:1.0"}) {
		t.Errorf("group schemas %v", g["schemas"])
	}
	e := wantError(t, h.do("POST", base+"/Groups", []byte(`{"schemas":["urn:scim:schemas:core:1.0"],"displayName":"appgroup-04"}`)), 409, codeDuplicateGroup)
	if e["description"] != "Duplicate group with the same name [appgroup-04] found. Cannot create the group" {
		t.Errorf("duplicate group description %q", e["description"])
	}
	// The user now shows the group.
	r = h.do("GET", base+"/Users/"+pid, nil)
	if grp, _ := r.json(t)["groups"].([]any); len(grp) != 1 {
		t.Errorf("user groups after group create: %s", r.raw)
	}

	// msg-update-group: rename, new description, same members.
	ids["1002"] = gid
	r = h.do("PUT", base+"/Groups/"+gid, sample(t, "updateGroup.json", ids))
	if r.status != 200 {
		t.Fatalf("updateGroup: %d %s", r.status, r.raw)
	}
	sg, _ := h.mem.GetGroup(ctx, gid)
	if sg.DisplayName != "AppGroup-Changed" || sg.Description != "This is the changed first group" || len(sg.Members) != 2 {
		t.Errorf("group after update: %+v", sg)
	}

	// msg-download-groups, msg-get-group.
	groups := checkList(t, h.do("GET", base+"/Groups?startIndex=1&count=100", nil), 1, true)
	if groups[0]["id"] != gid {
		t.Errorf("groups list %v", groups)
	}
	r = h.do("GET", base+"/Groups/"+gid, nil)
	if r.status != 200 || r.json(t)["displayName"] != "AppGroup-Changed" {
		t.Errorf("GET group: %d %s", r.status, r.raw)
	}
	wantError(t, h.do("GET", base+"/Groups/g999", nil), 404, codeNotFound)

	// msg-delete-group: 200 with an empty body, then 404.
	r = h.do("DELETE", base+"/Groups/"+gid, nil)
	if r.status != 200 || len(r.raw) != 0 {
		t.Errorf("DELETE group: %d %q", r.status, r.raw)
	}
	if _, err := h.mem.GetGroup(ctx, gid); !backend.IsNotFound(err) {
		t.Errorf("group still there: %v", err)
	}
	e = wantError(t, h.do("DELETE", base+"/Groups/"+gid, nil), 404, codeNotFound)
	if !strings.Contains(e["description"].(string), gid) {
		t.Errorf("404 description should name the id: %v", e["description"])
	}
}

func TestSDKHeadersAndContentType(t *testing.T) {
	h := newHarness(t, nil, nil)
	r := h.do("GET", "/ServiceProviderConfigs", nil)
	if r.header.Get("X-okta-sdk-version") != "01.03.02" || r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Errorf("headers %v", r.header)
	}
	if id := r.header.Get("X-Request-ID"); len(id) != 16 {
		t.Errorf("generated request id %q", id)
	}
	empty := ""
	h = newHarness(t, nil, func(c *Config) { c.SDKVersionHeader = &empty; c.CreatedStatus = 201; c.DeleteStatus = 204 })
	r = h.do("GET", "/ServiceProviderConfigs", nil)
	if _, ok := r.header["X-Okta-Sdk-Version"]; ok {
		t.Errorf("sdk header sent although disabled")
	}
	r = h.do("POST", "/Groups", []byte(`{"displayName":"G"}`))
	if r.status != 201 {
		t.Errorf("createdStatus 201: got %d", r.status)
	}
	gid := r.json(t)["id"].(string)
	if r = h.do("DELETE", "/Groups/"+gid, nil); r.status != 204 {
		t.Errorf("deleteStatus 204: got %d", r.status)
	}

	// A sane client request id is echoed; a hostile one is replaced.
	req, _ := http.NewRequest("GET", h.srv.URL+"/ServiceProviderConfigs", nil)
	basicAuth(req)
	req.Header.Set("X-Request-ID", "abc-123")
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("X-Request-ID") != "abc-123" {
		t.Errorf("request id not echoed: %q", resp.Header.Get("X-Request-ID"))
	}
	req.Header.Set("X-Request-ID", "evil\tline")
	resp, err = h.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got == "evil\tline" || len(got) != 16 {
		t.Errorf("unsafe request id accepted: %q", got)
	}
}

func decodeJSON(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not JSON: %s", raw)
	}
	return m
}
