// Package backendtest is the one conformance suite every backend.Backend must pass: the in-memory
// backend, the mapping engine over the legacy-app simulator, and any future backend. Call Run from
// the implementation's own tests.
//
// The suite is driven by Capabilities (what a backend does not claim is skipped, never failed),
// creates uniquely named data and never assumes an empty backend, because a simulator or a real
// test instance comes seeded. It builds filters as ASTs, in the normalised form the front end hands
// to backends (`emails.value`, neutral schema markers), so it does not depend on the parser.
package backendtest
