package state

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"sync"
	"sync/atomic"
)

// DefaultPasswordHistory is how many passwords per user are remembered when the configuration
// says nothing: a PUT carrying any of them is not a password change (docs/okta-agent-protocol.md
// describes the agent re-sending earlier passwords on deactivate and reactivate).
const DefaultPasswordHistory = 5

// MaxPasswordHistory bounds the history: each remembered password costs one PBKDF2 run when a
// PUT carries a password that matches none of them.
const MaxPasswordHistory = 24

// Option tunes a store at open time.
type Option func(*options)

type options struct {
	history int
	metrics *Metrics
}

// WithPasswordHistory sets how many passwords per user are remembered (1..MaxPasswordHistory;
// anything else keeps the default).
func WithPasswordHistory(n int) Option {
	return func(o *options) {
		if n >= 1 && n <= MaxPasswordHistory {
			o.history = n
		}
	}
}

// WithMetrics measures every store call into m.
func WithMetrics(m *Metrics) Option { return func(o *options) { o.metrics = m } }

func buildOptions(opts []Option) options {
	o := options{history: DefaultPasswordHistory}
	for _, f := range opts {
		f(&o)
	}
	return o
}

// pbkdf2Iterations balances the cost of a stolen state file against the latency added to every
// user PUT that carries a password (the agent sends one on every PUT). About 5 ms here.
const pbkdf2Iterations = 20000

// entry is one remembered password: a PBKDF2-SHA256 hash under its own random salt.
type entry struct {
	salt, hash []byte
}

func newEntry(password string) (entry, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return entry{}, err
	}
	h, err := hashPassword(password, salt)
	if err == nil {
		verified.remember(salt, password)
	}
	return entry{salt: salt, hash: h}, err
}

func hashPassword(password string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
}

// matches says whether password is the one e was made from: from the verified cache when this
// process has matched e before, else by PBKDF2 (and then remembered when it matches).
func (e entry) matches(password string) (bool, error) {
	if ok, known := verified.lookup(e.salt, password); known {
		return ok, nil
	}
	pbkdf2Runs.Add(1)
	h, err := hashPassword(password, e.salt)
	if err != nil {
		return false, err
	}
	if subtle.ConstantTimeCompare(h, e.hash) != 1 {
		return false, nil
	}
	verified.remember(e.salt, password)
	return true, nil
}

// pbkdf2Runs counts the slow hashes run to match passwords, for tests.
var pbkdf2Runs atomic.Int64

// firstMatch returns the index of the first entry (newest first) that password matches, or -1.
// The newest is tried first because a repeat of the current password is the common case.
func firstMatch(entries []entry, password string) (int, error) {
	for i, e := range entries {
		ok, err := e.matches(password)
		if err != nil {
			return -1, err
		}
		if ok {
			return i, nil
		}
	}
	return -1, nil
}

// Memory is the state in process memory: the password history, the per-resource locks and the
// change-tracking and surrogate-id bookkeeping. Everything is lost on restart, which costs one
// extra password push per user and fresh lastModified values.
type Memory struct {
	opts  options
	locks keyLocks

	mu      sync.Mutex
	history map[string][]entry // user id → newest first
	t       memTracker
	meta    memMeta
}

// NewMemory returns an empty in-memory store.
func NewMemory(opts ...Option) *Memory {
	return &Memory{opts: buildOptions(opts), history: map[string][]entry{}}
}

// Remembered reports whether password is one of the last N recorded for userID; known is false
// when nothing was ever recorded for userID (the bridge never set this user's password).
func (m *Memory) Remembered(ctx context.Context, userID, password string) (remembered, known bool, err error) {
	defer m.opts.metrics.observe("remembered", now(), &err)
	m.mu.Lock()
	entries := m.history[userID]
	m.mu.Unlock()
	if len(entries) == 0 {
		return false, false, nil
	}
	i, err := firstMatch(entries, password)
	return i >= 0, true, err
}

// Record remembers password as userID's newest, keeping the last N; recording a remembered
// password moves it to the front instead of keeping it twice.
func (m *Memory) Record(ctx context.Context, userID, password string) (err error) {
	defer m.opts.metrics.observe("record", now(), &err)
	return m.record(ctx, userID, password, true)
}

// RecordNew is Record for a password that Remembered has just not found for userID (under the
// user's write lock): it is not matched against the remembered hashes again.
func (m *Memory) RecordNew(ctx context.Context, userID, password string) (err error) {
	defer m.opts.metrics.observe("record", now(), &err)
	return m.record(ctx, userID, password, false)
}

// record stores password as userID's newest; match says to look for it among the remembered
// ones first (recording a remembered password moves it to the front instead of keeping it twice).
func (m *Memory) record(ctx context.Context, userID, password string, match bool) error {
	e, err := newEntry(password)
	if err != nil {
		return err
	}
	m.mu.Lock()
	old := m.history[userID]
	m.mu.Unlock()
	i := -1
	if match {
		if i, err = firstMatch(old, password); err != nil { // hashing outside the lock
			return err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	cur := m.history[userID]
	next := make([]entry, 0, m.opts.history)
	next = append(next, e)
	for _, o := range cur {
		if i >= 0 && sameEntry(o, old[i]) {
			continue
		}
		if len(next) == m.opts.history {
			break
		}
		next = append(next, o)
	}
	m.history[userID] = next
	return nil
}

func sameEntry(a, b entry) bool {
	return subtle.ConstantTimeCompare(a.salt, b.salt) == 1 && subtle.ConstantTimeCompare(a.hash, b.hash) == 1
}

// Lock serialises writes to one resource inside this process (see keyLocks).
func (m *Memory) Lock(ctx context.Context, key string) (unlock func(), err error) {
	defer m.opts.metrics.observe("lock", now(), &err)
	return m.locks.lock(ctx, key)
}

// Ping always succeeds: memory is always there.
func (m *Memory) Ping(context.Context) error { return nil }

// Close releases nothing.
func (m *Memory) Close() error { return nil }
