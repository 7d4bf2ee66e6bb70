package state_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
)

// What the application cannot keep (first-seen times, a group's externalId) is kept per
// resource, the first time wins, a delete drops it, and SQLite keeps it across a reopen.
func TestMetaKeeper(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	sq, err := state.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for name, st := range map[string]mapping.State{"memory": state.NewMemory(), "sqlite": sq} {
		first, err := st.FirstSeen(ctx, "User", "u1", t0)
		if err != nil || !first.Equal(t0) {
			t.Fatalf("%s: FirstSeen = %v, %v", name, first, err)
		}
		if again, _ := st.FirstSeen(ctx, "User", "u1", t0.Add(time.Hour)); !again.Equal(t0) {
			t.Errorf("%s: a later FirstSeen moved the time to %v", name, again)
		}
		if other, _ := st.FirstSeen(ctx, "Group", "u1", t0.Add(time.Hour)); !other.Equal(t0.Add(time.Hour)) {
			t.Errorf("%s: resource types share times: %v", name, other)
		}
		if err := st.SetExternalID(ctx, "Group", "g1", "okta-1"); err != nil {
			t.Fatal(err)
		}
		if ext, err := st.ExternalID(ctx, "Group", "g1"); err != nil || ext != "okta-1" {
			t.Errorf("%s: ExternalID = %q, %v", name, ext, err)
		}
		if ext, _ := st.ExternalID(ctx, "Group", "g2"); ext != "" {
			t.Errorf("%s: unknown group has externalId %q", name, ext)
		}
		if err := st.ForgetMeta(ctx, "User", "u1"); err != nil {
			t.Fatal(err)
		}
		if again, _ := st.FirstSeen(ctx, "User", "u1", t0.Add(2*time.Hour)); !again.Equal(t0.Add(2 * time.Hour)) {
			t.Errorf("%s: FirstSeen after ForgetMeta = %v", name, again)
		}
	}
	if err := sq.Close(); err != nil {
		t.Fatal(err)
	}
	sq, err = state.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer sq.Close()
	if ext, err := sq.ExternalID(ctx, "Group", "g1"); err != nil || ext != "okta-1" {
		t.Errorf("after reopen: ExternalID = %q, %v", ext, err)
	}
}
