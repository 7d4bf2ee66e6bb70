package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// stack is a simulator and a bridge started as real processes on loopback.
type stack struct {
	simURL     string // http://127.0.0.1:port
	metricsURL string // http://127.0.0.1:port (the bridge's metrics listener)
	bridge     *proc
	scim       *client
	noAuth     *client
}

const (
	e2eSCIMUser = "okta"
	e2eSCIMPass = "e2e-scim-secret"
	e2eSimUser  = "scimbridge"
	e2eSimPass  = "e2e-sim-secret"
)

func startStack(t *testing.T, extraSCIM string) *stack {
	t.Helper()
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	return startBridge(t, simURL, extraSCIM, fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }`, simURL, e2eSimUser))
}

// startWSO2Stack starts the WSO2 RemoteUserStoreManager simulator and a bridge mapped onto it
// with the builtin wso2 mapping (HTTP Basic towards the backend, hashed change tracking and
// surrogate group ids in the SQLite state).
func startWSO2Stack(t *testing.T) *stack {
	t.Helper()
	_, endpoint := startProc(t, regexp.MustCompile(`wso2sim: listening on (http://\S+)`),
		"sim", "--kind", "wso2", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass)
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	return startBridge(t, u.Scheme+"://"+u.Host, "", fmt.Sprintf(`
  mapping: builtin:wso2
  endpoint: %s
  basic: { username: %s, password: "${file:SIMPASS}" }`, endpoint, e2eSimUser))
}

func startBridge(t *testing.T, simURL, extraSCIM, backend string) *stack {
	t.Helper()
	return startBridgeWithState(t, simURL, extraSCIM, backend, "")
}

// startBridgeWithState starts a bridge whose state section is stateYAML ("" for a SQLite file
// of its own); STATEDIR in it names the bridge's temporary directory.
func startBridgeWithState(t *testing.T, simURL, extraSCIM, backend, stateYAML string) *stack {
	t.Helper()
	dir := t.TempDir()
	backend = strings.ReplaceAll(backend, "SIMPASS", filepath.Join(dir, "sim.pass"))
	if stateYAML == "" {
		stateYAML = "{ path: " + filepath.Join(dir, "state.db") + " }"
	}
	stateYAML = strings.ReplaceAll(stateYAML, "STATEDIR", dir)

	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
metrics: { listen: "127.0.0.1:0" }
scim:
  auth: { mode: basic, username: %s, password: "${E2E_SCIM_PASSWORD}" }
%s
backend:
  timeout: 10s%s
state: %s
log: { format: json, level: debug }
`, e2eSCIMUser, extraSCIM, backend, stateYAML)
	if err := os.WriteFile(filepath.Join(dir, "sim.pass"), []byte(e2eSimPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "scimbridge.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	os.Setenv("E2E_SCIM_PASSWORD", e2eSCIMPass) // inherited by the child process
	bridge, base := startProc(t, regexp.MustCompile(`SCIM 1.1 listening on (http://\S+)`), "serve", "--config", cfgPath)
	m := regexp.MustCompile(`metrics on (http://\S+)/metrics`).FindStringSubmatch(bridge.output())
	if m == nil {
		t.Fatalf("the bridge did not say where its metrics are:\n%s", bridge.output())
	}
	return &stack{
		simURL:     simURL,
		metricsURL: m[1],
		bridge:     bridge,
		scim:       &client{t: t, base: base, user: e2eSCIMUser, pass: e2eSCIMPass},
		noAuth:     &client{t: t, base: base},
	}
}

// employee is the simulator's admin view of one record.
type employee map[string]any

func (s *stack) employees(t *testing.T) map[string]employee {
	t.Helper()
	var list []employee
	getJSON(t, s.simURL+"/_sim/employees", &list)
	byID := map[string]employee{}
	for _, e := range list {
		byID[fmt.Sprint(e["id"])] = e
	}
	return byID
}

func (s *stack) employee(t *testing.T, id string) employee {
	t.Helper()
	var e employee
	getJSON(t, s.simURL+"/_sim/employees/"+url.PathEscape(id), &e)
	return e
}

func (s *stack) roles(t *testing.T) []map[string]any {
	t.Helper()
	var list []map[string]any
	getJSON(t, s.simURL+"/_sim/roles", &list)
	return list
}

// sample returns one of the Okta agent's published sample payloads as a JSON object.
func sample(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := oktafixtures.Bytes(name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func wantStatus(t *testing.T, what string, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.body)
	}
}

// wantSDKError checks the Okta SDK error shape: {"errors":[{"statusCode","internalCode","description","help_url"}]}.
func wantSDKError(t *testing.T, what string, r response, status int, code string) {
	t.Helper()
	wantStatus(t, what, r, status)
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s: error Content-Type %q, want JSON", what, ct)
	}
	m := r.json(t)
	errs, _ := m["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("%s: want one entry in errors: %s", what, r.body)
	}
	e, _ := errs[0].(map[string]any)
	if sc, ok := e["statusCode"].(float64); !ok || int(sc) != status {
		t.Fatalf("%s: statusCode %v, want integer %d", what, e["statusCode"], status)
	}
	if code != "" && e["internalCode"] != code {
		t.Fatalf("%s: internalCode %v, want %s", what, e["internalCode"], code)
	}
	if d, _ := e["description"].(string); d == "" {
		t.Fatalf("%s: empty description", what)
	}
	if _, ok := e["help_url"]; !ok {
		t.Fatalf("%s: help_url missing", what)
	}
	for _, leak := range []string{"soap:", "Envelope", "faultstring", "goroutine", ".go:", "HR-"} {
		if strings.Contains(string(r.body), leak) {
			t.Fatalf("%s: error body leaks backend internals (%q): %s", what, leak, r.body)
		}
	}
}

// checkUser11 checks the SCIM 1.1 user shape rules that break the real agent (docs/okta-agent-protocol.md:
// core-schema-declared, no-unknown-core-attributes, agent-password-on-every-put).
func checkUser11(t *testing.T, what string, u map[string]any) {
	t.Helper()
	core := map[string]bool{"schemas": true, "id": true, "externalId": true, "meta": true, "userName": true, "name": true,
		"displayName": true, "nickName": true, "profileUrl": true, "title": true, "userType": true, "preferredLanguage": true,
		"locale": true, "timezone": true, "active": true, "password": true, "emails": true, "phoneNumbers": true, "ims": true,
		"photos": true, "addresses": true, "groups": true, "entitlements": true, "roles": true, "x509Certificates": true}
	schemas := map[string]bool{}
	list, _ := u["schemas"].([]any)
	for _, s := range list {
		schemas[fmt.Sprint(s)] = true
	}
	if !schemas["urn:scim:schemas:core:1.0"] {
		t.Fatalf("%s: schemas lacks urn:scim:schemas:core:1.0: %v", what, u["schemas"])
	}
	for k := range u {
		if core[k] {
			continue
		}
		if !strings.HasPrefix(k, "urn:") || !schemas[k] {
			t.Fatalf("%s: top-level attribute %q is neither SCIM 1.1 core nor a declared extension", what, k)
		}
	}
	if _, ok := u["password"]; ok {
		t.Fatalf("%s: the response echoes the password", what)
	}
	if id, _ := u["id"].(string); id == "" {
		t.Fatalf("%s: no id", what)
	}
}

func filterQuery(f string) string {
	return "Users?filter=" + strings.ReplaceAll(url.QueryEscape(f), "+", "%20") + "&startIndex=1&count=100"
}

func listOf(t *testing.T, what string, r response) (total int, resources []map[string]any) {
	t.Helper()
	wantStatus(t, what, r, 200)
	m := r.json(t)
	tr, ok := m["totalResults"].(float64)
	if !ok || tr != float64(int(tr)) {
		t.Fatalf("%s: totalResults %v is not an integer", what, m["totalResults"])
	}
	raw, ok := m["Resources"].([]any)
	if !ok {
		t.Fatalf("%s: no Resources array (exact spelling): %s", what, r.body)
	}
	for _, x := range raw {
		resources = append(resources, x.(map[string]any))
	}
	return int(tr), resources
}

// TestOktaAgentReplay replays every message of the Okta agent's SCIM 1.1 message catalog
// (docs/okta-agent-protocol.md, the messages), with the agent's own sample payloads, against the bridge and the
// LegacyHR simulator started as processes, and checks both the answers and the simulator's state.
func TestOktaAgentReplay(t *testing.T) {
	s := startStack(t, "")
	c := s.scim

	// msg-capabilities.
	r := c.do("GET", "ServiceProviderConfigs", nil)
	wantStatus(t, "ServiceProviderConfigs", r, 200)
	spc := r.json(t)
	ext, _ := spc["urn:okta:schemas:scim:providerconfig:1.0"].(map[string]any)
	caps := map[string]bool{}
	for _, c := range ext["userManagementCapabilities"].([]any) {
		caps[c.(string)] = true
	}
	for _, want := range []string{"GROUP_PUSH", "IMPORT_NEW_USERS", "IMPORT_PROFILE_UPDATES", "PUSH_NEW_USERS", "PUSH_PASSWORD_UPDATES",
		"PUSH_PENDING_USERS", "PUSH_PROFILE_UPDATES", "PUSH_USER_DEACTIVATION", "REACTIVATE_USERS", "OPP_SCIM_INCREMENTAL_IMPORTS"} {
		if !caps[want] {
			t.Errorf("capability %s not advertised: %v", want, caps)
		}
	}

	// msg-create-user: existence check, then create.
	newUser := sample(t, "createNewUser-withCustomExtension.json")
	login := newUser["userName"].(string)
	total, res := listOf(t, "existence check (miss)", c.do("GET", filterQuery(`userName eq "`+login+`"`), nil))
	if total != 0 || len(res) != 0 {
		t.Fatalf("existence check found %d users before create", total)
	}
	r = c.do("POST", "Users", newUser)
	wantStatus(t, "createNewUser", r, 200)
	created := r.json(t)
	checkUser11(t, "createNewUser", created)
	uid := created["id"].(string)
	if created["active"] != true {
		t.Fatalf("created user active = %v", created["active"])
	}
	emp := s.employee(t, uid)
	if emp["login"] != login || emp["enabled"] != true || emp["department"] != "Testing User" || emp["givenName"] != "FirstName" {
		t.Fatalf("simulator record after create: %v", emp)
	}
	if emp["hasPassword"] != true || emp["passwordChanges"] != float64(0) {
		t.Fatalf("initial password not set exactly at creation in the simulator: %v", emp)
	}

	// duplicates-409: a create of an existing login is a 409 in the SDK shape.
	wantSDKError(t, "duplicate create", c.do("POST", "Users", newUser), 409, "")

	// The existence check in all its forms now finds the user.
	for _, f := range []string{
		`userName eq "` + login + `"`,
		`USERNAME EQ "` + strings.ToUpper(login) + `"`,
		`email eq "` + login + `" OR email eq "nobody@example.invalid"`,
		`urn:okta:onprem_app:1.0:user:custom:departmentName eq "Testing User"`,
		`id eq "` + uid + `"`,
	} {
		total, res = listOf(t, f, c.do("GET", filterQuery(f), nil))
		if total != 1 || len(res) != 1 || res[0]["id"] != uid {
			t.Fatalf("filter %s: total %d, resources %v", f, total, res)
		}
		checkUser11(t, f, res[0])
	}
	// The 2014 tester encoded spaces as '+'.
	total, _ = listOf(t, "plus-encoded filter", c.do("GET", "Users?filter=userName+eq+%22"+url.QueryEscape(login)+"%22&startIndex=1&count=100", nil))
	if total != 1 {
		t.Fatalf("plus-encoded filter found %d", total)
	}

	// msg-create-pending-user.
	pending := sample(t, "createPendingUser-withCustomExtension.json")
	r = c.do("POST", "Users", pending)
	wantStatus(t, "createPendingUser", r, 200)
	pu := r.json(t)
	checkUser11(t, "createPendingUser", pu)
	pid := pu["id"].(string)
	if pu["active"] != false || s.employee(t, pid)["enabled"] != false {
		t.Fatalf("pending user is not disabled: response %v, simulator %v", pu["active"], s.employee(t, pid)["enabled"])
	}

	// msg-get-user: unknown id is a 404 in the SDK shape.
	r = c.do("GET", "Users/"+url.PathEscape(pid), nil)
	wantStatus(t, "importUserProfile", r, 200)
	checkUser11(t, "importUserProfile", r.json(t))
	wantSDKError(t, "unknown user", c.do("GET", "Users/E999999", nil), 404, "E0000048")

	// msg-activate: the agent reads the real resulting active back.
	put := func(name, id string, password string) map[string]any {
		t.Helper()
		body := sample(t, name)
		body["id"] = id
		if password != "" {
			body["password"] = password
		}
		r := c.do("PUT", "Users/"+url.PathEscape(id), body)
		wantStatus(t, name, r, 200)
		u := r.json(t)
		checkUser11(t, name, u)
		return u
	}
	u := put("activateUser.json", pid, "")
	if u["active"] != true || s.employee(t, pid)["enabled"] != true {
		t.Fatalf("activate: response active %v, simulator %v", u["active"], s.employee(t, pid)["enabled"])
	}
	if got := s.employee(t, pid)["login"]; got != "okta" {
		t.Fatalf("activate did not apply the full profile: login %v", got)
	}
	changes := s.employee(t, pid)["passwordChanges"]

	// msg-profile-update, msg-deactivate, msg-reactivate: all carry the same password again
	// (agent-password-on-every-put):
	// it must not be pushed again, or the legacy password-history policy would refuse it.
	u = put("pushProfileUpdate.json", pid, "")
	emp = s.employee(t, pid)
	if emp["familyName"] != "Taylor" || emp["email"] != "jtaylor@example.com" || emp["department"] != "Cloud Service Management" {
		t.Fatalf("profile update not applied: %v", emp)
	}
	if u["active"] != true {
		t.Fatalf("profile update changed active: %v", u["active"])
	}
	put("deactivateUser.json", pid, "")
	if s.employee(t, pid)["enabled"] != false {
		t.Fatal("deactivate did not disable the employee")
	}
	put("reactivateUser.json", pid, "")
	if s.employee(t, pid)["enabled"] != true {
		t.Fatal("reactivate did not enable the employee")
	}
	if got := s.employee(t, pid)["passwordChanges"]; got != changes {
		t.Fatalf("a PUT repeating the current password pushed it again: password changes %v -> %v", changes, got)
	}

	// msg-password-push: a new password is pushed exactly once.
	put("pushPasswordUpdate.json", pid, "")
	if got := s.employee(t, pid)["passwordChanges"].(float64); got != changes.(float64)+1 {
		t.Fatalf("password push: password changes %v -> %v, want +1", changes, got)
	}

	// msg-incremental-import: only users modified strictly after the given second.
	time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
	since := time.Now().UTC().Truncate(time.Second)
	time.Sleep(1100 * time.Millisecond)
	put("pushProfileUpdate.json", pid, "this-is-my-new-password")
	f := `meta.lastModified gt "` + since.Format("2006-01-02T15:04:05Z") + `"`
	total, res = listOf(t, "incremental import", c.do("GET", filterQuery(f), nil))
	ids := map[string]bool{}
	for _, x := range res {
		ids[x["id"].(string)] = true
	}
	if !ids[pid] || ids[uid] || total != len(res) {
		t.Fatalf("incremental import since %s: got %v (total %d), want %s and not %s", since, ids, total, pid, uid)
	}

	// msg-create-group, msg-update-group, msg-delete-group.
	g := sample(t, "createGroup.json")
	g["members"] = []any{map[string]any{"value": uid, "display": "first"}, map[string]any{"value": pid, "display": "okta"}}
	r = c.do("POST", "Groups", g)
	wantStatus(t, "createGroup", r, 200)
	grp := r.json(t)
	gid, _ := grp["id"].(string)
	if gid == "" || gid == "AppGroup-02" {
		t.Fatalf("createGroup: id %q (a client-supplied id must be ignored)", gid)
	}
	if len(grp["members"].([]any)) != 2 {
		t.Fatalf("createGroup members: %v", grp["members"])
	}
	wantSDKError(t, "duplicate group", c.do("POST", "Groups", g), 409, "E0000055")
	r = c.do("GET", "Groups/"+url.PathEscape(gid), nil)
	wantStatus(t, "getGroupById", r, 200)
	if r.json(t)["displayName"] != "AppGroup-04" {
		t.Fatalf("getGroupById: %s", r.body)
	}
	wantSDKError(t, "unknown group", c.do("GET", "Groups/R99999", nil), 404, "E0000048")

	ug := sample(t, "updateGroup.json")
	ug["id"] = gid
	ug["members"] = []any{map[string]any{"value": pid, "display": "okta"}}
	r = c.do("PUT", "Groups/"+url.PathEscape(gid), ug)
	wantStatus(t, "updateGroup", r, 200)
	var role map[string]any
	for _, x := range s.roles(t) {
		if x["id"] == gid {
			role = x
		}
	}
	if role == nil || role["name"] != "AppGroup-Changed" {
		t.Fatalf("updateGroup did not rename the role: %v", role)
	}
	if m, _ := role["members"].([]any); len(m) != 1 || m[0].(map[string]any)["employeeId"] != pid {
		t.Fatalf("updateGroup membership in the simulator: %v", role["members"])
	}
	// group-put-uncertain: a PUT that would empty a non-empty group is refused by default.
	ug["members"] = []any{}
	r = c.do("PUT", "Groups/"+url.PathEscape(gid), ug)
	if r.status < 400 || r.status >= 500 {
		t.Fatalf("emptying PUT: status %d, want a 4xx refusal: %s", r.status, r.body)
	}
	total, groups := listOf(t, "downloadGroups", c.do("GET", "Groups?startIndex=1&count=100", nil))
	if total != 1 || groups[0]["id"] != gid || len(groups[0]["members"].([]any)) != 1 {
		t.Fatalf("downloadGroups after the refused PUT: %v", groups)
	}
	r = c.do("DELETE", "Groups/"+url.PathEscape(gid), nil)
	wantStatus(t, "deleteGroup", r, 200)
	wantSDKError(t, "deleteGroup again", c.do("DELETE", "Groups/"+url.PathEscape(gid), nil), 404, "E0000048")
	if len(s.roles(t)) != 0 {
		t.Fatalf("roles left after delete: %v", s.roles(t))
	}

	// Errors are JSON in the SDK shape, auth is required everywhere, unknown paths are a 501, a
	// method a known endpoint never supports a 405.
	wantSDKError(t, "bad filter", c.do("GET", "Users?filter="+url.QueryEscape(`userName eq`), nil), 400, "E0000053")
	wantSDKError(t, "bad paging", c.do("GET", "Users?startIndex=abc&count=100", nil), 400, "E0000054")
	wantSDKError(t, "negative count", c.do("GET", "Users?startIndex=1&count=-5", nil), 400, "E0000054")
	wantSDKError(t, "DELETE user", c.do("DELETE", "Users/"+url.PathEscape(uid), nil), 405, "SB-METHOD-NOT-ALLOWED") // SCIM 1.1 has no user DELETE
	wantSDKError(t, "unknown path", c.do("GET", "Nope", nil), 501, "E0000052")
	r = s.noAuth.do("GET", "Nope", nil)
	if r.status != http.StatusUnauthorized {
		t.Fatalf("unknown path without credentials: %d, want 401", r.status)
	}
	wantStatus(t, "users without credentials", s.noAuth.do("GET", "Users", nil), 401)

	// A SOAP fault never reaches the client raw: the simulator refuses this e-mail address.
	bad := sample(t, "createNewUser.json")
	bad["userName"] = "bad-email@example.com"
	bad["emails"] = []any{map[string]any{"value": "not-an-address", "primary": true, "type": "work"}}
	r = c.do("POST", "Users", bad)
	if r.status != 400 {
		t.Fatalf("invalid e-mail: status %d, want 400: %s", r.status, r.body)
	}
	wantSDKError(t, "invalid e-mail", r, 400, "")
}

// TestOperatorView checks what ops sees after the agent's sequence ran: Prometheus metrics for
// every hop with bounded labels, readiness, and logs that never carry a password.
func TestOperatorView(t *testing.T) {
	s := startStack(t, "")
	c := s.scim
	u := sample(t, "createNewUser.json")
	r := c.do("POST", "Users", u)
	wantStatus(t, "create", r, 200)
	id := r.json(t)["id"].(string)
	put := sample(t, "pushPasswordUpdate.json")
	put["id"], put["userName"] = id, u["userName"]
	wantStatus(t, "password push", c.do("PUT", "Users/"+id, put), 200)
	wantStatus(t, "unknown user", c.do("GET", "Users/E999999", nil), 404)

	res, err := http.Get(s.metricsURL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("/readyz: %d", res.StatusCode)
	}
	res, err = http.Get(s.metricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	metrics := string(body)
	for _, want := range []string{
		`scimbridge_scim_requests_total{dialect="1.1",operation="users.create",status_class="2xx"} 1`,
		`scimbridge_scim_requests_total{dialect="1.1",operation="users.get",status_class="4xx"} 1`,
		`scimbridge_backend_requests_total{operation="CreateEmployee",outcome="success"} 1`,
		`scimbridge_backend_requests_total{operation="SetPassword",outcome="success"} 1`,
		`scimbridge_backend_requests_total{operation="GetEmployee",outcome="fault"}`,
		`scimbridge_breaker_state{breaker="legacyhr"}`,
		`scimbridge_adapter_overhead_seconds_count{dialect="1.1",operation="users.replace"} 1`,
		`scimbridge_build_info{`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "scimbridge_") && (strings.Contains(line, id) || strings.Contains(line, "myemail")) {
			t.Errorf("a metric label carries a user id or name: %s", line)
		}
	}
	for _, secret := range []string{"verySecure", "this-is-my-new-password", e2eSimPass, e2eSCIMPass} {
		if strings.Contains(s.bridge.output(), secret) {
			t.Errorf("the bridge's log contains the secret %q", secret)
		}
	}
}

// TestPagedImport250 checks full import paging over 250 employees with count=100: every user
// exactly once, stable order, integer totalResults equal to the number of employees.
func TestPagedImport250(t *testing.T) {
	s := startStack(t, "")
	res, err := http.Post(s.simURL+"/_sim/seed", "application/json", strings.NewReader(`{"employees": 250, "prefix": "load"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 2 {
		t.Fatalf("seeding the simulator: %d", res.StatusCode)
	}
	want := len(s.employees(t))
	if want != 250 {
		t.Fatalf("simulator has %d employees, want 250", want)
	}
	seen := map[string]int{}
	var order []string
	for start, pages := 1, 0; pages < 10; start, pages = start+100, pages+1 {
		total, res := listOf(t, "page", s.scim.do("GET", fmt.Sprintf("Users?startIndex=%d&count=100", start), nil))
		if total != want {
			t.Fatalf("startIndex %d: totalResults %d, want %d", start, total, want)
		}
		for _, u := range res {
			id := u["id"].(string)
			seen[id]++
			order = append(order, id)
		}
		if start+100 > total {
			break
		}
	}
	if len(seen) != want || len(order) != want {
		t.Fatalf("import saw %d distinct users in %d results, want %d", len(seen), len(order), want)
	}
	// Stable order: the same listing again gives the same sequence.
	_, again := listOf(t, "first page again", s.scim.do("GET", "Users?startIndex=1&count=100", nil))
	for i, u := range again {
		if u["id"] != order[i] {
			t.Fatalf("order changed between listings at %d: %v vs %v", i, u["id"], order[i])
		}
	}
	// An unaligned window (startIndex 51, count 100) is the same slice of that order.
	_, mid := listOf(t, "unaligned page", s.scim.do("GET", "Users?startIndex=51&count=100", nil))
	if len(mid) != 100 || mid[0]["id"] != order[50] || mid[99]["id"] != order[149] {
		t.Fatalf("unaligned page is not order[50:150]")
	}
}

// TestConformanceAgainstBridge runs `scimbridge test` (the conformance tester, as a process)
// against the bridge and the simulator: the check our users run before go-live.
func TestConformanceAgainstBridge(t *testing.T) {
	s := startStack(t, "")
	cmd := execBin(t, "test", "--url", s.scim.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}
}

// TestConformanceAgainstBridgeV2 runs `scimbridge test --dialect 2.0` (Okta's v2 lifecycle with PUT
// and PATCH, Entra's PATCH forms, discovery, errors) against the bridge's /scim/v2/ over the
// LegacyHR simulator.
func TestConformanceAgainstBridgeV2(t *testing.T) {
	s := startStack(t, "")
	v2 := strings.TrimSuffix(s.scim.base, "scim/v1/") + "scim/v2/"
	cmd := execBin(t, "test", "--dialect", "2.0", "--url", v2, "--basic", e2eSCIMUser+":"+e2eSCIMPass)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test --dialect 2.0 failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}
}

// TestSCIM2AgainstSimulator checks, through the v2 front end, that PATCH deactivation and a
// member removal really change the simulator's state.
func TestSCIM2AgainstSimulator(t *testing.T) {
	s := startStack(t, "")
	c := &client{t: t, base: strings.TrimSuffix(s.scim.base, "scim/v1/") + "scim/v2/", user: e2eSCIMUser, pass: e2eSCIMPass}
	r := c.do("POST", "Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"v2user@example.com",
		"name":{"givenName":"Vee","familyName":"Two"},"emails":[{"value":"v2user@example.com","type":"work","primary":true}],
		"active":true,"password":"first-Password-1","externalId":"00u-v2"}`)
	wantStatus(t, "v2 create", r, 201)
	id := r.json(t)["id"].(string)
	if loc := r.header.Get("Location"); !strings.HasSuffix(loc, "/scim/v2/Users/"+id) {
		t.Fatalf("Location %q", loc)
	}
	r = c.do("PATCH", "Users/"+id, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"active":"False"}}]}`)
	wantStatus(t, "v2 patch deactivate", r, 200)
	if r.json(t)["active"] != false || s.employee(t, id)["enabled"] != false {
		t.Fatalf("PATCH active False not applied: %s / %v", r.body, s.employee(t, id)["enabled"])
	}
	r = c.do("POST", "Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"v2 group","members":[{"value":"`+id+`"}]}`)
	wantStatus(t, "v2 group create", r, 201)
	gid := r.json(t)["id"].(string)
	r = c.do("PATCH", "Groups/"+gid, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"members[value eq \"`+id+`\"]"}]}`)
	if r.status != 409 {
		t.Fatalf("removing the last member of a non-empty group: %d, want the empty-group guard's 409: %s", r.status, r.body)
	}
	r = c.do("GET", "Users?filter="+url.QueryEscape(`userName eq "v2user@example.com"`), nil)
	wantStatus(t, "v2 filter", r, 200)
	if m := r.json(t); m["totalResults"] != float64(1) {
		t.Fatalf("v2 filter: %s", r.body)
	}
	r = c.do("GET", "Users/nope-404", nil)
	wantStatus(t, "v2 404", r, 404)
	if m := r.json(t); m["status"] != "404" {
		t.Fatalf("v2 error status must be a string: %s", r.body)
	}
}

// TestConformanceAgainstWSO2 runs the Okta agent replay (`scimbridge test`, both dialects) against
// the bridge over the WSO2-shaped backend: a SOAP contract nobody here designed, wired with a
// mapping file only (no backend-specific Go code outside the generated client and the simulator).
func TestConformanceAgainstWSO2(t *testing.T) {
	s := startWSO2Stack(t)
	for _, dialect := range []string{"1.1", "2.0"} {
		base := s.scim.base
		if dialect == "2.0" {
			base = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
		}
		out, err := execBin(t, "test", "--dialect", dialect, "--url", base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s against WSO2 failed: %v\n%s", dialect, err, out)
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line:\n%s", out)
		}
	}
}

// TestDemo runs README command #1 (`scimbridge demo`, in memory, on free loopback ports) and
// uses what its banner prints: the SCIM base URL and the credentials must give the seeded users.
func TestDemo(t *testing.T) {
	demo, base := startProc(t, regexp.MustCompile(`SCIM 1.1 base URL\s+(http://\S+)`),
		"demo", "--memory", "--listen", "127.0.0.1:0", "--sim-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0")
	deadline := time.Now().Add(10 * time.Second)
	var creds []string
	for creds == nil && time.Now().Before(deadline) {
		creds = regexp.MustCompile(`credentials\s+Basic\s+(\S+) : (\S+)`).FindStringSubmatch(demo.output())
		if creds == nil {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if creds == nil {
		t.Fatalf("the demo banner shows no credentials:\n%s", demo.output())
	}
	c := &client{t: t, base: base, user: creds[1], pass: creds[2]}
	total, users := listOf(t, "demo users", c.do("GET", "Users?startIndex=1&count=100", nil))
	if total == 0 || len(users) != total {
		t.Fatalf("the demo serves %d users (%d listed), want the seeded ones", total, len(users))
	}
	for _, u := range users {
		checkUser11(t, "demo user", u)
	}
	wantStatus(t, "demo without credentials", (&client{t: t, base: base}).do("GET", "Users", nil), 401)
	// The banner names every URL an operator wants, and the command that actually started it
	// (here the built binary, not go run).
	for _, want := range []string{"SCIM 2.0 base URL", "/scim/v2/", "/healthz", "/readyz?verbose", binPath + " test --url " + base} {
		if !strings.Contains(demo.output(), want) {
			t.Errorf("the demo banner lacks %q:\n%s", want, demo.output())
		}
	}
	if strings.Contains(demo.output(), "go run") {
		t.Errorf("the banner of a built binary suggests go run:\n%s", demo.output())
	}
}

// TestConformanceSOAP12 runs `scimbridge test` through a bridge speaking SOAP 1.2
// (backend.soapVersion: "1.2") to the LegacyHR simulator in its SOAP 1.2-only variant, which
// refuses 1.1 envelopes, SOAPAction headers in place of the content type's action parameter, and
// answers faults in the 1.2 form (Code/Subcode/Reason/Detail) that the mapping's rules must read.
func TestConformanceSOAP12(t *testing.T) {
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--soap12", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	s := startBridge(t, simURL, "", fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  soapVersion: "1.2"
  wsse: { username: %s, password: "${file:SIMPASS}" }`, simURL, e2eSimUser))
	out, err := execBin(t, "test", "--url", s.scim.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test over SOAP 1.2 failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}
}
