package state

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"sync"
)

// Store is the bridge's state. It satisfies adapter.PasswordLedger.
type Store interface {
	// Matches reports whether password is the one last recorded for userID. When nothing was
	// ever recorded for userID it returns false and ErrNoEntry: the front end treats "the bridge
	// never set this user's password" differently from "the password changed".
	Matches(ctx context.Context, userID, password string) (bool, error)
	// Record remembers password (as a salted hash) as the last one set for userID.
	Record(ctx context.Context, userID, password string) error
	// Close releases the store.
	Close() error
}

// ErrNoEntry is returned by Matches when nothing is recorded for the user.
var ErrNoEntry = errors.New("state: no password recorded for this user")

// pbkdf2Iterations balances the cost of a stolen state file against the latency added to every
// user PUT that carries a password (the agent sends one on every PUT). About 5 ms here.
const pbkdf2Iterations = 20000

type entry struct {
	salt, hash []byte
}

func newEntry(password string) (entry, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return entry{}, err
	}
	h, err := hashPassword(password, salt)
	return entry{salt: salt, hash: h}, err
}

func hashPassword(password string, salt []byte) ([]byte, error) {
	return pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
}

func (e entry) matches(password string) (bool, error) {
	h, err := hashPassword(password, e.salt)
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(h, e.hash) == 1, nil
}

// Memory is a Store in process memory.
type Memory struct {
	mu      sync.Mutex
	entries map[string]entry
	t       memTracker
}

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{entries: map[string]entry{}} }

// Matches implements Store.
func (m *Memory) Matches(_ context.Context, userID, password string) (bool, error) {
	m.mu.Lock()
	e, ok := m.entries[userID]
	m.mu.Unlock()
	if !ok {
		return false, ErrNoEntry
	}
	return e.matches(password)
}

// Record implements Store.
func (m *Memory) Record(_ context.Context, userID, password string) error {
	e, err := newEntry(password)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.entries[userID] = e
	m.mu.Unlock()
	return nil
}

// Close implements Store.
func (m *Memory) Close() error { return nil }
