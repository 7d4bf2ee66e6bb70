// Package pki makes the small private PKI an on-premises bridge needs: a CA whose certificate the
// Okta Provisioning Agent's JRE trust store imports, server certificates with the SANs the agent's
// base URL uses, and client certificates (for mutual TLS and for tests). It also writes key files
// with owner-only permissions and refuses to overwrite files silently.
//
// It uses only the standard library; `scimbridge cert` (cmd/scimbridge) is its command-line face,
// and tests across the module use it instead of each building certificates by hand.
package pki
