// Package redmine starts a real Redmine 5 (Debian 12's redmine and redmine-sqlite packages) for
// tests: a copy of the freshly migrated SQLite database in a temporary directory, the REST API
// enabled, the admin's API key read, and the application served by WEBrick on a free loopback
// port (Debian ships no other application server). Start skips the test, loudly, when Redmine is
// not installed, and fails it instead when the environment says CI=true (.ci/run installs it).
//
// TestBridgeAgainstRedmine (in this package, so that its minutes have their own test timeout)
// builds the bridge, serves deploy/examples/redmine.mapping.yaml over a fresh Redmine and runs
// `scimbridge test` in both SCIM dialects through it, then serves redmine-xml.mapping.yaml (the
// same Redmine through its XML endpoints) and runs the SCIM 2.0 replay again.
//
// One Ruby process boots Rails once: it enables the REST API and prints the admin's key (what
// `bin/rails runner` would do), then serves. Start-up takes 10 to 40 seconds on a busy machine.
package redmine
