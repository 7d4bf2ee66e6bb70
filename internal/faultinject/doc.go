// Package faultinject holds the bridge's fault-injection and soak tests: the legacy simulator
// (internal/legacysim) behind a Toxiproxy v2.12.0 proxy embedded in the test process, the SOAP
// client with its resilience guards, the mapping engine with the built-in LegacyHR mapping, the
// SCIM front end wrapped in internal/observe's metrics, all on 127.0.0.1 in one process. The tests
// inject latency beyond the deadline, connection resets, hangs, 503 bursts, malformed XML and a
// backend that goes away and comes back, and check the SCIM answers, the breaker's metrics and the
// simulator's records. It has no non-test code; Toxiproxy is a test-only dependency.
//
// The soak test runs only when SCIMBRIDGE_SOAK is set to a duration (e.g. SCIMBRIDGE_SOAK=90s).
package faultinject
