// Package backend is the contract between the SCIM front end (package adapter) and whatever
// stores users and groups: the declarative mapping engine over a legacy SOAP application, or the
// in-memory fake used by tests.
//
// The contract speaks a neutral model (User, Group, Query) that is neither SCIM JSON nor SOAP
// XML, so that one implementation serves both SCIM dialects and one front end serves every
// backend. It imports only the standard library and the filter AST of package filter
// (itself standard-library only): the filter is part of the query a backend must answer, and
// keeping one AST avoids a second, lossy translation.
//
// Errors cross this boundary as *Error values with a Kind; the front end turns a Kind into an
// HTTP status and a SCIM error body in exactly one place. Implementations must never put raw
// backend text (a SOAP fault string, a stack trace) into Error.Message: it reaches the client.
//
// The shared conformance suite in backendtest runs against every implementation.
package backend
