package memory_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/backendtest"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/filter"
)

func TestConformance(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend { return memory.New(memory.Options{}) })
}

// stepClock advances one second per reading, so meta times are distinct and predictable.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func TestConformanceWithInjectedClock(t *testing.T) {
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		c := &stepClock{t: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
		return memory.New(memory.Options{Now: c.Now})
	})
}

func TestMembershipBumpsUserLastModified(t *testing.T) {
	c := &stepClock{t: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := memory.New(memory.Options{Now: c.Now})
	ctx := context.Background()
	u, err := b.CreateUser(ctx, &backend.User{UserName: "a", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	g, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "G"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UpdateGroup(ctx, g.ID, backend.GroupChange{Add: []string{u.ID}}); err != nil {
		t.Fatal(err)
	}
	after, _ := b.GetUser(ctx, u.ID)
	if !after.Meta.LastModified.After(u.Meta.LastModified) {
		t.Errorf("joining a group did not move lastModified: %v → %v", u.Meta.LastModified, after.Meta.LastModified)
	}
	if len(after.Groups) != 1 || after.Groups[0].Value != g.ID || after.Groups[0].Display != "G" {
		t.Errorf("groups on the user = %+v", after.Groups)
	}
	// A no-op replace leaves lastModified alone, so incremental imports stay small.
	same, err := b.ReplaceUser(ctx, u.ID, after)
	if err != nil {
		t.Fatal(err)
	}
	if !same.Meta.LastModified.Equal(after.Meta.LastModified) {
		t.Errorf("a no-op replace moved lastModified")
	}
	newName := "G2"
	if _, err := b.UpdateGroup(ctx, g.ID, backend.GroupChange{DisplayName: &newName}); err != nil {
		t.Fatal(err)
	}
	renamed, _ := b.GetUser(ctx, u.ID)
	if !renamed.Meta.LastModified.After(after.Meta.LastModified) || renamed.Groups[0].Display != "G2" {
		t.Errorf("a group rename must show on the user and move lastModified: %+v", renamed)
	}
	if err := b.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	gone, _ := b.GetUser(ctx, u.ID)
	if len(gone.Groups) != 0 || !gone.Meta.LastModified.After(renamed.Meta.LastModified) {
		t.Errorf("deleting the group: %+v", gone)
	}
}

func TestPasswordsAndIsolation(t *testing.T) {
	b := memory.New(memory.Options{RefuseReuse: true})
	ctx := context.Background()
	u, err := b.CreateUser(ctx, &backend.User{UserName: "a", Password: "one", Custom: map[string]any{"k": []any{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	if u.Password != "" || !b.HasPassword(u.ID) || b.PasswordSets(u.ID) != 0 {
		t.Fatalf("initial password handling wrong: %+v sets=%d", u, b.PasswordSets(u.ID))
	}
	if err := b.SetPassword(ctx, u.ID, "one"); backend.KindOf(err) != backend.Policy {
		t.Errorf("reusing the password: %v, want Policy", err)
	}
	if err := b.SetPassword(ctx, u.ID, "two"); err != nil || b.PasswordSets(u.ID) != 1 {
		t.Errorf("SetPassword: %v sets=%d", err, b.PasswordSets(u.ID))
	}
	// Returned users are copies: changing them changes nothing stored.
	u.Custom["k"].([]any)[0] = "changed"
	got, _ := b.GetUser(ctx, u.ID)
	if got.Custom["k"].([]any)[0] != "x" {
		t.Errorf("stored user aliased by a returned copy")
	}
	if _, err := b.CreateUser(ctx, &backend.User{UserName: " "}); backend.KindOf(err) != backend.Invalid {
		t.Errorf("empty userName: %v", err)
	}
	// Ids are never reused after a delete.
	if err := b.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	v, _ := b.CreateUser(ctx, &backend.User{UserName: "a"})
	if v.ID == u.ID {
		t.Errorf("id %s reused", v.ID)
	}
}

func TestConcurrentCreatesKeepUserNamesUnique(t *testing.T) {
	b := memory.New(memory.Options{})
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := "same"
			if i%2 == 0 {
				name = "SAME"
			}
			_, err := b.CreateUser(ctx, &backend.User{UserName: name})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	ok := 0
	for err := range errs {
		if err == nil {
			ok++
		} else if backend.KindOf(err) != backend.Conflict {
			t.Errorf("unexpected error %v", err)
		}
	}
	if ok != 1 {
		t.Errorf("%d creates of one userName succeeded, want 1", ok)
	}
	f, _ := filter.Parse(`userName eq "same"`)
	p, _ := b.ListUsers(ctx, backend.Query{Filter: f, Count: -1})
	if p.Total != 1 {
		t.Errorf("total %d", p.Total)
	}
}
