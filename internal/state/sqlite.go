package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLite is the state in one SQLite file, for one bridge process: the file survives restarts,
// and the per-resource locks are held in the process (a second process never shares the file;
// replicas share PostgreSQL instead).
type SQLite struct {
	db    *sql.DB
	opts  options
	locks keyLocks
}

// sqliteMigrations are applied in order, each once, recorded in schema_version. Version 1 uses
// IF NOT EXISTS because files written before the schema was versioned already hold its tables.
var sqliteMigrations = []string{
	1: `CREATE TABLE IF NOT EXISTS password_ledger (
		user_id TEXT PRIMARY KEY,
		salt    BLOB NOT NULL,
		hash    BLOB NOT NULL,
		updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
	);
	CREATE TABLE IF NOT EXISTS change_tracker (
		resource_type    TEXT   NOT NULL,
		id               TEXT   NOT NULL,
		content_hash     TEXT   NOT NULL,
		last_modified_ms BIGINT NOT NULL,
		PRIMARY KEY (resource_type, id)
	);
	CREATE TABLE IF NOT EXISTS surrogate_ids (
		resource_type TEXT NOT NULL,
		id            TEXT NOT NULL,
		natural_key   TEXT NOT NULL,
		PRIMARY KEY (resource_type, id),
		UNIQUE (resource_type, natural_key)
	)`,
	// 2: the last N passwords per user instead of the last one; the old entry becomes the newest.
	2: `CREATE TABLE password_history (
		user_id     TEXT    NOT NULL,
		seq         INTEGER NOT NULL,
		salt        BLOB    NOT NULL,
		hash        BLOB    NOT NULL,
		recorded_ms INTEGER NOT NULL,
		PRIMARY KEY (user_id, seq)
	);
	INSERT INTO password_history (user_id, seq, salt, hash, recorded_ms)
		SELECT user_id, 1, salt, hash, CAST(strftime('%s','now') AS INTEGER) * 1000 FROM password_ledger;
	DROP TABLE password_ledger`,
	// 3: what the application keeps no record of: when each resource was first seen (meta.created)
	// and a group's externalId.
	3: `CREATE TABLE resource_meta (
		resource_type TEXT    NOT NULL,
		id            TEXT    NOT NULL,
		first_seen_ms INTEGER NOT NULL,
		external_id   TEXT    NOT NULL DEFAULT '',
		PRIMARY KEY (resource_type, id)
	)`,
}

// SchemaVersion is the newest state schema this build knows (the same number for every engine).
func SchemaVersion() int { return len(sqliteMigrations) - 1 }

// OpenSQLite opens (creating if needed, readable by its owner only) the state file at path and
// brings its schema up to date.
func OpenSQLite(path string, opts ...Option) (*SQLite, error) {
	if err := ownerOnly(path); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	db, err := openSQLiteDB(path)
	if err != nil {
		return nil, err
	}
	if err := migrateSQLite(db); err != nil {
		db.Close()
		return nil, fmt.Errorf("state: %s: %w", path, err)
	}
	return &SQLite{db: db, opts: buildOptions(opts)}, nil
}

func openSQLiteDB(path string) (*sql.DB, error) {
	// busy_timeout: a second process (a backup) holding the file must delay a write, not fail
	// it. WAL keeps readers and the single writer out of each other's way.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // SQLite has one writer; one connection avoids SQLITE_BUSY between our own goroutines.
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	return db, nil
}

// ownerOnly creates path with mode 0600 when it does not exist, and takes group and other
// permissions away from an existing one: the file holds password hashes. SQLite gives its -wal
// and -shm files the database file's mode.
func ownerOnly(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		return f.Close()
	}
	if !errors.Is(err, fs.ErrExist) {
		return err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(path, fi.Mode().Perm()&0o700)
	}
	return nil
}

func migrateSQLite(db *sql.DB) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_ms INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	var have int
	if err := db.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if have > SchemaVersion() {
		return fmt.Errorf("the state schema is version %d, newer than this scimbridge knows (%d): it was written by a newer release; run that release or restore a backup", have, SchemaVersion())
	}
	for v := have + 1; v <= SchemaVersion(); v++ {
		tx, err := db.Begin()
		if err != nil {
			return err
		}
		if _, err := tx.Exec(sqliteMigrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("schema migration %d: %w", v, err)
		}
		if _, err := tx.Exec(`INSERT INTO schema_version (version, applied_ms) VALUES (?, ?)`, v, time.Now().UnixMilli()); err != nil {
			tx.Rollback()
			return fmt.Errorf("schema migration %d: %w", v, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("schema migration %d: %w", v, err)
		}
	}
	return nil
}

// Version returns the schema version of the store.
func (s *SQLite) Version(ctx context.Context) (int, error) {
	var v int
	err := s.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

type storedEntry struct {
	seq int64
	entry
}

func (s *SQLite) history(ctx context.Context, userID string) ([]storedEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, salt, hash FROM password_history WHERE user_id = ? ORDER BY seq DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("state: read password history: %w", err)
	}
	defer rows.Close()
	var out []storedEntry
	for rows.Next() {
		var e storedEntry
		if err := rows.Scan(&e.seq, &e.salt, &e.hash); err != nil {
			return nil, fmt.Errorf("state: read password history: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("state: read password history: %w", err)
	}
	return out, nil
}

func entries(stored []storedEntry) []entry {
	out := make([]entry, len(stored))
	for i, e := range stored {
		out[i] = e.entry
	}
	return out
}

// Remembered reports whether password is one of the last N recorded for userID; known is false
// when nothing was ever recorded for userID.
func (s *SQLite) Remembered(ctx context.Context, userID, password string) (remembered, known bool, err error) {
	defer s.opts.metrics.observe("remembered", now(), &err)
	stored, err := s.history(ctx, userID)
	if err != nil || len(stored) == 0 {
		return false, false, err
	}
	i, err := firstMatch(entries(stored), password)
	return i >= 0, true, err
}

// Record remembers password as userID's newest, keeping the last N.
func (s *SQLite) Record(ctx context.Context, userID, password string) (err error) {
	defer s.opts.metrics.observe("record", now(), &err)
	return s.record(ctx, userID, password, true)
}

// RecordNew is Record for a password that Remembered has just not found for userID (under the
// user's write lock): it is not matched against the remembered hashes again.
func (s *SQLite) RecordNew(ctx context.Context, userID, password string) (err error) {
	defer s.opts.metrics.observe("record", now(), &err)
	return s.record(ctx, userID, password, false)
}

// record stores password as userID's newest; match says to look for it among the remembered
// ones first (recording a remembered password moves it to the front instead of keeping it twice).
func (s *SQLite) record(ctx context.Context, userID, password string, match bool) error {
	e, err := newEntry(password)
	if err != nil {
		return err
	}
	stored, err := s.history(ctx, userID)
	if err != nil {
		return err
	}
	i := -1
	if match {
		if i, err = firstMatch(entries(stored), password); err != nil {
			return err
		}
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: write password history: %w", err)
	}
	defer tx.Rollback()
	if i >= 0 { // the same password again: keep one entry, the newest
		if _, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = ? AND seq = ?`, userID, stored[i].seq); err != nil {
			return fmt.Errorf("state: write password history: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO password_history (user_id, seq, salt, hash, recorded_ms) VALUES (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM password_history WHERE user_id = ?), ?, ?, ?)`,
		userID, userID, e.salt, e.hash, time.Now().UnixMilli()); err != nil {
		return fmt.Errorf("state: write password history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM password_history WHERE user_id = ? AND seq NOT IN
		(SELECT seq FROM password_history WHERE user_id = ? ORDER BY seq DESC LIMIT ?)`, userID, userID, s.opts.history); err != nil {
		return fmt.Errorf("state: write password history: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: write password history: %w", err)
	}
	return nil
}

// Lock serialises writes to one resource inside this process.
func (s *SQLite) Lock(ctx context.Context, key string) (unlock func(), err error) {
	defer s.opts.metrics.observe("lock", now(), &err)
	return s.locks.lock(ctx, key)
}

// Ping checks that the file can still be read.
func (s *SQLite) Ping(ctx context.Context) (err error) {
	defer s.opts.metrics.observe("ping", now(), &err)
	var one int
	return s.db.QueryRowContext(ctx, `SELECT 1 FROM schema_version LIMIT 1`).Scan(&one)
}

// Close closes the file.
func (s *SQLite) Close() error { return s.db.Close() }

// BackupSQLite copies the state file at src into a new file dest (mode 0600) while bridges may
// be using src: VACUUM INTO reads one consistent snapshot and never blocks the writer for long.
// dest must not exist.
func BackupSQLite(ctx context.Context, src, dest string) error {
	if _, err := os.Stat(src); err != nil {
		return fmt.Errorf("state backup: %w", err)
	}
	f, err := os.OpenFile(dest, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("state backup: %w", err)
	}
	f.Close()
	db, err := openSQLiteDB(src)
	if err != nil {
		os.Remove(dest)
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dest); err != nil {
		os.Remove(dest)
		return fmt.Errorf("state backup of %s: %w", src, err)
	}
	return os.Chmod(dest, 0o600)
}
