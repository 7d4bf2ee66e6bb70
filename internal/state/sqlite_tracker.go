package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Observe implements mapping.State. One connection (SetMaxOpenConns(1)) serialises the read and the
// write, so two observations of one resource cannot interleave.
func (s *SQLite) Observe(ctx context.Context, typ, id, hash string, now time.Time) (_ time.Time, err error) {
	defer s.opts.metrics.observe("observe", nowTime(), &err)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return time.Time{}, fmt.Errorf("state: change tracker: %w", err)
	}
	defer tx.Rollback()
	var oldHash string
	var ms int64
	err = tx.QueryRowContext(ctx, `SELECT content_hash, last_modified_ms FROM change_tracker WHERE resource_type = ? AND id = ?`, typ, id).Scan(&oldHash, &ms)
	var prev time.Time
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return time.Time{}, fmt.Errorf("state: change tracker: %w", err)
	default:
		prev = time.UnixMilli(ms).UTC()
		if oldHash == hash {
			return prev, nil
		}
	}
	at := nextModified(prev, now)
	_, err = tx.ExecContext(ctx, `INSERT INTO change_tracker (resource_type, id, content_hash, last_modified_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (resource_type, id) DO UPDATE SET content_hash = excluded.content_hash, last_modified_ms = excluded.last_modified_ms`,
		typ, id, hash, at.UnixMilli())
	if err != nil {
		return time.Time{}, fmt.Errorf("state: change tracker: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return time.Time{}, fmt.Errorf("state: change tracker: %w", err)
	}
	return at, nil
}

// Forget implements mapping.State.
func (s *SQLite) Forget(ctx context.Context, typ, id string) (err error) {
	defer s.opts.metrics.observe("forget", nowTime(), &err)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM change_tracker WHERE resource_type = ? AND id = ?`, typ, id); err != nil {
		return fmt.Errorf("state: change tracker: %w", err)
	}
	return nil
}

// SurrogateID implements mapping.State.
func (s *SQLite) SurrogateID(ctx context.Context, typ, key string) (_ string, err error) {
	defer s.opts.metrics.observe("surrogate_id", nowTime(), &err)
	var id string
	err = s.db.QueryRowContext(ctx, `SELECT id FROM surrogate_ids WHERE resource_type = ? AND natural_key = ?`, typ, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	if id, err = newSurrogate(); err != nil {
		return "", err
	}
	// DO NOTHING + re-read: a concurrent first sight of the same key keeps one id.
	if _, err := s.db.ExecContext(ctx, `INSERT INTO surrogate_ids (resource_type, id, natural_key) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, typ, id, key); err != nil {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT id FROM surrogate_ids WHERE resource_type = ? AND natural_key = ?`, typ, key).Scan(&id); err != nil {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	return id, nil
}

// NaturalKey implements mapping.State.
func (s *SQLite) NaturalKey(ctx context.Context, typ, id string) (_ string, _ bool, err error) {
	defer s.opts.metrics.observe("natural_key", nowTime(), &err)
	var key string
	err = s.db.QueryRowContext(ctx, `SELECT natural_key FROM surrogate_ids WHERE resource_type = ? AND id = ?`, typ, id).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("state: surrogate ids: %w", err)
	}
	return key, true, nil
}

// Rebind implements mapping.State.
func (s *SQLite) Rebind(ctx context.Context, typ, id, key string) (err error) {
	defer s.opts.metrics.observe("rebind", nowTime(), &err)
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM surrogate_ids WHERE resource_type = ? AND natural_key = ? AND id <> ?`, typ, key, id); err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO surrogate_ids (resource_type, id, natural_key) VALUES (?, ?, ?)
		ON CONFLICT (resource_type, id) DO UPDATE SET natural_key = excluded.natural_key`, typ, id, key)
	if err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	return nil
}

// ForgetID implements mapping.State.
func (s *SQLite) ForgetID(ctx context.Context, typ, id string) (err error) {
	defer s.opts.metrics.observe("forget_id", nowTime(), &err)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM surrogate_ids WHERE resource_type = ? AND id = ?`, typ, id); err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	return nil
}
