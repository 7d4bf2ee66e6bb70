package conformance

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// checkDef declares one named check: what it needs and what it does.
type checkDef struct {
	Name string
	// Needs lists capabilities that must all be advertised for the check to run.
	Needs []string
	// Doc says in one sentence what the check verifies; the README table mirrors it.
	Doc string
	// Dialect, when set, limits the check to that dialect ("2.0" for the PATCH forms).
	Dialect string
	Fn      func(ctx context.Context, c *checkRun)
}

// checkRun collects the outcome of one check while it runs.
type checkRun struct {
	env *env
	res *CheckResult
}

func (c *checkRun) failf(format string, args ...any) {
	c.res.Failures = append(c.res.Failures, fmt.Sprintf(format, args...))
}

func (c *checkRun) warnf(format string, args ...any) {
	c.res.Warnings = append(c.res.Warnings, fmt.Sprintf(format, args...))
}

func (c *checkRun) notef(format string, args ...any) {
	c.res.Notes = append(c.res.Notes, fmt.Sprintf(format, args...))
}

func (c *checkRun) skipf(format string, args ...any) {
	c.res.Status = Skip
	c.res.Reason = fmt.Sprintf(format, args...)
}

// call sends a request with the configured credentials, and any extra headers.
func (c *checkRun) call(ctx context.Context, method, path, rawQuery string, body any, extra ...http.Header) (*response, error) {
	return c.env.cl.do(ctx, c, method, path, rawQuery, body, authConfigured, extra...)
}

// env is the state of one run: the client, the capabilities, and everything created so far.
type env struct {
	opts     Options
	d        Dialect
	cl       *client
	runID    string
	caps     map[string]bool
	users    []*testUser
	groups   []*testGroup
	observed []observation
	seq      int

	shared      *testUser
	sharedErr   error
	sharedGroup *testGroup
	sharedGErr  error
	probed      bool

	// spc is the SCIM 2.0 /ServiceProviderConfig answer, read once for the checks gated on what
	// it advertises (etag); spcErr says why it could not be read.
	spc     map[string]any
	spcErr  error
	spcRead bool
}

func (e *env) has(capability string) bool { return e.caps[capability] }

// Run executes the selected checks against opts.URL and returns the report. An error means the
// run could not start (bad options, unimplemented dialect); connector failures are in the report.
// Cleanup of created data runs even when a check fails midway or ctx is cancelled.
func Run(ctx context.Context, opts Options) (*Report, error) {
	explicitDialect := opts.Dialect
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	d, err := newDialect(opts)
	if err != nil {
		return nil, err
	}
	runID := opts.RunID
	if runID == "" {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("run id: %w", err)
		}
		runID = hex.EncodeToString(b[:])
	}
	hc, tlsNote, err := opts.httpClient()
	if err != nil {
		return nil, err
	}
	e := &env{opts: opts, d: d, runID: runID}
	e.cl = &client{
		base: strings.TrimRight(opts.URL, "/"), http: hc, header: opts.Header,
		user: opts.BasicUser, pass: opts.BasicPassword, timeout: opts.Timeout, slow: opts.Slow,
		dialect: d, observe: func(o observation) { e.observed = append(e.observed, o) },
	}
	rep := &Report{URL: opts.URL, Dialect: d.Version(), RunID: runID, Started: time.Now(), TLS: tlsNote}
	if explicitDialect != "" {
		if h := dialectHint(opts.URL, d.Version()); h != "" {
			rep.Hints = append(rep.Hints, h)
		}
	}
	func() {
		// Cleanup gets its own context: a cancelled run must still remove what it created.
		defer e.cleanup(context.WithoutCancel(ctx), rep)
		e.discover(ctx, rep)
		for _, def := range selectChecks(opts.Only) {
			if def.Name == capabilitiesCheck {
				continue // ran inside discover, which must come first
			}
			if def.Dialect != "" && def.Dialect != d.Version() {
				continue
			}
			rep.Checks = append(rep.Checks, e.runCheck(ctx, def))
		}
	}()
	rep.Duration = time.Since(rep.Started)
	return rep, nil
}

// discover decides the capabilities: from the options, or from the connector. Okta assumes a
// connector that does not answer implements everything, and so does the tester.
func (e *env) discover(ctx context.Context, rep *Report) {
	selected := slices.ContainsFunc(selectChecks(e.opts.Only), func(d checkDef) bool { return d.Name == capabilitiesCheck })
	var found []string
	var ok bool
	res := e.runCheck(ctx, checkDef{Name: capabilitiesCheck, Fn: func(ctx context.Context, c *checkRun) {
		found, ok = checkCapabilities(ctx, c)
	}})
	if selected {
		rep.Checks = append(rep.Checks, res)
	}
	switch {
	case e.opts.Capabilities != nil:
		rep.Capabilities = slices.Clone(e.opts.Capabilities)
		rep.CapabilitySource = "from --capabilities"
	case ok:
		rep.Capabilities = found
		rep.CapabilitySource = "from /" + e.d.CapabilitiesPath()
	default:
		rep.Capabilities = slices.Clone(AllCapabilities)
		rep.CapabilitySource = "assumed all, as Okta does: the capabilities call failed"
	}
	e.caps = map[string]bool{}
	for _, c := range rep.Capabilities {
		e.caps[c] = true
	}
}

// runCheck runs one check, turning a panic into a failure so that one bad connector answer
// cannot stop the run before cleanup.
func (e *env) runCheck(ctx context.Context, def checkDef) (res CheckResult) {
	res = CheckResult{Name: def.Name, Status: Pass}
	for _, need := range def.Needs {
		if !e.has(need) {
			res.Status, res.Reason = Skip, "needs capability "+need+", not advertised"
			return res
		}
	}
	c := &checkRun{env: e, res: &res}
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			c.failf("internal error in the tester (please report): %v", p)
		}
		res.Duration = time.Since(start)
		if len(res.Failures) > 0 {
			res.Status = Fail
		}
	}()
	def.Fn(ctx, c)
	return res
}

// selectChecks returns the checks named by only (exact or prefix), all of them when only is empty.
func selectChecks(only []string) []checkDef {
	var out []checkDef
	for _, def := range allChecks() {
		if len(only) == 0 || slices.ContainsFunc(only, func(o string) bool {
			return o != "" && strings.HasPrefix(def.Name, o)
		}) {
			out = append(out, def)
		}
	}
	return out
}

// newUser makes a uniquely named user for this run; nothing is sent yet.
func (e *env) newUser(label string, active bool) *testUser {
	e.seq++
	base := fmt.Sprintf("sbtest-%s-%s%d", e.runID, label, e.seq)
	return &testUser{
		Label: label, UserName: base + "@example.test", Email2: base + "-alt@example.test",
		GivenName: "Sbtest", FamilyName: "User" + label, Department: "Conformance Testing",
		Password: "Sb-" + e.runID + "-Pw1!", Unique: base, Active: active,
	}
}

func (e *env) newGroup(label string) *testGroup {
	e.seq++
	name := fmt.Sprintf("sbtest-%s-%s%d", e.runID, label, e.seq)
	return &testGroup{Label: label, DisplayName: name, Description: "scimbridge conformance test group"}
}

// filterQuery encodes a filter as the agent does (%20 for spaces), or with + as the 2014 tester did,
// followed by the paging parameters the agent always adds.
func filterQuery(f string, plus bool) string {
	q := url.QueryEscape(f)
	if !plus {
		q = strings.ReplaceAll(q, "+", "%20")
	}
	return "filter=" + q + "&startIndex=1&count=100"
}

// createUser POSTs u. A 2xx answer registers u for cleanup even when the answer is defective;
// if the answer lacks an id, the user is looked up by its unique field so cleanup can still
// reach it. The returned problems are what the strict create checks report.
func (e *env) createUser(ctx context.Context, c *checkRun, u *testUser) (obj map[string]any, problems []string, err error) {
	_, obj, problems, err = e.createUserResp(ctx, c, u)
	return obj, problems, err
}

// createUserResp is createUser that also returns the raw answer, for the checks that read its
// headers (Location, ETag).
func (e *env) createUserResp(ctx context.Context, c *checkRun, u *testUser) (r *response, obj map[string]any, problems []string, err error) {
	r, err = c.call(ctx, "POST", "Users", "", e.d.UserBody(u))
	if err != nil {
		return nil, nil, nil, err
	}
	if r.Status < 200 || r.Status > 299 {
		return r, nil, nil, fmt.Errorf("POST /Users answered %d %s", r.Status, snippet(r.Body))
	}
	e.users = append(e.users, u)
	if want := e.d.CreatedStatus(); r.Status != want && want == http.StatusOK {
		c.warnf("POST /Users answered %d; the Okta SDK answers 200, which is the proven choice for the agent", r.Status)
	} else if r.Status != want {
		c.warnf("POST /Users answered %d; SCIM %s clients expect %d", r.Status, e.d.Version(), want)
	}
	obj, ok := r.object()
	if !ok {
		problems = append(problems, fmt.Sprintf("POST /Users answer is not a JSON user: %s", snippet(r.Body)))
	}
	if id, ok := idOf(obj); ok {
		u.ID = id
		u.IDFromAnswer = true
	} else {
		problems = append(problems, "POST /Users answer has no id; Okta needs it to address the user from then on")
		if id, lerr := e.lookupID(ctx, c, u); lerr == nil {
			u.ID = id
			c.notef("found the created user by its unique field instead: id %s (so that cleanup can reach it)", id)
		} else {
			c.notef("could not find the created user by its unique field either: %v", lerr)
		}
	}
	if obj != nil {
		if got := stringAt(obj, "userName"); !strings.EqualFold(got, u.UserName) {
			problems = append(problems, fmt.Sprintf("answer's userName is %q, sent %q", got, u.UserName))
		}
		if got, ok := activeOf(obj); !ok {
			problems = append(problems, "answer has no boolean active; Okta reads it to set the app user's status")
		} else if got != u.Active {
			problems = append(problems, fmt.Sprintf("answer's active is %v, sent %v", got, u.Active))
		}
	}
	return r, obj, problems, nil
}

// lookupID finds a created user by its unique field, the way the agent links existing users.
func (e *env) lookupID(ctx context.Context, c *checkRun, u *testUser) (string, error) {
	r, err := c.call(ctx, "GET", "Users", filterQuery(e.d.ExistenceFilter(u), false), nil)
	if err != nil {
		return "", err
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		return "", fmt.Errorf("filter lookup answered %d %s", r.Status, snippet(r.Body))
	}
	items, _ := e.d.ListResources(obj)
	if len(items) != 1 {
		return "", fmt.Errorf("filter lookup found %d users, want 1", len(items))
	}
	id, ok := idOf(items[0])
	if !ok {
		return "", fmt.Errorf("filter lookup result has no id")
	}
	return id, nil
}

// fixtureUser creates a user another check needs; failing to do so fails that check.
func (e *env) fixtureUser(ctx context.Context, c *checkRun, label string, active bool) *testUser {
	u := e.newUser(label, active)
	if _, _, err := e.createUser(ctx, c, u); err != nil {
		c.failf("prerequisite: could not create a test user: %v", err)
		return nil
	}
	if u.ID == "" {
		c.failf("prerequisite: the created test user has no id")
		return nil
	}
	return u
}

// sharedUser is one active user that read-only checks share, created on first use.
func (e *env) sharedUser(ctx context.Context, c *checkRun) *testUser {
	if e.shared == nil && e.sharedErr == nil {
		u := e.newUser("shared", true)
		if _, _, err := e.createUser(ctx, c, u); err != nil {
			e.sharedErr = err
		} else if u.ID == "" {
			e.sharedErr = fmt.Errorf("the created test user has no id")
		} else {
			e.shared = u
		}
	}
	if e.sharedErr != nil {
		c.failf("prerequisite: could not create the shared test user: %v", e.sharedErr)
		return nil
	}
	return e.shared
}

// putUser sends the whole user, as the agent does for every update, and wants a 2xx.
func (e *env) putUser(ctx context.Context, c *checkRun, u *testUser) (*response, error) {
	r, err := c.call(ctx, "PUT", "Users/"+url.PathEscape(u.ID), "", e.d.UserBody(u))
	if err != nil {
		return nil, err
	}
	if r.Status < 200 || r.Status > 299 {
		return r, fmt.Errorf("PUT /Users/%s answered %d %s", u.ID, r.Status, snippet(r.Body))
	}
	return r, nil
}

// getUser reads one user back; ok is false (with a failure recorded) when that did not work.
func (e *env) getUser(ctx context.Context, c *checkRun, id string) (map[string]any, bool) {
	r, err := c.call(ctx, "GET", "Users/"+url.PathEscape(id), "", nil)
	if err != nil {
		c.failf("%v", err)
		return nil, false
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		c.failf("GET /Users/%s answered %d %s, want 200 with the user", id, r.Status, snippet(r.Body))
		return nil, false
	}
	return obj, true
}

// createGroup POSTs g and registers it for cleanup when the connector accepted it.
func (e *env) createGroup(ctx context.Context, c *checkRun, g *testGroup) (*response, []string, error) {
	r, err := c.call(ctx, "POST", "Groups", "", e.d.GroupBody(g))
	if err != nil {
		return nil, nil, err
	}
	if r.Status < 200 || r.Status > 299 {
		return r, nil, fmt.Errorf("POST /Groups answered %d %s", r.Status, snippet(r.Body))
	}
	e.groups = append(e.groups, g)
	var problems []string
	obj, ok := r.object()
	if !ok {
		problems = append(problems, fmt.Sprintf("POST /Groups answer is not a JSON group: %s", snippet(r.Body)))
	}
	if id, ok := idOf(obj); ok {
		if id == g.DisplayName+"-client-id" {
			c.warnf("the connector kept the client-supplied group id; the agent's id is not meant to be honoured")
		}
		g.ID = id
	} else {
		problems = append(problems, "POST /Groups answer has no id")
	}
	if obj != nil && stringAt(obj, "displayName") != g.DisplayName {
		problems = append(problems, fmt.Sprintf("answer's displayName is %q, sent %q", stringAt(obj, "displayName"), g.DisplayName))
	}
	return r, problems, nil
}

func (e *env) fixtureGroup(ctx context.Context, c *checkRun, label string) *testGroup {
	g := e.newGroup(label)
	if _, _, err := e.createGroup(ctx, c, g); err != nil {
		c.failf("prerequisite: could not create a test group: %v", err)
		return nil
	}
	if g.ID == "" {
		c.failf("prerequisite: the created test group has no id")
		return nil
	}
	return g
}

func (e *env) sharedGroupFor(ctx context.Context, c *checkRun) *testGroup {
	if e.sharedGroup == nil && e.sharedGErr == nil {
		g := e.newGroup("shared")
		if _, _, err := e.createGroup(ctx, c, g); err != nil {
			e.sharedGErr = err
		} else if g.ID == "" {
			e.sharedGErr = fmt.Errorf("the created test group has no id")
		} else {
			e.sharedGroup = g
		}
	}
	if e.sharedGErr != nil {
		c.failf("prerequisite: could not create the shared test group: %v", e.sharedGErr)
		return nil
	}
	return e.sharedGroup
}

// cleanup deactivates every created user that may still be active (SCIM 1.1 has no user
// DELETE) and deletes every created group. It never addresses anything it did not create.
func (e *env) cleanup(ctx context.Context, rep *Report) {
	if len(e.users) == 0 && len(e.groups) == 0 {
		return
	}
	if e.opts.KeepData {
		for _, u := range e.users {
			rep.Leftovers = append(rep.Leftovers, fmt.Sprintf("user %s id=%q active=%v", u.UserName, u.ID, u.Active))
		}
		for _, g := range e.groups {
			if !g.Deleted {
				rep.Leftovers = append(rep.Leftovers, fmt.Sprintf("group %s id=%q", g.DisplayName, g.ID))
			}
		}
		rep.Checks = append(rep.Checks, CheckResult{Name: "cleanup", Status: Skip, Reason: "--keep-data: test data left in place (listed below)"})
		return
	}
	res := e.runCheck(ctx, checkDef{Name: "cleanup", Fn: func(ctx context.Context, c *checkRun) {
		deactivated, purged, deleted := 0, 0, 0
		var kept []string // users a purge could not delete, and why
		for _, u := range e.users {
			if u.ID == "" {
				c.failf("user %s: the connector never told its id, so it cannot be deactivated", u.UserName)
				rep.Leftovers = append(rep.Leftovers, "user "+u.UserName+" (no id known)")
				continue
			}
			if e.opts.Purge {
				gone, why := e.purgeUser(ctx, c, u)
				if gone {
					purged++
					continue
				}
				kept = append(kept, fmt.Sprintf("user %s id=%q (%s)", u.UserName, u.ID, why))
			}
			if u.Active {
				u.Active = false
				if _, err := e.putUser(ctx, c, u); err != nil {
					c.failf("deactivate %s: %v", u.UserName, err)
					rep.Leftovers = append(rep.Leftovers, fmt.Sprintf("user %s id=%q (still active)", u.UserName, u.ID))
					continue
				}
				deactivated++
			}
		}
		rep.Leftovers = append(rep.Leftovers, kept...)
		for _, g := range e.groups {
			if g.Deleted {
				continue
			}
			if g.ID == "" {
				rep.Leftovers = append(rep.Leftovers, "group "+g.DisplayName+" (no id known)")
				continue
			}
			r, err := c.call(ctx, "DELETE", "Groups/"+url.PathEscape(g.ID), "", nil)
			switch {
			case err != nil:
				c.failf("delete group %s: %v", g.DisplayName, err)
			case r.Status == http.StatusNotFound, r.Status >= 200 && r.Status <= 299:
				deleted++
				g.Deleted = true
				continue
			default:
				c.failf("delete group %s answered %d %s", g.DisplayName, r.Status, snippet(r.Body))
			}
			rep.Leftovers = append(rep.Leftovers, fmt.Sprintf("group %s id=%q", g.DisplayName, g.ID))
		}
		// Without --purge users are deactivated, not deleted, in both dialects: the Okta agent
		// never deletes them, and a connector may map DELETE to something irreversible.
		if e.opts.Purge {
			rep.Cleanup = append(rep.Cleanup, fmt.Sprintf("deleted %d of the %s the run created (--purge), deactivated %s, deleted %s",
				purged, plural(len(e.users), "test user"), plural(deactivated, "other user"), plural(deleted, "test group")))
		} else {
			rep.Cleanup = append(rep.Cleanup, fmt.Sprintf("deactivated %s (%d created; test users are deactivated, never deleted, unless --purge), deleted %s",
				plural(deactivated, "test user"), len(e.users), plural(deleted, "test group")))
		}
	}})
	rep.Checks = append(rep.Checks, res)
}

// purgeUser deletes u where the connector allows it, and reports whether u is really gone: a
// connector may answer a DELETE by only deactivating (the bridge does where the application
// cannot delete), so a 2xx is followed by a read. why says what kept u otherwise.
func (e *env) purgeUser(ctx context.Context, c *checkRun, u *testUser) (gone bool, why string) {
	r, err := c.call(ctx, "DELETE", "Users/"+url.PathEscape(u.ID), "", nil)
	switch {
	case err != nil:
		return false, "DELETE failed: " + err.Error()
	case r.Status == http.StatusNotFound:
		return true, ""
	case r.Status < 200 || r.Status > 299:
		return false, fmt.Sprintf("the connector does not delete users: DELETE answered %d", r.Status)
	}
	g, err := c.call(ctx, "GET", "Users/"+url.PathEscape(u.ID), "", nil)
	if err == nil && g.Status == http.StatusNotFound {
		return true, ""
	}
	u.Active = false // what such a connector does instead; no second deactivation needed
	return false, "DELETE answered but the user is still there (the connector deactivates instead)"
}

// plural spells a count with its noun: "1 page", "2 pages".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
