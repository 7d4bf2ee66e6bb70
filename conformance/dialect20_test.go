package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/state"
)

// v2Fault breaks the real SCIM 2.0 front end in one way, in front of it.
type v2Fault int

const (
	v2None v2Fault = iota
	v2CapitalOpsRefused
	v2NumericErrorStatus
	v2RemoveFilterIgnored
	v2NoStartIndex
	v2NoPatch
	v2NoEnterpriseMapped    // declares no enterprise attribute and stores none
	v2EnterpriseNotStored   // declares department but drops it
	v2NoEnterpriseSchema    // /Schemas lacks the enterprise schema altogether
	v2DuplicateUserCreated  // a duplicate userName creates a second user
	v2NoScimType            // errors lack scimType
	v2ReplaceMembersIgnored // replace members with a non-empty list is ignored
	v2ResourceTypeNameOnly  // ResourceTypes carry a name but no id (RFC 7643 §6 allows it)
	v2Unversioned           // the backend has no versions: etag.supported false, v2.etag skips
	v2NoLocation            // 201 without a Location header
	v2NoMetaCreated         // meta without created
	v2NoMetaLocation        // meta without location
	v2BadMetaTime           // meta.lastModified not a date-time
	v2NoMetaVersion         // meta without version although etag.supported (the ETag header stays)
	v2IfMatchIgnored        // If-Match is dropped before the front end sees it
	v2ProjectionIgnored     // attributes / excludedAttributes are dropped
	v2PlainJSON             // Content-Type application/json instead of application/scim+json
	v2TextContentType       // Content-Type text/plain
	v2CoAsSw                // the co operator evaluated as sw: a wrong result
	v2FiltersUnsupported    // co, pr, not and value paths refused with 400 invalidFilter
	v2NestingCrash          // a deeply nested filter answers 500
	v2NestingSlow           // a deeply nested filter answers 400, but only after more than a tenth of the timeout
	v2PluralSPCBroken       // /ServiceProviderConfigs answers 500
	v2AuthPlain             // 401 with a plain-text body
	v2SortIgnored           // sort advertised, sortBy dropped
	v2SearchWrong           // POST /.search answers an empty list
	v2NoSearch              // POST /.search answers 404
)

// v2Faults names the faults in test failure messages.
var v2Faults = map[v2Fault]string{v2None: "none", v2CapitalOpsRefused: "capitalised ops refused",
	v2NumericErrorStatus: "numeric error status", v2RemoveFilterIgnored: "members[value eq] removal ignored",
	v2NoStartIndex: "no startIndex", v2NoPatch: "no PATCH", v2NoEnterpriseMapped: "no enterprise attribute mapped",
	v2EnterpriseNotStored: "enterprise attribute declared but not stored", v2NoEnterpriseSchema: "no enterprise schema",
	v2DuplicateUserCreated: "duplicate user created", v2NoScimType: "no scimType",
	v2ReplaceMembersIgnored: "replace members ignored", v2ResourceTypeNameOnly: "resource types without id",
	v2Unversioned: "no versions", v2NoLocation: "no Location", v2NoMetaCreated: "no meta.created", v2NoMetaLocation: "no meta.location", v2BadMetaTime: "bad meta.lastModified",
	v2NoMetaVersion: "no meta.version", v2IfMatchIgnored: "If-Match ignored", v2ProjectionIgnored: "attributes ignored",
	v2PlainJSON: "application/json", v2TextContentType: "text/plain", v2CoAsSw: "co evaluated as sw",
	v2FiltersUnsupported: "operators unsupported", v2NestingCrash: "nesting crashes", v2NestingSlow: "nesting slow", v2PluralSPCBroken: "plural SPC 500",
	v2AuthPlain: "401 in plain text", v2SortIgnored: "sortBy ignored", v2SearchWrong: ".search answers nothing", v2NoSearch: "no .search"}

// versioned gives every user and group a version that changes with lastModified, as a backend
// with real versions does, so that the front end advertises etag.supported.
type versioned struct{ backend.Backend }

func stamp(m *backend.Meta) { m.Version = strconv.FormatInt(m.LastModified.UnixNano(), 36) }

func (v versioned) user(u *backend.User, err error) (*backend.User, error) {
	if u != nil {
		stamp(&u.Meta)
	}
	return u, err
}

func (v versioned) group(g *backend.Group, err error) (*backend.Group, error) {
	if g != nil {
		stamp(&g.Meta)
	}
	return g, err
}

func (v versioned) CreateUser(ctx context.Context, u *backend.User) (*backend.User, error) {
	return v.user(v.Backend.CreateUser(ctx, u))
}
func (v versioned) GetUser(ctx context.Context, id string) (*backend.User, error) {
	return v.user(v.Backend.GetUser(ctx, id))
}
func (v versioned) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	return v.user(v.Backend.ReplaceUser(ctx, id, u))
}
func (v versioned) ListUsers(ctx context.Context, q backend.Query) (*backend.UserPage, error) {
	p, err := v.Backend.ListUsers(ctx, q)
	if p != nil {
		for i := range p.Users {
			stamp(&p.Users[i].Meta)
		}
	}
	return p, err
}
func (v versioned) CreateGroup(ctx context.Context, g *backend.Group) (*backend.Group, error) {
	return v.group(v.Backend.CreateGroup(ctx, g))
}
func (v versioned) GetGroup(ctx context.Context, id string) (*backend.Group, error) {
	return v.group(v.Backend.GetGroup(ctx, id))
}
func (v versioned) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	return v.group(v.Backend.UpdateGroup(ctx, id, ch))
}
func (v versioned) ListGroups(ctx context.Context, q backend.Query) (*backend.GroupPage, error) {
	p, err := v.Backend.ListGroups(ctx, q)
	if p != nil {
		for i := range p.Groups {
			stamp(&p.Groups[i].Meta)
		}
	}
	return p, err
}

// dropMeta removes meta.<key> from a resource or from every resource of a list.
func dropMeta(key string) func(map[string]any) {
	var fn func(map[string]any)
	fn = func(m map[string]any) {
		if meta, ok := m["meta"].(map[string]any); ok {
			delete(meta, key)
		}
		for _, it := range asAnyList(m["Resources"]) {
			if im, ok := it.(map[string]any); ok {
				fn(im)
			}
		}
	}
	return fn
}

// queryFilter is the decoded filter parameter of r, "" without one.
func queryFilter(r *http.Request) string { return r.URL.Query().Get("filter") }

// stripEnterprise removes the enterprise extension from a user or list answer, the way a
// connector that does not map it answers.
func stripEnterprise(m map[string]any) {
	delete(m, enterpriseURN20)
	if l, ok := m["schemas"].([]any); ok {
		m["schemas"] = slices.DeleteFunc(slices.Clone(l), func(v any) bool { return v == enterpriseURN20 })
	}
	for _, it := range asAnyList(m["Resources"]) {
		if im, ok := it.(map[string]any); ok {
			stripEnterprise(im)
		}
	}
}

// rewriteJSON applies fn to a JSON object body; anything else is returned unchanged.
func rewriteJSON(body []byte, fn func(map[string]any)) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	fn(m)
	out, err := json.Marshal(m)
	if err != nil {
		return body
	}
	return out
}

// breakV2 wraps the front end so that it shows exactly one defect.
func breakV2(h http.Handler, f v2Fault) http.Handler {
	var mu sync.Mutex
	dups := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		if r.Body != nil {
			body, _ = io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		switch {
		case f == v2CapitalOpsRefused && r.Method == "PATCH" && bytes.Contains(body, []byte(`"op":"Replace"`)):
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","detail":"bad op"}`))
			return
		case f == v2RemoveFilterIgnored && r.Method == "PATCH" && bytes.Contains(body, []byte(`members[value eq`)):
			w.WriteHeader(204)
			return
		case f == v2ReplaceMembersIgnored && r.Method == "PATCH" && bytes.Contains(body, []byte(`"op":"replace","path":"members","value":[{`)):
			w.WriteHeader(204)
			return
		case f == v2FiltersUnsupported && r.Method == "GET" && strings.Contains(r.URL.Path, "/Users") &&
			regexp.MustCompile(`(?i) (co|pr|not)\b|\[`).MatchString(queryFilter(r)):
			w.Header().Set("Content-Type", "application/scim+json")
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter","detail":"not supported"}`))
			return
		case f == v2NestingCrash && strings.Contains(queryFilter(r), "((((((((((((((((((((((((((((((((((("):
			w.WriteHeader(500)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"500","detail":"stack overflow"}`))
			return
		case f == v2NestingSlow && strings.Contains(queryFilter(r), "((((((((((((((((((((((((((((((((((("):
			time.Sleep(1100 * time.Millisecond) // the run's timeout is 5 s: the bound is 1 s
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"invalidFilter"}`))
			return
		case f == v2PluralSPCBroken && strings.HasSuffix(r.URL.Path, "/ServiceProviderConfigs"):
			w.WriteHeader(500)
			return
		case f == v2IfMatchIgnored:
			r.Header.Del("If-Match")
		case f == v2ProjectionIgnored && r.URL.RawQuery != "":
			q := r.URL.Query()
			q.Del("attributes")
			q.Del("excludedAttributes")
			r.URL.RawQuery = q.Encode()
		case f == v2CoAsSw && strings.Contains(queryFilter(r), " co "):
			q := r.URL.Query()
			q.Set("filter", strings.ReplaceAll(q.Get("filter"), " co ", " sw "))
			r.URL.RawQuery = q.Encode()
		case f == v2SortIgnored && r.URL.RawQuery != "":
			q := r.URL.Query()
			q.Del("sortBy")
			r.URL.RawQuery = q.Encode()
		case (f == v2SearchWrong || f == v2NoSearch) && strings.HasSuffix(r.URL.Path, "/.search"):
			w.Header().Set("Content-Type", "application/scim+json")
			if f == v2NoSearch {
				w.WriteHeader(404)
				_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"404","detail":"no"}`))
				return
			}
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}`))
			return
		case f == v2NoPatch && r.Method == "PATCH":
			w.WriteHeader(501)
			_, _ = w.Write([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"501","detail":"no"}`))
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		if f == v2DuplicateUserCreated && rec.Code == http.StatusConflict && (r.Method == "POST" || r.Method == "PUT") {
			// Store the duplicate under another userName, and answer as if nothing were wrong;
			// later PUTs of that user are renamed the same way so that cleanup can reach it.
			mu.Lock()
			dups++
			name := fmt.Sprintf("again%d-", dups)
			mu.Unlock()
			r.Body = io.NopCloser(bytes.NewReader(rewriteJSON(body, func(m map[string]any) { m["userName"] = name + fmt.Sprint(m["userName"]) })))
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, r)
		}
		out := rec.Body.Bytes()
		switch {
		case f == v2NumericErrorStatus && rec.Code >= 400:
			out = []byte(strings.Replace(string(out), `"status":"`+strconv.Itoa(rec.Code)+`"`, `"status":`+strconv.Itoa(rec.Code), 1))
		case f == v2NoStartIndex && r.Method == "GET" && bytes.Contains(out, []byte(`"startIndex":`)):
			out = []byte(strings.Replace(string(out), `"startIndex":`, `"firstIndex":`, 1))
		case f == v2NoScimType && rec.Code >= 400:
			out = rewriteJSON(out, func(m map[string]any) { delete(m, "scimType") })
		case (f == v2NoEnterpriseMapped || f == v2EnterpriseNotStored) && strings.Contains(r.URL.Path, "/Users"):
			out = rewriteJSON(out, stripEnterprise)
		case f == v2NoMetaCreated && rec.Code < 300:
			out = rewriteJSON(out, dropMeta("created"))
		case f == v2NoMetaLocation && rec.Code < 300:
			out = rewriteJSON(out, dropMeta("location"))
		case f == v2BadMetaTime && rec.Code < 300:
			out = []byte(regexp.MustCompile(`"lastModified":"[^"]*"`).ReplaceAllString(string(out), `"lastModified":"yesterday"`))
		case f == v2NoMetaVersion && rec.Code < 300:
			out = rewriteJSON(out, dropMeta("version"))
		case f == v2AuthPlain && rec.Code == http.StatusUnauthorized:
			out = []byte("Unauthorized")
			rec.Header().Set("Content-Type", "text/plain")
		}
		if f == v2ResourceTypeNameOnly && strings.HasSuffix(r.URL.Path, "/ResourceTypes") {
			out = rewriteJSON(out, func(m map[string]any) {
				for _, it := range asAnyList(m["Resources"]) {
					if im, ok := it.(map[string]any); ok {
						delete(im, "id")
					}
				}
			})
		}
		if strings.HasSuffix(r.URL.Path, "/Schemas") && (f == v2NoEnterpriseMapped || f == v2NoEnterpriseSchema) {
			out = rewriteJSON(out, func(m map[string]any) {
				var kept []any
				for _, it := range asAnyList(m["Resources"]) {
					if im, _ := it.(map[string]any); im["id"] == enterpriseURN20 {
						if f == v2NoEnterpriseSchema {
							continue
						}
						im["attributes"] = []any{}
					}
					kept = append(kept, it)
				}
				m["Resources"] = kept
				m["totalResults"] = len(kept)
				m["itemsPerPage"] = len(kept)
			})
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		switch f {
		case v2NoLocation:
			w.Header().Del("Location")
		case v2PlainJSON:
			w.Header().Set("Content-Type", "application/json")
		case v2TextContentType:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

func v2Server(t *testing.T, f v2Fault) string {
	t.Helper()
	// The bridge over a backend with versions, so that ETags and If-Match are exercised too.
	var b backend.Backend = versioned{memory.New(memory.Options{})}
	if f == v2Unversioned {
		b = memory.New(memory.Options{})
	}
	h, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer t0k"}},
		b, adapter.Options{BackendVersions: f != v2Unversioned, Ledger: state.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(breakV2(h, f))
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2/"
}

// TestV2DialectAgainstTheBridge runs the whole 2.0 dialect against the real SCIM 2.0 front end,
// then against copies broken in one way each: exactly the checks that rule belongs to fail.
func TestV2DialectAgainstTheBridge(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault v2Fault
		want  []string
	}{
		{v2None, nil},
		{v2CapitalOpsRefused, []string{"v2.patch.entra"}},
		{v2NumericErrorStatus, []string{"v2.auth", "v2.errors"}}, // the 401 body is an error too
		{v2RemoveFilterIgnored, []string{"v2.patch.groups"}},
		{v2NoStartIndex, []string{"shape.counters"}},
		{v2NoPatch, []string{"v2.patch.entra", "v2.patch.groups", "v2.patch.okta"}},
		// A connector that maps no enterprise attribute is conformant: Entra sends only what its
		// mapping names. The enterprise path form is then not exercised, and the report says so.
		{v2NoEnterpriseMapped, nil},
		{v2EnterpriseNotStored, nil},
		{v2NoEnterpriseSchema, []string{"v2.discovery"}},
		{v2DuplicateUserCreated, []string{"errors.409.user", "v2.errors"}},
		{v2NoScimType, []string{"v2.errors"}},
		{v2ReplaceMembersIgnored, []string{"v2.patch.groups"}},
		{v2ResourceTypeNameOnly, nil},
		{v2Unversioned, nil},
		{v2NoLocation, []string{"v2.location"}},
		{v2NoMetaCreated, []string{"v2.meta"}},
		{v2NoMetaLocation, []string{"v2.meta"}},
		{v2BadMetaTime, []string{"v2.meta"}},
		{v2NoMetaVersion, []string{"v2.meta"}},
		{v2IfMatchIgnored, []string{"v2.etag"}},
		{v2ProjectionIgnored, []string{"v2.attributes"}},
		{v2PlainJSON, nil},
		{v2TextContentType, []string{"v2.mediatype"}},
		{v2CoAsSw, []string{"v2.filters"}},
		{v2FiltersUnsupported, nil},
		{v2NestingCrash, []string{"v2.filter.nesting"}},
		{v2NestingSlow, []string{"v2.filter.nesting"}},
		{v2PluralSPCBroken, nil},
		{v2AuthPlain, []string{"v2.auth"}},
		{v2SortIgnored, []string{"v2.sort"}},
		{v2SearchWrong, []string{"v2.sort"}},
		{v2NoSearch, nil},
	}
	for _, tc := range cases {
		url := v2Server(t, tc.fault)
		rep, err := Run(t.Context(), Options{URL: url, Dialect: "2.0", Header: http.Header{"Authorization": {"Bearer t0k"}}, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		if got := failing(rep); !slices.Equal(got, tc.want) {
			t.Errorf("fault %q: failing %v, want %v\n%s", v2Faults[tc.fault], got, tc.want, textOf(t, rep))
		}
		if len(rep.Leftovers) > 0 {
			t.Errorf("fault %q: left data behind: %v", v2Faults[tc.fault], rep.Leftovers)
		}
		entra := rep.Check("v2.patch.entra")
		switch tc.fault {
		case v2NoEnterpriseMapped, v2NoEnterpriseSchema:
			if entra == nil || !slices.ContainsFunc(entra.Notes, func(n string) bool { return strings.Contains(n, "was not exercised") }) {
				t.Errorf("fault %q: v2.patch.entra does not say the enterprise form was not exercised: %+v", v2Faults[tc.fault], entra)
			}
		case v2EnterpriseNotStored:
			if entra == nil || !slices.ContainsFunc(entra.Warnings, func(n string) bool { return strings.Contains(n, "does not store it") }) {
				t.Errorf("fault %q: v2.patch.entra does not warn about the unstored attribute: %+v", v2Faults[tc.fault], entra)
			}
		case v2None:
			if entra == nil || len(entra.Notes)+len(entra.Warnings) > 0 {
				t.Errorf("v2.patch.entra against the bridge has notes or warnings: %+v", entra)
			}
		}
		noted := func(name, text string, warning bool) bool {
			c := rep.Check(name)
			if c == nil {
				return false
			}
			list := c.Notes
			if warning {
				list = c.Warnings
			}
			return slices.ContainsFunc(list, func(n string) bool { return strings.Contains(n, text) })
		}
		switch tc.fault {
		case v2FiltersUnsupported:
			if !noted("v2.filters", "refused as unsupported (400, conformant): co; pr;", false) {
				t.Errorf("v2.filters does not name the refused operators: %+v", rep.Check("v2.filters"))
			}
		case v2PlainJSON:
			if !noted("v2.mediatype", "answered application/json", true) {
				t.Errorf("v2.mediatype does not warn about application/json: %+v", rep.Check("v2.mediatype"))
			}
		case v2PluralSPCBroken:
			if !noted("v2.discovery.plural", "answered 500", true) {
				t.Errorf("v2.discovery.plural does not warn about the 500: %+v", rep.Check("v2.discovery.plural"))
			}
		case v2Unversioned:
			if c := rep.Check("v2.etag"); c == nil || c.Status != Skip || !strings.Contains(c.Reason, "etag.supported") {
				t.Errorf("v2.etag against a bridge without versions should skip naming etag.supported: %+v", c)
			}
		case v2None:
			// Every operator is supported by the bridge, media types are right, and projected
			// answers are not judged by the shape rules (which want meta).
			for _, name := range []string{"v2.filters", "v2.mediatype", "v2.discovery.plural", "shape.attributes", "v2.etag"} {
				if c := rep.Check(name); c == nil || c.Status != Pass || len(c.Warnings) > 0 || len(c.Notes) > 0 && name != "shape.attributes" {
					t.Errorf("%s against the bridge: %+v", name, c)
				}
			}
		}
		if tc.fault == v2None {
			for _, name := range []string{"v2.discovery", "v2.patch.okta", "v2.patch.entra", "v2.patch.groups", "v2.errors", "lifecycle", "updateGroup",
				"v2.location", "v2.meta", "v2.etag", "v2.attributes", "v2.mediatype", "v2.filters", "v2.filter.nesting", "v2.discovery.plural", "v2.auth"} {
				if c := rep.Check(name); c == nil || c.Status != Pass {
					t.Errorf("%s did not pass: %+v", name, c)
				}
			}
			if len(rep.Leftovers) > 0 {
				t.Errorf("left data behind: %v", rep.Leftovers)
			}
		}
	}
}

// TestGroupTwoPUTPattern: updateGroup.two-put never fails a connector for what it does with the
// unconfirmed second PUT, but says which members would be lost: against a plain replace
// connector both losses are warned about, against the bridge's default (replace with the
// empty-group guard) only the add case, and in merge mode neither add nor empty loses members
// while a plain full-list removal is reported as not removing.
func TestGroupTwoPUTPattern(t *testing.T) {
	t.Parallel()
	has := func(list []string, s string) bool {
		return slices.ContainsFunc(list, func(l string) bool { return strings.Contains(l, s) })
	}
	fk := newFake(t, faultNone)
	opts := optsFor(fk)
	opts.Only = []string{"updateGroup.two-put"}
	rep, err := Run(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Check("updateGroup.two-put")
	if c == nil || c.Status != Pass || !has(c.Warnings, "drops members") || !has(c.Warnings, "the group is now empty") {
		t.Errorf("replace connector: %s", textOf(t, rep))
	}

	for _, membership := range []string{"replace", "merge"} {
		h, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer t0k"},
			Groups: adapter.GroupsConfig{Membership: membership}}, memory.New(memory.Options{}), adapter.Options{Ledger: state.NewMemory()})
		if err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(h)
		t.Cleanup(srv.Close)
		rep, err := Run(t.Context(), Options{URL: srv.URL + "/scim/v2/", Dialect: "2.0", Header: http.Header{"Authorization": {"Bearer t0k"}},
			Timeout: 5 * time.Second, Only: []string{"updateGroup.two-put"}})
		if err != nil {
			t.Fatal(err)
		}
		c := rep.Check("updateGroup.two-put")
		kept := map[string]string{"replace": "refused with 409", "merge": "answered 200 and the group kept"}[membership]
		if c == nil || c.Status != Pass || has(c.Warnings, "the group is now empty") || !has(c.Notes, kept) {
			t.Errorf("%s: the empty second PUT should keep the members (%q): %s", membership, kept, textOf(t, rep))
		}
		if lost := has(c.Warnings, "drops members"); lost != (membership == "replace") {
			t.Errorf("%s: member loss warned %v: %s", membership, lost, textOf(t, rep))
		}
		if notRemoved := has(c.Warnings, "does not remove members on a plain PUT"); notRemoved != (membership == "merge") {
			t.Errorf("%s: plain-PUT removal warning %v: %s", membership, notRemoved, textOf(t, rep))
		}
		if len(rep.Leftovers) > 0 {
			t.Errorf("%s: left data behind: %v", membership, rep.Leftovers)
		}
	}
}
