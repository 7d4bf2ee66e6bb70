package adapter

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"sync"
)

// PasswordLedger remembers, per user, a salted hash of the last password the bridge set (or saw
// accepted), so that a PUT repeating the current password does not call SetPassword again
// (docs/okta-agent-protocol.md#agent-password-on-every-put). Implementations must
// never store the password itself and must be safe for concurrent use.
type PasswordLedger interface {
	// Matches reports whether password is the one last recorded for userID. When nothing was
	// ever recorded for userID it returns false and an error wrapping ErrNoEntry, because the
	// front end treats "we never set this password" differently from "the password changed".
	Matches(ctx context.Context, userID, password string) (bool, error)
	// Record stores password (hashed) as userID's current one.
	Record(ctx context.Context, userID, password string) error
}

// ErrNoEntry is wrapped by PasswordLedger.Matches when the ledger knows nothing about the user.
var ErrNoEntry = errors.New("no password recorded for this user")

type memoryLedger struct {
	mu      sync.Mutex
	entries map[string]ledgerEntry
}

type ledgerEntry struct {
	salt [16]byte
	mac  [32]byte
}

// NewMemoryLedger returns an in-memory PasswordLedger keeping an HMAC-SHA-256 of each password
// under a random per-entry salt. It forgets everything on restart, which only costs one extra
// SetPassword per user; the durable one lives with the SQLite state.
func NewMemoryLedger() PasswordLedger { return &memoryLedger{entries: map[string]ledgerEntry{}} }

func ledgerMAC(salt [16]byte, userID, password string) [32]byte {
	h := hmac.New(sha256.New, salt[:])
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(password))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func (l *memoryLedger) Matches(ctx context.Context, userID, password string) (bool, error) {
	l.mu.Lock()
	e, ok := l.entries[userID]
	l.mu.Unlock()
	if !ok {
		return false, ErrNoEntry
	}
	mac := ledgerMAC(e.salt, userID, password)
	return hmac.Equal(mac[:], e.mac[:]), nil
}

func (l *memoryLedger) Record(ctx context.Context, userID, password string) error {
	var e ledgerEntry
	if _, err := rand.Read(e.salt[:]); err != nil {
		return err
	}
	e.mac = ledgerMAC(e.salt, userID, password)
	l.mu.Lock()
	l.entries[userID] = e
	l.mu.Unlock()
	return nil
}
