package state_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/internal/state"
)

func TestSQLiteFilesAreOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s := openSQLite(t, path, 5)
	if err := s.Record(context.Background(), "u", "pw"); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			if f == path {
				t.Fatal(err)
			}
			continue
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no group or other access", filepath.Base(f), perm)
		}
	}
	// An existing file readable by others is tightened on open.
	loose := filepath.Join(dir, "loose.db")
	if err := os.WriteFile(loose, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(loose, 0o644) // whatever the umask did
	openSQLite(t, loose, 5)
	if fi, _ := os.Stat(loose); fi.Mode().Perm() != 0o600 {
		t.Errorf("an existing 0644 file was left at %v", fi.Mode().Perm())
	}
}

func TestSQLiteRefusesANewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.db")
	openSQLite(t, path, 5).Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_version (version, applied_ms) VALUES (?, 0)`, state.SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, err = state.OpenSQLite(path)
	if err == nil || !strings.Contains(err.Error(), "newer than this scimbridge knows") {
		t.Fatalf("opening a file from a newer release: %v", err)
	}
}

// A backup taken while another goroutine keeps writing is a consistent, openable state file
// with everything recorded before it started, readable by its owner only; an existing
// destination is never overwritten.
func TestSQLiteBackupOnline(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.db")
	s := openSQLite(t, path, 5)
	if err := s.Record(ctx, "alice", "before-backup"); err != nil {
		t.Fatal(err)
	}
	id, err := s.SurrogateID(ctx, "Group", "Sales")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := s.Observe(ctx, "User", "writer", string(rune('a'+i%26)), time.Now()); err != nil {
				t.Error(err)
				return
			}
		}
	})
	dest := filepath.Join(dir, "backup.db")
	err = state.BackupSQLite(ctx, path, dest)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dest); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v; want mode 0600", fi, err)
	}
	b := openSQLite(t, dest, 5)
	if ok, _, err := b.Remembered(ctx, "alice", "before-backup"); !ok || err != nil {
		t.Errorf("backup lacks the password history: %v %v", ok, err)
	}
	if key, ok, _ := b.NaturalKey(ctx, "Group", id); !ok || key != "Sales" {
		t.Errorf("backup lacks the surrogate id: %q %v", key, ok)
	}
	if err := state.BackupSQLite(ctx, path, dest); err == nil {
		t.Error("a backup overwrote an existing file")
	}
	if err := state.BackupSQLite(ctx, filepath.Join(dir, "missing.db"), filepath.Join(dir, "b2.db")); err == nil {
		t.Error("a backup of a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "missing.db")); err == nil {
		t.Error("a backup of a missing file created it")
	}
}

// Every store call is measured by operation and result.
func TestStoreCallsMeasured(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := state.NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := state.OpenSQLite(filepath.Join(t.TempDir(), "state.db"), state.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	s.Observe(ctx, "User", "u", "h", time.Now())
	s.Remembered(ctx, "u", "pw")
	s.Close()
	if err := s.Ping(ctx); err == nil {
		t.Fatal("Ping on a closed store succeeded")
	}
	count := func(op, result string) uint64 {
		mfs, _ := reg.Gather()
		for _, mf := range mfs {
			for _, metric := range mf.GetMetric() {
				labels := map[string]string{}
				for _, l := range metric.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				if labels["op"] == op && labels["result"] == result {
					return metric.GetHistogram().GetSampleCount()
				}
			}
		}
		return 0
	}
	for _, c := range []struct{ op, result string }{{"observe", "ok"}, {"remembered", "ok"}, {"ping", "error"}} {
		if n := count(c.op, c.result); n != 1 {
			t.Errorf("scimbridge_state_operation_seconds{op=%q,result=%q} has %d samples, want 1", c.op, c.result, n)
		}
	}
}
