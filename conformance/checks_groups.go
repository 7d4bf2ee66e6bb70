package conformance

import (
	"context"
	"net/http"
	"net/url"
)

func checkCreateGroup(ctx context.Context, c *checkRun) {
	e := c.env
	g := e.newGroup("group")
	if e.has(CapPushNewUsers) {
		// Okta only pushes members it has provisioned, so the member is one of ours.
		if u := e.sharedUser(ctx, c); u != nil {
			g.Members = []*testUser{u}
		} else {
			return
		}
	}
	_, problems, err := e.createGroup(ctx, c, g)
	if err != nil {
		c.failf("%v", err)
		return
	}
	for _, p := range problems {
		c.failf("%s", p)
	}
	if g.ID != "" {
		c.notef("Okta will use the ID %s to identify this group in the future", g.ID)
	}
}

func checkGetGroup(ctx context.Context, c *checkRun) {
	e := c.env
	g := e.sharedGroupFor(ctx, c)
	if g == nil {
		return
	}
	obj, ok := e.getGroup(ctx, c, g.ID)
	if !ok {
		return
	}
	if id, _ := idOf(obj); id != g.ID {
		c.failf("GET /Groups/%s answered a group with id %q", g.ID, id)
	}
	if got := stringAt(obj, "displayName"); got != g.DisplayName {
		c.failf("GET /Groups/%s answered displayName %q, want %q", g.ID, got, g.DisplayName)
	}
}

func (e *env) getGroup(ctx context.Context, c *checkRun, id string) (map[string]any, bool) {
	r, err := c.call(ctx, "GET", "Groups/"+url.PathEscape(id), "", nil)
	if err != nil {
		c.failf("%v", err)
		return nil, false
	}
	obj, ok := r.object()
	if r.Status != http.StatusOK || !ok {
		c.failf("GET /Groups/%s answered %d %s, want 200 with the group", id, r.Status, snippet(r.Body))
		return nil, false
	}
	return obj, true
}

func checkUpdateGroup(ctx context.Context, c *checkRun) {
	e := c.env
	g := e.fixtureGroup(ctx, c, "update")
	if g == nil {
		return
	}
	var member *testUser
	if e.has(CapPushNewUsers) {
		if member = e.sharedUser(ctx, c); member == nil {
			return
		}
		g.Members = []*testUser{member}
	}
	g.DisplayName += "-renamed"
	r, err := c.call(ctx, "PUT", "Groups/"+url.PathEscape(g.ID), "", e.d.GroupBody(g))
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status < 200 || r.Status > 299 {
		c.failf("PUT /Groups/%s answered %d %s", g.ID, r.Status, snippet(r.Body))
		return
	}
	obj, ok := e.getGroup(ctx, c, g.ID)
	if !ok {
		return
	}
	if got := stringAt(obj, "displayName"); got != g.DisplayName {
		c.failf("after the PUT the group is named %q, want %q", got, g.DisplayName)
	}
	if member != nil && !hasMember(obj, member.ID) {
		c.failf("after the PUT the group's members do not include user %s", member.ID)
	}
}

func hasMember(group map[string]any, id string) bool {
	members, _ := group["members"].([]any)
	for _, m := range members {
		if mm, ok := m.(map[string]any); ok && stringAt(mm, "value") == id {
			return true
		}
	}
	return false
}

func checkDownloadGroups(ctx context.Context, c *checkRun) {
	var own *testGroup
	if c.env.has(CapGroupPush) {
		if own = c.env.sharedGroupFor(ctx, c); own == nil {
			return
		}
	}
	downloadAndFind(ctx, c, "Groups", own.idOrEmpty())
}

func checkDeleteGroup(ctx context.Context, c *checkRun) {
	e := c.env
	g := e.fixtureGroup(ctx, c, "delete")
	if g == nil {
		return
	}
	r, err := c.call(ctx, "DELETE", "Groups/"+url.PathEscape(g.ID), "", nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status < 200 || r.Status > 299 {
		c.failf("DELETE /Groups/%s answered %d %s", g.ID, r.Status, snippet(r.Body))
		return
	}
	g.Deleted = true
	r, err = c.call(ctx, "GET", "Groups/"+url.PathEscape(g.ID), "", nil)
	if err != nil {
		c.failf("%v", err)
		return
	}
	if r.Status != http.StatusNotFound {
		c.failf("after DELETE, GET /Groups/%s answered %d, want 404", g.ID, r.Status)
	}
}

func checkDuplicateGroup(ctx context.Context, c *checkRun) {
	e := c.env
	g := e.sharedGroupFor(ctx, c)
	if g == nil {
		return
	}
	dup := &testGroup{Label: "dup", DisplayName: g.DisplayName, Description: g.Description}
	r, err := c.call(ctx, "POST", "Groups", "", e.d.GroupBody(dup))
	if err != nil {
		c.failf("%v", err)
		return
	}
	switch {
	case r.Status == http.StatusConflict:
		if _, ok := r.JSON.(map[string]any); !ok {
			c.failf("409 answer is not JSON %s; the agent shows the raw body to admins and Okta's clients fail on non-JSON", snippet(r.Body))
		}
	case r.Status >= 200 && r.Status <= 299:
		if obj, ok := r.object(); ok {
			if id, ok := idOf(obj); ok && id != g.ID {
				dup.ID = id
				e.groups = append(e.groups, dup)
			}
		}
		c.failf("a second group named %q was accepted with %d; want 409 (duplicate group)", g.DisplayName, r.Status)
	default:
		c.failf("duplicate group answered %d %s, want 409", r.Status, snippet(r.Body))
	}
}
