// Package statetest is the contract every state store (internal/state: memory, SQLite,
// PostgreSQL) is held to, in the manner of dex's storage conformance tests: one suite, run
// against each engine by that engine's own tests. The contract is the union of the seams the
// store serves — the front end's adapter.PasswordLedger and adapter.Locker, and the engine's
// mapping.State — so a method added to a seam is a method every store must pass here.
package statetest
