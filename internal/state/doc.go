// Package state is the bridge's own small store: what the legacy application cannot tell us but
// the Okta agent's protocol needs. Today that is the password ledger (a salted hash of the last
// password the bridge set for each user, so that a full PUT that repeats the current password does
// not trip the legacy app's password-history policy, docs/okta-agent-protocol.md#agent-password-on-every-put).
//
// Two implementations share one interface: in memory (tests, single-process demo without a data
// directory) and SQLite through modernc.org/sqlite (pure Go, one file). Several bridge replicas
// must share this state (docs/okta-agent-protocol.md#concurrent-agents), which a PostgreSQL implementation of the same interface will
// provide later; nothing outside this package knows which one is in use.
//
// The Tracker part (tracker.go) serves backends without change times: per-resource content
// hashes with an assigned lastModified, and stable surrogate ids for resources keyed by a
// name that can change.
//
// Passwords are never stored: only PBKDF2-SHA256 hashes with a per-entry random salt.
package state
