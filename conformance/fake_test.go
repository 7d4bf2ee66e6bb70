package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fault is one deliberate defect the fake connector can be switched to. The zero value is a
// correct SCIM 1.1 connector as the Okta agent expects it.
type fault string

const (
	faultNone               fault = ""
	faultNoCoreSchema       fault = "users lack the core schema URN"
	faultUnknownAttr        fault = "users carry an unknown top-level attribute"
	faultResourcesSpelling  fault = "lists spell Resources as resources"
	faultStringCounters     fault = "list counters are strings"
	fault404HTML            fault = "404 answers are HTML"
	faultNo409Group         fault = "duplicate groups are accepted"
	faultPagingDup          fault = "pages overlap by one"
	faultPagingGap          fault = "pages skip one item"
	faultPagingUnstable     fault = "list order flips between calls"
	faultPagingIgnoreCount  fault = "count is ignored"
	faultFilterMiss404      fault = "a filter miss answers 404"
	faultBadFilterOK        fault = "a bad filter answers 200"
	faultNoAuth             fault = "no authentication required"
	faultActivateStale      fault = "activation answer shows the old active"
	faultPasswordEcho       fault = "passwords are echoed"
	faultNoIDOnCreate       fault = "POST /Users answer has no id"
	faultIncrementalIgnored fault = "meta.lastModified gt is ignored"
)

const (
	fakeToken  = "Bearer s3cret-token"
	fakePrefix = "/scim/v1"
	coreURN    = "urn:scim:schemas:core:1.0"
)

type fakeUser struct {
	ID       string
	Attrs    map[string]any
	Password string
	Active   bool
	Created  time.Time
	Modified time.Time
}

type fakeGroup struct {
	ID    string
	Name  string
	Attrs map[string]any
}

// fakeSCIM is an in-memory SCIM 1.1 connector behind an httptest server on 127.0.0.1.
type fakeSCIM struct {
	fault fault
	caps  []string

	mu        sync.Mutex
	users     []*fakeUser
	groups    []*fakeGroup
	next      int
	listCalls int
	writes    []string
	queries   []string // raw query strings of GET /Users with a filter
	onRequest func(n int)
	requests  int
	srv       *httptest.Server
	foreign   map[string]bool // ids seeded before the run: the tester must never write to them
	skew      time.Duration   // added to the wall clock; the tester's sleep advances it
}

// now is the fake's clock. Tests advance it instead of sleeping, so the incremental-import
// checks, which must wait past a second boundary, cost no wall time.
func (fk *fakeSCIM) now() time.Time { return time.Now().Add(fk.skew).UTC() }

// sleep is installed as the tester's sleep: it moves the fake's clock forward.
func (fk *fakeSCIM) sleep(ctx context.Context, d time.Duration) error {
	fk.mu.Lock()
	defer fk.mu.Unlock()
	fk.skew += d
	return ctx.Err()
}

func newFake(t *testing.T, f fault) *fakeSCIM {
	t.Helper()
	fk := &fakeSCIM{fault: f, caps: append([]string(nil), AllCapabilities...)}
	seeded := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	for i := range 20 {
		fk.next++
		name := fmt.Sprintf("foreign%02d@corp.example", i)
		fk.users = append(fk.users, &fakeUser{
			ID: fmt.Sprintf("u%04d", fk.next), Password: "their-secret", Active: i%4 != 0,
			Created: seeded, Modified: seeded,
			Attrs: map[string]any{"schemas": []any{coreURN}, "userName": name,
				"name":   map[string]any{"givenName": "Foreign", "familyName": fmt.Sprint(i)},
				"emails": []any{map[string]any{"value": name, "primary": true, "type": "work"}}},
		})
	}
	for i := range 9 {
		fk.next++
		fk.groups = append(fk.groups, &fakeGroup{ID: fmt.Sprintf("g%04d", fk.next), Name: fmt.Sprintf("Foreign Group %d", i),
			Attrs: map[string]any{"members": []any{}}})
	}
	fk.foreign = map[string]bool{}
	for _, u := range fk.users {
		fk.foreign[u.ID] = true
	}
	for _, g := range fk.groups {
		fk.foreign[g.ID] = true
	}
	fk.srv = httptest.NewServer(http.StripPrefix(fakePrefix, http.HandlerFunc(fk.serve)))
	t.Cleanup(fk.srv.Close)
	return fk
}

// url is the base URL as an admin would type it into Okta, trailing slash included.
func (fk *fakeSCIM) url() string { return fk.srv.URL + fakePrefix + "/" }

func (fk *fakeSCIM) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (fk *fakeSCIM) writeError(w http.ResponseWriter, status int, code, msg string) {
	if status == http.StatusNotFound && fk.fault == fault404HTML {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><body><h1>404 Not Found</h1></body></html>"))
		return
	}
	fk.writeJSON(w, status, map[string]any{"errors": []any{map[string]any{
		"statusCode": status, "internalCode": code, "description": msg, "help_url": nil}}})
}

func (fk *fakeSCIM) serve(w http.ResponseWriter, r *http.Request) {
	fk.mu.Lock()
	defer fk.mu.Unlock()
	fk.requests++
	w.Header().Set("Date", fk.now().Format(http.TimeFormat))
	if fk.onRequest != nil {
		fk.onRequest(fk.requests)
	}
	if fk.fault != faultNoAuth && r.Header.Get("Authorization") != fakeToken {
		fk.writeError(w, http.StatusUnauthorized, "E0000011", "authentication required")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	res, id := parts[0], ""
	if len(parts) == 2 {
		id = parts[1]
	}
	switch {
	case res == "ServiceProviderConfigs" && r.Method == "GET" && id == "":
		fk.writeJSON(w, 200, map[string]any{
			"schemas": []any{coreURN, "urn:okta:schemas:scim:providerconfig:1.0"},
			"patch":   map[string]any{"supported": false}, "bulk": map[string]any{"supported": false},
			"filter": map[string]any{"supported": true, "maxResults": 100},
			"urn:okta:schemas:scim:providerconfig:1.0": map[string]any{"userManagementCapabilities": fk.caps},
		})
	case res == "Users" && id == "" && r.Method == "GET":
		fk.listUsers(w, r)
	case res == "Users" && id == "" && r.Method == "POST":
		fk.createUser(w, r)
	case res == "Users" && id != "" && (r.Method == "GET" || r.Method == "PUT"):
		fk.oneUser(w, r, id)
	case res == "Groups" && id == "" && r.Method == "GET":
		var items []map[string]any
		for _, g := range fk.groups {
			items = append(items, fk.renderGroup(g))
		}
		fk.writeList(w, r, items)
	case res == "Groups" && id == "" && r.Method == "POST":
		fk.createGroup(w, r)
	case res == "Groups" && id != "":
		fk.oneGroup(w, r, id)
	default:
		fk.writeError(w, http.StatusNotImplemented, "E0000052", "There is no resource for path "+r.URL.Path)
	}
}

func decodeBody(r *http.Request) (map[string]any, error) {
	var m map[string]any
	err := json.NewDecoder(r.Body).Decode(&m)
	return m, err
}

func (fk *fakeSCIM) store(u *fakeUser, body map[string]any) {
	attrs := map[string]any{}
	for k, v := range body {
		switch strings.ToLower(k) {
		case "id", "meta", "password", "active", "groups":
		default:
			attrs[k] = v
		}
	}
	u.Attrs = attrs
	if p, ok := body["password"].(string); ok {
		u.Password = p
	}
	if a, ok := body["active"].(bool); ok {
		u.Active = a
	}
	u.Modified = fk.now()
}

func (fk *fakeSCIM) renderUser(u *fakeUser) map[string]any {
	m := map[string]any{}
	for k, v := range u.Attrs {
		m[k] = v
	}
	m["id"], m["active"] = u.ID, u.Active
	m["meta"] = map[string]any{"created": u.Created.Format(time.RFC3339), "lastModified": u.Modified.Format(time.RFC3339Nano)}
	var schemas []any
	for _, s := range asList(m["schemas"]) {
		if fk.fault == faultNoCoreSchema && s == coreURN {
			continue
		}
		schemas = append(schemas, s)
	}
	m["schemas"] = schemas
	if fk.fault == faultUnknownAttr {
		m["department"] = "Engineering"
	}
	if fk.fault == faultPasswordEcho {
		m["password"] = u.Password
	}
	return m
}

func asList(v any) []any { l, _ := v.([]any); return l }

func (fk *fakeSCIM) userByName(name string) *fakeUser {
	for _, u := range fk.users {
		if n, _ := u.Attrs["userName"].(string); strings.EqualFold(n, name) {
			return u
		}
	}
	return nil
}

func (fk *fakeSCIM) createUser(w http.ResponseWriter, r *http.Request) {
	body, err := decodeBody(r)
	name, _ := body["userName"].(string)
	if err != nil || name == "" {
		fk.writeError(w, 400, "E0000050", "Cannot serialize the user string sent by the client")
		return
	}
	if fk.userByName(name) != nil {
		fk.writeError(w, http.StatusConflict, "E0000056", "Duplicate user "+name)
		return
	}
	fk.next++
	u := &fakeUser{ID: fmt.Sprintf("u%04d", fk.next), Created: fk.now()}
	fk.store(u, body)
	fk.users = append(fk.users, u)
	out := fk.renderUser(u)
	if fk.fault == faultNoIDOnCreate {
		delete(out, "id")
	}
	fk.writeJSON(w, 200, out)
}

func (fk *fakeSCIM) findUser(id string) *fakeUser {
	for _, u := range fk.users {
		if u.ID == id {
			return u
		}
	}
	return nil
}

func (fk *fakeSCIM) oneUser(w http.ResponseWriter, r *http.Request, id string) {
	u := fk.findUser(id)
	if u == nil {
		fk.writeError(w, http.StatusNotFound, "E0000048", "Cannot find the user with the id ["+id+"]")
		return
	}
	if r.Method == "GET" {
		fk.writeJSON(w, 200, fk.renderUser(u))
		return
	}
	body, err := decodeBody(r)
	if err != nil {
		fk.writeError(w, 400, "E0000050", "Cannot serialize the user string sent by the client")
		return
	}
	fk.writes = append(fk.writes, "PUT "+id)
	was := u.Active
	fk.store(u, body)
	out := fk.renderUser(u)
	if fk.fault == faultActivateStale && !was && u.Active {
		out["active"] = false
	}
	fk.writeJSON(w, 200, out)
}

var (
	orSplit = regexp.MustCompile(`\s+(?i:or)\s+`)
	termRE  = regexp.MustCompile(`^\s*([A-Za-z0-9_.:\-]+)\s+(?i:(eq|gt))\s+"((?:[^"\\]|\\.)*)"\s*$`)
)

type term struct{ attr, op, value string }

func parseFilter(f string) ([]term, error) {
	var out []term
	for _, part := range orSplit.Split(f, -1) {
		m := termRE.FindStringSubmatch(part)
		if m == nil {
			return nil, fmt.Errorf("cannot parse %q", part)
		}
		out = append(out, term{attr: m[1], op: strings.ToLower(m[2]), value: strings.ReplaceAll(m[3], `\"`, `"`)})
	}
	return out, nil
}

func (fk *fakeSCIM) matches(u *fakeUser, t term) (bool, error) {
	la := strings.ToLower(t.attr)
	if t.op == "gt" {
		if la != "meta.lastmodified" {
			return false, fmt.Errorf("gt only on meta.lastModified")
		}
		ts, err := time.Parse(time.RFC3339, t.value)
		if err != nil {
			return false, err
		}
		return fk.fault == faultIncrementalIgnored || u.Modified.After(ts), nil
	}
	switch {
	case la == "username":
		n, _ := u.Attrs["userName"].(string)
		return strings.EqualFold(n, t.value), nil
	case la == "id":
		return u.ID == t.value, nil
	case la == "email" || la == "emails":
		for _, e := range asList(u.Attrs["emails"]) {
			if m, ok := e.(map[string]any); ok && strings.EqualFold(fmt.Sprint(m["value"]), t.value) {
				return true, nil
			}
		}
		return false, nil
	case strings.HasPrefix(la, "urn:"):
		i := strings.LastIndex(t.attr, ":")
		ext, _ := u.Attrs[t.attr[:i]].(map[string]any)
		return ext != nil && fmt.Sprint(ext[t.attr[i+1:]]) == t.value, nil
	}
	return false, fmt.Errorf("unsupported attribute %q", t.attr)
}

func (fk *fakeSCIM) listUsers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := q.Get("filter")
	var terms []term
	if q.Has("filter") {
		fk.queries = append(fk.queries, r.URL.RawQuery)
		var err error
		if terms, err = parseFilter(f); err != nil {
			if fk.fault == faultBadFilterOK {
				fk.writeList(w, r, nil)
				return
			}
			fk.writeError(w, 400, "E0000053", "Cannot parse the SCIM Filter: "+err.Error())
			return
		}
	}
	var items []map[string]any
	for _, u := range fk.users {
		keep := len(terms) == 0
		for _, t := range terms {
			ok, err := fk.matches(u, t)
			if err != nil {
				fk.writeError(w, 400, "E0000053", "Cannot parse the SCIM Filter: "+err.Error())
				return
			}
			keep = keep || ok
		}
		if keep {
			items = append(items, fk.renderUser(u))
		}
	}
	if len(terms) > 0 && len(items) == 0 && fk.fault == faultFilterMiss404 {
		fk.writeError(w, http.StatusNotFound, "E0000048", "no user matches")
		return
	}
	fk.writeList(w, r, items)
}

func (fk *fakeSCIM) writeList(w http.ResponseWriter, r *http.Request, items []map[string]any) {
	q := r.URL.Query()
	start, count := 1, len(items)
	var err error
	if s := q.Get("startIndex"); s != "" {
		if start, err = strconv.Atoi(s); err != nil || start < 1 {
			fk.writeError(w, 400, "E0000054", "bad startIndex")
			return
		}
	}
	if s := q.Get("count"); s != "" {
		if count, err = strconv.Atoi(s); err != nil || count < 0 {
			fk.writeError(w, 400, "E0000054", "bad count")
			return
		}
	}
	fk.listCalls++
	if fk.fault == faultPagingUnstable && fk.listCalls%2 == 0 {
		items = slices.Clone(items)
		slices.Reverse(items)
	}
	from := start - 1
	switch {
	case fk.fault == faultPagingDup && start > 1:
		from--
	case fk.fault == faultPagingGap && start > 1:
		from++
	case fk.fault == faultPagingIgnoreCount:
		count = len(items)
	}
	from = min(from, len(items))
	to := min(from+count, len(items))
	page := items[from:to]
	if page == nil {
		page = []map[string]any{}
	}
	out := map[string]any{"schemas": []any{coreURN}, "totalResults": len(items), "startIndex": start, "itemsPerPage": len(page)}
	key := "Resources"
	if fk.fault == faultResourcesSpelling {
		key = "resources"
	}
	out[key] = page
	if fk.fault == faultStringCounters {
		for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
			out[k] = fmt.Sprint(out[k])
		}
	}
	fk.writeJSON(w, 200, out)
}

func (fk *fakeSCIM) renderGroup(g *fakeGroup) map[string]any {
	m := map[string]any{"schemas": []any{coreURN, "urn:okta:custom:group:1.0"}, "id": g.ID, "displayName": g.Name,
		"members": g.Attrs["members"]}
	if d, ok := g.Attrs["urn:okta:custom:group:1.0"]; ok {
		m["urn:okta:custom:group:1.0"] = d
	}
	return m
}

func (fk *fakeSCIM) createGroup(w http.ResponseWriter, r *http.Request) {
	body, err := decodeBody(r)
	name, _ := body["displayName"].(string)
	if err != nil || name == "" {
		fk.writeError(w, 400, "E0000050", "Cannot serialize the group string sent by the client")
		return
	}
	for _, g := range fk.groups {
		if strings.EqualFold(g.Name, name) && fk.fault != faultNo409Group {
			fk.writeError(w, http.StatusConflict, "E0000055", "Duplicate group with the same name ["+name+"] found. Cannot create the group")
			return
		}
	}
	fk.next++
	g := &fakeGroup{ID: fmt.Sprintf("g%04d", fk.next), Name: name, Attrs: body}
	fk.groups = append(fk.groups, g)
	fk.writeJSON(w, 200, fk.renderGroup(g))
}

func (fk *fakeSCIM) oneGroup(w http.ResponseWriter, r *http.Request, id string) {
	i := slices.IndexFunc(fk.groups, func(g *fakeGroup) bool { return g.ID == id })
	if i < 0 {
		fk.writeError(w, http.StatusNotFound, "E0000048", "Cannot find the group with the id ["+id+"]")
		return
	}
	g := fk.groups[i]
	switch r.Method {
	case "GET":
		fk.writeJSON(w, 200, fk.renderGroup(g))
	case "PUT":
		body, err := decodeBody(r)
		name, _ := body["displayName"].(string)
		if err != nil || name == "" {
			fk.writeError(w, 400, "E0000050", "Cannot serialize the group string sent by the client")
			return
		}
		fk.writes = append(fk.writes, "PUT "+id)
		g.Name, g.Attrs = name, body
		fk.writeJSON(w, 200, fk.renderGroup(g))
	case "DELETE":
		fk.writes = append(fk.writes, "DELETE "+id)
		fk.groups = slices.Delete(fk.groups, i, i+1)
		w.WriteHeader(200)
	default:
		fk.writeError(w, http.StatusNotImplemented, "E0000052", "no such method")
	}
}

// testData summarises what is left of the tester's data and whether foreign data was touched.
func (fk *fakeSCIM) testData() (activeTestUsers, testGroups []string, foreignWrites []string) {
	fk.mu.Lock()
	defer fk.mu.Unlock()
	for _, u := range fk.users {
		n, _ := u.Attrs["userName"].(string)
		if strings.HasPrefix(n, "sbtest-") && u.Active {
			activeTestUsers = append(activeTestUsers, n)
		}
	}
	for _, g := range fk.groups {
		if strings.HasPrefix(g.Name, "sbtest-") {
			testGroups = append(testGroups, g.Name)
		}
	}
	for _, wr := range fk.writes {
		if id := strings.Fields(wr)[1]; fk.foreign[id] {
			foreignWrites = append(foreignWrites, wr)
		}
	}
	return activeTestUsers, testGroups, foreignWrites
}
