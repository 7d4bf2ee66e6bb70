package state

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FirstSeen implements mapping.State in one statement: replicas seeing a resource at once keep
// the first time written.
func (p *Postgres) FirstSeen(ctx context.Context, typ, id string, now time.Time) (at time.Time, err error) {
	defer p.opts.metrics.observe("first_seen", nowTime(), &err)
	var ms int64
	err = p.pool.QueryRow(ctx, `INSERT INTO resource_meta AS m (resource_type, id, first_seen_ms) VALUES ($1, $2, $3)
		ON CONFLICT (resource_type, id) DO UPDATE SET first_seen_ms = m.first_seen_ms
		RETURNING first_seen_ms`, typ, id, now.UnixMilli()).Scan(&ms)
	if err != nil {
		return time.Time{}, fmt.Errorf("state: resource meta: %w", err)
	}
	return time.UnixMilli(ms).UTC(), nil
}

// ExternalID implements mapping.State.
func (p *Postgres) ExternalID(ctx context.Context, typ, id string) (ext string, err error) {
	defer p.opts.metrics.observe("external_id", nowTime(), &err)
	err = p.pool.QueryRow(ctx, `SELECT external_id FROM resource_meta WHERE resource_type = $1 AND id = $2`, typ, id).Scan(&ext)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("state: resource meta: %w", err)
	}
	return ext, nil
}

// SetExternalID implements mapping.State.
func (p *Postgres) SetExternalID(ctx context.Context, typ, id, externalID string) (err error) {
	defer p.opts.metrics.observe("set_external_id", nowTime(), &err)
	if _, err := p.pool.Exec(ctx, `INSERT INTO resource_meta (resource_type, id, first_seen_ms, external_id) VALUES ($1, $2, $3, $4)
		ON CONFLICT (resource_type, id) DO UPDATE SET external_id = excluded.external_id`,
		typ, id, time.Now().UnixMilli(), externalID); err != nil {
		return fmt.Errorf("state: resource meta: %w", err)
	}
	return nil
}

// ForgetMeta implements mapping.State.
func (p *Postgres) ForgetMeta(ctx context.Context, typ, id string) (err error) {
	defer p.opts.metrics.observe("forget_meta", nowTime(), &err)
	if _, err := p.pool.Exec(ctx, `DELETE FROM resource_meta WHERE resource_type = $1 AND id = $2`, typ, id); err != nil {
		return fmt.Errorf("state: resource meta: %w", err)
	}
	return nil
}
