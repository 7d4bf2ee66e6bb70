package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func stores(t *testing.T) map[string]func(t *testing.T) Store {
	return map[string]func(t *testing.T) Store{
		"memory": func(t *testing.T) Store { return NewMemory() },
		"sqlite": func(t *testing.T) Store {
			s, err := OpenSQLite(filepath.Join(t.TempDir(), "state.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

func TestLedger(t *testing.T) {
	ctx := context.Background()
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			s := open(t)
			if ok, err := s.Matches(ctx, "u1", "secret-1"); !errors.Is(err, ErrNoEntry) || ok {
				t.Fatalf("unknown user: got %v, %v; want false, ErrNoEntry", ok, err)
			}
			if err := s.Record(ctx, "u1", "secret-1"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.Matches(ctx, "u1", "secret-1"); !ok {
				t.Fatal("recorded password does not match")
			}
			if ok, _ := s.Matches(ctx, "u1", "secret-2"); ok {
				t.Fatal("other password matches")
			}
			if ok, err := s.Matches(ctx, "u2", "secret-1"); ok || !errors.Is(err, ErrNoEntry) {
				t.Fatal("password matches for another user")
			}
			if err := s.Record(ctx, "u1", "secret-2"); err != nil {
				t.Fatal(err)
			}
			if ok, _ := s.Matches(ctx, "u1", "secret-1"); ok {
				t.Fatal("old password still matches after a new one was recorded")
			}
			if ok, _ := s.Matches(ctx, "u1", "secret-2"); !ok {
				t.Fatal("new password does not match")
			}
		})
	}
}

func TestSQLitePersistsAndNeverStoresThePassword(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	const pw = "a-very-recognisable-password"
	if err := s.Record(ctx, "u1", pw); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ok, _ := s.Matches(ctx, "u1", pw); !ok {
		t.Fatal("ledger lost across reopen")
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
