package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// The change-tracking and surrogate-id half of every store serves backends without change times
// (WSO2's user store, say): a content hash and an assigned lastModified per resource, and stable
// ids for resources whose only key is a name that can change (a role renamed keeps its SCIM id).
// The method set is the engine's seam, mapping.State, which every store implements directly; the
// contract suite (statetest) holds each store to it.

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

// Observe implements mapping.State.
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

// Forget implements mapping.State.
func (m *Memory) Forget(_ context.Context, typ, id string) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	delete(m.t.seen, trackKey{typ, id})
	return nil
}

// SurrogateID implements mapping.State.
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

// NaturalKey implements mapping.State.
func (m *Memory) NaturalKey(_ context.Context, typ, id string) (string, bool, error) {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	key, ok := m.t.natural[trackKey{typ, id}]
	return key, ok, nil
}

// Rebind implements mapping.State.
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

// ForgetID implements mapping.State.
func (m *Memory) ForgetID(_ context.Context, typ, id string) error {
	m.t.mu.Lock()
	defer m.t.mu.Unlock()
	if key, ok := m.t.natural[trackKey{typ, id}]; ok {
		delete(m.t.ids, trackKey{typ, key})
		delete(m.t.natural, trackKey{typ, id})
	}
	return nil
}
