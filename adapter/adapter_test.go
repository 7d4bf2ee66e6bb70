package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/filter"
	"github.com/scimbridge/scimbridge/internal/state"
)

// hookBackend wraps a backend to override capabilities, inject errors and observe calls.
type hookBackend struct {
	backend.Backend
	caps        *backend.Capabilities
	setPassword func(id, pw string) error
	getUser     func(id string) (*backend.User, error)
	listUsers   func(q backend.Query) (*backend.UserPage, error)

	mu        sync.Mutex
	pwCalls   int
	gotIDs    []string
	lastQuery backend.Query
	updates   []backend.GroupChange
}

func (h *hookBackend) Capabilities() backend.Capabilities {
	if h.caps != nil {
		return *h.caps
	}
	return h.Backend.Capabilities()
}

func (h *hookBackend) SetPassword(ctx context.Context, id, pw string) error {
	h.mu.Lock()
	h.pwCalls++
	h.mu.Unlock()
	if h.setPassword != nil {
		if err := h.setPassword(id, pw); err != nil {
			return err
		}
	}
	return h.Backend.SetPassword(ctx, id, pw)
}

func (h *hookBackend) GetUser(ctx context.Context, id string) (*backend.User, error) {
	h.mu.Lock()
	h.gotIDs = append(h.gotIDs, id)
	h.mu.Unlock()
	if h.getUser != nil {
		return h.getUser(id)
	}
	return h.Backend.GetUser(ctx, id)
}

func (h *hookBackend) ListUsers(ctx context.Context, q backend.Query) (*backend.UserPage, error) {
	h.mu.Lock()
	h.lastQuery = q
	h.mu.Unlock()
	if h.listUsers != nil {
		return h.listUsers(q)
	}
	return h.Backend.ListUsers(ctx, q)
}

func (h *hookBackend) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	h.mu.Lock()
	h.updates = append(h.updates, ch)
	h.mu.Unlock()
	return h.Backend.UpdateGroup(ctx, id, ch)
}

func newHook(opts memory.Options) (*hookBackend, *memory.Backend) {
	m := memory.New(opts)
	return &hookBackend{Backend: m}, m
}

func TestPathsAndSlashVariants(t *testing.T) {
	h := newHarness(t, nil, nil)
	r := h.do("POST", "/scim/v1/Users", []byte(`{"userName":"a@x"}`))
	uid := r.json(t)["id"].(string)
	for _, p := range []string{
		"/scim/v1/Users/" + uid, "/scim/v1/Users/" + uid + "/", "/Users/" + uid, "//Users/" + uid,
		"/scim/v1//Users/" + uid, "//scim//v1//Users//" + uid + "//", "/Users/" + url.PathEscape(uid),
	} {
		if r := h.do("GET", p, nil); r.status != 200 || r.json(t)["id"] != uid {
			t.Errorf("GET %s: %d %s", p, r.status, r.raw)
		}
	}
	for _, p := range []string{"/ServiceProviderConfigs", "/ServiceProviderConfig", "/scim/v1/ServiceProviderConfigs/", "/scim/v1/ServiceProviderConfig", "//ServiceProviderConfigs"} {
		if r := h.do("GET", p, nil); r.status != 200 {
			t.Errorf("GET %s: %d", p, r.status)
		}
	}
	for _, p := range []string{"/Users", "/Users/", "/scim/v1/Users/", "/scim/v1//Users"} {
		checkList(t, h.do("GET", p, nil), 1, false)
	}
	// Ids are percent-decoded and may contain dots and encoded slashes.
	hb, _ := newHook(memory.Options{})
	hb.getUser = func(id string) (*backend.User, error) { return nil, backend.Errorf(backend.NotFound, "no") }
	h = newHarness(t, hb, nil)
	h.do("GET", "/scim/v1/Users/a.b%2Fc%20d", nil)
	h.do("GET", "/Users/first.last", nil)
	if !reflect.DeepEqual(hb.gotIDs, []string{"a.b/c d", "first.last"}) {
		t.Errorf("ids seen by the backend: %q", hb.gotIDs)
	}
}

func TestUnsupportedEndpoints(t *testing.T) {
	h := newHarness(t, nil, nil)
	// A method a known endpoint never supports: 405 with what it does support, in each dialect's shape.
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/Users/u1", "GET, HEAD, PUT"}, {"DELETE", "/scim/v1/Users/u1", "GET, HEAD, PUT"}, {"PATCH", "/Users/u1", "GET, HEAD, PUT"},
		{"PATCH", "/Groups/g1", "GET, HEAD, PUT, DELETE"}, {"POST", "/ServiceProviderConfigs", "GET, HEAD"}, {"PUT", "/Users", "GET, HEAD, POST"},
	} {
		r := h.do(c.method, c.path, nil)
		wantError(t, r, 405, codeMethod)
		if got := r.header.Get("Allow"); got != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, got, c.allow)
		}
	}
	// A method nothing supports is answered the same way, in the dialect's shape.
	r := h.do("FOO", "/scim/v2/Users", nil)
	if m := r.json(t); r.status != 405 || m["status"] != "405" || r.header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("v2 FOO /Users: %d %s", r.status, r.raw)
	}
	wantError(t, h.do("FOO", "/Groups", nil), 405, codeMethod)
	r = h.do("POST", "/scim/v2/ServiceProviderConfig", []byte(`{}`))
	if m := r.json(t); r.status != 405 || m["status"] != "405" || r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("v2 POST ServiceProviderConfig: %d %v %s", r.status, r.header, r.raw)
	}
	// Unknown paths: 501 in SCIM 1.1, as the SDK answers.
	for _, p := range []string{"/Nope", "/", "/scim/v1"} {
		wantError(t, h.do("GET", p, nil), 501, codeNotImplemented)
	}
	// SCIM 2.0: what the RFC defines and this connector does not offer (Bulk, /Me) is 501, any
	// other unknown path 404, both in the RFC 7644 shape.
	for p, want := range map[string]int{"/scim/v2/Bulk": 501, "/scim/v2/Me": 501, "/scim/v2/": 404, "/scim/v2/Nope": 404, "/scim/v2/Users/u1/x": 404} {
		r := h.do("GET", p, nil)
		m := r.json(t)
		if r.status != want || m["status"] != fmt.Sprint(want) || m["detail"] == "" ||
			!reflect.DeepEqual(m["schemas"], []any{"urn:ietf:params:scim:api:messages:2.0:Error"}) {
			t.Errorf("GET %s: %d %s, want %d", p, r.status, r.raw, want)
		}
	}
}

func TestAuthModes(t *testing.T) {
	h := newHarness(t, nil, nil)
	h.auth = nil
	for _, p := range []string{"/ServiceProviderConfigs", "/Users", "/no/such/path"} {
		r := h.do("GET", p, nil)
		wantError(t, r, 401, codeUnauthorized)
		if r.header.Get("WWW-Authenticate") != `Basic realm="scimbridge", charset="UTF-8"` {
			t.Errorf("WWW-Authenticate %q", r.header.Get("WWW-Authenticate"))
		}
	}
	for _, creds := range [][2]string{{testUser, "wrong"}, {"wrong", testPass}, {testUser, testPass + "x"}, {"", ""}} {
		h.auth = func(r *http.Request) { r.SetBasicAuth(creds[0], creds[1]) }
		wantError(t, h.do("GET", "/Users", nil), 401, codeUnauthorized)
	}
	// Unknown paths: 401 without credentials, then 501 with them (docs/okta-agent-protocol.md#auth-before-routing).
	h.auth = basicAuth
	wantError(t, h.do("GET", "/no/such/path", nil), 501, codeNotImplemented)
	h.auth = nil
	r := h.do("GET", "/scim/v2/Users", nil)
	if r.status != 401 || r.json(t)["status"] != "401" {
		t.Errorf("v2 unauthenticated: %d %s", r.status, r.raw)
	}

	h = newHarness(t, nil, func(c *Config) {
		c.Auth = AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer s3cret"}
	})
	for _, v := range []string{"", "Bearer s3cre", "Bearer s3cret2", "bearer s3cret"} {
		h.auth = func(r *http.Request) {
			if v != "" {
				r.Header.Set("Authorization", v)
			}
		}
		r := h.do("GET", "/Users", nil)
		wantError(t, r, 401, codeUnauthorized)
		if got := r.header.Get("WWW-Authenticate"); got != `Bearer realm="scimbridge"` {
			t.Errorf("header mode with a Bearer token: WWW-Authenticate %q, want the Bearer challenge (not Basic)", got)
		}
	}
	h.auth = func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }
	if r := h.do("GET", "/Users", nil); r.status != 200 {
		t.Errorf("header auth: %d", r.status)
	}
	h = newHarness(t, nil, func(c *Config) { c.Auth = AuthConfig{Mode: "none"} })
	h.auth = nil
	if r := h.do("GET", "/Users", nil); r.status != 200 {
		t.Errorf("auth none: %d", r.status)
	}
}

func TestAuthNoneAllowed(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "[::1]:8080": true, "localhost:8080": true, "127.1.2.3:1": true,
		":8080": false, "0.0.0.0:8080": false, "[::]:8080": false, "10.0.0.1:8080": false, "example.com:80": false, "garbage": false,
	} {
		if got := AuthNoneAllowed(addr); got != want {
			t.Errorf("AuthNoneAllowed(%q) = %v", addr, got)
		}
	}
}

func TestConfigValidateReportsEverything(t *testing.T) {
	c := Config{AppName: "bad app", Auth: AuthConfig{Mode: "basic"}, PasswordSync: "sometimes",
		Groups: GroupsConfig{Membership: "append", MaxRemovals: -1}, CreatedStatus: 202, DeleteStatus: 404,
		MaxBodyBytes: 10, MaxPageSize: -5, Capabilities: CapabilitiesConfig{Disable: []string{"PUSH_NEW_USER"}}}
	c.Defaults()
	err := c.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"appName", "auth.username", "auth.password", "passwordSync", "groups.membership",
		"groups.maxRemovals", "createdStatus", "deleteStatus", "maxBodyBytes", "maxPageSize", `"PUSH_NEW_USER"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing problem %q in:\n%v", want, err)
		}
	}
	var d Config
	d.Defaults()
	if d.AppName != "onprem_app" || d.CustomSchemaName != "custom" || d.PasswordSync != "changed" || d.Groups.Membership != "replace" ||
		*d.SDKVersionHeader != "01.03.02" || d.CreatedStatus != 200 || d.DeleteStatus != 200 || d.MaxBodyBytes != 1<<20 || d.MaxPageSize != 1000 || d.Auth.Mode != "basic" {
		t.Errorf("defaults: %+v", d)
	}
	if _, err := New(Config{Auth: AuthConfig{Mode: "header", HeaderName: "bad name"}}, memory.New(memory.Options{}), Options{Ledger: state.NewMemory()}); err == nil {
		t.Errorf("New accepted an invalid configuration")
	}
	// An operator who sets mode header and forgets headerName is told what to add, not that ""
	// is an invalid name.
	h := Config{Auth: AuthConfig{Mode: "header", Token: "Bearer x"}}
	h.Defaults()
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "auth.headerName is required with auth.mode header") {
		t.Errorf("missing headerName: %v", err)
	}
}

func TestPasswordSyncModes(t *testing.T) {
	body := func(pw string) []byte {
		return fmt.Appendf(nil, `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"p@x","active":true,"password":%q}`, pw)
	}
	for _, c := range []struct {
		mode string
		want int // SetPassword calls after PUTs with a, a, b, b
	}{{"changed", 2}, {"always", 4}, {"never", 0}} {
		t.Run(c.mode, func(t *testing.T) {
			hb, _ := newHook(memory.Options{})
			h := newHarness(t, hb, func(cfg *Config) { cfg.PasswordSync = c.mode })
			r := h.do("POST", "/Users", body("initial"))
			id := r.json(t)["id"].(string)
			for _, pw := range []string{"a", "a", "b", "b"} {
				if r := h.do("PUT", "/Users/"+id, body(pw)); r.status != 200 {
					t.Fatalf("PUT: %d %s", r.status, r.raw)
				}
			}
			if hb.pwCalls != c.want {
				t.Errorf("SetPassword called %d times, want %d", hb.pwCalls, c.want)
			}
			// The initial password was recorded: a PUT repeating it is not a change.
			if c.mode == "changed" {
				h.do("POST", "/Users", body("x")) // 409, same userName: must not record anything
				r := h.do("POST", "/Users", []byte(`{"userName":"q@x","password":"first"}`))
				qid := r.json(t)["id"].(string)
				before := hb.pwCalls
				h.do("PUT", "/Users/"+qid, []byte(`{"userName":"q@x","password":"first"}`))
				if hb.pwCalls != before {
					t.Errorf("re-sending the initial password called SetPassword")
				}
			}
			if strings.Contains(h.logs.String(), `"a"`) || strings.Contains(h.logs.String(), "initial") {
				t.Errorf("a password reached the log:\n%s", h.logs.String())
			}
		})
	}
}

func TestPasswordPolicyRefusals(t *testing.T) {
	hb, mem := newHook(memory.Options{RefuseReuse: true})
	hb.setPassword = func(id, pw string) error {
		if pw == "weak" {
			return backend.Errorf(backend.Policy, "Password does not meet the complexity policy")
		}
		return nil
	}
	h := newHarness(t, hb, nil)
	ctx := context.Background()
	// A user the bridge never set a password for (linked by import).
	u, err := mem.CreateUser(ctx, &backend.User{UserName: "linked@x", Active: true, Password: "current"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(pw, family string) response {
		return h.do("PUT", "/Users/"+u.ID, fmt.Appendf(nil, `{"userName":"linked@x","active":true,"name":{"familyName":%q},"password":%q}`, family, pw))
	}
	// The agent re-sends the current password: the app refuses the reuse, the PUT still succeeds.
	if r := put("current", "One"); r.status != 200 {
		t.Fatalf("re-sent current password on a ledger-less user: %d %s", r.status, r.raw)
	}
	if !strings.Contains(h.logs.String(), "never set") {
		t.Errorf("no warning logged:\n%s", h.logs.String())
	}
	calls := hb.pwCalls
	if r := put("current", "Two"); r.status != 200 || hb.pwCalls != calls {
		t.Errorf("after recording, the same password must not be sent again: %d calls %d→%d", r.status, calls, hb.pwCalls)
	}
	// A real change refused by policy fails the PUT and changes nothing else.
	r := put("weak", "Three")
	e := wantError(t, r, 400, codePolicy)
	if e["description"] != "Password does not meet the complexity policy" {
		t.Errorf("description %v", e["description"])
	}
	stored, _ := mem.GetUser(ctx, u.ID)
	if stored.Name.FamilyName != "Two" {
		t.Errorf("a refused password still changed the profile: %q", stored.Name.FamilyName)
	}
	// The refused password was not recorded: trying it again calls the backend again.
	calls = hb.pwCalls
	put("weak", "Three")
	if hb.pwCalls != calls+1 {
		t.Errorf("a refused password was recorded as current")
	}
	// A backend without SetPassword: the password is ignored, the profile still changes.
	noPW := memory.New(memory.Options{}).Capabilities()
	noPW.SetPassword = false
	hb2, mem2 := newHook(memory.Options{})
	hb2.caps = &noPW
	h2 := newHarness(t, hb2, nil)
	id := h2.do("POST", "/Users", []byte(`{"userName":"n@x"}`)).json(t)["id"].(string)
	if r := h2.do("PUT", "/Users/"+id, []byte(`{"userName":"n@x","password":"zzz","title":"T"}`)); r.status != 200 || hb2.pwCalls != 0 {
		t.Errorf("no-SetPassword backend: %d calls=%d", r.status, hb2.pwCalls)
	}
	if got, _ := mem2.GetUser(ctx, id); got.Title != "T" || !got.Active {
		t.Errorf("PUT without active must keep the user active and apply the profile: %+v", got)
	}
}

func TestUserPaging250(t *testing.T) {
	m := memory.New(memory.Options{})
	ctx := context.Background()
	for i := range 250 {
		if _, err := m.CreateUser(ctx, &backend.User{UserName: fmt.Sprintf("user%03d@x", i), Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	h := newHarness(t, m, nil)
	seen := map[string]int{}
	var order []string
	for start := 1; start <= 250; start += 100 {
		res := checkList(t, h.do("GET", fmt.Sprintf("/Users?startIndex=%d&count=100", start), nil), 250, true)
		if want := min(100, 251-start); len(res) != want {
			t.Fatalf("page %d: %d users, want %d", start, len(res), want)
		}
		for _, u := range res {
			seen[u["id"].(string)]++
			order = append(order, u["userName"].(string))
		}
	}
	if len(seen) != 250 {
		t.Errorf("saw %d distinct users, want 250", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("user %s seen %d times", id, n)
		}
	}
	if order[0] != "user000@x" || order[249] != "user249@x" {
		t.Errorf("order not stable by creation: %s … %s", order[0], order[249])
	}
	checkList(t, h.do("GET", "/Users?startIndex=300&count=100", nil), 250, true)
	if res := checkList(t, h.do("GET", "/Users?count=0", nil), 250, true); len(res) != 0 {
		t.Errorf("count=0 returned resources")
	}
	if res := checkList(t, h.do("GET", "/Users", nil), 250, false); len(res) != 250 {
		t.Errorf("unpaged: %d", len(res))
	}
	// A smaller cap: count is cut and itemsPerPage says so; an unpaged answer cut short says so too.
	h = newHarness(t, m, func(c *Config) { c.MaxPageSize = 40 })
	if res := checkList(t, h.do("GET", "/Users?startIndex=1&count=100", nil), 250, true); len(res) != 40 {
		t.Errorf("capped page: %d", len(res))
	}
	if res := checkList(t, h.do("GET", "/Users", nil), 250, true); len(res) != 40 {
		t.Errorf("capped unpaged: %d", len(res))
	}
	cfg := h.do("GET", "/ServiceProviderConfigs", nil).json(t)
	if cfg["filter"].(map[string]any)["maxResults"] != json.Number("40") {
		t.Errorf("maxResults %v", cfg["filter"])
	}
}

func TestFilterNormalisation(t *testing.T) {
	hb, _ := newHook(memory.Options{})
	h := newHarness(t, hb, func(c *Config) { c.AppName = "my_app" })
	cases := map[string]string{
		`email eq "a"`:                                          `emails.value eq "a"`,
		`emails eq "a" OR EMAIL eq "b"`:                         `emails.value eq "a" or emails.value eq "b"`,
		`emails.value eq "a"`:                                   `emails.value eq "a"`,
		`urn:okta:my_app:1.0:user:custom:dept eq "x"`:           `custom:dept eq "x"`,
		`URN:OKTA:MY_APP:1.0:USER:dept eq "x"`:                  `custom:dept eq "x"`,
		`urn:scim:schemas:extension:enterprise:1.0:division pr`: `enterprise:division pr`,
		`urn:scim:schemas:core:1.0:userName eq "x"`:             `userName eq "x"`,
		`emails[type eq "work"]`:                                `emails[type eq "work"]`,
	}
	for in, want := range cases {
		r := h.do("GET", "/Users?filter="+url.QueryEscape(in), nil)
		if r.status != 200 {
			t.Errorf("%s: %d %s", in, r.status, r.raw)
			continue
		}
		if got := hb.lastQuery.Filter.String(); got != want {
			t.Errorf("%s normalised to %s, want %s", in, got, want)
		}
	}
	e := wantError(t, h.do("GET", "/Users?filter="+url.QueryEscape(`urn:okta:onprem_app:1.0:user:custom:dept eq "x"`), nil), 400, codeBadFilter)
	if !strings.Contains(e["description"].(string), "urn:okta:my_app:1.0:user:custom") {
		t.Errorf("unknown URN description should name the configured one: %v", e["description"])
	}
	e = wantError(t, h.do("GET", "/Users?filter="+url.QueryEscape(`userName eq “x”`), nil), 400, codeBadFilter)
	if !strings.HasPrefix(e["description"].(string), "Cannot parse the SCIM filter") {
		t.Errorf("parse error description: %v", e["description"])
	}
	// The filter reaches the backend as an AST that filter.Match understands.
	h.do("GET", "/Users?filter="+url.QueryEscape(`email[value ew "@x.test"]`), nil)
	if _, ok := hb.lastQuery.Filter.(filter.ValuePath); !ok {
		t.Errorf("last filter %T", hb.lastQuery.Filter)
	}
}

func TestErrorStatuses(t *testing.T) {
	hb, _ := newHook(memory.Options{})
	var injected error
	hb.getUser = func(id string) (*backend.User, error) { return nil, injected }
	hb.listUsers = func(q backend.Query) (*backend.UserPage, error) {
		return nil, backend.Errorf(backend.Invalid, "filter on title is not supported")
	}
	h := newHarness(t, hb, func(c *Config) { c.MaxBodyBytes = 2048 })

	wantError(t, h.do("POST", "/Users", []byte(`{"userName":"x","password":"hunter2-secret"`)), 400, codeBadRequest)
	e := wantError(t, h.do("POST", "/Users", []byte(`{"userName":"x","password":"hunter2-secret","active":"hunter2-secret"}`)), 400, codeBadRequest)
	if strings.Contains(e["description"].(string), "hunter2") {
		t.Errorf("error echoes the password: %v", e["description"])
	}
	wantError(t, h.do("POST", "/Users", []byte(`{"password":"p"}`)), 400, codeBadRequest)
	wantError(t, h.do("POST", "/Groups", []byte(`{"members":[]}`)), 400, codeBadRequest)
	wantError(t, h.do("GET", "/Users?filter="+url.QueryEscape(`userName eq`), nil), 400, codeBadFilter)
	e = wantError(t, h.do("GET", "/Users?filter="+url.QueryEscape(`title eq "x"`), nil), 400, codeBadFilter)
	if !strings.Contains(e["description"].(string), "title is not supported") {
		t.Errorf("backend Invalid on a filter: %v", e["description"])
	}
	for _, q := range []string{"startIndex=x", "startIndex=-1", "count=-5", "count=1.5", "count=ten"} {
		wantError(t, h.do("GET", "/Users?"+q, nil), 400, codeBadPaging)
	}
	wantError(t, h.do("POST", "/Users", []byte(`{"userName":"`+strings.Repeat("a", 3000)+`"}`)), 413, codeTooLarge)

	cases := []struct {
		err    error
		status int
		code   string
	}{
		{backend.Errorf(backend.NotFound, "x"), 404, codeNotFound},
		{backend.Errorf(backend.Conflict, "x"), 409, codeDuplicateUser},
		{backend.Errorf(backend.Invalid, "x"), 400, codeBadRequest},
		{backend.Errorf(backend.Policy, "x"), 400, codePolicy},
		{backend.Wrap(backend.Internal, errors.New("soap:Fault secret-db-password at line 3"), "x"), 500, codeInternal},
		{errors.New("plain error with secret-db-password"), 500, codeInternal},
		{&backend.Error{Kind: backend.Unavailable, Message: "breaker open", RetryAfter: 1500 * time.Millisecond}, 503, codeUnavailable},
		{backend.Errorf(backend.Unavailable, "down"), 503, codeUnavailable},
		{backend.Errorf(backend.Timeout, "x"), 504, codeTimeout},
		{context.DeadlineExceeded, 504, codeTimeout},
		{backend.Errorf(backend.Unsupported, "x"), 501, codeNotImplemented},
		{backend.Wrap(backend.Failed, errors.New("soap:Server secret-db-password"), "the legacy application failed"), 502, codeBackendFailed},
	}
	injected = &backend.Error{Kind: backend.Unavailable, Message: "the limit of 4 concurrent read calls is reached; retry later"}
	if d := wantError(t, h.do("GET", "/Users/u1", nil), 503, codeUnavailable)["description"]; d !=
		"The application behind the connector is unavailable (the limit of 4 concurrent read calls is reached); retry later." {
		t.Errorf("retry later said twice: %s", d)
	}
	for _, c := range cases {
		injected = c.err
		r := h.do("GET", "/Users/u1", nil)
		e := wantError(t, r, c.status, c.code)
		d := e["description"].(string)
		if strings.Contains(d, "secret") || strings.Contains(d, "soap") {
			t.Errorf("%v leaked into the description: %s", c.err, d)
		}
		switch c.status {
		case 503:
			want := "5"
			if c.err.(*backend.Error).RetryAfter > 0 {
				want = "2"
			}
			if r.header.Get("Retry-After") != want {
				t.Errorf("Retry-After %q, want %q", r.header.Get("Retry-After"), want)
			}
			// One sentence: the engine's lower-case reason inside it, not after a full stop.
			if m := c.err.(*backend.Error).Message; d != "The application behind the connector is unavailable ("+m+"); retry later." {
				t.Errorf("unavailable description: %s", d)
			}
		case 504: // a read: nothing was changed
			if !strings.Contains(d, "while reading; nothing was changed") {
				t.Errorf("timeout description: %s", d)
			}
		case 500, 502:
			if !strings.Contains(d, r.header.Get("X-Request-ID")) {
				t.Errorf("500 description should carry the request id: %s", d)
			}
		}
	}
	if !strings.Contains(h.logs.String(), "secret-db-password") {
		t.Errorf("the Internal detail must reach the log")
	}
}

type panicBackend struct{ backend.Backend }

func (panicBackend) GetUser(context.Context, string) (*backend.User, error) { panic("boom") }

func TestPanicBecomes500(t *testing.T) {
	h := newHarness(t, panicBackend{memory.New(memory.Options{})}, nil)
	r := h.do("GET", "/Users/u1", nil)
	e := wantError(t, r, 500, codeInternal)
	if strings.Contains(fmt.Sprint(e), "boom") || strings.Contains(string(r.raw), "goroutine") {
		t.Errorf("panic detail reached the client: %s", r.raw)
	}
	if !strings.Contains(h.logs.String(), "boom") || !strings.Contains(h.logs.String(), r.header.Get("X-Request-ID")) {
		t.Errorf("panic not logged with the request id:\n%s", h.logs.String())
	}
}

func TestCapabilitiesFollowTheBackend(t *testing.T) {
	caps := memory.New(memory.Options{}).Capabilities()
	caps.SetPassword, caps.IncrementalImport, caps.DeleteGroup, caps.Activation = false, false, false, false
	hb, _ := newHook(memory.Options{})
	hb.caps = &caps
	h := newHarness(t, hb, func(c *Config) { c.Capabilities.Disable = []string{CapImportProfileUpdates} })
	m := h.do("GET", "/ServiceProviderConfigs", nil).json(t)
	got := m["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)["userManagementCapabilities"]
	want := []any{"IMPORT_NEW_USERS", "PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capabilities %v, want %v", got, want)
	}
	if m["changePassword"].(map[string]any)["supported"] != false {
		t.Errorf("changePassword must follow SetPassword")
	}
	// passwordSync never hides PUSH_PASSWORD_UPDATES even on a capable backend.
	h = newHarness(t, nil, func(c *Config) { c.PasswordSync = "never" })
	m = h.do("GET", "/ServiceProviderConfigs", nil).json(t)
	for _, c := range m["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)["userManagementCapabilities"].([]any) {
		if c == CapPushPasswordUpdates {
			t.Errorf("PUSH_PASSWORD_UPDATES advertised with passwordSync never")
		}
	}
	// A backend without groups still answers the import's group download.
	caps.ListGroups = false
	checkList(t, newHarness(t, hb, nil).do("GET", "/Groups?startIndex=1&count=100", nil), 0, true)
}

func TestOneLogLinePerRequest(t *testing.T) {
	h := newHarness(t, nil, nil)
	id := h.do("POST", "/scim/v1/Users", []byte(`{"userName":"log@x","password":"pw-in-body-123"}`)).json(t)["id"].(string)
	h.do("PUT", "/scim/v1/Users/"+id, []byte(`{"userName":"log@x","password":"pw-in-body-456"}`))
	lines := strings.Split(strings.TrimSpace(h.logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 log lines, got %d:\n%s", len(lines), h.logs.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["method"] != "PUT" || rec["route"] != "/scim/v1/Users/{id}" || rec["status"] != float64(200) || rec["request_id"] == "" ||
		rec["resource"] != "User" || rec["resource_id"] != id || rec["caller"] != "okta-agent" || rec["client"] == nil {
		t.Errorf("log record %v", rec)
	}
	if d, ok := rec["duration_ms"].(float64); !ok || d < 0 || d > 10000 || rec["duration"] != nil {
		t.Errorf("duration_ms %v (and no unit-less duration %v)", rec["duration_ms"], rec["duration"])
	}
	if strings.Contains(h.logs.String(), "pw-in-body") {
		t.Errorf("password in the log")
	}
}

// HEAD is answered wherever GET is (RFC 9110 §9.3.2): the GET answer's status and headers,
// Content-Length included, and no body; in both dialects, for lists, resources, discovery and a
// resource that does not exist.
func TestHeadWhereverGet(t *testing.T) {
	h := newHarness(t, nil, nil)
	uid := h.do("POST", "/Users", []byte(`{"userName":"head@example.com","active":true}`)).json(t)["id"].(string)
	for _, p := range []string{"/Users", "/scim/v1/Users/" + uid, "/scim/v2/Users/" + uid, "/scim/v2/Users?count=1",
		"/ServiceProviderConfigs", "/scim/v2/ServiceProviderConfig", "/scim/v2/Schemas", "/Groups", "/scim/v2/Users/nobody"} {
		get := h.do("GET", p, nil)
		head := h.do("HEAD", p, nil)
		if head.status != get.status {
			t.Errorf("HEAD %s: %d, GET %d", p, head.status, get.status)
		}
		if len(head.raw) != 0 {
			t.Errorf("HEAD %s: a body of %d bytes", p, len(head.raw))
		}
		if cl := head.header.Get("Content-Length"); get.status == 200 && cl != strconv.Itoa(len(get.raw)) {
			t.Errorf("HEAD %s: Content-Length %q, the GET body is %d bytes", p, cl, len(get.raw))
		}
		if head.header.Get("Content-Type") != get.header.Get("Content-Type") {
			t.Errorf("HEAD %s: Content-Type %q, GET %q", p, head.header.Get("Content-Type"), get.header.Get("Content-Type"))
		}
	}
}
