// Package conformance is the connector tester behind `scimbridge test`: it plays the Okta
// Provisioning Agent against any SCIM connector (ours, a vendor's, a home-made one) and reports,
// one line per named check, whether every message is answered the way the real agent needs.
//
// It covers every method of Okta's own scim-sdk-tests.jar with the same checks, and adds what that
// tool lacks: the whole user lifecycle as one scenario, duplicate and unknown-id handling, bad
// filters, paging across page boundaries with a count other than 100, the response-shape rules
// that make the real agent's parser throw, refusal of unauthenticated calls, and per-call timing.
//
// The tester only ever writes to users and groups it created itself in this run (names start with
// "sbtest-<run id>-"), and deactivates or deletes them at the end unless asked to keep them. Shape
// checks are strict while functional checks parse leniently, so that one defect in a connector
// shows up as one failing check rather than a cascade.
//
// Wire details live behind the Dialect interface: SCIM 1.1 (the agent's default) and SCIM 2.0 (the
// agent with a /v2/ base URL, and Microsoft Entra), which adds the PATCH, discovery and RFC 7644
// error checks. The package imports only the standard library (its tests also use the bridge).
package conformance
