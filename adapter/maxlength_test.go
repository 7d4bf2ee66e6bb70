package adapter

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
)

// limitedBackend is a memory backend with length limits that counts the writes it receives.
type limitedBackend struct {
	*memory.Backend
	writes atomic.Int32
}

func (b *limitedBackend) MaxLengths() (users, groups map[string]backend.MaxLength) {
	return map[string]backend.MaxLength{
			"userName":              {Limit: 20, Source: "the mapping's maxLength"},
			"name.givenName":        {Limit: 5, Source: "the application's schema, maxLength of GivenName"},
			"custom.departmentName": {Limit: 3, Source: "the mapping's maxLength"},
		}, map[string]backend.MaxLength{
			"displayName": {Limit: 8, Source: "the mapping's maxLength"},
		}
}

func (b *limitedBackend) CreateUser(ctx context.Context, u *backend.User) (*backend.User, error) {
	b.writes.Add(1)
	return b.Backend.CreateUser(ctx, u)
}

func (b *limitedBackend) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	b.writes.Add(1)
	return b.Backend.ReplaceUser(ctx, id, u)
}

func (b *limitedBackend) CreateGroup(ctx context.Context, g *backend.Group) (*backend.Group, error) {
	b.writes.Add(1)
	return b.Backend.CreateGroup(ctx, g)
}

// TestPerAttributeMaxLength: a value over its attribute's limit is refused with 400 invalidValue
// naming the attribute, the limit and where it comes from, in both dialects, and the backend is
// never called; values within the limits (counted in characters, not bytes) pass.
func TestPerAttributeMaxLength(t *testing.T) {
	lb := &limitedBackend{Backend: memory.New(memory.Options{})}
	h := newHarness(t, lb, nil)
	long := `"` + strings.Repeat("a", 21) + `@x"`
	for _, tc := range []struct {
		path, body, want string
	}{
		{"/scim/v1/Users", `{"userName":` + long + `}`, "userName is 23 characters long; the limit is 20 (the mapping's maxLength)"},
		{"/scim/v2/Users", `{"userName":` + long + `}`, "userName is 23 characters long; the limit is 20"},
		{"/scim/v2/Users", `{"userName":"a@x","name":{"givenName":"Zoëlle"}}`, "name.givenName is 6 characters long; the limit is 5 (the application's schema, maxLength of GivenName)"},
		{"/scim/v1/Users", `{"userName":"a@x","urn:okta:onprem_app:1.0:user:custom":{"departmentName":"Sales"}}`, "custom.departmentName is 5 characters long; the limit is 3"},
		{"/scim/v1/Groups", `{"displayName":"a long group name"}`, "displayName is 17 characters long; the limit is 8"},
		{"/scim/v2/Groups", `{"displayName":"a long group name"}`, "displayName is 17 characters long; the limit is 8"},
	} {
		r := h.do("POST", tc.path, []byte(tc.body))
		if r.status != 400 || !strings.Contains(string(r.raw), tc.want) {
			t.Errorf("POST %s %s: %d %s; want 400 saying %q", tc.path, tc.body, r.status, r.raw, tc.want)
		}
		if strings.HasPrefix(tc.path, "/scim/v2") && !strings.Contains(string(r.raw), `"scimType":"invalidValue"`) {
			t.Errorf("POST %s: no invalidValue: %s", tc.path, r.raw)
		}
	}
	if n := lb.writes.Load(); n != 0 {
		t.Fatalf("the backend was called %d times for refused values", n)
	}
	// Within the limits, in characters: "Zoël" is 4 characters and 5 bytes.
	r := h.do("POST", "/scim/v2/Users", []byte(`{"userName":"`+strings.Repeat("é", 20)+`","name":{"givenName":"Zoël"}}`))
	if r.status != 201 {
		t.Fatalf("a user within the limits: %d %s", r.status, r.raw)
	}
	id, _ := r.json(t)["id"].(string)
	// A replace over the limit is refused too.
	r = h.do("PUT", "/scim/v2/Users/"+id, []byte(`{"userName":`+long+`}`))
	if r.status != 400 || !strings.Contains(string(r.raw), "userName is 23 characters long") {
		t.Errorf("PUT over the limit: %d %s", r.status, r.raw)
	}
	if n := lb.writes.Load(); n != 1 {
		t.Errorf("the backend got %d writes, want the one create", n)
	}
}

// scanLimited is a memory backend whose mapping bounds the bridge's own scans at 3 users.
type scanLimited struct{ *memory.Backend }

func (b scanLimited) Capabilities() backend.Capabilities {
	c := b.Backend.Capabilities()
	c.ScanUsers = 3
	return c
}

// TestSortInBridgeWithinTheScanBound: a listing sorted in the bridge reads at most the mapping's
// scan bound; beyond it the answer is tooMany naming the bound, not a partial sort.
func TestSortInBridgeWithinTheScanBound(t *testing.T) {
	h := newHarness(t, scanLimited{memory.New(memory.Options{})}, nil)
	for _, n := range []string{"c", "a", "b"} {
		if r := h.do("POST", "/scim/v2/Users", []byte(`{"userName":"`+n+`@x"}`)); r.status != 201 {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
	}
	r := h.do("GET", "/scim/v2/Users?sortBy=userName", nil)
	if r.status != 200 || strings.Index(string(r.raw), "a@x") > strings.Index(string(r.raw), "b@x") {
		t.Fatalf("3 users sorted: %d %s", r.status, r.raw)
	}
	h.do("POST", "/scim/v2/Users", []byte(`{"userName":"d@x"}`))
	r = h.do("GET", "/scim/v2/Users?sortBy=userName", nil)
	if r.status != 400 || !strings.Contains(string(r.raw), `"scimType":"tooMany"`) ||
		!strings.Contains(string(r.raw), "more than the 3 the connector sorts (the mapping's fallback.maxScan)") {
		t.Fatalf("4 users over a bound of 3: %d %s", r.status, r.raw)
	}
}
