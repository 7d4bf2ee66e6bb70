package conformance

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The SCIM 2.0-only checks: the PATCH forms the Okta agent in v2 mode and Microsoft Entra send
// (docs/okta-agent-protocol.md: v2-mode, v2-patch-forms), discovery, and the RFC 7644 error shape.

func checks20() []checkDef {
	return append([]checkDef{
		{Name: "v2.discovery", Dialect: "2.0", Doc: "GET /ResourceTypes lists User as a ListResponse (by id or name); GET /Schemas, also a ListResponse, includes the core User and enterprise schemas.",
			Fn: checkDiscovery20},
		{Name: "v2.patch.okta", Dialect: "2.0", Needs: []string{CapPushNewUsers, CapPushUserDeactivation}, Doc: "Okta's path-less PATCH replace {active:false}, {active:true} and {password} answer 200 with the user or 204, and the state reads back.",
			Fn: checkPatchOkta},
		{Name: "v2.patch.entra", Dialect: "2.0", Needs: []string{CapPushNewUsers, CapPushProfileUpdates}, Doc: "Entra's PATCH forms: \"op\":\"Replace\", \"value\":\"False\", emails[type eq \"work\"].value, enterprise URN paths, path-less object values; the changes read back.",
			Fn: checkPatchEntra},
		{Name: "v2.patch.groups", Dialect: "2.0", Needs: []string{CapPushNewUsers, CapGroupPush}, Doc: "Group PATCH: Okta rename with id, add members, remove members[value eq \"id\"], Entra remove with a value list, replace members [] on an empty group; membership reads back.",
			Fn: checkPatchGroups},
		{Name: "v2.errors", Dialect: "2.0", Doc: "404, 409 and bad-filter answers carry the RFC 7644 Error schema with status as a string, scimType uniqueness and invalidFilter.",
			Fn: checkErrors20},
	}, checks20RFC()...)
}

func patchOp(ops ...map[string]any) map[string]any {
	list := make([]any, len(ops))
	for i, o := range ops {
		list[i] = o
	}
	return map[string]any{"schemas": []any{patchURN20}, "Operations": list}
}

// patch sends a PatchOp and wants 200 with a JSON resource or 204.
func (e *env) patch(ctx context.Context, c *checkRun, path string, body map[string]any, what string) bool {
	r, err := c.call(ctx, "PATCH", path, "", body)
	if err != nil {
		c.failf("%s: %v", what, err)
		return false
	}
	switch r.Status {
	case http.StatusNoContent:
		return true
	case http.StatusOK:
		if _, ok := r.object(); !ok {
			c.failf("%s: PATCH /%s answered 200 without a JSON resource %s", what, path, snippet(r.Body))
			return false
		}
		return true
	}
	c.failf("%s: PATCH /%s answered %d %s, want 200 with the resource or 204", what, path, r.Status, snippet(r.Body))
	return false
}

func checkDiscovery20(ctx context.Context, c *checkRun) {
	for _, p := range []struct {
		path string
		want []string
	}{
		{"ResourceTypes", []string{"User"}},
		{"Schemas", []string{userURN20, enterpriseURN20}},
	} {
		r, err := c.call(ctx, "GET", p.path, "", nil)
		if err != nil {
			c.failf("%v", err)
			continue
		}
		obj, ok := r.object()
		if r.Status != http.StatusOK || !ok {
			c.failf("GET /%s answered %d %s, want 200 with a ListResponse", p.path, r.Status, snippet(r.Body))
			continue
		}
		if !hasSchema(obj, listURN20) {
			c.failf("GET /%s: schemas does not declare %s", p.path, listURN20)
		}
		items, _ := c.env.d.ListResources(obj)
		var ids []string
		for _, it := range items {
			id, _ := idOf(it)
			if id == "" {
				// RFC 7643 §6 makes a ResourceType's name required and its id optional.
				id = stringAt(it, "name")
			}
			ids = append(ids, id)
		}
		for _, w := range p.want {
			if !slices.ContainsFunc(ids, func(s string) bool { return strings.EqualFold(s, w) }) {
				c.failf("GET /%s does not list %s (found %s)", p.path, w, strings.Join(ids, ", "))
			}
		}
	}
}

func checkPatchOkta(ctx context.Context, c *checkRun) {
	e := c.env
	u := e.fixtureUser(ctx, c, "patchokta", true)
	if u == nil {
		return
	}
	path := "Users/" + url.PathEscape(u.ID)
	if !e.patch(ctx, c, path, patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}), "deactivate") {
		return
	}
	u.Active = false
	e.verifyActive(ctx, c, u, false)
	if !e.patch(ctx, c, path, patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": true}}), "reactivate") {
		return
	}
	u.Active = true
	e.verifyActive(ctx, c, u, true)
	if e.has(CapPushPasswordUpdates) {
		pw := "Sb-" + e.runID + "-Pw2!"
		if e.patch(ctx, c, path, patchOp(map[string]any{"op": "replace", "value": map[string]any{"password": pw}}), "password") {
			// Later PUTs (cleanup) must carry the current password, as the agent does; re-sending an
			// older one would rightly be refused by a legacy password-history policy.
			u.Password = pw
		}
	}
}

// enterpriseCandidates are the enterprise attributes Entra's default mapping sends, in the order
// the Entra check prefers them. employeeNumber and manager are left out: the first is often the
// unique key or immutable in the legacy app, the second is a reference, not a plain string.
var enterpriseCandidates = []string{"department", "costCenter", "division", "organization"}

// declaredEnterpriseAttr reads GET /Schemas and returns the first enterprise attribute of
// enterpriseCandidates that the connector declares as a writable string. A connector that maps no
// enterprise attribute is conformant: Entra only sends what its attribute mapping names, and an
// admin maps what the connector declares. An unreadable /Schemas is v2.discovery's failure, not
// this check's, so it counts as "nothing declared".
func (e *env) declaredEnterpriseAttr(ctx context.Context, c *checkRun) string {
	r, err := c.call(ctx, "GET", "Schemas", "", nil)
	if err != nil {
		return ""
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		return ""
	}
	items, _ := e.d.ListResources(obj)
	for _, it := range items {
		if id, _ := idOf(it); !strings.EqualFold(id, enterpriseURN20) {
			continue
		}
		declared := map[string]bool{}
		for _, a := range asAnyList(it["attributes"]) {
			am, _ := a.(map[string]any)
			name, _ := am["name"].(string)
			typ, _ := am["type"].(string)
			mut, _ := am["mutability"].(string)
			ret, _ := am["returned"].(string)
			// RFC 7643 §7 defaults: mutability readWrite, returned default. The check must be
			// able to write the attribute and read it back.
			writable := mut == "" || strings.EqualFold(mut, "readWrite")
			readable := !strings.EqualFold(ret, "never")
			if name != "" && (typ == "" || strings.EqualFold(typ, "string")) && writable && readable {
				declared[strings.ToLower(name)] = true
			}
		}
		for _, cand := range enterpriseCandidates {
			if declared[strings.ToLower(cand)] {
				return cand
			}
		}
	}
	return ""
}

func checkPatchEntra(ctx context.Context, c *checkRun) {
	e := c.env
	// The enterprise URN path form is exercised on an attribute the connector declares and
	// stores, learnt first: a connector that does not map department must not fail for it.
	entAttr := e.declaredEnterpriseAttr(ctx, c)
	u := e.newUser("patchentra", true)
	if entAttr != "" {
		u.Enterprise = map[string]string{entAttr: "Before Entra"}
	}
	if _, _, err := e.createUser(ctx, c, u); err != nil {
		c.failf("prerequisite: could not create a test user: %v", err)
		return
	}
	if u.ID == "" {
		c.failf("prerequisite: the created test user has no id")
		return
	}
	path := "Users/" + url.PathEscape(u.ID)
	if entAttr != "" {
		obj, ok := e.getUser(ctx, c, u.ID)
		if !ok {
			return
		}
		if got := stringAt(obj, enterpriseURN20, entAttr); got != "Before Entra" {
			c.warnf("/Schemas declares %s:%s, but a user created with it reads back %q: the connector does not store it, so Entra's enterprise URN path form was not verified", enterpriseURN20, entAttr, got)
			entAttr = ""
		}
	} else {
		c.notef("/Schemas declares none of %s in %s: Entra's enterprise URN path form was not exercised", strings.Join(enterpriseCandidates, ", "), enterpriseURN20)
	}
	work := "work-" + u.UserName
	ops := []map[string]any{
		{"op": "Replace", "path": "active", "value": "False"},
		{"op": "Replace", "path": `emails[type eq "work"].value`, "value": work},
	}
	if entAttr != "" {
		ops = append(ops, map[string]any{"op": "Add", "path": enterpriseURN20 + ":" + entAttr, "value": "Entra Dept"})
	}
	ops = append(ops, map[string]any{"op": "Replace", "value": map[string]any{"name.givenName": "Entra"}})
	if !e.patch(ctx, c, path, patchOp(ops...), "Entra PATCH") {
		return
	}
	u.Active = false
	if entAttr != "" {
		u.Enterprise[entAttr] = "Entra Dept" // later PUTs (cleanup) send the current value
	}
	u.GivenName = "Entra"
	obj, ok := e.getUser(ctx, c, u.ID)
	if !ok {
		return
	}
	if a, ok := activeOf(obj); !ok || a {
		c.failf("\"value\":\"False\" did not deactivate the user (active reads %v)", obj["active"])
	}
	if !strings.Contains(jsonText(obj["emails"]), work) {
		c.failf("emails[type eq \"work\"].value did not change the work email: %s", jsonText(obj["emails"]))
	}
	if entAttr != "" {
		if got := stringAt(obj, enterpriseURN20, entAttr); got != "Entra Dept" {
			c.failf("%s:%s reads %q, want %q", enterpriseURN20, entAttr, got, "Entra Dept")
		}
	}
	if got := stringAt(obj, "name", "givenName"); got != "Entra" {
		c.failf("path-less replace with key name.givenName: givenName reads %q", got)
	}
	if got := stringAt(obj, "name", "familyName"); got != u.FamilyName {
		c.failf("a PATCH of givenName changed familyName to %q; PATCH must leave other attributes alone", got)
	}
}

func memberIDs(g map[string]any) []string {
	var out []string
	for _, m := range asAnyList(g["members"]) {
		if mm, ok := m.(map[string]any); ok {
			if id, ok := mm["value"].(string); ok {
				out = append(out, id)
			}
		}
	}
	slices.Sort(out)
	return out
}

func asAnyList(v any) []any { l, _ := v.([]any); return l }

func checkPatchGroups(ctx context.Context, c *checkRun) {
	e := c.env
	a := e.fixtureUser(ctx, c, "gpa", true)
	b := e.fixtureUser(ctx, c, "gpb", true)
	g := e.fixtureGroup(ctx, c, "patchgroup")
	if a == nil || b == nil || g == nil {
		return
	}
	path := "Groups/" + url.PathEscape(g.ID)
	if !e.patch(ctx, c, path, patchOp(map[string]any{"op": "replace", "path": "members", "value": []any{}}), "replace members [] on an empty group") {
		return
	}
	g.DisplayName += "-renamed"
	steps := []struct {
		what string
		body map[string]any
		want []string
	}{
		{"Okta rename with id", patchOp(map[string]any{"op": "replace", "value": map[string]any{"id": g.ID, "displayName": g.DisplayName}}), nil},
		{"Okta add members", patchOp(map[string]any{"op": "add", "path": "members", "value": []any{
			map[string]any{"value": a.ID, "display": a.UserName}, map[string]any{"value": b.ID, "display": b.UserName}}}), []string{a.ID, b.ID}},
		{"Okta remove members[value eq]", patchOp(map[string]any{"op": "remove", "path": fmt.Sprintf("members[value eq %s]", quote(a.ID))}), []string{b.ID}},
		{"Entra Add members", patchOp(map[string]any{"op": "Add", "path": "members", "value": []any{map[string]any{"value": a.ID}}}), []string{a.ID, b.ID}},
		{"Entra Remove members with a value list", patchOp(map[string]any{"op": "Remove", "path": "members", "value": []any{map[string]any{"value": b.ID}}}), []string{a.ID}},
		{"Okta replace members with a list", patchOp(map[string]any{"op": "replace", "path": "members", "value": []any{
			map[string]any{"value": b.ID, "display": b.UserName}}}), []string{b.ID}},
		{"path-less replace of members", patchOp(map[string]any{"op": "replace", "value": map[string]any{"members": []any{
			map[string]any{"value": a.ID}, map[string]any{"value": b.ID}}}}), []string{a.ID, b.ID}},
	}
	for _, s := range steps {
		if !e.patch(ctx, c, path, s.body, s.what) {
			return
		}
		obj, ok := e.getGroup(ctx, c, g.ID)
		if !ok {
			return
		}
		want := slices.Clone(s.want)
		slices.Sort(want)
		if got := memberIDs(obj); !slices.Equal(got, want) {
			c.failf("%s: members read back as %v, want %v", s.what, got, want)
		}
		if stringAt(obj, "displayName") != g.DisplayName {
			c.failf("%s: displayName reads %q, want %q", s.what, stringAt(obj, "displayName"), g.DisplayName)
		}
	}
}

func checkErrors20(ctx context.Context, c *checkRun) {
	e := c.env
	wantErr := func(r *response, status int, scimType, what string) {
		obj, ok := r.object()
		switch {
		case r.Status != status:
			c.failf("%s answered %d, want %d", what, r.Status, status)
		case !ok:
			c.failf("%s: %s", what, errorBodyProblem(r))
		case !hasSchema(obj, errorURN20):
			c.failf("%s: the error does not declare %s", what, errorURN20)
		case obj["status"] != fmt.Sprint(status):
			c.failf("%s: status is %s, want the string %q (RFC 7644 §3.12)", what, jsonText(obj["status"]), fmt.Sprint(status))
		case scimType != "" && obj["scimType"] != scimType:
			c.failf("%s: scimType is %s, want %q", what, jsonText(obj["scimType"]), scimType)
		}
	}
	r, err := c.call(ctx, "GET", "Users/"+url.PathEscape("sbtest-"+e.runID+"-missing"), "", nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	wantErr(r, http.StatusNotFound, "", "GET of an unknown user")
	r, err = c.call(ctx, "GET", "Users", "filter="+url.QueryEscape("userName eq")+"&startIndex=1&count=1", nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	wantErr(r, http.StatusBadRequest, "invalidFilter", "an unparsable filter")
	if !e.has(CapPushNewUsers) {
		return
	}
	u := e.sharedUser(ctx, c)
	if u == nil {
		return
	}
	dup := *u
	dup.ID = ""
	r, err = c.call(ctx, "POST", "Users", "", e.d.UserBody(&dup))
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status >= 200 && r.Status <= 299 {
		if id, _ := idOf(mustObject(r)); id != u.ID {
			// A second user: cleanup must reach it, so it needs the id the connector gave it.
			dup.ID, dup.Label = id, "dup"
			e.users = append(e.users, &dup)
		}
	}
	wantErr(r, http.StatusConflict, "uniqueness", "creating an existing userName")
}

func mustObject(r *response) map[string]any {
	m, _ := r.object()
	return m
}
