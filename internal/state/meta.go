package state

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// memMeta is the in-memory MetaKeeper part of Memory (mapping.MetaKeeper).
type memMeta struct {
	mu   sync.Mutex
	seen map[trackKey]time.Time
	ext  map[trackKey]string
}

func (m *memMeta) init() {
	if m.seen == nil {
		m.seen = map[trackKey]time.Time{}
		m.ext = map[trackKey]string{}
	}
}

// FirstSeen implements mapping.State.
func (m *Memory) FirstSeen(_ context.Context, typ, id string, now time.Time) (time.Time, error) {
	m.meta.mu.Lock()
	defer m.meta.mu.Unlock()
	m.meta.init()
	k := trackKey{typ, id}
	if t, ok := m.meta.seen[k]; ok {
		return t, nil
	}
	t := now.UTC().Truncate(time.Millisecond)
	m.meta.seen[k] = t
	return t, nil
}

// ExternalID implements mapping.State.
func (m *Memory) ExternalID(_ context.Context, typ, id string) (string, error) {
	m.meta.mu.Lock()
	defer m.meta.mu.Unlock()
	m.meta.init()
	return m.meta.ext[trackKey{typ, id}], nil
}

// SetExternalID implements mapping.State.
func (m *Memory) SetExternalID(_ context.Context, typ, id, externalID string) error {
	m.meta.mu.Lock()
	defer m.meta.mu.Unlock()
	m.meta.init()
	if externalID == "" {
		delete(m.meta.ext, trackKey{typ, id})
	} else {
		m.meta.ext[trackKey{typ, id}] = externalID
	}
	return nil
}

// ForgetMeta implements mapping.State.
func (m *Memory) ForgetMeta(_ context.Context, typ, id string) error {
	m.meta.mu.Lock()
	defer m.meta.mu.Unlock()
	m.meta.init()
	delete(m.meta.seen, trackKey{typ, id})
	delete(m.meta.ext, trackKey{typ, id})
	return nil
}

// FirstSeen implements mapping.State. The insert keeps the first time when two bridges race.
func (s *SQLite) FirstSeen(ctx context.Context, typ, id string, now time.Time) (_ time.Time, err error) {
	defer s.opts.metrics.observe("first_seen", nowTime(), &err)
	var ms int64
	err = s.db.QueryRowContext(ctx, `SELECT first_seen_ms FROM resource_meta WHERE resource_type = ? AND id = ?`, typ, id).Scan(&ms)
	if err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, fmt.Errorf("state: resource meta: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO resource_meta (resource_type, id, first_seen_ms) VALUES (?, ?, ?)
		ON CONFLICT (resource_type, id) DO NOTHING`, typ, id, now.UnixMilli()); err != nil {
		return time.Time{}, fmt.Errorf("state: resource meta: %w", err)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT first_seen_ms FROM resource_meta WHERE resource_type = ? AND id = ?`, typ, id).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("state: resource meta: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// ExternalID implements mapping.State.
func (s *SQLite) ExternalID(ctx context.Context, typ, id string) (_ string, err error) {
	defer s.opts.metrics.observe("external_id", nowTime(), &err)
	var ext string
	err = s.db.QueryRowContext(ctx, `SELECT external_id FROM resource_meta WHERE resource_type = ? AND id = ?`, typ, id).Scan(&ext)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: resource meta: %w", err)
	}
	return ext, nil
}

// SetExternalID implements mapping.State. A resource never seen before is recorded as first
// seen now.
func (s *SQLite) SetExternalID(ctx context.Context, typ, id, externalID string) (err error) {
	defer s.opts.metrics.observe("set_external_id", nowTime(), &err)
	if _, err := s.db.ExecContext(ctx, `INSERT INTO resource_meta (resource_type, id, first_seen_ms, external_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (resource_type, id) DO UPDATE SET external_id = excluded.external_id`,
		typ, id, time.Now().UnixMilli(), externalID); err != nil {
		return fmt.Errorf("state: resource meta: %w", err)
	}
	return nil
}

// ForgetMeta implements mapping.State.
func (s *SQLite) ForgetMeta(ctx context.Context, typ, id string) (err error) {
	defer s.opts.metrics.observe("forget_meta", nowTime(), &err)
	if _, err := s.db.ExecContext(ctx, `DELETE FROM resource_meta WHERE resource_type = ? AND id = ?`, typ, id); err != nil {
		return fmt.Errorf("state: resource meta: %w", err)
	}
	return nil
}
