// Package adapter is the SCIM HTTP front end of scimbridge: it routes and authenticates the Okta
// Provisioning Agent's requests, limits their size, decodes them with the dialect's codec into the
// neutral model of package backend, calls the configured Backend, and writes the answer (or the
// error, through one function) in the dialect's shape.
//
// SCIM 1.1, the agent's default dialect, is served at /scim/v1/ and at the bare root; /scim/v2/ is
// reserved for the SCIM 2.0 codec and answers 501 for now. The package knows nothing about SOAP:
// whatever stores users sits behind backend.Backend.
package adapter
