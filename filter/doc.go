// Package filter parses and evaluates SCIM filter expressions: the SCIM 1.1 forms the Okta
// Provisioning Agent sends (`userName eq "x"`, `email eq "a" OR email eq "b"`, schema-qualified
// custom attributes, `meta.lastModified gt "…"`) and the full RFC 7644 §3.4.2.2 grammar.
//
// It is our own, small parser rather than a library one because the parser available on the
// module proxy crashes on deeply nested input. Input length and nesting depth are bounded, the
// parser never recurses without a depth check, and a fuzz target with a committed seed corpus
// guards it. The package imports only the standard library.
//
// Entry points:
//   - Parse / ParseWith turn filter text into an Expr; errors are *SyntaxError with a byte
//     offset and a short message fit for a 400 invalidFilter.
//   - ParsePath / ParsePathWith do the same for SCIM 2.0 PATCH paths (PatchPath).
//   - Expr.String renders canonical filter text that parses back to the same tree.
//   - Match / MatchWith evaluate an Expr against one resource through a Resolver.
//   - Equalities and Shape classify simple filters so that the mapping engine can decide what to
//     push down to the backend; anything they do not recognise is filtered with Match.
package filter
