// Package legacysim is the bundled legacy application simulator: a SOAP 1.1 document/literal
// "HR directory" service (employees and roles) that implements wsdl/legacyhr.wsdl by hand, with
// net/http and encoding/xml, independently of any generated client. It exists so that a newcomer
// can watch scimbridge drive a real SOAP server with one command (`scimbridge demo`), and so that
// tests exercise the bridge over real sockets against a server whose XML handling is not the
// client's own mirror image.
//
// It behaves like an old on-premises system on purpose, because those behaviours are what the
// bridge has to cope with:
//
//   - WS-Security UsernameToken (PasswordText or PasswordDigest) in the SOAP header; wrong or
//     missing credentials are an HR-AUTH fault.
//   - Every fault is a SOAP 1.1 Fault sent with HTTP 500 and an hr:HRFault detail carrying a code
//     (HR-AUTH, HR-DUPLICATE, HR-NOT-FOUND, HR-INVALID, HR-PASSWORD-POLICY, HR-INTERNAL).
//   - UpdateEmployee replaces the whole record: optional elements left out are cleared.
//   - SetPassword refuses any of the employee's last three passwords.
//   - Paging is by page number with a total count; every record has a ModifiedAt.
//   - Dispatch is on the first element of the SOAP Body; SOAPAction is recorded, not trusted.
//   - Request elements must be in the service namespace (urn:legacyhr:directory:1), as the schema's
//     elementFormDefault="qualified" demands; unknown elements are refused with HR-INVALID rather
//     than silently ignored, so client-side namespace or naming mistakes surface in tests.
//
// Persistence is behind the [Store] interface, with an in-memory implementation for tests and a
// SQLite one (modernc.org/sqlite, a single file, WAL) for demo mode. [Knobs] inject faults at run
// time: latency, hangs, HTTP 503 bursts, malformed XML, random HR-INTERNAL faults and strict
// SOAPAction checking.
//
// A JSON admin API under /_sim/ (state inspection, reset, bulk seeding, knobs, per-operation call
// statistics) shares the SOAP listener. It has no authentication at all: bind the simulator to a
// loopback address only (127.0.0.1). [ListenAndServe] logs a warning when it is not.
//
// What the simulator deliberately does not do: WS-Security timestamp freshness and nonce replay
// checks, SOAP 1.2, mustUnderstand processing of unknown header blocks, or any real password
// security (salted SHA-256 is enough for a simulator and keeps bulk seeding fast).
package legacysim
