package legacysim

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// storeFactories lists every Store implementation; each store test runs against all of them, so
// that the in-memory store (tests) and the SQLite store (demo) cannot drift apart.
func storeFactories(t *testing.T) map[string]func() Store {
	return map[string]func() Store{
		"memory": NewMemoryStore,
		"sqlite": func() Store {
			s, err := OpenSQLiteStore(filepath.Join(t.TempDir(), "sim.db"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
}

func forEachStore(t *testing.T, fn func(t *testing.T, s Store)) {
	for name, open := range storeFactories(t) {
		t.Run(name, func(t *testing.T) {
			s := open()
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 123_000_000, time.UTC)

func mustCreate(t *testing.T, s Store, login string, at time.Time) Employee {
	t.Helper()
	e, err := s.CreateEmployee(context.Background(), Employee{Login: login, Enabled: true,
		Email: login + "@example.com", CreatedAt: at, ModifiedAt: at}, nil)
	if err != nil {
		t.Fatalf("create %s: %v", login, err)
	}
	return e
}

func TestStoreEmployees(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		in := Employee{Login: "Alice", GivenName: "Alice", FamilyName: "Liddell", MiddleName: "P",
			DisplayName: "Alice L", Email: "alice@example.com", SecondaryEmail: "al@home.example",
			Phone: "+1 555", Department: "R&D", Title: "Eng", EmployeeNumber: "42", IsAdmin: true,
			Enabled: true, CreatedAt: t0, ModifiedAt: t0}
		pw := NewPasswordHash("first-password")
		a, err := s.CreateEmployee(ctx, in, &pw)
		if err != nil {
			t.Fatal(err)
		}
		want := in
		want.ID, want.HasPassword = "E000001", true
		if a != want {
			t.Fatalf("created\n got %+v\nwant %+v", a, want)
		}
		got, err := s.GetEmployee(ctx, a.ID)
		if err != nil || got != want {
			t.Fatalf("get: %v\n got %+v\nwant %+v", err, got, want)
		}
		if _, err := s.CreateEmployee(ctx, Employee{Login: "ALICE"}, nil); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate login (other case): got %v", err)
		}
		b := mustCreate(t, s, "bob", t0)
		if b.ID != "E000002" || b.HasPassword {
			t.Fatalf("second employee: %+v", b)
		}

		// Replace keeps CreatedAt and the password data, and enforces uniqueness.
		repl := Employee{ID: a.ID, Login: "alice2", Enabled: false, CreatedAt: t0.Add(time.Hour),
			ModifiedAt: t0.Add(time.Minute)}
		r, err := s.ReplaceEmployee(ctx, repl)
		if err != nil {
			t.Fatal(err)
		}
		if r.GivenName != "" || r.Email != "" || r.IsAdmin || r.Enabled || !r.CreatedAt.Equal(t0) ||
			!r.ModifiedAt.Equal(t0.Add(time.Minute)) || !r.HasPassword {
			t.Fatalf("replaced: %+v", r)
		}
		if _, err := s.ReplaceEmployee(ctx, Employee{ID: b.ID, Login: "Alice2"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("replace to a taken login: %v", err)
		}
		if _, err := s.ReplaceEmployee(ctx, Employee{ID: "E999999", Login: "x"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("replace unknown: %v", err)
		}
		// The old login is free again after a rename.
		mustCreate(t, s, "alice", t0)

		if err := s.DeleteEmployee(ctx, b.ID, t0); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetEmployee(ctx, b.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("get deleted: %v", err)
		}
		if err := s.DeleteEmployee(ctx, b.ID, t0); !errors.Is(err, ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
		if _, err := s.CreateEmployee(ctx, Employee{Login: "bob"}, nil); err != nil {
			t.Fatalf("login of a deleted employee should be free: %v", err)
		}
	})
}

func TestStoreFindAndPaging(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		for i, login := range []string{"u1", "u2", "u3", "u4", "u5"} {
			mustCreate(t, s, login, t0.Add(time.Duration(i)*time.Millisecond))
		}
		if _, err := s.ReplaceEmployee(ctx, Employee{ID: "E000003", Login: "u3", Email: "Shared@Example.com",
			ModifiedAt: t0.Add(10 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.ReplaceEmployee(ctx, Employee{ID: "E000005", Login: "u5", SecondaryEmail: "shared@example.COM",
			ModifiedAt: t0.Add(10 * time.Millisecond)}); err != nil {
			t.Fatal(err)
		}
		ids := func(es []Employee) (out []string) {
			for _, e := range es {
				out = append(out, e.ID)
			}
			return out
		}
		cases := []struct {
			name  string
			q     EmployeeQuery
			want  []string
			total int
		}{
			{"all", EmployeeQuery{}, []string{"E000001", "E000002", "E000003", "E000004", "E000005"}, 5},
			{"page 2 of 2", EmployeeQuery{Offset: 2, Limit: 2}, []string{"E000003", "E000004"}, 5},
			{"last short page", EmployeeQuery{Offset: 4, Limit: 2}, []string{"E000005"}, 5},
			{"past the end", EmployeeQuery{Offset: 10, Limit: 2}, nil, 5},
			{"login any case", EmployeeQuery{Login: "U2"}, []string{"E000002"}, 1},
			{"login no prefix match", EmployeeQuery{Login: "u"}, nil, 0},
			{"email primary or secondary", EmployeeQuery{Email: "SHARED@example.com"}, []string{"E000003", "E000005"}, 2},
			{"modified strictly after", EmployeeQuery{ModifiedSince: t0.Add(2 * time.Millisecond)}, []string{"E000003", "E000004", "E000005"}, 3},
			{"modified since excludes equal", EmployeeQuery{ModifiedSince: t0.Add(3 * time.Millisecond)}, []string{"E000003", "E000005"}, 2},
			{"modified since sub-ms", EmployeeQuery{ModifiedSince: t0.Add(3*time.Millisecond + 500*time.Microsecond)}, []string{"E000003", "E000005"}, 2},
			{"modified since just below", EmployeeQuery{ModifiedSince: t0.Add(3*time.Millisecond - 500*time.Microsecond)}, []string{"E000003", "E000004", "E000005"}, 3},
			{"modified since earlier", EmployeeQuery{ModifiedSince: t0.Add(-time.Millisecond)}, []string{"E000001", "E000002", "E000003", "E000004", "E000005"}, 5},
			{"all criteria", EmployeeQuery{Login: "u5", Email: "shared@example.com", ModifiedSince: t0}, []string{"E000005"}, 1},
			{"criteria disagree", EmployeeQuery{Login: "u4", Email: "shared@example.com"}, nil, 0},
			{"criteria paged", EmployeeQuery{Email: "shared@example.com", Offset: 1, Limit: 1}, []string{"E000005"}, 2},
			{"login paged past its match", EmployeeQuery{Login: "u2", Offset: 1, Limit: 1}, nil, 1},
			{"modified since paged", EmployeeQuery{ModifiedSince: t0.Add(2 * time.Millisecond), Offset: 1, Limit: 5}, []string{"E000004", "E000005"}, 3},
		}
		for _, c := range cases {
			got, total, err := s.FindEmployees(ctx, c.q)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if g := ids(got); total != c.total || len(g) != len(c.want) || (len(g) > 0 && !equalStrings(g, c.want)) {
				t.Errorf("%s: got %v (total %d), want %v (total %d)", c.name, g, total, c.want, c.total)
			}
		}
		// A deleted employee leaves the listing and the login index; a new one comes last.
		if err := s.DeleteEmployee(ctx, "E000002", t0); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s, "u6", t0)
		for _, c := range []struct {
			q     EmployeeQuery
			want  []string
			total int
		}{
			{EmployeeQuery{}, []string{"E000001", "E000003", "E000004", "E000005", "E000006"}, 5},
			{EmployeeQuery{Offset: 1, Limit: 2}, []string{"E000003", "E000004"}, 5},
			{EmployeeQuery{Login: "u2"}, nil, 0},
			{EmployeeQuery{Login: "U6"}, []string{"E000006"}, 1},
		} {
			got, total, err := s.FindEmployees(ctx, c.q)
			if g := ids(got); err != nil || total != c.total || !equalStrings(g, c.want) {
				t.Errorf("after delete, %+v: got %v (total %d, %v), want %v (total %d)", c.q, g, total, err, c.want, c.total)
			}
		}
	})
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestStorePasswordHistory(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		first := NewPasswordHash("p0")
		e, err := s.CreateEmployee(ctx, Employee{Login: "pw", ModifiedAt: t0}, &first)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"p1", "p2", "p3"} {
			if err := s.SetPassword(ctx, e.ID, NewPasswordHash(p)); err != nil {
				t.Fatal(err)
			}
		}
		h, err := s.PasswordHistory(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != PasswordHistoryDepth || !h[0].Matches("p3") || !h[1].Matches("p2") || !h[2].Matches("p1") {
			t.Fatalf("history should be p3,p2,p1 newest first; got %d entries", len(h))
		}
		got, _ := s.GetEmployee(ctx, e.ID)
		if got.PasswordChanges != 3 || !got.HasPassword || !got.ModifiedAt.Equal(t0) {
			t.Fatalf("after 3 changes: %+v", got)
		}
		if err := s.SetPassword(ctx, "E999999", first); !errors.Is(err, ErrNotFound) {
			t.Fatalf("set password of unknown: %v", err)
		}
		if _, err := s.PasswordHistory(ctx, "E999999"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("history of unknown: %v", err)
		}
	})
}

func TestStoreRoles(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		ctx := context.Background()
		a := mustCreate(t, s, "a", t0)
		b := mustCreate(t, s, "b", t0)
		r, err := s.CreateRole(ctx, Role{Name: "Admins", Description: "d", ModifiedAt: t0})
		if err != nil {
			t.Fatal(err)
		}
		if r.ID != "R00001" || len(r.Members) != 0 {
			t.Fatalf("created role %+v", r)
		}
		if _, err := s.CreateRole(ctx, Role{Name: "ADMINS"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("duplicate role name: %v", err)
		}
		r2, _ := s.CreateRole(ctx, Role{Name: "Other", ModifiedAt: t0})
		if _, err := s.UpdateRole(ctx, Role{ID: r2.ID, Name: "admins"}); !errors.Is(err, ErrDuplicate) {
			t.Fatalf("rename to a taken name: %v", err)
		}
		t1 := t0.Add(time.Second)
		for _, id := range []string{b.ID, a.ID, b.ID} {
			if _, err := s.AddRoleMember(ctx, r.ID, id, t1); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := s.GetRole(ctx, r.ID)
		if len(got.Members) != 2 || got.Members[0] != (RoleMember{a.ID, "a"}) || got.Members[1] != (RoleMember{b.ID, "b"}) ||
			!got.ModifiedAt.Equal(t1) {
			t.Fatalf("members should be a, b ordered by id, ModifiedAt bumped: %+v", got)
		}
		if e, _ := s.GetEmployee(ctx, a.ID); !e.ModifiedAt.Equal(t1) {
			t.Fatalf("membership change should bump the employee: %v", e.ModifiedAt)
		}
		t2 := t1.Add(time.Second)
		if changed, err := s.AddRoleMember(ctx, r.ID, a.ID, t2); err != nil || changed {
			t.Fatalf("adding again: changed=%v err=%v", changed, err)
		}
		if e, _ := s.GetEmployee(ctx, a.ID); !e.ModifiedAt.Equal(t1) {
			t.Fatalf("a no-op add must not bump: %v", e.ModifiedAt)
		}
		if _, err := s.AddRoleMember(ctx, "R99999", a.ID, t2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown role: %v", err)
		}
		if _, err := s.AddRoleMember(ctx, r.ID, "E999999", t2); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown employee: %v", err)
		}
		if changed, err := s.RemoveRoleMember(ctx, r2.ID, a.ID, t2); err != nil || changed {
			t.Fatalf("removing a non-member: changed=%v err=%v", changed, err)
		}
		// Renames keep members.
		up, err := s.UpdateRole(ctx, Role{ID: r.ID, Name: "Admins2", ModifiedAt: t2})
		if err != nil || up.Name != "Admins2" || up.Description != "" || len(up.Members) != 2 {
			t.Fatalf("update: %+v %v", up, err)
		}
		// Deleting an employee removes its memberships and bumps the role.
		t3 := t2.Add(time.Second)
		if err := s.DeleteEmployee(ctx, b.ID, t3); err != nil {
			t.Fatal(err)
		}
		got, _ = s.GetRole(ctx, r.ID)
		if len(got.Members) != 1 || got.Members[0].EmployeeID != a.ID || !got.ModifiedAt.Equal(t3) {
			t.Fatalf("after deleting b: %+v", got)
		}
		// Deleting a role bumps its members.
		t4 := t3.Add(time.Second)
		if err := s.DeleteRole(ctx, r.ID, t4); err != nil {
			t.Fatal(err)
		}
		if e, _ := s.GetEmployee(ctx, a.ID); !e.ModifiedAt.Equal(t4) {
			t.Fatalf("role delete should bump members: %v", e.ModifiedAt)
		}
		if _, err := s.GetRole(ctx, r.ID); !errors.Is(err, ErrNotFound) {
			t.Fatalf("deleted role: %v", err)
		}
		roles, total, err := s.ListRoles(ctx, 0, 10)
		if err != nil || total != 1 || len(roles) != 1 || roles[0].ID != r2.ID {
			t.Fatalf("list roles: %+v %d %v", roles, total, err)
		}
		if roles, total, _ := s.ListRoles(ctx, 5, 10); len(roles) != 0 || total != 1 {
			t.Fatalf("roles past the end: %d %d", len(roles), total)
		}
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		if es, total, _ := s.FindEmployees(ctx, EmployeeQuery{}); len(es) != 0 || total != 0 {
			t.Fatalf("after reset: %d employees", total)
		}
		if e := mustCreate(t, s, "a", t0); e.ID != "E000001" {
			t.Fatalf("ids restart after reset, got %s", e.ID)
		}
	})
}

func TestStoreConcurrentSameLogin(t *testing.T) {
	forEachStore(t, func(t *testing.T, s Store) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Go(func() {
				_, err := s.CreateEmployee(context.Background(), Employee{Login: "same"}, nil)
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		ok := 0
		for err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, ErrDuplicate):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d creates won, want exactly 1", ok)
		}
	})
}

func TestSQLiteSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sim.db")
	s, err := OpenSQLiteStore(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pw := NewPasswordHash("secret-1")
	e, _ := s.CreateEmployee(ctx, Employee{Login: "keep", Enabled: true, CreatedAt: t0, ModifiedAt: t0}, &pw)
	r, _ := s.CreateRole(ctx, Role{Name: "R", ModifiedAt: t0})
	if _, err := s.AddRoleMember(ctx, r.ID, e.ID, t0); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenSQLiteStore(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.GetEmployee(ctx, e.ID)
	if err != nil || got != e {
		t.Fatalf("after reopen: %+v %v, want %+v", got, err, e)
	}
	h, _ := s.PasswordHistory(ctx, e.ID)
	if len(h) != 1 || !h[0].Matches("secret-1") {
		t.Fatal("password history lost on reopen")
	}
	if role, _ := s.GetRole(ctx, r.ID); len(role.Members) != 1 {
		t.Fatalf("membership lost on reopen: %+v", role)
	}
	if e2 := mustCreate(t, s, "next", t0); e2.ID != "E000002" {
		t.Fatalf("sequence not persisted: %s", e2.ID)
	}
}
