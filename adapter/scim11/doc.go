// Package scim11 is the SCIM 1.1 wire codec in the dialect of the Okta Provisioning Agent (OPP): it
// turns the agent's user and group JSON into the neutral model of package backend, and the neutral
// model back into the JSON the agent's parser accepts.
//
// Decoding is tolerant, because the agent's exact bodies vary between versions: attribute names are
// matched case-insensitively, unknown attributes are ignored, booleans may arrive as "true"/"false"
// strings, and the custom extension is accepted under both the configured
// `urn:okta:<appName>:1.0:user:<custom>` URN and the legacy `urn:okta:<appName>:1.0:user` one.
//
// Encoding is strict, because the agent's parser (UnboundID SCIM 1.1) is: `schemas` always declares
// `urn:scim:schemas:core:1.0` plus every extension URN used as a key, only SCIM 1.1 core attributes
// appear at the top level, counters are JSON integers, `Resources` is spelled exactly so, times are
// ISO-8601 UTC with a `Z`, and `password` is never written (docs/okta-agent-protocol.md: user-shape, agent-parser, core-schema-declared,
// no-unknown-core-attributes, list-shape, agent-password-on-every-put).
package scim11
