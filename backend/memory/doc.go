// Package memory is a complete, concurrency-safe in-memory backend.Backend: the reference
// implementation of the contract, used by the front end's tests and as the first subject of the
// shared conformance suite (backendtest).
//
// It evaluates any filter with filter.Match, lists in creation order, assigns URL-safe ids that
// are never reused ("u1", "g1", …), takes meta times from an injectable clock, treats userName and
// group displayName as unique case-insensitively, derives each user's groups from the memberships
// and moves a user's lastModified whenever anything exported on it changes, memberships included.
// Passwords are kept only as a hash, to count how often one was set and to imitate a legacy
// password-reuse policy on request; they are never returned.
package memory
