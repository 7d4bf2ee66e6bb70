package adapter

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
)

// A meta.lastModified comparison whose value is not a date-time used to be compared as a string
// and match nothing: an incremental import with a timestamp we do not read imported nothing,
// silently. It is a 400 now, in both dialects; every time form the backends read still works.
func TestTimeFilterLiterals(t *testing.T) {
	h := newHarness(t, nil, nil)
	if r := h.do("POST", "/Users", []byte(`{"userName":"t@x"}`)); r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	for _, f := range []string{
		`meta.lastModified gt "yesterday"`,
		`meta.lastModified gt 5`,
		`meta.LASTMODIFIED ge true`,
		`meta.created lt "04-17-2020 00:00:00"`,
		`userName eq "t@x" and meta.lastModified gt ""`,
	} {
		wantError(t, h.do("GET", "/Users?filter="+url.QueryEscape(f), nil), 400, codeBadFilter)
		r := h.do("GET", "/scim/v2/Users?filter="+url.QueryEscape(f), nil)
		if r.status != 400 || r.json(t)["scimType"] != "invalidFilter" {
			t.Errorf("v2 %s: %d %s", f, r.status, r.raw)
		}
	}
	for _, f := range []string{
		`meta.lastModified gt "2020-04-07T14:19:34Z"`,
		`meta.lastModified gt "2020-04-07T14:19:34.123+02:00"`,
		`meta.lastModified gt "2020-04-07T14:19:34"`,
		`meta.lastModified gt "2020-04-07"`,
		`meta.created ge "2020-04-07T14:19:34Z"`,
	} {
		checkList(t, h.do("GET", "/Users?filter="+url.QueryEscape(f), nil), 1, false)
	}
	// co/sw/ew are string operations: not refused.
	checkList(t, h.do("GET", "/Users?filter="+url.QueryEscape(`meta.lastModified sw "1999"`), nil), 0, false)
}

// Switching PUSH_PASSWORD_UPDATES off must stop password pushes, not only hide the capability:
// the agent re-sends the password on every PUT (agent-password-on-every-put), and an admin turns the capability off
// precisely when the application must not get them.
func TestDisabledPasswordCapabilityStopsPushes(t *testing.T) {
	hb, _ := newHook(memory.Options{})
	h := newHarness(t, hb, func(c *Config) { c.Capabilities.Disable = []string{CapPushPasswordUpdates} })
	r := h.do("POST", "/Users", []byte(`{"userName":"d@x","password":"first"}`))
	id := r.json(t)["id"].(string)
	if r := h.do("PUT", "/Users/"+id, []byte(`{"userName":"d@x","password":"second"}`)); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.raw)
	}
	if r := h.do("PATCH", "/scim/v2/Users/"+id, []byte(`{"Operations":[{"op":"replace","path":"password","value":"third"}]}`)); r.status != 200 {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
	if hb.pwCalls != 0 {
		t.Errorf("SetPassword called %d times with PUSH_PASSWORD_UPDATES disabled", hb.pwCalls)
	}
	m := h.do("GET", "/scim/v2/ServiceProviderConfig", nil).json(t)
	if m["changePassword"].(map[string]any)["supported"] != false {
		t.Errorf("changePassword advertised: %v", m["changePassword"])
	}
	// With less than everything on offer, the 2.0 document lists what is, as the 1.1 one does.
	ext, _ := m["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)
	if got := fmt.Sprint(ext["userManagementCapabilities"]); ext == nil || strings.Contains(got, CapPushPasswordUpdates) || !strings.Contains(got, CapPushNewUsers) ||
		!strings.Contains(fmt.Sprint(m["schemas"]), "urn:okta:schemas:scim:providerconfig:1.0") {
		t.Errorf("2.0 ServiceProviderConfig without the capability list: %v", m)
	}
}

// nilBackend answers every call with neither a result nor an error.
type nilBackend struct{ backend.Backend }

func (nilBackend) CreateUser(context.Context, *backend.User) (*backend.User, error) { return nil, nil }
func (nilBackend) GetUser(context.Context, string) (*backend.User, error)           { return nil, nil }
func (nilBackend) ListUsers(context.Context, backend.Query) (*backend.UserPage, error) {
	return nil, nil
}
func (nilBackend) CreateGroup(context.Context, *backend.Group) (*backend.Group, error) {
	return nil, nil
}
func (nilBackend) GetGroup(context.Context, string) (*backend.Group, error) { return nil, nil }
func (nilBackend) ListGroups(context.Context, backend.Query) (*backend.GroupPage, error) {
	return nil, nil
}

// A backend bug that returns nothing and no error is a 500 in the client's dialect, not a nil
// dereference (the panic recovery would answer too, but logs a stack for what is a known case).
func TestNilBackendResults(t *testing.T) {
	h := newHarness(t, nilBackend{memory.New(memory.Options{})}, nil)
	for _, c := range []struct{ method, path, body string }{
		{"POST", "/Users", `{"userName":"n@x","password":"p"}`},
		{"GET", "/Users/u1", ""},
		{"PUT", "/Users/u1", `{"userName":"n@x"}`},
		{"GET", "/Users", ""},
		{"POST", "/Groups", `{"displayName":"g"}`},
		{"GET", "/Groups/g1", ""},
		{"PUT", "/Groups/g1", `{"displayName":"g","members":[]}`},
		{"GET", "/Groups", ""},
		{"PATCH", "/scim/v2/Users/u1", `{"Operations":[{"op":"replace","value":{"active":false}}]}`},
		{"PATCH", "/scim/v2/Groups/g1", `{"Operations":[{"op":"add","path":"members","value":[{"value":"u1"}]}]}`},
	} {
		var body []byte
		if c.body != "" {
			body = []byte(c.body)
		}
		r := h.do(c.method, c.path, body)
		if r.status != 500 || !strings.Contains(string(r.raw), codeInternal) && !strings.Contains(c.path, "/v2/") {
			t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.raw)
		}
	}
	if strings.Contains(h.logs.String(), "panic") {
		t.Errorf("a nil backend result panicked:\n%s", h.logs.String())
	}
}

// The backend skips member ids that name no user (unknown-group-members), so replacing every member with unknown
// ids would have emptied the group past the empty-group guard. Refused in both dialects; a swap
// for a real user still goes through, and allowEmptying lets it through.
func TestGroupGuardUnknownMembers(t *testing.T) {
	h, hb, gid := groupFixture(t, nil)
	wantError(t, h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"ghost1"},{"value":"ghost2"}`)), 409, codeGroupGuard)
	r := h.do("PATCH", "/scim/v2/Groups/"+gid, []byte(`{"Operations":[{"op":"replace","path":"members","value":[{"value":"ghost"}]}]}`))
	if r.status != 409 {
		t.Errorf("v2 PATCH replace with unknown members: %d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); len(got) != 3 {
		t.Fatalf("refused updates changed members: %v", got)
	}
	if r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"ghost"},{"value":"u4"}`)); r.status != 200 {
		t.Errorf("swap with one real user: %d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); len(got) != 1 || got[0] != "u4" {
		t.Errorf("after swap: %v", got)
	}

	h, hb, gid = groupFixture(t, func(c *Config) { c.Groups.AllowEmptying = true })
	if r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"ghost"}`)); r.status != 200 {
		t.Errorf("allowEmptying: %d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); len(got) != 0 {
		t.Errorf("allowEmptying: members %v", got)
	}
}

// The 501 for DELETE /Users says why truthfully: "deactivate instead" is no advice when the
// backend cannot deactivate either.
func TestV2DeleteUserRefusalWording(t *testing.T) {
	caps := memory.New(memory.Options{}).Capabilities()
	caps.DeleteUser, caps.Activation = false, false
	hb, _ := newHook(memory.Options{})
	hb.caps = &caps
	r := newHarness(t, hb, nil).do("DELETE", "/scim/v2/Users/u1", nil)
	if r.status != 501 || strings.Contains(string(r.raw), "is refuse") || !strings.Contains(string(r.raw), "deactivate") {
		t.Errorf("deactivate configured but impossible: %d %s", r.status, r.raw)
	}
	r = newHarness(t, hb, func(c *Config) { c.SCIM2.DeleteUser = "refuse" }).do("DELETE", "/scim/v2/Users/u1", nil)
	if r.status != 501 || !strings.Contains(string(r.raw), "scim2.deleteUser is refuse") {
		t.Errorf("refuse configured: %d %s", r.status, r.raw)
	}
}
