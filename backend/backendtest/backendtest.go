package backendtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// Run runs the conformance suite against backends made by newBackend (called once per sub-test,
// so a sub-test may get a fresh backend or a shared one). Sub-tests follow the contract methods and
// are skipped when Capabilities says the method is not supported. The suite never assumes an empty
// backend: everything it creates has a unique name, and it only reasons about what it created.
func Run(t *testing.T, newBackend func(t *testing.T) backend.Backend) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s *suite)
	}{
		{"CreateGetUser", testCreateGetUser},
		{"CreatePendingUser", testCreatePending},
		{"CreateDuplicateUser", testCreateDuplicate},
		{"GetUnknownUser", testGetUnknownUser},
		{"ListUsersPaging", testListUsersPaging},
		{"FilterUserName", testFilterUserName},
		{"FilterEmails", testFilterEmails},
		{"FilterLastModified", testFilterLastModified},
		{"ReplaceUser", testReplaceUser},
		{"SetPassword", testSetPassword},
		{"DeleteUser", testDeleteUser},
		{"CreateGetGroup", testCreateGetGroup},
		{"ListGroupsPaging", testListGroupsPaging},
		{"UpdateGroup", testUpdateGroup},
		{"DeleteGroup", testDeleteGroup},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend(t)
			tc.fn(t, &suite{b: b, caps: b.Capabilities(), run: randomHex()})
		})
	}
}

type suite struct {
	b    backend.Backend
	caps backend.Capabilities
	run  string
	seq  int
}

func randomHex() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// name returns a name unique to this run, so that a seeded backend never collides with us.
func (s *suite) name(prefix string) string {
	s.seq++
	return fmt.Sprintf("bt%s-%s-%d", s.run, prefix, s.seq)
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Skipf("backend does not claim %s", what)
	}
}

func wantKind(t *testing.T, err error, k backend.Kind, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want kind %s", what, k)
	}
	if got := backend.KindOf(err); got != k {
		t.Fatalf("%s: got kind %s (%v), want %s", what, got, err, k)
	}
}

func hasShape(c backend.Capabilities, shape string) bool {
	return slices.Contains(c.FilterUsers, shape)
}

// newUser builds a user with every attribute the Okta agent sends.
func (s *suite) newUser(active bool) *backend.User {
	n := s.name("user")
	return &backend.User{
		ID:           "client-chosen-id",
		UserName:     n + "@example.test",
		ExternalID:   "ext-" + n,
		Name:         backend.Name{GivenName: "Given" + n, FamilyName: "Family" + n, Formatted: "Given Family"},
		DisplayName:  "Display " + n,
		Emails:       []backend.MultiValue{{Value: n + "@example.test", Type: "work", Primary: true}, {Value: n + "@home.test", Type: "home"}},
		PhoneNumbers: []backend.MultiValue{{Value: "+1 555 0100", Type: "mobile"}},
		Active:       active,
		Password:     "Initial-" + n + "-9!",
		Custom:       map[string]any{"departmentName": "Dept " + n, "isAdmin": false},
		Enterprise:   map[string]any{"employeeNumber": "E" + n},
	}
}

func (s *suite) create(t *testing.T, u *backend.User) *backend.User {
	t.Helper()
	got, err := s.b.CreateUser(ctx(t), u)
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", u.UserName, err)
	}
	if got.ID == "" {
		t.Fatalf("CreateUser returned no id")
	}
	if s.caps.DeleteUser {
		id := got.ID
		t.Cleanup(func() { _ = s.b.DeleteUser(context.Background(), id) })
	}
	return got
}

// checkEcho fails when an attribute the backend returned differs from what was sent: a backend
// may leave out what it cannot store, but what it claims to store must round-trip.
func checkEcho(t *testing.T, sent, got *backend.User) {
	t.Helper()
	if !strings.EqualFold(got.UserName, sent.UserName) {
		t.Errorf("userName = %q, want %q", got.UserName, sent.UserName)
	}
	if got.Active != sent.Active {
		t.Errorf("active = %v, want %v", got.Active, sent.Active)
	}
	if got.Password != "" {
		t.Errorf("a backend must never return the password")
	}
	pairs := [][3]string{
		{"externalId", got.ExternalID, sent.ExternalID},
		{"name.givenName", got.Name.GivenName, sent.Name.GivenName},
		{"name.familyName", got.Name.FamilyName, sent.Name.FamilyName},
		{"displayName", got.DisplayName, sent.DisplayName},
	}
	for _, p := range pairs {
		if p[1] != "" && p[1] != p[2] {
			t.Errorf("%s = %q, want %q", p[0], p[1], p[2])
		}
	}
	for _, e := range got.Emails {
		if !slices.ContainsFunc(sent.Emails, func(x backend.MultiValue) bool { return strings.EqualFold(x.Value, e.Value) }) {
			t.Errorf("emails has %q, which was never sent", e.Value)
		}
	}
	for k, v := range got.Custom {
		if sv, ok := sent.Custom[k]; ok && fmt.Sprint(sv) != fmt.Sprint(v) {
			t.Errorf("custom %s = %v, want %v", k, v, sv)
		}
	}
	for k, v := range got.Enterprise {
		if sv, ok := sent.Enterprise[k]; ok && fmt.Sprint(sv) != fmt.Sprint(v) {
			t.Errorf("enterprise %s = %v, want %v", k, v, sv)
		}
	}
}

func testCreateGetUser(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.GetUser, "CreateUser and GetUser")
	in := s.newUser(true)
	created := s.create(t, in)
	if created.ID == in.ID {
		t.Errorf("CreateUser kept the client's id %q; ids are the backend's", in.ID)
	}
	if url.PathEscape(created.ID) != created.ID {
		t.Errorf("id %q is not URL-safe", created.ID)
	}
	checkEcho(t, in, created)
	got, err := s.b.GetUser(ctx(t), created.ID)
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	checkEcho(t, in, got)
	if got.ID != created.ID || got.UserName != created.UserName || got.Active != created.Active ||
		got.Name != created.Name || got.ExternalID != created.ExternalID || len(got.Emails) != len(created.Emails) {
		t.Errorf("GetUser differs from CreateUser:\n get    %+v\n create %+v", got, created)
	}
	if !created.Meta.LastModified.IsZero() && !got.Meta.LastModified.Equal(created.Meta.LastModified) {
		t.Errorf("lastModified moved without a change: %v → %v", created.Meta.LastModified, got.Meta.LastModified)
	}
}

func testCreatePending(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.GetUser, "CreateUser and GetUser")
	created := s.create(t, s.newUser(false))
	if created.Active {
		t.Fatalf("a user created with active=false came back active")
	}
	got, err := s.b.GetUser(ctx(t), created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Active {
		t.Errorf("stored pending user is active")
	}
}

func testCreateDuplicate(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser, "CreateUser")
	in := s.newUser(true)
	s.create(t, in)
	dup := s.newUser(true)
	dup.UserName = strings.ToUpper(in.UserName)
	_, err := s.b.CreateUser(ctx(t), dup)
	wantKind(t, err, backend.Conflict, "CreateUser with an existing userName (other case)")
}

func testGetUnknownUser(t *testing.T, s *suite) {
	need(t, s.caps.GetUser, "GetUser")
	_, err := s.b.GetUser(ctx(t), "no-such-user-"+s.run)
	wantKind(t, err, backend.NotFound, "GetUser(unknown)")
}

// pageAll walks every page of size count and returns the ids in order, failing on duplicates,
// oversized pages or a changing total. The loop is bounded by the first page's total.
func pageAllUsers(t *testing.T, b backend.Backend, count int) ([]string, int) {
	t.Helper()
	first, err := b.ListUsers(ctx(t), backend.Query{StartIndex: 1, Count: 0})
	if err != nil {
		t.Fatalf("ListUsers(count 0): %v", err)
	}
	if len(first.Users) != 0 {
		t.Errorf("count 0 returned %d users, want none", len(first.Users))
	}
	total := first.Total
	var ids []string
	seen := map[string]bool{}
	for start := 1; start <= total; start += count {
		p, err := b.ListUsers(ctx(t), backend.Query{StartIndex: start, Count: count})
		if err != nil {
			t.Fatalf("ListUsers(start %d): %v", start, err)
		}
		if p.Total != total {
			t.Fatalf("total changed between pages: %d then %d", total, p.Total)
		}
		want := min(count, total-start+1)
		if len(p.Users) != want {
			t.Fatalf("page at %d has %d users, want %d", start, len(p.Users), want)
		}
		for _, u := range p.Users {
			if seen[u.ID] {
				t.Fatalf("user %s appears twice while paging", u.ID)
			}
			seen[u.ID] = true
			ids = append(ids, u.ID)
		}
	}
	return ids, total
}

func testListUsersPaging(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.ListUsers, "CreateUser and ListUsers")
	var mine []string
	for range 7 {
		mine = append(mine, s.create(t, s.newUser(true)).ID)
	}
	ids, total := pageAllUsers(t, s.b, 3)
	if len(ids) != total {
		t.Fatalf("paging saw %d users, total says %d", len(ids), total)
	}
	for _, id := range mine {
		if !slices.Contains(ids, id) {
			t.Errorf("created user %s missing from the listing", id)
		}
	}
	again, _ := pageAllUsers(t, s.b, 2)
	if !slices.Equal(ids, again) {
		t.Errorf("order is not stable between listings with different page sizes")
	}
	past, err := s.b.ListUsers(ctx(t), backend.Query{StartIndex: total + 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Users) != 0 || past.Total != total {
		t.Errorf("startIndex past the end: %d users, total %d; want 0, %d", len(past.Users), past.Total, total)
	}
	all, err := s.b.ListUsers(ctx(t), backend.Query{StartIndex: 1, Count: -1})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != total || len(all.Users) > total {
		t.Errorf("unpaged listing: %d users, total %d; want ≤%d, %d", len(all.Users), all.Total, total, total)
	}
}

func eq(p filter.AttrPath, v string) filter.Compare {
	return filter.Compare{Path: p, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: v}}
}

func (s *suite) list(t *testing.T, f filter.Expr) []backend.User {
	t.Helper()
	p, err := s.b.ListUsers(ctx(t), backend.Query{Filter: f, StartIndex: 1, Count: 100})
	if err != nil {
		t.Fatalf("ListUsers(%s): %v", f, err)
	}
	if p.Total != len(p.Users) {
		t.Errorf("ListUsers(%s): total %d for %d users on a single page", f, p.Total, len(p.Users))
	}
	return p.Users
}

func ids(us []backend.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	slices.Sort(out)
	return out
}

func testFilterUserName(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.ListUsers && hasShape(s.caps, "username eq"), `the "username eq" filter`)
	a := s.create(t, s.newUser(true))
	s.create(t, s.newUser(true))
	got := s.list(t, eq(filter.AttrPath{Name: "userName"}, strings.ToUpper(a.UserName)))
	if !slices.Equal(ids(got), []string{a.ID}) {
		t.Errorf(`userName eq (other case) found %v, want [%s]`, ids(got), a.ID)
	}
	if got := s.list(t, eq(filter.AttrPath{Name: "userName"}, "nobody-"+s.run+"@example.test")); len(got) != 0 {
		t.Errorf("a filter miss returned %d users", len(got))
	}
}

func testFilterEmails(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.ListUsers && hasShape(s.caps, "emails.value eq"), `the "emails.value eq" filter`)
	a := s.create(t, s.newUser(true))
	b := s.create(t, s.newUser(true))
	if len(a.Emails) == 0 || len(b.Emails) == 0 {
		t.Skip("backend does not store emails")
	}
	path := filter.AttrPath{Name: "emails", Sub: "value"}
	got := s.list(t, eq(path, a.Emails[0].Value))
	if !slices.Equal(ids(got), []string{a.ID}) {
		t.Errorf("emails.value eq found %v, want [%s]", ids(got), a.ID)
	}
	if !hasShape(s.caps, "emails.value eq or") {
		return
	}
	or := filter.Or{Left: eq(path, strings.ToUpper(a.Emails[0].Value)), Right: eq(path, b.Emails[0].Value)}
	got = s.list(t, or)
	want := ids([]backend.User{*a, *b})
	if !slices.Equal(ids(got), want) {
		t.Errorf("emails OR form found %v, want %v", ids(got), want)
	}
}

func gt(t time.Time) filter.Compare {
	return filter.Compare{Path: filter.AttrPath{Name: "meta", Sub: "lastModified"}, Op: filter.Gt,
		Value: filter.Value{Kind: filter.String, Str: t.UTC().Format(time.RFC3339Nano)}}
}

func testFilterLastModified(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.ListUsers && s.caps.IncrementalImport, "IncrementalImport")
	a := s.create(t, s.newUser(true))
	if a.Meta.LastModified.IsZero() {
		t.Fatal("IncrementalImport is claimed but users have no lastModified")
	}
	b := s.create(t, s.newUser(true))
	// A backend with a coarse clock may stamp both in the same tick: wait for the next second
	// (bounded) and change b so that it is strictly newer.
	for i := 0; i < 3 && !b.Meta.LastModified.After(a.Meta.LastModified); i++ {
		wait := time.Until(a.Meta.LastModified.Truncate(time.Second).Add(1100 * time.Millisecond))
		time.Sleep(max(0, min(wait, 1100*time.Millisecond)))
		if !s.caps.ReplaceUser {
			t.Skip("cannot make a strictly newer user on this backend's clock")
		}
		b.Name.FamilyName += "x"
		var err error
		if b, err = s.b.ReplaceUser(ctx(t), b.ID, b); err != nil {
			t.Fatal(err)
		}
	}
	got := ids(s.list(t, gt(a.Meta.LastModified)))
	if slices.Contains(got, a.ID) {
		t.Errorf("meta.lastModified gt its own lastModified returned the user: gt must be strict")
	}
	if !slices.Contains(got, b.ID) {
		t.Errorf("meta.lastModified gt %v misses a user modified at %v", a.Meta.LastModified, b.Meta.LastModified)
	}
	if got := ids(s.list(t, gt(b.Meta.LastModified))); slices.Contains(got, b.ID) || slices.Contains(got, a.ID) {
		t.Errorf("gt the newest lastModified returned %v", got)
	}
}

func testReplaceUser(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.GetUser && s.caps.ReplaceUser, "CreateUser, GetUser and ReplaceUser")
	u := s.create(t, s.newUser(true))
	next := *u
	next.Name.FamilyName = "Changed" + s.run
	next.Emails = []backend.MultiValue{{Value: "changed-" + u.UserName, Type: "work", Primary: true}}
	next.Password = "must-be-ignored"
	got, err := s.b.ReplaceUser(ctx(t), u.ID, &next)
	if err != nil {
		t.Fatalf("ReplaceUser: %v", err)
	}
	if got.Password != "" {
		t.Errorf("ReplaceUser returned a password")
	}
	if got.Name.FamilyName != "" && got.Name.FamilyName != next.Name.FamilyName {
		t.Errorf("familyName = %q, want %q", got.Name.FamilyName, next.Name.FamilyName)
	}
	if len(got.Emails) > 0 && !strings.EqualFold(got.Emails[0].Value, next.Emails[0].Value) {
		t.Errorf("emails = %+v, want %s", got.Emails, next.Emails[0].Value)
	}
	stored, err := s.b.GetUser(ctx(t), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Name.FamilyName != got.Name.FamilyName {
		t.Errorf("GetUser after ReplaceUser: familyName %q, ReplaceUser said %q", stored.Name.FamilyName, got.Name.FamilyName)
	}
	if s.caps.Activation {
		for _, active := range []bool{false, true, false} {
			next.Active = active
			got, err := s.b.ReplaceUser(ctx(t), u.ID, &next)
			if err != nil {
				t.Fatalf("ReplaceUser(active=%v): %v", active, err)
			}
			if got.Active != active {
				t.Errorf("ReplaceUser(active=%v) returned active=%v", active, got.Active)
			}
			stored, err := s.b.GetUser(ctx(t), u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Active != active {
				t.Errorf("after ReplaceUser(active=%v) GetUser says active=%v", active, stored.Active)
			}
		}
	}
	_, err = s.b.ReplaceUser(ctx(t), "no-such-user-"+s.run, &next)
	wantKind(t, err, backend.NotFound, "ReplaceUser(unknown)")
}

func testSetPassword(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.SetPassword, "CreateUser and SetPassword")
	u := s.create(t, s.newUser(true))
	if err := s.b.SetPassword(ctx(t), u.ID, "Changed-"+s.run+"-7!x"); err != nil {
		t.Fatalf("SetPassword: %v", err)
	}
	if err := s.b.SetPassword(ctx(t), "no-such-user-"+s.run, "Changed-"+s.run+"-7!y"); err == nil {
		t.Errorf("SetPassword on an unknown user succeeded")
	}
}

func testDeleteUser(t *testing.T, s *suite) {
	need(t, s.caps.CreateUser && s.caps.GetUser && s.caps.DeleteUser, "DeleteUser")
	u := s.create(t, s.newUser(true))
	if err := s.b.DeleteUser(ctx(t), u.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	_, err := s.b.GetUser(ctx(t), u.ID)
	wantKind(t, err, backend.NotFound, "GetUser after DeleteUser")
	wantKind(t, s.b.DeleteUser(ctx(t), u.ID), backend.NotFound, "DeleteUser twice")
}

func (s *suite) createGroup(t *testing.T, g *backend.Group) *backend.Group {
	t.Helper()
	got, err := s.b.CreateGroup(ctx(t), g)
	if err != nil {
		t.Fatalf("CreateGroup(%s): %v", g.DisplayName, err)
	}
	if got.ID == "" || url.PathEscape(got.ID) != got.ID {
		t.Fatalf("CreateGroup returned id %q: want a non-empty URL-safe id", got.ID)
	}
	if s.caps.DeleteGroup {
		id := got.ID
		t.Cleanup(func() { _ = s.b.DeleteGroup(context.Background(), id) })
	}
	return got
}

func memberIDs(g *backend.Group) []string {
	out := make([]string, len(g.Members))
	for i, m := range g.Members {
		out[i] = m.Value
	}
	slices.Sort(out)
	return out
}

func sorted(xs ...string) []string {
	slices.Sort(xs)
	return xs
}

func testCreateGetGroup(t *testing.T, s *suite) {
	need(t, s.caps.CreateGroup && s.caps.GetGroup && s.caps.CreateUser, "CreateGroup, GetGroup and CreateUser")
	u := s.create(t, s.newUser(true))
	in := &backend.Group{ID: "client-chosen", DisplayName: s.name("group"), Description: "described",
		Members: []backend.Member{{Value: u.ID}, {Value: "no-such-user-" + s.run}}}
	g := s.createGroup(t, in)
	if g.ID == in.ID {
		t.Errorf("CreateGroup kept the client's id")
	}
	if g.DisplayName != in.DisplayName {
		t.Errorf("displayName = %q, want %q", g.DisplayName, in.DisplayName)
	}
	if g.Description != "" && g.Description != in.Description {
		t.Errorf("description = %q, want %q", g.Description, in.Description)
	}
	if !slices.Equal(memberIDs(g), []string{u.ID}) {
		t.Errorf("members = %v, want [%s] (unknown ids skipped)", memberIDs(g), u.ID)
	}
	got, err := s.b.GetGroup(ctx(t), g.ID)
	if err != nil {
		t.Fatalf("GetGroup: %v", err)
	}
	if got.DisplayName != g.DisplayName || !slices.Equal(memberIDs(got), memberIDs(g)) || got.Description != g.Description {
		t.Errorf("GetGroup differs from CreateGroup: %+v vs %+v", got, g)
	}
	_, err = s.b.CreateGroup(ctx(t), &backend.Group{DisplayName: strings.ToUpper(in.DisplayName)})
	wantKind(t, err, backend.Conflict, "CreateGroup with an existing name (other case)")
	_, err = s.b.GetGroup(ctx(t), "no-such-group-"+s.run)
	wantKind(t, err, backend.NotFound, "GetGroup(unknown)")
}

func testListGroupsPaging(t *testing.T, s *suite) {
	need(t, s.caps.CreateGroup && s.caps.ListGroups, "CreateGroup and ListGroups")
	var mine []string
	for range 5 {
		mine = append(mine, s.createGroup(t, &backend.Group{DisplayName: s.name("group")}).ID)
	}
	first, err := s.b.ListGroups(ctx(t), backend.Query{StartIndex: 1, Count: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Groups) != 0 {
		t.Errorf("count 0 returned %d groups", len(first.Groups))
	}
	total := first.Total
	seen := map[string]bool{}
	for start := 1; start <= total; start += 2 {
		p, err := s.b.ListGroups(ctx(t), backend.Query{StartIndex: start, Count: 2})
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != total || len(p.Groups) != min(2, total-start+1) {
			t.Fatalf("page at %d: %d groups, total %d (want total %d)", start, len(p.Groups), p.Total, total)
		}
		for _, g := range p.Groups {
			if seen[g.ID] {
				t.Fatalf("group %s appears twice while paging", g.ID)
			}
			seen[g.ID] = true
		}
	}
	if len(seen) != total {
		t.Errorf("saw %d groups, total says %d", len(seen), total)
	}
	for _, id := range mine {
		if !seen[id] {
			t.Errorf("created group %s missing from the listing", id)
		}
	}
	past, err := s.b.ListGroups(ctx(t), backend.Query{StartIndex: total + 1, Count: 5})
	if err != nil {
		t.Fatal(err)
	}
	if len(past.Groups) != 0 || past.Total != total {
		t.Errorf("startIndex past the end: %d groups, total %d", len(past.Groups), past.Total)
	}
}

func testUpdateGroup(t *testing.T, s *suite) {
	need(t, s.caps.CreateGroup && s.caps.UpdateGroup && s.caps.GetGroup && s.caps.CreateUser, "CreateGroup, UpdateGroup, GetGroup and CreateUser")
	u1 := s.create(t, s.newUser(true))
	u2 := s.create(t, s.newUser(true))
	g := s.createGroup(t, &backend.Group{DisplayName: s.name("group"), Members: []backend.Member{{Value: u1.ID}}})
	other := s.createGroup(t, &backend.Group{DisplayName: s.name("group")})

	rename := s.name("renamed")
	ch := backend.GroupChange{DisplayName: &rename, Add: []string{u2.ID}, Remove: []string{u1.ID}}
	for i := range 2 { // the second time must change nothing: updates are idempotent
		got, err := s.b.UpdateGroup(ctx(t), g.ID, ch)
		if err != nil {
			t.Fatalf("UpdateGroup #%d: %v", i+1, err)
		}
		if got.DisplayName != rename || !slices.Equal(memberIDs(got), []string{u2.ID}) {
			t.Errorf("UpdateGroup #%d: %q %v, want %q [%s]", i+1, got.DisplayName, memberIDs(got), rename, u2.ID)
		}
	}
	got, err := s.b.UpdateGroup(ctx(t), g.ID, backend.GroupChange{Add: []string{u1.ID, "no-such-user-" + s.run}, Remove: []string{"not-a-member-" + s.run}})
	if err != nil {
		t.Fatalf("UpdateGroup with unknown ids: %v", err)
	}
	if !slices.Equal(memberIDs(got), sorted(u1.ID, u2.ID)) {
		t.Errorf("members = %v, want %v", memberIDs(got), sorted(u1.ID, u2.ID))
	}
	stored, err := s.b.GetGroup(ctx(t), g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(memberIDs(stored), memberIDs(got)) || stored.DisplayName != rename {
		t.Errorf("GetGroup after UpdateGroup: %+v", stored)
	}
	taken := other.DisplayName
	_, err = s.b.UpdateGroup(ctx(t), g.ID, backend.GroupChange{DisplayName: &taken})
	wantKind(t, err, backend.Conflict, "UpdateGroup renaming to another group's name")
	_, err = s.b.UpdateGroup(ctx(t), "no-such-group-"+s.run, backend.GroupChange{Add: []string{u1.ID}})
	wantKind(t, err, backend.NotFound, "UpdateGroup(unknown)")
}

func testDeleteGroup(t *testing.T, s *suite) {
	need(t, s.caps.CreateGroup && s.caps.DeleteGroup && s.caps.GetGroup, "CreateGroup, DeleteGroup and GetGroup")
	g := s.createGroup(t, &backend.Group{DisplayName: s.name("group")})
	if err := s.b.DeleteGroup(ctx(t), g.ID); err != nil {
		t.Fatalf("DeleteGroup: %v", err)
	}
	_, err := s.b.GetGroup(ctx(t), g.ID)
	wantKind(t, err, backend.NotFound, "GetGroup after DeleteGroup")
	wantKind(t, s.b.DeleteGroup(ctx(t), g.ID), backend.NotFound, "DeleteGroup(unknown)")
}
