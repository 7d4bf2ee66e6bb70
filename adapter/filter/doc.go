// Package filter parses and evaluates SCIM filter expressions: the SCIM 1.1 forms the Okta
// Provisioning Agent sends (`userName eq "x"`, `email eq "a" OR email eq "b"`, schema-qualified
// custom attributes, `meta.lastModified gt "…"`) and the full RFC 7644 §3.4.2.2 grammar.
//
// It is our own, small parser rather than a library one because the parser available on the
// module proxy crashes on deeply nested input. Input length and nesting depth are bounded, the
// parser never recurses without a depth check, and a fuzz target with a committed seed corpus
// guards it. The package imports only the standard library.
package filter
