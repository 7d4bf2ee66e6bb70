package mapping_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/internal/wso2sim"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
)

// wso2 builds the WSO2 mapping (optionally edited) over a fresh simulator and memory state.
func wso2(t *testing.T, edit func([]byte) []byte, opts ...mapping.BackendOption) (backend.Backend, *wso2sim.Server) {
	t.Helper()
	sim, err := wso2sim.New(wso2sim.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	file := defaults.WSO2
	if edit != nil {
		file = edit(bytes.Clone(file))
	}
	eng, client := soapEngine(t, "wso2.mapping.yaml", file, soapclient.Config{Endpoint: srv.URL + wso2sim.SOAPPath})
	if len(opts) == 0 {
		opts = []mapping.BackendOption{mapping.WithState(state.NewMemory())}
	}
	return eng.Backend(client, testLog(t), opts...), sim
}

func bg(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func newUser(name string) *backend.User {
	return &backend.User{UserName: name, Active: true, Password: "Secret-1",
		Name:   backend.Name{GivenName: "G" + name, FamilyName: "F" + name},
		Emails: []backend.MultiValue{{Value: name + "@example.test", Type: "work", Primary: true}}}
}

func mustCreate(t *testing.T, b backend.Backend, name string) *backend.User {
	t.Helper()
	u, err := b.CreateUser(bg(t), newUser(name))
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return u
}

func wantKind(t *testing.T, err error, k backend.Kind, contains string) {
	t.Helper()
	if backend.KindOf(err) != k || err == nil {
		t.Fatalf("got %v, want kind %s", err, k)
	}
	var be *backend.Error
	if contains != "" {
		if !errorsAs(err, &be) || !strings.Contains(be.Message, contains) {
			t.Errorf("message %q does not contain %q", err, contains)
		}
	}
}

func errorsAs(err error, be **backend.Error) bool {
	for err != nil {
		if e, ok := err.(*backend.Error); ok {
			*be = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

// The claims land in WSO2 under their URIs, status as accountDisabled, and come back.
func TestWSO2ClaimsAndStatus(t *testing.T) {
	b, sim := wso2(t, nil)
	u := newUser("alice")
	u.Active = false
	u.Custom = map[string]any{"departmentName": "Sales"}
	got, err := b.CreateUser(bg(t), u)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "alice" || got.Active || got.Name.GivenName != "Galice" || got.Custom["departmentName"] != "Sales" {
		t.Errorf("created user = %+v", got)
	}
	users := sim.Users()
	if len(users) != 1 || users[0].Claims["http://wso2.org/claims/identity/accountDisabled"] != "true" ||
		users[0].Claims["http://wso2.org/claims/emailaddress"] != "alice@example.test" || !users[0].HasPassword {
		t.Fatalf("stored = %+v", users)
	}
	next := *got
	next.Active = true
	next.Name.FamilyName = "Changed"
	after, err := b.ReplaceUser(bg(t), "alice", &next)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Active || after.Name.FamilyName != "Changed" || after.Name.GivenName != "Galice" {
		t.Errorf("after replace = %+v", after)
	}
}

// The fail step: WSO2 cannot rename users, so a PUT that changes userName is refused, and one
// that only changes its case is not.
func TestWSO2RenameRefused(t *testing.T) {
	b, _ := wso2(t, nil)
	u := mustCreate(t, b, "bob")
	renamed := *u
	renamed.UserName = "robert"
	_, err := b.ReplaceUser(bg(t), u.ID, &renamed)
	wantKind(t, err, backend.Invalid, "cannot rename users")
	renamed.UserName = "BOB"
	if _, err := b.ReplaceUser(bg(t), u.ID, &renamed); err != nil {
		t.Errorf("a case-only change was refused: %v", err)
	}
}

// Fault rules on message patterns: WSO2's texts become kinds, and the raw text stays out of the
// client's message.
func TestWSO2FaultPatterns(t *testing.T) {
	b, _ := wso2(t, nil)
	mustCreate(t, b, "carol")
	_, err := b.CreateUser(bg(t), newUser("CAROL"))
	wantKind(t, err, backend.Conflict, "WSO2 already has")
	if strings.Contains(err.(*backend.Error).Message, "UserAlreadyExisting") {
		t.Error("the raw fault text reached the client message")
	}
	wantKind(t, b.SetPassword(bg(t), "carol", "x"), backend.Policy, "password policy")
	wantKind(t, b.SetPassword(bg(t), "nobody", "Secret-2"), backend.NotFound, "")
	_, err = b.CreateUser(bg(t), newUser("with space"))
	wantKind(t, err, backend.Invalid, "")
}

// Paging style none: pages after the first of one listing come from its snapshot, so a user
// created mid-import neither shifts nor duplicates entries; a new listing sees it.
func TestWSO2SnapshotPaging(t *testing.T) {
	b, _ := wso2(t, nil)
	for _, n := range []string{"u3", "u1", "u4", "u2"} {
		mustCreate(t, b, n)
	}
	p1, err := b.ListUsers(bg(t), backend.Query{StartIndex: 1, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	mustCreate(t, b, "u0") // sorts first: would shift every page without the snapshot
	p2, err := b.ListUsers(bg(t), backend.Query{StartIndex: 3, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range []*backend.UserPage{p1, p2} {
		if p.Total != 4 {
			t.Errorf("total = %d inside one listing, want 4", p.Total)
		}
		for _, u := range p.Users {
			got = append(got, u.ID)
		}
	}
	if want := []string{"u1", "u2", "u3", "u4"}; !slices.Equal(got, want) {
		t.Errorf("pages = %v, want %v", got, want)
	}
	fresh, err := b.ListUsers(bg(t), backend.Query{StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Total != 5 {
		t.Errorf("a new listing has total %d, want 5", fresh.Total)
	}
}

// A listing that reaches the limit the bridge asked for may be truncated: refused, not imported.
func TestWSO2TruncatedListingRefused(t *testing.T) {
	b, sim := wso2(t, func(f []byte) []byte {
		return bytes.Replace(f, []byte("limit: MaxItemLimit, maxSize: 10000"), []byte("limit: MaxItemLimit, maxSize: 3"), 1)
	})
	if err := sim.Seed(3, "s"); err != nil {
		t.Fatal(err)
	}
	_, err := b.ListUsers(bg(t), backend.Query{StartIndex: 1, Count: 10})
	wantKind(t, err, backend.Invalid, "may be incomplete")
}

func gtFilter(t time.Time) filter.Expr {
	return filter.Compare{Path: filter.AttrPath{Name: "meta", Sub: "lastModified"}, Op: filter.Gt,
		Value: filter.Value{Kind: filter.String, Str: t.UTC().Format(time.RFC3339Nano)}}
}

// Change tracking: lastModified stays put while nothing a client reads changes, moves when it
// does (including a change made in WSO2 directly), and drives meta.lastModified gt.
func TestWSO2ChangeTracking(t *testing.T) {
	clock := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	b, _ := wso2(t, nil, mapping.WithState(state.NewMemory()), mapping.WithClock(now))
	a := mustCreate(t, b, "dave")
	clock = clock.Add(time.Minute)
	e := mustCreate(t, b, "erin")
	if !a.Meta.LastModified.Equal(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("lastModified = %v", a.Meta.LastModified)
	}
	clock = clock.Add(time.Minute)
	again, _ := b.GetUser(bg(t), "dave")
	if !again.Meta.LastModified.Equal(a.Meta.LastModified) {
		t.Errorf("a read moved lastModified: %v → %v", a.Meta.LastModified, again.Meta.LastModified)
	}
	same, err := b.ReplaceUser(bg(t), "dave", a)
	if err != nil {
		t.Fatal(err)
	}
	if !same.Meta.LastModified.Equal(a.Meta.LastModified) {
		t.Errorf("a replace that changes nothing moved lastModified")
	}
	page, err := b.ListUsers(bg(t), backend.Query{Filter: gtFilter(a.Meta.LastModified), StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Users) != 1 || page.Users[0].ID != e.ID {
		t.Errorf("gt dave's lastModified = %v, want [erin]", page.Users)
	}
	changed := *a
	changed.Title = "Boss"
	clock = clock.Add(time.Minute)
	after, err := b.ReplaceUser(bg(t), "dave", &changed)
	if err != nil {
		t.Fatal(err)
	}
	if !after.Meta.LastModified.Equal(clock) {
		t.Errorf("after a change lastModified = %v, want %v", after.Meta.LastModified, clock)
	}
}

// Incremental imports scan: more users than fallback.maxScan is a clear 400, not a slow walk.
func TestWSO2ScanBound(t *testing.T) {
	b, sim := wso2(t, func(f []byte) []byte {
		return bytes.Replace(f, []byte("fallback: { maxScan: 10000 }\n  changeTracking"), []byte("fallback: { maxScan: 2 }\n  changeTracking"), 1)
	})
	if err := sim.Seed(3, "s"); err != nil {
		t.Fatal(err)
	}
	_, err := b.ListUsers(bg(t), backend.Query{Filter: gtFilter(time.Now().Add(-time.Hour)), StartIndex: 1, Count: 10})
	wantKind(t, err, backend.Invalid, "more than the mapping's limit of 2")
}

// Without the state store a tracking mapping fails clearly instead of inventing times.
func TestWSO2NeedsState(t *testing.T) {
	b, _ := wso2(t, nil, mapping.WithClock(time.Now))
	_, err := b.CreateUser(bg(t), newUser("frank"))
	wantKind(t, err, backend.Internal, "state store")
}

// Roles: a rename keeps the SCIM id (surrogateIds), membership changes are one
// updateUserListOfRole call computed from add/remove lists, unknown members are skipped.
func TestWSO2Roles(t *testing.T) {
	b, sim := wso2(t, nil)
	mustCreate(t, b, "gina")
	mustCreate(t, b, "hank")
	g, err := b.CreateGroup(bg(t), &backend.Group{DisplayName: "Sales", Members: []backend.Member{{Value: "gina"}, {Value: "ghost"}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.ID == "Sales" || len(g.Members) != 1 || g.Members[0].Value != "gina" {
		t.Fatalf("created group = %+v", g)
	}
	name := "Revenue"
	got, err := b.UpdateGroup(bg(t), g.ID, backend.GroupChange{DisplayName: &name, Add: []string{"hank"}, Remove: []string{"gina"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != g.ID || got.DisplayName != "Revenue" || len(got.Members) != 1 || got.Members[0].Value != "hank" {
		t.Errorf("after update = %+v", got)
	}
	roles := sim.Roles()
	if !slices.ContainsFunc(roles, func(r wso2sim.RoleView) bool { return r.Name == "Revenue" && slices.Equal(r.Members, []string{"hank"}) }) {
		t.Errorf("roles in WSO2 = %+v", roles)
	}
	_, err = b.CreateGroup(bg(t), &backend.Group{DisplayName: "revenue"})
	wantKind(t, err, backend.Conflict, "")
	if err := b.DeleteGroup(bg(t), g.ID); err != nil {
		t.Fatal(err)
	}
	_, err = b.GetGroup(bg(t), g.ID)
	wantKind(t, err, backend.NotFound, "")
}

// TestWSO2MembersRetryKeepsRemovals: updateUserListOfRole fails as a whole when one user to add
// is unknown. With unknownMembers: skip the bridge retries the removals alone and then each
// addition alone, so the unknown id costs neither the removal nor the other addition; with
// unknownMembers: fail the update is refused and the role is left as it was.
func TestWSO2MembersRetryKeepsRemovals(t *testing.T) {
	members := func(sim *wso2sim.Server, name string) []string {
		for _, r := range sim.Roles() {
			if r.Name == name {
				return r.Members
			}
		}
		t.Fatalf("no role %s in %+v", name, sim.Roles())
		return nil
	}
	setup := func(edit func([]byte) []byte) (backend.Backend, *wso2sim.Server, string) {
		b, sim := wso2(t, edit)
		for _, n := range []string{"gina", "hank", "ivy"} {
			mustCreate(t, b, n)
		}
		g, err := b.CreateGroup(bg(t), &backend.Group{DisplayName: "Sales", Members: []backend.Member{{Value: "gina"}, {Value: "hank"}}})
		if err != nil {
			t.Fatal(err)
		}
		return b, sim, g.ID
	}
	change := backend.GroupChange{Add: []string{"ghost", "ivy"}, Remove: []string{"gina"}}

	b, sim, id := setup(nil)
	got, err := b.UpdateGroup(bg(t), id, change)
	if err != nil {
		t.Fatal(err)
	}
	if m := members(sim, "Sales"); !slices.Equal(m, []string{"hank", "ivy"}) {
		t.Errorf("skip: members in WSO2 = %v, want [hank ivy]", m)
	}
	if len(got.Members) != 2 {
		t.Errorf("skip: answer members = %+v", got.Members)
	}

	b, sim, id = setup(func(f []byte) []byte {
		return bytes.Replace(f, []byte("unknownMembers: skip"), []byte("unknownMembers: fail"), 1)
	})
	_, err = b.UpdateGroup(bg(t), id, change)
	wantKind(t, err, backend.NotFound, "")
	if m := members(sim, "Sales"); !slices.Equal(m, []string{"gina", "hank"}) {
		t.Errorf("fail: members in WSO2 = %v, want them unchanged [gina hank]", m)
	}
}

// listUsers reads `*` as a wildcard; `userName eq` is exact, so a value with a `*` must find no
// one rather than every user.
func TestWSO2UserNameEqIsExact(t *testing.T) {
	b, _ := wso2(t, nil)
	for _, name := range []string{"alice", "albert"} {
		if _, err := b.CreateUser(bg(t), newUser(name)); err != nil {
			t.Fatal(err)
		}
	}
	for value, want := range map[string]int{"*": 0, "al*": 0, "ALICE": 1, "alice": 1} {
		q := backend.Query{StartIndex: 1, Count: 10, Filter: filter.Compare{
			Path: filter.AttrPath{Name: "userName"}, Op: filter.Eq, Value: filter.Value{Kind: filter.String, Str: value}}}
		page, err := b.ListUsers(bg(t), q)
		if err != nil {
			t.Fatalf("userName eq %q: %v", value, err)
		}
		if page.Total != want || len(page.Users) != want {
			t.Errorf("userName eq %q: %d users (total %d), want %d", value, len(page.Users), page.Total, want)
		}
	}
}
