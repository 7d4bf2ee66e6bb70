package state

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

func trackers(t *testing.T) map[string]func(t *testing.T) Tracker {
	return map[string]func(t *testing.T) Tracker{
		"memory": func(t *testing.T) Tracker { return NewMemory() },
		"sqlite": func(t *testing.T) Tracker {
			s, err := OpenSQLite(filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

func TestObserve(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	for name, open := range trackers(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			first, err := s.Observe(ctx, "User", "alice", "h1", t0)
			if err != nil {
				t.Fatal(err)
			}
			if want := t0.Truncate(time.Millisecond); !first.Equal(want) {
				t.Fatalf("first observation = %v, want %v", first, want)
			}
			again, _ := s.Observe(ctx, "User", "alice", "h1", t0.Add(time.Hour))
			if !again.Equal(first) {
				t.Errorf("same hash moved lastModified: %v → %v", first, again)
			}
			// A changed hash moves lastModified even when the clock went backwards.
			changed, _ := s.Observe(ctx, "User", "alice", "h2", t0.Add(-time.Hour))
			if !changed.After(first) {
				t.Errorf("changed hash: lastModified %v is not after %v", changed, first)
			}
			other, _ := s.Observe(ctx, "Group", "alice", "h1", t0.Add(time.Minute))
			if !other.Equal(t0.Add(time.Minute).Truncate(time.Millisecond)) {
				t.Errorf("resource types share state: %v", other)
			}
			if err := s.Forget(ctx, "User", "alice"); err != nil {
				t.Fatal(err)
			}
			later := t0.Add(2 * time.Hour)
			if got, _ := s.Observe(ctx, "User", "alice", "h2", later); !got.Equal(later.Truncate(time.Millisecond)) {
				t.Errorf("after Forget: %v, want a fresh observation at %v", got, later)
			}
		})
	}
}

func TestSurrogateIDs(t *testing.T) {
	ctx := context.Background()
	for name, open := range trackers(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			id, err := s.SurrogateID(ctx, "Group", "Sales")
			if err != nil || id == "" {
				t.Fatalf("SurrogateID: %q, %v", id, err)
			}
			if again, _ := s.SurrogateID(ctx, "Group", "Sales"); again != id {
				t.Errorf("second SurrogateID = %q, want %q", again, id)
			}
			other, _ := s.SurrogateID(ctx, "Group", "Ops")
			if other == id {
				t.Error("two keys share an id")
			}
			if err := s.Rebind(ctx, "Group", id, "Revenue"); err != nil {
				t.Fatal(err)
			}
			if key, ok, _ := s.NaturalKey(ctx, "Group", id); !ok || key != "Revenue" {
				t.Errorf("NaturalKey after Rebind = %q, %v", key, ok)
			}
			if fresh, _ := s.SurrogateID(ctx, "Group", "Sales"); fresh == id {
				t.Error("the old key still maps to the renamed id")
			}
			// The application accepted a rename onto a key another id still held: its answer wins.
			if err := s.Rebind(ctx, "Group", id, "Ops"); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.SurrogateID(ctx, "Group", "Ops"); got != id {
				t.Errorf("after Rebind onto a held key, the key maps to %q, want %q", got, id)
			}
			if _, ok, _ := s.NaturalKey(ctx, "Group", other); ok {
				t.Error("the id that lost its key still answers")
			}
			if err := s.ForgetID(ctx, "Group", id); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.NaturalKey(ctx, "Group", id); ok {
				t.Error("NaturalKey after ForgetID still answers")
			}
		})
	}
}
