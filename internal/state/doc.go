// Package state is the bridge's own small store: what the legacy application cannot tell us but
// the Okta agent's protocol needs.
//
//   - The password history: salted PBKDF2-SHA256 hashes of the last N passwords the bridge set per
//     user, so that a PUT re-sending one of them is not a password change
//     (docs/okta-agent-protocol.md#agent-password-on-every-put). Passwords are never stored.
//   - Per-resource write locks, held by the front end for the read, diff and write of one request.
//   - Change tracking and surrogate ids for backends without change times or stable group ids.
//
// One type per engine is all of that at once, with the method sets of the seams it serves
// (adapter.PasswordLedger, adapter.Locker, mapping.State): Memory (tests, the in-memory demo),
// SQLite (one file, modernc.org/sqlite, pure Go; the zero-setup default for one instance), and
// Postgres (github.com/jackc/pgx/v5; several replicas share it, and its locks are PostgreSQL
// advisory locks, so they hold across replicas; docs/operations.md, "Several replicas"). This
// package imports neither seam: the wiring and the contract suite (statetest) hold every engine
// to them at compile time, and statetest runs the same behavioural contract against each.
package state
