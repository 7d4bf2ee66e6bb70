package state_test

import (
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/scimbridge/scimbridge/internal/pgtest"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/internal/state/statetest"
)

var _ statetest.Store = (*state.Postgres)(nil)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openPostgres(t *testing.T, dsn string, history int) *state.Postgres {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s, err := state.OpenPostgres(ctx, dsn, state.WithPasswordHistory(history))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestPostgresContract(t *testing.T) {
	srv := pgtest.Shared(t)
	statetest.Run(t, func(t *testing.T, history int) statetest.Store {
		return openPostgres(t, srv.NewDatabase(t), history)
	})
}

func TestPostgresReplicas(t *testing.T) {
	srv := pgtest.Shared(t)
	statetest.RunReplicas(t, func(t *testing.T) (statetest.Store, statetest.Store) {
		dsn := srv.NewDatabase(t)
		return openPostgres(t, dsn, 5), openPostgres(t, dsn, 5)
	})
}

// Four replicas starting at once on an empty database apply each migration exactly once and
// all start.
func TestPostgresMigrationsOnceUnderConcurrentStart(t *testing.T) {
	srv := pgtest.Shared(t)
	dsn := srv.NewDatabase(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			s, err := state.OpenPostgres(ctx, dsn)
			if err != nil {
				t.Error(err)
				return
			}
			s.Close()
		})
	}
	wg.Wait()
	ctx := context.Background()
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	var rows, maxV int
	if err := c.QueryRow(ctx, `SELECT count(*), max(version) FROM schema_version`).Scan(&rows, &maxV); err != nil {
		t.Fatal(err)
	}
	if rows != state.PostgresSchemaVersion() || maxV != state.PostgresSchemaVersion() {
		t.Errorf("schema_version has %d rows up to %d; want each of the %d migrations once", rows, maxV, state.PostgresSchemaVersion())
	}
	if _, err := c.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, state.PostgresSchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	if _, err := state.OpenPostgres(ctx, dsn); err == nil {
		t.Error("a database migrated by a newer release was accepted")
	}
}

// A lock held by a replica that dies (its connection gone) is released by the server.
func TestPostgresLockReleasedWhenReplicaDies(t *testing.T) {
	srv := pgtest.Shared(t)
	dsn := srv.NewDatabase(t)
	a, err := state.OpenPostgres(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	b := openPostgres(t, dsn, 5)
	if _, err := a.Lock(context.Background(), "Groups/g"); err != nil {
		t.Fatal(err)
	}
	a.Close() // never unlocked: the pool's connections close, as in a crash
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	unlock, err := b.Lock(ctx, "Groups/g")
	if err != nil {
		t.Fatalf("the lock of a dead replica is still held: %v", err)
	}
	unlock()
}

func TestPostgresBadDSN(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := state.OpenPostgres(ctx, "postgres://u:s3cr3t@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("opened a database on a closed port")
	}
	if contains(err.Error(), "s3cr3t") {
		t.Errorf("the error shows the password: %v", err)
	}
	if _, err := state.OpenPostgres(ctx, "postgres://u:s3cr3t@%zz"); err == nil || contains(err.Error(), "s3cr3t") {
		t.Errorf("a malformed DSN: %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
