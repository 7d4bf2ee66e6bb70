package state_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/state"
)

// What the application cannot keep survives a reopen of the SQLite file (the behaviour itself is
// in the contract suite, statetest, run against every store).
func TestMetaKeeperPersists(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	sq, err := state.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	if _, err := sq.FirstSeen(ctx, "User", "u1", t0); err != nil {
		t.Fatal(err)
	}
	if err := sq.SetExternalID(ctx, "Group", "g1", "okta-1"); err != nil {
		t.Fatal(err)
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
	if at, err := sq.FirstSeen(ctx, "User", "u1", t0.Add(time.Hour)); err != nil || !at.Equal(t0) {
		t.Errorf("after reopen: FirstSeen = %v, %v; want %v", at, err, t0)
	}
}
