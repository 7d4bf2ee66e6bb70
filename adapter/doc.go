// Package adapter is the SCIM HTTP front end of scimbridge: it routes and authenticates the Okta
// Provisioning Agent's requests, limits their size, decodes them with the dialect's codec into the
// neutral model of package backend, calls the configured Backend, and writes the answer (or the
// error, through one function) in the dialect's shape.
//
// SCIM 1.1, the agent's default dialect, is served at /scim/v1/ and at the bare root; SCIM 2.0
// (with PATCH and the RFC 7643 discovery documents) is served at /scim/v2/ through the
// adapter/scim20 codec (docs/okta-agent-protocol.md#version-by-url). The package knows nothing about
// SOAP: whatever stores users sits behind backend.Backend.
//
// The files are organised by concern. core_*.go hold the dialect-neutral provisioning rules
// (users, groups, lists, passwords, the nil-result guard): they work on the neutral inputs of
// wire.go and return their failures, and never see a codec type. A wire (wire.go) is one
// dialect's side: scim11_*.go and scim20_*.go implement it, route their endpoints and hold what
// only that dialect has (SCIM 2.0 PATCH, DELETE and If-Match; discovery in each). handlers.go
// holds the handlers both dialects share, written once: list, get, create and replace. errors.go
// is the one place an error becomes a status and a body.
package adapter
