// Package scimjson is the one set of lenient JSON readers both SCIM codecs (scim11 and scim20)
// decode request bodies with: a bounded parse into generic values, case-insensitive attribute
// names, strings that also accept numbers and booleans, booleans that also accept "true"/"false"
// strings, and the shared shapes of a User (core attributes, multi-valued attributes, group
// references) and of group members. Keeping one copy keeps the two dialects' leniency identical.
//
// The generic readers define what a body means. DecodeUserFast and DecodeGroupFast read the
// common shapes without building maps and give up on anything else, so that the codecs fall back
// to the generic readers; the Append functions write responses byte for byte as encoding/json
// would, without reflection (docs/benchmarks.md, front end).
//
// Errors are *Error values whose message names the attribute and the problem, never the value
// (a user body carries the password), and whose ScimType is the RFC 7644 §3.12 type that fits.
package scimjson
