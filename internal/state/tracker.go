package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// Tracker is what a backend without change times (WSO2's user store, say) needs from the
// bridge's state: a content hash and an assigned lastModified per resource, and stable ids for
// resources whose only key is a name that can change (a role renamed keeps its SCIM id).
// Memory and SQLite implement it; the schema (two plain tables, see sqlite.go) is meant to be
// implemented on PostgreSQL unchanged when replicas share state.
type Tracker interface {
	// Observe records that resource (resourceType, id) currently has contentHash and returns
	// its lastModified: the time of the first observation with this hash. A changed hash moves
	// lastModified to now (strictly after the previous value, whatever the clock did).
	Observe(ctx context.Context, resourceType, id, contentHash string, now time.Time) (time.Time, error)
	// Forget drops what Observe recorded (after a delete).
	Forget(ctx context.Context, resourceType, id string) error
	// SurrogateID returns the stable id issued for a natural key, issuing a new one the first time.
	SurrogateID(ctx context.Context, resourceType, key string) (string, error)
	// NaturalKey returns the natural key behind a surrogate id; ok is false for an unknown id.
	NaturalKey(ctx context.Context, resourceType, id string) (key string, ok bool, err error)
	// Rebind points a surrogate id at a new natural key (after a rename the application
	// accepted, so its answer wins: another id that still held the key loses it).
	Rebind(ctx context.Context, resourceType, id, key string) error
	// ForgetID drops a surrogate id (after a delete).
	ForgetID(ctx context.Context, resourceType, id string) error
}

// trackerPrecision: lastModified values are kept to the millisecond, the precision SCIM
// clients echo back in `meta.lastModified gt` filters.
const trackerPrecision = time.Millisecond

// nextModified is the lastModified for a changed hash: now, but strictly after prev.
func nextModified(prev, now time.Time) time.Time {
	now = now.UTC().Truncate(trackerPrecision)
	if !prev.IsZero() && !now.After(prev) {
		now = prev.Add(trackerPrecision)
	}
	return now
}

func newSurrogate() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}

type observed struct {
	hash string
	at   time.Time
}

type trackKey struct{ typ, id string }

// memTracker is the in-memory Tracker part of Memory.
type memTracker struct {
	mu      sync.Mutex
	seen    map[trackKey]observed
	natural map[trackKey]string // (type, id) → key
	ids     map[trackKey]string // (type, key) → id
}

func (m *memTracker) init() {
	if m.seen == nil {
		m.seen = map[trackKey]observed{}
		m.natural = map[trackKey]string{}
		m.ids = map[trackKey]string{}
	}
}

// Observe implements Tracker.
func (m *Memory) Observe(_ context.Context, typ, id, hash string, now time.Time) (time.Time, error) {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	m.t.init()
	k := trackKey{typ, id}
	o, ok := m.t.seen[k]
	if ok && o.hash == hash {
		return o.at, nil
	}
	o = observed{hash: hash, at: nextModified(o.at, now)}
	m.t.seen[k] = o
	return o.at, nil
}

// Forget implements Tracker.
func (m *Memory) Forget(_ context.Context, typ, id string) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	delete(m.t.seen, trackKey{typ, id})
	return nil
}

// SurrogateID implements Tracker.
func (m *Memory) SurrogateID(_ context.Context, typ, key string) (string, error) {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	m.t.init()
	if id, ok := m.t.ids[trackKey{typ, key}]; ok {
		return id, nil
	}
	id, err := newSurrogate()
	if err != nil {
		return "", err
	}
	m.t.ids[trackKey{typ, key}] = id
	m.t.natural[trackKey{typ, id}] = key
	return id, nil
}

// NaturalKey implements Tracker.
func (m *Memory) NaturalKey(_ context.Context, typ, id string) (string, bool, error) {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	key, ok := m.t.natural[trackKey{typ, id}]
	return key, ok, nil
}

// Rebind implements Tracker.
func (m *Memory) Rebind(_ context.Context, typ, id, key string) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	m.t.init()
	if other, ok := m.t.ids[trackKey{typ, key}]; ok && other != id {
		delete(m.t.natural, trackKey{typ, other})
	}
	if old, ok := m.t.natural[trackKey{typ, id}]; ok {
		delete(m.t.ids, trackKey{typ, old})
	}
	m.t.natural[trackKey{typ, id}] = key
	m.t.ids[trackKey{typ, key}] = id
	return nil
}

// ForgetID implements Tracker.
func (m *Memory) ForgetID(_ context.Context, typ, id string) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	if key, ok := m.t.natural[trackKey{typ, id}]; ok {
		delete(m.t.ids, trackKey{typ, key})
		delete(m.t.natural, trackKey{typ, id})
	}
	return nil
}
