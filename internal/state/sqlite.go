package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)
)

// SQLite is a Store in one SQLite file.
type SQLite struct {
	db *sql.DB
}

// OpenSQLite opens (creating if needed) the state file at path.
func OpenSQLite(path string) (*SQLite, error) {
	// busy_timeout: a second process (a CLI check, a backup) holding the file must delay a write,
	// not fail it. WAL keeps readers and the single writer out of each other's way.
	dsn := "file:" + path + "?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("state: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // SQLite has one writer; one connection avoids SQLITE_BUSY between our own goroutines.
	const schema = `CREATE TABLE IF NOT EXISTS password_ledger (
		user_id TEXT PRIMARY KEY,
		salt    BLOB NOT NULL,
		hash    BLOB NOT NULL,
		updated TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
	)`
	if _, err := db.Exec(schema + ";\n" + trackerSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("state: prepare %s: %w", path, err)
	}
	return &SQLite{db: db}, nil
}

// Matches implements Store.
func (s *SQLite) Matches(ctx context.Context, userID, password string) (bool, error) {
	var e entry
	err := s.db.QueryRowContext(ctx, `SELECT salt, hash FROM password_ledger WHERE user_id = ?`, userID).Scan(&e.salt, &e.hash)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNoEntry
	}
	if err != nil {
		return false, fmt.Errorf("state: read password ledger: %w", err)
	}
	return e.matches(password)
}

// Record implements Store.
func (s *SQLite) Record(ctx context.Context, userID, password string) error {
	e, err := newEntry(password)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO password_ledger (user_id, salt, hash) VALUES (?, ?, ?)
		ON CONFLICT(user_id) DO UPDATE SET salt = excluded.salt, hash = excluded.hash,
		updated = strftime('%Y-%m-%dT%H:%M:%fZ','now')`, userID, e.salt, e.hash)
	if err != nil {
		return fmt.Errorf("state: write password ledger: %w", err)
	}
	return nil
}

// Close implements Store.
func (s *SQLite) Close() error { return s.db.Close() }
