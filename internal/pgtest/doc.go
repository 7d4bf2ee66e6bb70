// Package pgtest starts a real PostgreSQL server for tests: initdb and postgres from the
// operating system's packages (Debian's postgresql), in a temporary directory, on a free loopback
// port, as the postgres user when the tests run as root. Tests that need it skip with a loud
// message when PostgreSQL is not installed, and fail instead when CI=true (CI installs it; see
// .ci/run).
//
// A test binary shares one server (Shared), started on first use and stopped by Main; tests that
// stop and restart a server (an outage) start their own (Start).
package pgtest
