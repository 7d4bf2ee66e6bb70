package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/adapter/backend/memory"
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
)

// v2Faults names the faults in test failure messages.
var v2Faults = map[v2Fault]string{v2None: "none", v2CapitalOpsRefused: "capitalised ops refused",
	v2NumericErrorStatus: "numeric error status", v2RemoveFilterIgnored: "members[value eq] removal ignored",
	v2NoStartIndex: "no startIndex", v2NoPatch: "no PATCH", v2NoEnterpriseMapped: "no enterprise attribute mapped",
	v2EnterpriseNotStored: "enterprise attribute declared but not stored", v2NoEnterpriseSchema: "no enterprise schema",
	v2DuplicateUserCreated: "duplicate user created", v2NoScimType: "no scimType",
	v2ReplaceMembersIgnored: "replace members ignored", v2ResourceTypeNameOnly: "resource types without id"}

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
		w.WriteHeader(rec.Code)
		_, _ = w.Write(out)
	})
}

func v2Server(t *testing.T, f v2Fault) string {
	t.Helper()
	h, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer t0k"}},
		memory.New(memory.Options{}), adapter.Options{})
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
		{v2NumericErrorStatus, []string{"v2.errors"}},
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
		if tc.fault == v2None {
			for _, name := range []string{"v2.discovery", "v2.patch.okta", "v2.patch.entra", "v2.patch.groups", "v2.errors", "lifecycle", "updateGroup"} {
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
			Groups: adapter.GroupsConfig{Membership: membership}}, memory.New(memory.Options{}), adapter.Options{})
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
