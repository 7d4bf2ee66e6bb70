package state

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the state in a PostgreSQL database that several bridge replicas share: the
// password history, change tracking and surrogate ids are rows every replica reads and writes,
// and Lock is a PostgreSQL advisory lock, so one resource's read-diff-write is serialised across
// replicas, not only within one.
type Postgres struct {
	pool  *pgxpool.Pool // queries
	locks *pgxpool.Pool // one connection per held (or awaited) resource lock
	opts  options

	mu   sync.Mutex
	held map[*heldLock]struct{} // so that Close can end them: a pool does not close with connections out
}

// heldLock is one advisory lock being held: its connection stays out of the pool, its
// transaction open.
type heldLock struct {
	once sync.Once
	conn *pgxpool.Conn
	tx   pgx.Tx
}

// release commits (releasing the lock) and returns the connection; hard closes the connection
// instead, which ends the session and so the lock too.
func (p *Postgres) release(h *heldLock, hard bool) {
	h.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if hard || h.tx.Commit(ctx) != nil {
			h.conn.Conn().Close(ctx) // the pool drops a closed connection
		}
		h.conn.Release()
		p.mu.Lock()
		delete(p.held, h)
		p.mu.Unlock()
	})
}

// Default pool sizes; a DSN's pool_max_conns sets the query pool instead. The lock pool is
// larger: every request writing a resource holds one of its connections while it works, and a
// request waiting for a busy resource holds one while it waits.
const (
	defaultQueryConns = 8
	defaultLockConns  = 32
)

// postgresMigrations are applied in order, each once, recorded in schema_version, under an
// advisory lock so that replicas starting together apply each exactly once.
var postgresMigrations = []string{
	1: `CREATE TABLE password_history (
		seq         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		user_id     TEXT   NOT NULL,
		salt        BYTEA  NOT NULL,
		hash        BYTEA  NOT NULL,
		recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
	);
	CREATE INDEX password_history_user ON password_history (user_id, seq DESC);
	CREATE TABLE change_tracker (
		resource_type    TEXT   NOT NULL,
		id               TEXT   NOT NULL,
		content_hash     TEXT   NOT NULL,
		last_modified_ms BIGINT NOT NULL,
		PRIMARY KEY (resource_type, id)
	);
	CREATE TABLE surrogate_ids (
		resource_type TEXT NOT NULL,
		id            TEXT NOT NULL,
		natural_key   TEXT NOT NULL,
		PRIMARY KEY (resource_type, id),
		UNIQUE (resource_type, natural_key)
	)`,
	// 2: what the application keeps no record of (mapping.MetaKeeper): first-seen times and a
	// group's externalId.
	2: `CREATE TABLE resource_meta (
		resource_type TEXT   NOT NULL,
		id            TEXT   NOT NULL,
		first_seen_ms BIGINT NOT NULL,
		external_id   TEXT   NOT NULL DEFAULT '',
		PRIMARY KEY (resource_type, id)
	)`,
}

// PostgresSchemaVersion is the newest PostgreSQL state schema this build knows.
func PostgresSchemaVersion() int { return len(postgresMigrations) - 1 }

// advisoryKey maps a name to the 64-bit key of a PostgreSQL advisory lock. Names are namespaced
// so that the bridge's keys do not meet another application's on a shared server by accident.
func advisoryKey(name string) int64 {
	sum := sha256.Sum256([]byte("scimbridge/" + name))
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

var migrationLock = advisoryKey("schema-migration")

// OpenPostgres connects to the database at dsn (a postgres:// URL or key=value string) and
// brings its schema up to date. It fails when the database cannot be reached: a bridge must
// not start without its state.
func OpenPostgres(ctx context.Context, dsn string, opts ...Option) (*Postgres, error) {
	qcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgx's message can quote the DSN, password included.
		return nil, errors.New("state.postgres: not a valid PostgreSQL connection string (a postgres:// URL or key=value pairs)")
	}
	lcfg := qcfg.Copy()
	if !dsnSets(dsn, "pool_max_conns") {
		qcfg.MaxConns = defaultQueryConns
	}
	lcfg.MaxConns = max(defaultLockConns, qcfg.MaxConns)
	lcfg.MinConns = 0
	for _, c := range []*pgxpool.Config{qcfg, lcfg} {
		c.ConnConfig.ConnectTimeout = 5 * time.Second
		if c.ConnConfig.RuntimeParams == nil {
			c.ConnConfig.RuntimeParams = map[string]string{}
		}
		c.ConnConfig.RuntimeParams["application_name"] = "scimbridge"
		// A context ending mid-query cancels the query on the server (and keeps the
		// connection), instead of leaving the server waiting for a lock nobody wants.
		c.ConnConfig.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
			return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, CancelRequestDelay: 0, DeadlineDelay: 2 * time.Second}
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, qcfg)
	if err != nil {
		return nil, fmt.Errorf("state.postgres: %w", err)
	}
	locks, err := pgxpool.NewWithConfig(ctx, lcfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("state.postgres: %w", err)
	}
	p := &Postgres{pool: pool, locks: locks, opts: buildOptions(opts), held: map[*heldLock]struct{}{}}
	if err := p.migrate(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("state.postgres: %w", err)
	}
	return p, nil
}

func dsnSets(dsn, key string) bool { return strings.Contains(dsn, key) }

// migrate applies the missing migrations holding a session advisory lock, so that replicas
// starting at once apply each migration exactly once (the others wait, then find nothing to do).
func (p *Postgres) migrate(ctx context.Context) error {
	conn, err := p.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("schema migration lock: %w", err)
	}
	defer func() {
		// A failed unlock ends with the session; drop the connection to be sure.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); err != nil {
			conn.Conn().Close(context.Background())
		}
	}()
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version    INTEGER PRIMARY KEY,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	var have int
	if err := conn.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&have); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if have > PostgresSchemaVersion() {
		return fmt.Errorf("the state schema is version %d, newer than this scimbridge knows (%d): a newer release migrated it; run that release", have, PostgresSchemaVersion())
	}
	for v := have + 1; v <= PostgresSchemaVersion(); v++ {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, postgresMigrations[v]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_version (version) VALUES ($1)`, v)
			return err
		})
		if err != nil {
			return fmt.Errorf("schema migration %d: %w", v, err)
		}
	}
	return nil
}

// Version returns the schema version of the database.
func (p *Postgres) Version(ctx context.Context) (int, error) {
	var v int
	err := p.pool.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_version`).Scan(&v)
	return v, err
}

func (p *Postgres) history(ctx context.Context, userID string) ([]storedEntry, error) {
	rows, err := p.pool.Query(ctx, `SELECT seq, salt, hash FROM password_history WHERE user_id = $1 ORDER BY seq DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("state: read password history: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (storedEntry, error) {
		var e storedEntry
		err := r.Scan(&e.seq, &e.salt, &e.hash)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("state: read password history: %w", err)
	}
	return out, nil
}

// Remembered reports whether password is one of the last N recorded for userID; known is false
// when nothing was ever recorded for userID.
func (p *Postgres) Remembered(ctx context.Context, userID, password string) (remembered, known bool, err error) {
	defer p.opts.metrics.observe("remembered", now(), &err)
	stored, err := p.history(ctx, userID)
	if err != nil || len(stored) == 0 {
		return false, false, err
	}
	i, err := firstMatch(entries(stored), password)
	return i >= 0, true, err
}

// Record remembers password as userID's newest, keeping the last N.
func (p *Postgres) Record(ctx context.Context, userID, password string) (err error) {
	defer p.opts.metrics.observe("record", now(), &err)
	return p.record(ctx, userID, password, true)
}

// RecordNew is Record for a password that Remembered has just not found for userID (under the
// user's write lock): it is not matched against the remembered hashes again.
func (p *Postgres) RecordNew(ctx context.Context, userID, password string) (err error) {
	defer p.opts.metrics.observe("record", now(), &err)
	return p.record(ctx, userID, password, false)
}

// record stores password as userID's newest; match says to look for it among the remembered
// ones first (recording a remembered password moves it to the front instead of keeping it twice).
func (p *Postgres) record(ctx context.Context, userID, password string, match bool) error {
	e, err := newEntry(password)
	if err != nil {
		return err
	}
	stored, err := p.history(ctx, userID)
	if err != nil {
		return err
	}
	i := -1
	if match {
		if i, err = firstMatch(entries(stored), password); err != nil {
			return err
		}
	}
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if i >= 0 { // the same password again: keep one entry, the newest
			if _, err := tx.Exec(ctx, `DELETE FROM password_history WHERE seq = $1`, stored[i].seq); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO password_history (user_id, salt, hash) VALUES ($1, $2, $3)`, userID, e.salt, e.hash); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM password_history WHERE user_id = $1 AND seq NOT IN
			(SELECT seq FROM password_history WHERE user_id = $1 ORDER BY seq DESC LIMIT $2)`, userID, p.opts.history)
		return err
	})
	if err != nil {
		return fmt.Errorf("state: write password history: %w", err)
	}
	return nil
}

// Lock takes the transaction-scoped advisory lock of key on a connection of its own and keeps
// the transaction open until unlock: the lock is released by the commit, or by the server when
// the connection or the replica dies, so a crashed replica never leaves a resource locked. The
// wait ends at ctx's deadline (lock_timeout on the server) or when ctx is cancelled, with an
// error wrapping the context's error.
func (p *Postgres) Lock(ctx context.Context, key string) (unlock func(), err error) {
	defer p.opts.metrics.observe("lock", now(), &err)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := p.locks.Acquire(ctx)
	if err != nil {
		return nil, p.lockError(ctx, key, err)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		conn.Release()
		return nil, p.lockError(ctx, key, err)
	}
	abandon := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if tx.Rollback(rctx) != nil {
			conn.Conn().Close(rctx) // the pool drops a closed connection
		}
		conn.Release()
	}
	if dl, ok := ctx.Deadline(); ok {
		ms := time.Until(dl).Milliseconds()
		if ms <= 0 {
			abandon()
			return nil, fmt.Errorf("state: lock %s: %w", key, context.DeadlineExceeded)
		}
		if _, err := tx.Exec(ctx, `SELECT set_config('lock_timeout', $1, true)`, strconv.FormatInt(ms, 10)+"ms"); err != nil {
			abandon()
			return nil, p.lockError(ctx, key, err)
		}
	}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, advisoryKey("resource/"+key)); err != nil {
		abandon()
		return nil, p.lockError(ctx, key, err)
	}
	h := &heldLock{conn: conn, tx: tx}
	p.mu.Lock()
	closed := p.held == nil
	if !closed {
		p.held[h] = struct{}{}
	}
	p.mu.Unlock()
	if closed {
		p.release(h, true)
		return nil, fmt.Errorf("state: lock %s: the store is closed", key)
	}
	return func() { p.release(h, false) }, nil
}

// lockError says why a lock was not taken, wrapping the context's error when the wait ran out
// (lock_timeout is the server's view of the same deadline).
func (p *Postgres) lockError(ctx context.Context, key string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" { // lock_not_available
		return fmt.Errorf("state: lock %s: %w", key, context.DeadlineExceeded)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("state: lock %s: %w", key, ctx.Err())
	}
	return fmt.Errorf("state: lock %s: %w", key, err)
}

// Ping checks that the database answers.
func (p *Postgres) Ping(ctx context.Context) (err error) {
	defer p.opts.metrics.observe("ping", now(), &err)
	return p.pool.Ping(ctx)
}

// Close ends the locks still held (their sessions end, so the server releases them) and closes
// both pools.
func (p *Postgres) Close() error {
	p.mu.Lock()
	held := p.held
	p.held = nil
	p.mu.Unlock()
	for h := range held {
		p.release(h, true)
	}
	p.pool.Close()
	p.locks.Close()
	return nil
}

// Observe implements mapping.State in one statement, so that replicas observing one resource at
// once agree: an unchanged hash keeps its time, a changed one moves it to now but strictly after
// the previous value.
func (p *Postgres) Observe(ctx context.Context, typ, id, hash string, now time.Time) (at time.Time, err error) {
	defer p.opts.metrics.observe("observe", nowTime(), &err)
	ms := now.UTC().Truncate(trackerPrecision).UnixMilli()
	var got int64
	err = p.pool.QueryRow(ctx, `INSERT INTO change_tracker AS t (resource_type, id, content_hash, last_modified_ms)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (resource_type, id) DO UPDATE
			SET content_hash = excluded.content_hash,
			    last_modified_ms = GREATEST(excluded.last_modified_ms, t.last_modified_ms + 1)
			WHERE t.content_hash <> excluded.content_hash
		RETURNING last_modified_ms`, typ, id, hash, ms).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) { // the same hash: its time stands
		err = p.pool.QueryRow(ctx, `SELECT last_modified_ms FROM change_tracker WHERE resource_type = $1 AND id = $2`, typ, id).Scan(&got)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("state: change tracker: %w", err)
	}
	return time.UnixMilli(got).UTC(), nil
}

// Forget implements mapping.State.
func (p *Postgres) Forget(ctx context.Context, typ, id string) (err error) {
	defer p.opts.metrics.observe("forget", nowTime(), &err)
	if _, err := p.pool.Exec(ctx, `DELETE FROM change_tracker WHERE resource_type = $1 AND id = $2`, typ, id); err != nil {
		return fmt.Errorf("state: change tracker: %w", err)
	}
	return nil
}

// SurrogateID implements mapping.State: a concurrent first sight of one key on another replica
// keeps one id (the insert that loses does nothing, and both read the winner).
func (p *Postgres) SurrogateID(ctx context.Context, typ, key string) (id string, err error) {
	defer p.opts.metrics.observe("surrogate_id", nowTime(), &err)
	err = p.pool.QueryRow(ctx, `SELECT id FROM surrogate_ids WHERE resource_type = $1 AND natural_key = $2`, typ, key).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	if id, err = newSurrogate(); err != nil {
		return "", err
	}
	if _, err := p.pool.Exec(ctx, `INSERT INTO surrogate_ids (resource_type, id, natural_key) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, typ, id, key); err != nil {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	if err := p.pool.QueryRow(ctx, `SELECT id FROM surrogate_ids WHERE resource_type = $1 AND natural_key = $2`, typ, key).Scan(&id); err != nil {
		return "", fmt.Errorf("state: surrogate ids: %w", err)
	}
	return id, nil
}

// NaturalKey implements mapping.State.
func (p *Postgres) NaturalKey(ctx context.Context, typ, id string) (key string, ok bool, err error) {
	defer p.opts.metrics.observe("natural_key", nowTime(), &err)
	err = p.pool.QueryRow(ctx, `SELECT natural_key FROM surrogate_ids WHERE resource_type = $1 AND id = $2`, typ, id).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("state: surrogate ids: %w", err)
	}
	return key, true, nil
}

// Rebind implements mapping.State.
func (p *Postgres) Rebind(ctx context.Context, typ, id, key string) (err error) {
	defer p.opts.metrics.observe("rebind", nowTime(), &err)
	err = pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM surrogate_ids WHERE resource_type = $1 AND natural_key = $2 AND id <> $3`, typ, key, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO surrogate_ids (resource_type, id, natural_key) VALUES ($1, $2, $3)
			ON CONFLICT (resource_type, id) DO UPDATE SET natural_key = excluded.natural_key`, typ, id, key)
		return err
	})
	if err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	return nil
}

// ForgetID implements mapping.State.
func (p *Postgres) ForgetID(ctx context.Context, typ, id string) (err error) {
	defer p.opts.metrics.observe("forget_id", nowTime(), &err)
	if _, err := p.pool.Exec(ctx, `DELETE FROM surrogate_ids WHERE resource_type = $1 AND id = $2`, typ, id); err != nil {
		return fmt.Errorf("state: surrogate ids: %w", err)
	}
	return nil
}
