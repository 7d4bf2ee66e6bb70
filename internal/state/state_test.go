package state_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/internal/state/statetest"
)

// The stores are held to the seams at compile time, not by a run-time assertion in the wiring.
var (
	_ statetest.Store = (*state.Memory)(nil)
	_ statetest.Store = (*state.SQLite)(nil)
)

func TestMemoryContract(t *testing.T) {
	statetest.Run(t, func(t *testing.T, history int) statetest.Store {
		return state.NewMemory(state.WithPasswordHistory(history))
	})
}

func openSQLite(t *testing.T, path string, history int) *state.SQLite {
	t.Helper()
	s, err := state.OpenSQLite(path, state.WithPasswordHistory(history))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLiteContract(t *testing.T) {
	statetest.Run(t, func(t *testing.T, history int) statetest.Store {
		return openSQLite(t, filepath.Join(t.TempDir(), "state.db"), history)
	})
}

func TestSQLitePersistsAndNeverStoresThePassword(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := state.OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a-very-recognisable-password"
	if err := s.Record(ctx, "u1", pw); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = openSQLite(t, path, 5)
	if ok, _, _ := s.Remembered(ctx, "u1", pw); !ok {
		t.Fatal("password history lost across reopen")
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if strings.Contains(string(b), pw) {
			t.Fatalf("%s contains the password in clear", f)
		}
	}
}
