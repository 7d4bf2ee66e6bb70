package conformance

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

const capabilitiesCheck = "getImplementedUserManagementCapabilities"

// allChecks is the registry, in run order: discovery first, the Okta tester's methods, the
// scenarios, the protocol checks, and the shape checks last so they see every answer.
func allChecks() []checkDef {
	out := []checkDef{
		{Name: capabilitiesCheck, Doc: "GET /ServiceProviderConfigs answers 200 with both schema URNs and a list of known capability names.",
			Fn: func(ctx context.Context, c *checkRun) { checkCapabilities(ctx, c) }},
		{Name: "auth.required", Doc: "Calls without credentials, or with wrong ones, are refused with 401 or 403, unknown paths included.",
			Fn: checkAuthRequired},
		{Name: "createNewUser", Needs: []string{CapPushNewUsers}, Doc: "POST /Users with an active user answers 200 with the user, a new id, and active true.",
			Fn: func(ctx context.Context, c *checkRun) { checkCreate(ctx, c, true) }},
		{Name: "createPendingUser", Needs: []string{CapPushPendingUsers}, Doc: "POST /Users with active false answers with a new id and active false.",
			Fn: func(ctx context.Context, c *checkRun) { checkCreate(ctx, c, false) }},
		{Name: "checkUserExists", Needs: []string{CapPushNewUsers}, Doc: "The existence filter on the unique field finds exactly the created user, and a miss answers 200 with an empty list.",
			Fn: checkUserExists},
		{Name: "importUserProfile", Needs: []string{CapPushNewUsers, CapImportProfileUpdates}, Doc: "GET /Users/{id} answers 200 with the same id and userName.",
			Fn: checkImportUserProfile},
		{Name: "downloadUsers", Needs: []string{CapImportNewUsers}, Doc: "Paging GET /Users with count=100 ends consistently and lists the created user exactly once.",
			Fn: checkDownloadUsers},
		{Name: "activateUser", Needs: []string{CapPushPendingUsers}, Doc: "PUT of a pending user with active true answers with active true (Okta reads it).",
			Fn: checkActivate},
		{Name: "deactivateUser", Needs: []string{CapPushNewUsers, CapPushUserDeactivation}, Doc: "PUT with active false answers 2xx and the user reads back inactive.",
			Fn: checkDeactivate},
		{Name: "reactivateUser", Needs: []string{CapPushNewUsers, CapPushUserDeactivation, CapReactivateUsers}, Doc: "PUT with active true on a deactivated user answers 2xx and the user reads back active.",
			Fn: checkReactivate},
		{Name: "pushPasswordUpdate", Needs: []string{CapPushNewUsers, CapPushPasswordUpdates}, Doc: "PUT of the whole user with a new password answers 2xx.",
			Fn: checkPassword},
		{Name: "pushProfileUpdate", Needs: []string{CapPushNewUsers, CapPushProfileUpdates}, Doc: "PUT of the whole user with a changed profile answers 2xx with the new values, and they read back.",
			Fn: checkProfile},
		{Name: "createGroup", Needs: []string{CapGroupPush}, Doc: "POST /Groups answers 200 with a new id (not the client-supplied one) and the displayName.",
			Fn: checkCreateGroup},
		{Name: "getGroupById", Needs: []string{CapGroupPush}, Doc: "GET /Groups/{id} answers 200 with the same id and displayName.",
			Fn: checkGetGroup},
		{Name: "updateGroup", Needs: []string{CapGroupPush}, Doc: "PUT /Groups/{id} with a new name and member list answers 2xx, and both read back.",
			Fn: checkUpdateGroup},
		{Name: "updateGroup.two-put", Needs: []string{CapGroupPush, CapPushNewUsers}, Doc: "The two-PUT membership pattern reported for old agents (full list, then only the delta or an empty list): what the connector keeps is reported, a loss of members as a warning.",
			Fn: checkGroupTwoPUT},
		{Name: "downloadGroups", Needs: []string{CapImportNewUsers}, Doc: "Paging GET /Groups with count=100 ends consistently and lists the created group exactly once.",
			Fn: checkDownloadGroups},
		{Name: "deleteGroup", Needs: []string{CapGroupPush}, Doc: "DELETE /Groups/{id} answers 2xx and the group is gone (404) afterwards.",
			Fn: checkDeleteGroup},
		{Name: "lifecycle", Needs: []string{CapPushNewUsers}, Doc: "The agent's whole sequence on one user: assign, pending, activate, profile, password, deactivate, reactivate, group push, import, incremental import; each step as its capability allows.",
			Fn: checkLifecycle},
		{Name: "import.incremental", Needs: []string{CapPushNewUsers, CapPushProfileUpdates, CapIncrementalImports}, Doc: "meta.lastModified gt \"<time>\" lists a user changed after the time and not one untouched since.",
			Fn: checkIncremental},
		{Name: "paging", Needs: []string{CapImportNewUsers}, Doc: "Paging all users with count=7 and with count=100: no duplicates, no gaps, integer-consistent totals, the same order, count honoured.",
			Fn: func(ctx context.Context, c *checkRun) { checkPaging(ctx, c, "Users") }},
		{Name: "paging.groups", Needs: []string{CapImportNewUsers}, Doc: "The same paging rules for GET /Groups.",
			Fn: func(ctx context.Context, c *checkRun) { checkPaging(ctx, c, "Groups") }},
		{Name: "errors.404", Doc: "Unknown user and group ids answer 404 with a JSON body, never HTML.",
			Fn: checkErrors404},
		{Name: "errors.409.user", Needs: []string{CapPushNewUsers}, Doc: "Creating a user that already exists answers 409 (JSON) or links to the same id; never a second user.",
			Fn: checkDuplicateUser},
		{Name: "errors.409.group", Needs: []string{CapGroupPush}, Doc: "Creating a group with an existing displayName answers 409 with a JSON body.",
			Fn: checkDuplicateGroup},
		{Name: "filter.bad", Doc: "An unparsable filter answers 400 with a JSON body.",
			Fn: checkBadFilter},
		{Name: "filter.plus-encoding", Needs: []string{CapPushNewUsers}, Doc: "The existence filter with + for spaces (as 2014 tester runs sent it) finds the same user.",
			Fn: checkPlusEncoding},
	}
	return append(append(out, checks20()...), []checkDef{
		{Name: "shape.schemas", Doc: "Every user, group and list answer declares urn:scim:schemas:core:1.0, and every extension key it uses.",
			Fn: shapeCheck("shape.schemas")},
		{Name: "shape.attributes", Doc: "Users and groups carry no top-level attribute outside the SCIM 1.1 core set.",
			Fn: shapeCheck("shape.attributes")},
		{Name: "shape.resources", Doc: "List answers spell \"Resources\" exactly and always carry it, empty or not.",
			Fn: shapeCheck("shape.resources")},
		{Name: "shape.counters", Doc: "totalResults, startIndex and itemsPerPage are JSON integers.",
			Fn: shapeCheck("shape.counters")},
		{Name: "shape.password", Doc: "No answer echoes a password.",
			Fn: shapeCheck("shape.password")},
	}...)
}

// checkCapabilities reads the advertised capabilities; ok is false when they could not be read.
func checkCapabilities(ctx context.Context, c *checkRun) (caps []string, ok bool) {
	path := c.env.d.CapabilitiesPath()
	r, err := c.call(ctx, "GET", path, "", nil)
	if err != nil {
		c.failf("%v", err)
		return nil, false
	}
	obj, isObj := r.object()
	if r.Status != http.StatusOK || !isObj {
		c.failf("GET /%s answered %d %s, want 200 with a JSON object; Okta then assumes every capability", path, r.Status, snippet(r.Body))
		return nil, false
	}
	caps, problems := c.env.d.ParseCapabilities(obj)
	for _, p := range problems {
		c.failf("%s", p)
	}
	for _, cp := range caps {
		if !slices.Contains(AllCapabilities, cp) {
			c.warnf("unknown capability %q (not in any Okta SDK; the agent ignores it)", cp)
		}
	}
	c.notef("Capabilities found - %d: %s", len(caps), strings.Join(caps, ", "))
	return caps, len(problems) == 0 || caps != nil
}

func checkAuthRequired(ctx context.Context, c *checkRun) {
	e := c.env
	if len(e.opts.Header) == 0 && e.opts.BasicUser == "" {
		c.skipf("no credentials given (--header or --basic); nothing to withhold")
		return
	}
	probes := []struct {
		path, query string
		mode        authMode
		what        string
	}{
		{e.d.CapabilitiesPath(), "", authNone, "without credentials"},
		{"Users", "startIndex=1&count=1", authNone, "without credentials"},
		{"sbtest-" + e.runID + "-no-such-path", "", authNone, "without credentials (unknown path)"},
		{"Users", "startIndex=1&count=1", authWrong, "with wrong credentials"},
	}
	for _, p := range probes {
		r, err := e.cl.do(ctx, c, "GET", p.path, p.query, nil, p.mode)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		if r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
			c.failf("GET /%s %s answered %d, want 401 or 403", p.path, p.what, r.Status)
		}
	}
}

func checkCreate(ctx context.Context, c *checkRun, active bool) {
	label := "new"
	if !active {
		label = "pending"
	}
	u := c.env.newUser(label, active)
	_, problems, err := c.env.createUser(ctx, c, u)
	if err != nil {
		c.failf("%v", err)
		return
	}
	for _, p := range problems {
		c.failf("%s", p)
	}
	if u.IDFromAnswer {
		c.notef("Okta will use the ID %s to identify this user in the future", u.ID)
	}
}

func checkUserExists(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	f := e.d.ExistenceFilter(u)
	items, ok := e.filterList(ctx, c, f, false)
	if ok {
		switch {
		case len(items) != 1:
			c.failf("filter %s found %s, want exactly the one created", f, plural(len(items), "user"))
		default:
			id, _ := idOf(items[0])
			if id != u.ID {
				c.failf("filter %s found id %q, want %q", f, id, u.ID)
			} else {
				state := "INACTIVE"
				if a, _ := activeOf(items[0]); a {
					state = "ACTIVE"
				}
				c.notef("the ID %s will be used as the externalId for this user in Okta; returned as %s", id, state)
			}
		}
	}
	miss := e.newUser("absent", true)
	f = e.d.ExistenceFilter(miss)
	r, err := c.call(ctx, "GET", "Users", filterQuery(f, false), nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	obj, isObj := r.object()
	if r.Status != http.StatusOK || !isObj {
		c.failf("filter matching nothing answered %d %s; want 200 with totalResults 0 and \"Resources\":[] (anything else fails the assignment in Okta)", r.Status, snippet(r.Body))
		return
	}
	items, lc := e.d.ListResources(obj)
	if len(items) != 0 || lc.Total != 0 {
		c.failf("filter matching nothing returned %d resources, totalResults %d; want none", len(items), lc.Total)
	}
}

// filterList runs one filtered query (one page, as the agent's existence check does).
func (e *env) filterList(ctx context.Context, c *checkRun, f string, plus bool) ([]map[string]any, bool) {
	r, err := c.call(ctx, "GET", "Users", filterQuery(f, plus), nil)
	if err != nil {
		c.failf("%v", err)
		return nil, false
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		c.failf("filter %s answered %d %s, want 200 with a list", f, r.Status, snippet(r.Body))
		return nil, false
	}
	items, _ := e.d.ListResources(obj)
	return items, true
}

func checkImportUserProfile(ctx context.Context, c *checkRun) {
	u := c.env.sharedUser(ctx, c)
	if u == nil {
		return
	}
	obj, ok := c.env.getUser(ctx, c, u.ID)
	if !ok {
		return
	}
	if id, _ := idOf(obj); id != u.ID {
		c.failf("GET /Users/%s answered a user with id %q", u.ID, id)
	}
	if got := stringAt(obj, "userName"); !strings.EqualFold(got, u.UserName) {
		c.failf("GET /Users/%s answered userName %q, want %q", u.ID, got, u.UserName)
	}
}

func checkDownloadUsers(ctx context.Context, c *checkRun) {
	var own *testUser
	if c.env.has(CapPushNewUsers) {
		if own = c.env.sharedUser(ctx, c); own == nil {
			return
		}
	}
	downloadAndFind(ctx, c, "Users", own.idOrEmpty())
}

func (u *testUser) idOrEmpty() string {
	if u == nil {
		return ""
	}
	return u.ID
}

func (g *testGroup) idOrEmpty() string {
	if g == nil {
		return ""
	}
	return g.ID
}

// downloadAndFind pages a listing with count=100 as the agent's import does and, when ownID is
// set, wants it listed exactly once.
func downloadAndFind(ctx context.Context, c *checkRun, resource, ownID string) {
	w, err := c.env.walk(ctx, c, resource, "", 100)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if w.TooMany {
		c.skipf("too many %s to page within --max-pages=%d", strings.ToLower(resource), c.env.opts.MaxPages)
		return
	}
	for _, p := range w.Problems {
		c.failf("%s", p)
	}
	if ownID != "" {
		if n := count(w.IDs, ownID); n != 1 {
			c.failf("the created %s (id %s) appears %d times in the listing, want once", strings.TrimSuffix(strings.ToLower(resource), "s"), ownID, n)
		}
	}
	c.notef("%s listed in %s", plural(len(w.IDs), strings.TrimSuffix(strings.ToLower(resource), "s")), plural(w.Pages, "page"))
}

func count(ids []string, id string) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

func checkActivate(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "activate", false)
	if u == nil {
		return
	}
	u.Active = true
	r, err := e.putUser(ctx, c, u)
	if err != nil {
		c.failf("%v", err)
		return
	}
	obj, ok := r.object()
	if !ok {
		c.failf("the activation answer is not a JSON user %s; Okta reads active from it", snippet(r.Body))
		return
	}
	switch a, ok := activeOf(obj); {
	case !ok:
		c.failf("the activation answer has no active attribute; Okta reads it")
	case !a:
		c.failf("the activation answer says active=false; Okta will record the app user as inactive")
	default:
		c.notef("will return to Okta that the user's active state is: true")
	}
}

func checkDeactivate(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "deactivate", true)
	if u == nil {
		return
	}
	u.Active = false
	if _, err := e.putUser(ctx, c, u); err != nil {
		c.failf("%v", err)
		u.Active = true // so that cleanup tries again
		return
	}
	e.verifyActive(ctx, c, u, false)
}

// verifyActive reads the user back when the connector lets us import profiles.
func (e *env) verifyActive(ctx context.Context, c *checkRun, u *testUser, want bool) {
	if !e.has(CapImportProfileUpdates) {
		c.notef("not read back: IMPORT_PROFILE_UPDATES is not advertised")
		return
	}
	obj, ok := e.getUser(ctx, c, u.ID)
	if !ok {
		return
	}
	if a, ok := activeOf(obj); !ok || a != want {
		c.failf("after the PUT, GET /Users/%s says active=%v, want %v", u.ID, obj["active"], want)
	}
}

func checkReactivate(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "reactivate", true)
	if u == nil {
		return
	}
	u.Active = false
	if _, err := e.putUser(ctx, c, u); err != nil {
		c.failf("prerequisite: deactivation failed: %v", err)
		u.Active = true
		return
	}
	u.Active = true
	if _, err := e.putUser(ctx, c, u); err != nil {
		c.failf("%v", err)
		u.Active = false
		return
	}
	e.verifyActive(ctx, c, u, true)
}

func checkPassword(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "password", true)
	if u == nil {
		return
	}
	u.Password = "Sb-" + e.runID + "-Changed2!"
	if _, err := e.putUser(ctx, c, u); err != nil {
		c.failf("%v", err)
		return
	}
	c.notef("the new password itself cannot be verified over SCIM; check a login in the target app")
}

func checkProfile(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "profile", true)
	if u == nil {
		return
	}
	u.FamilyName = "Taylor" + e.runID
	u.Department = "Conformance Testing Management"
	r, err := e.putUser(ctx, c, u)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if obj, ok := r.object(); ok {
		if got := stringAt(obj, "name", "familyName"); got != u.FamilyName {
			c.failf("the PUT answer has familyName %q, want %q; with \"Accept user updates\" Okta stores the answer", got, u.FamilyName)
		}
	} else {
		c.warnf("the PUT answer is not the updated user; with \"Accept user updates\" Okta expects it")
	}
	if !e.has(CapImportProfileUpdates) {
		return
	}
	if obj, ok := e.getUser(ctx, c, u.ID); ok {
		if got := stringAt(obj, "name", "familyName"); got != u.FamilyName {
			c.failf("after the PUT, GET /Users/%s has familyName %q, want %q", u.ID, got, u.FamilyName)
		}
	}
}
