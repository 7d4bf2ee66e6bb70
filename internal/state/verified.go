package state

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"sync"
)

// verified remembers, for history entries this process has already matched a password against,
// a fast keyed digest of that password, so that the agent re-sending the current password on every
// PUT (docs/okta-agent-protocol.md#agent-password-on-every-put) costs one HMAC instead of one
// PBKDF2 run (milliseconds, by design) each time.
//
// It is keyed by the entry's random salt, which is immutable and unique to the entry, so it stays
// right whoever changes the history (another replica included): an entry that is gone is never
// asked about again, and a digest only ever stands for the password that entry was made from. A
// password that differs from the entry's gives a different digest, so a hit answers "no" as
// exactly as "yes". The digest key is random per process and never leaves memory: the cache adds
// nothing to a stolen state file, and reading process memory already reveals passwords in flight.
type verifiedCache struct {
	mu   sync.Mutex
	key  []byte
	seen map[[16]byte][sha256.Size]byte
}

// maxVerified bounds the cache (about 100 bytes an entry); when full it is emptied, which costs
// one PBKDF2 run per user on their next PUT.
const maxVerified = 100_000

var verified = newVerifiedCache()

func newVerifiedCache() *verifiedCache {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		// crypto/rand does not fail on supported platforms; without a key, never use the cache.
		key = nil
	}
	return &verifiedCache{key: key, seen: map[[16]byte][sha256.Size]byte{}}
}

func (c *verifiedCache) digest(salt []byte, password string) (d [sha256.Size]byte) {
	m := hmac.New(sha256.New, c.key)
	m.Write(salt)
	m.Write([]byte(password))
	copy(d[:], m.Sum(nil))
	return d
}

// lookup answers whether password is the one the entry with salt was made from, when the cache
// knows that entry (ok); otherwise the caller runs PBKDF2.
func (c *verifiedCache) lookup(salt []byte, password string) (match, ok bool) {
	if c.key == nil || len(salt) != 16 {
		return false, false
	}
	c.mu.Lock()
	want, ok := c.seen[[16]byte(salt)]
	c.mu.Unlock()
	if !ok {
		return false, false
	}
	got := c.digest(salt, password)
	return hmac.Equal(got[:], want[:]), true
}

// remember notes that password is the one the entry with salt was made from (PBKDF2 said so, or
// the entry was just made from it).
func (c *verifiedCache) remember(salt []byte, password string) {
	if c.key == nil || len(salt) != 16 {
		return
	}
	d := c.digest(salt, password)
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.seen) >= maxVerified {
		clear(c.seen)
	}
	c.seen[[16]byte(salt)] = d
}
