package state

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

// A file written before the schema was versioned (one password per user in password_ledger) is
// migrated: its password stays remembered as the newest, its other tables are kept, and the
// schema version is recorded.
func TestSQLiteMigratesAnUnversionedFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(sqliteMigrations[1]); err != nil { // the layout of the unversioned files
		t.Fatal(err)
	}
	e, err := newEntry("old-password")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO password_ledger (user_id, salt, hash) VALUES ('u1', ?, ?)`, e.salt, e.hash); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO surrogate_ids VALUES ('Group', 'abc123', 'Sales')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	s, err := OpenSQLite(path, WithPasswordHistory(2))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, err := s.Version(ctx); err != nil || v != SchemaVersion() {
		t.Fatalf("schema version after migration = %d, %v; want %d", v, err, SchemaVersion())
	}
	if r, k, err := s.Remembered(ctx, "u1", "old-password"); !r || !k || err != nil {
		t.Errorf("the ledger's password was not carried into the history: %v %v %v", r, k, err)
	}
	if err := s.Record(ctx, "u1", "new-password"); err != nil {
		t.Fatal(err)
	}
	if r, _, _ := s.Remembered(ctx, "u1", "old-password"); !r {
		t.Error("the migrated password is not kept behind a newer one")
	}
	if key, ok, _ := s.NaturalKey(ctx, "Group", "abc123"); !ok || key != "Sales" {
		t.Errorf("surrogate id lost in migration: %q %v", key, ok)
	}
}
