// Package kdctest starts a real Kerberos KDC for tests: MIT krb5kdc, kdb5_util and kadmin.local
// from the operating system's packages (Debian's krb5-kdc and krb5-admin-server), with its
// database in a temporary directory and its ports on a free loopback port. Tests use it to log in
// with a password or a keytab exactly as a deployment against Active Directory or an MIT realm
// would: AS-REQ with pre-authentication, TGS-REQ for the service, then the AP-REQ the service
// checks with a keytab the KDC issued.
//
// Tests that need it skip with a loud message when the KDC is not installed, and fail instead
// when CI=true (CI installs it; see .ci/run).
package kdctest
