package adapter

import "context"

// PasswordLedger remembers, per user, salted hashes of the last N passwords the bridge set (or
// saw accepted), so that a PUT repeating one of them does not call SetPassword again: the agent
// sends the password on every PUT, and re-sends an earlier one on deactivate and reactivate
// (docs/okta-agent-protocol.md#agent-password-on-every-put). Implementations (internal/state) never store a password itself
// and are safe for concurrent use.
type PasswordLedger interface {
	// Remembered reports whether password is one of the last N recorded for userID. known is
	// false when nothing was ever recorded for userID: the front end treats "the bridge never
	// set this password" differently from "the password changed".
	Remembered(ctx context.Context, userID, password string) (remembered, known bool, err error)
	// Record stores password (hashed) as userID's newest one, keeping the last N.
	Record(ctx context.Context, userID, password string) error
}

// NewPasswordRecorder is what a ledger may also offer: RecordNew stores a password the caller
// has just seen Remembered answer false for (under the user's write lock, so nothing recorded it
// since), which spares the ledger matching it against every remembered hash again. Each match
// is a deliberately slow hash (milliseconds), so a changed password costs about half.
type NewPasswordRecorder interface {
	RecordNew(ctx context.Context, userID, password string) error
}

// Locker serialises the writes to one resource: the front end holds the lock of a resource key
// for the read, diff and write of one request, so that concurrent PUTs of one group end in one
// of the sent member lists. Implementations (internal/state) hold it within one process or, on
// PostgreSQL, across replicas.
type Locker interface {
	// Lock blocks until key is free or ctx ends (then it returns ctx's error, wrapped). unlock
	// releases the lock; calling it more than once is harmless.
	Lock(ctx context.Context, key string) (unlock func(), err error)
}
