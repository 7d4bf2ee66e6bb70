package adapter

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
)

// groupFixture starts a server over a backend with users u1…u5 and group G holding u1, u2, u3.
func groupFixture(t *testing.T, mutate func(*Config)) (*harness, *hookBackend, string) {
	t.Helper()
	hb, mem := newHook(memory.Options{})
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		if _, err := mem.CreateUser(ctx, &backend.User{UserName: fmt.Sprintf("m%d@x", i)}); err != nil {
			t.Fatal(err)
		}
	}
	g, err := mem.CreateGroup(ctx, &backend.Group{DisplayName: "G", Description: "d",
		Members: []backend.Member{{Value: "u1"}, {Value: "u2"}, {Value: "u3"}}})
	if err != nil {
		t.Fatal(err)
	}
	return newHarness(t, hb, mutate), hb, g.ID
}

func members(t *testing.T, hb *hookBackend, gid string) []string {
	t.Helper()
	g, err := hb.Backend.GetGroup(context.Background(), gid)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range g.Members {
		out = append(out, m.Value)
	}
	slices.Sort(out)
	return out
}

func groupBody(members string) []byte {
	return []byte(`{"schemas":["urn:scim:schemas:core:1.0","urn:okta:custom:group:1.0"],"displayName":"G","members":[` + members + `],"urn:okta:custom:group:1.0":{"description":"d"}}`)
}

func TestGroupPutReplaceMode(t *testing.T) {
	h, hb, gid := groupFixture(t, nil)
	r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u2"},{"value":"u4"},{"value":"u4"},{"value":"nobody"}`))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); !slices.Equal(got, []string{"u2", "u4"}) {
		t.Errorf("replace: members %v, want [u2 u4] (dedupe, unknown skipped)", got)
	}
	if n := len(r.json(t)["members"].([]any)); n != 2 {
		t.Errorf("response shows %d members", n)
	}
	// The same PUT again changes nothing and calls no update.
	calls := len(hb.updates)
	h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u2"},{"value":"u4"}`))
	if len(hb.updates) != calls {
		t.Errorf("an identical PUT sent an update: %+v", hb.updates[calls:])
	}
	// Without `members` the membership is left alone; the rename still happens.
	h.do("PUT", "/Groups/"+gid, []byte(`{"displayName":"G2"}`))
	if got := members(t, hb, gid); !slices.Equal(got, []string{"u2", "u4"}) {
		t.Errorf("PUT without members changed them: %v", got)
	}
	// Delta syntax in replace mode: only the flagged member goes, nothing is replaced wholesale.
	h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u4","operation":"delete"},{"value":"u5"}`))
	if got := members(t, hb, gid); !slices.Equal(got, []string{"u2", "u5"}) {
		t.Errorf("delta PUT: %v, want [u2 u5]", got)
	}
	// Renaming onto another group's name is a 409 in the SDK shape.
	if _, err := hb.Backend.CreateGroup(context.Background(), &backend.Group{DisplayName: "Other"}); err != nil {
		t.Fatal(err)
	}
	wantError(t, h.do("PUT", "/Groups/"+gid, []byte(`{"displayName":"other"}`)), 409, codeDuplicateGroup)
	wantError(t, h.do("PUT", "/Groups/g999", groupBody(`{"value":"u1"}`)), 404, codeNotFound)
}

func TestGroupPutMergeMode(t *testing.T) {
	h, hb, gid := groupFixture(t, func(c *Config) { c.Groups.Membership = "merge" })
	// The agent's reported second PUT carrying only the new member must not drop the others.
	h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u4"}`))
	if got := members(t, hb, gid); !slices.Equal(got, []string{"u1", "u2", "u3", "u4"}) {
		t.Errorf("merge add: %v", got)
	}
	// An empty member list removes nothing in merge mode.
	if r := h.do("PUT", "/Groups/"+gid, groupBody(``)); r.status != 200 {
		t.Errorf("empty merge PUT: %d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); len(got) != 4 {
		t.Errorf("empty merge PUT removed members: %v", got)
	}
	// Removals only through operation: delete (idempotent: twice is fine).
	for range 2 {
		if r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u1","operation":"delete"}`)); r.status != 200 {
			t.Fatalf("delta removal: %d %s", r.status, r.raw)
		}
	}
	if got := members(t, hb, gid); !slices.Equal(got, []string{"u2", "u3", "u4"}) {
		t.Errorf("merge delete: %v", got)
	}
}

func TestGroupPutGuards(t *testing.T) {
	h, hb, gid := groupFixture(t, nil)
	// Emptying a non-empty group is refused by default, naming the setting, and changes nothing.
	e := wantError(t, h.do("PUT", "/Groups/"+gid, groupBody(``)), 409, codeGroupGuard)
	if !strings.Contains(e["description"].(string), "groups.allowEmptying") {
		t.Errorf("guard description %v", e["description"])
	}
	// Also through delete-flagged members, and even with a rename in the same PUT.
	wantError(t, h.do("PUT", "/Groups/"+gid, []byte(`{"displayName":"New","members":[{"value":"u1","operation":"delete"},{"value":"u2","operation":"delete"},{"value":"u3","operation":"delete"}]}`)), 409, codeGroupGuard)
	if got := members(t, hb, gid); len(got) != 3 {
		t.Errorf("refused PUT changed members: %v", got)
	}
	if g, _ := hb.Backend.GetGroup(context.Background(), gid); g.DisplayName != "G" {
		t.Errorf("refused PUT renamed the group")
	}
	// Swapping all members for others is not emptying.
	if r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u4"}`)); r.status != 200 {
		t.Errorf("swap: %d %s", r.status, r.raw)
	}

	h, hb, gid = groupFixture(t, func(c *Config) { c.Groups.AllowEmptying = true; c.Groups.MaxRemovals = 2 })
	e = wantError(t, h.do("PUT", "/Groups/"+gid, groupBody(``)), 409, codeGroupGuard)
	if !strings.Contains(e["description"].(string), "groups.maxRemovals") {
		t.Errorf("maxRemovals description %v", e["description"])
	}
	if r := h.do("PUT", "/Groups/"+gid, groupBody(`{"value":"u3"}`)); r.status != 200 {
		t.Errorf("two removals within the limit: %d %s", r.status, r.raw)
	}
	if r := h.do("PUT", "/Groups/"+gid, groupBody(``)); r.status != 200 {
		t.Errorf("emptying allowed by configuration: %d %s", r.status, r.raw)
	}
	if got := members(t, hb, gid); len(got) != 0 {
		t.Errorf("members %v", got)
	}
	// An empty group may always receive an empty PUT.
	if r := h.do("PUT", "/Groups/"+gid, groupBody(``)); r.status != 200 {
		t.Errorf("empty PUT on an empty group: %d", r.status)
	}
}

func TestGroupPlanIsPure(t *testing.T) {
	cur := &backend.Group{DisplayName: "G", Members: []backend.Member{{Value: "a"}, {Value: "b"}}}
	d := &wire11{codec: scim11.New("onprem_app", "custom"), cfg: &Config{}}
	in, err := d.decodeGroup([]byte(`{"members":[{"value":"b"},{"value":"c"},{"value":"b","operation":"delete"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	p := planGroup(GroupsConfig{Membership: "replace"}, cur, in)
	// A delete flag wins over a plain listing of the same id; the list is a delta, so a stays.
	if !slices.Equal(p.change.Add, []string{"c"}) || !slices.Equal(p.change.Remove, []string{"b"}) || p.refusal != "" {
		t.Errorf("plan %+v", p)
	}
	if len(cur.Members) != 2 {
		t.Errorf("planning changed the current group")
	}
}
