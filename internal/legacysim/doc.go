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
// # Using it
//
// In tests:
//
//	sim, err := legacysim.New(legacysim.Options{Username: "okta-svc", Password: "secret"})
//	ts := httptest.NewServer(sim)  // SOAP endpoint: ts.URL + legacysim.SOAPPath
//	defer ts.Close()
//	defer sim.Close()              // runs first: releases hung requests, closes the store
//	sim.Knobs().Update(func(k *legacysim.KnobSettings) { k.UnavailableNext = 3 })
//	sim.Calls().Operations["CreateEmployee"].LastSOAPAction // what the client sent
//
// As a plain server (for `scimbridge sim` and `scimbridge demo`):
//
//	err := legacysim.ListenAndServe(ctx, "127.0.0.1:8081",
//		legacysim.Options{Username: u, Password: p, DBPath: "legacyhr.db", Seed: true},
//		func(endpoint string) { fmt.Println("legacy app at", endpoint) })
//
// # Admin API
//
//	GET    /_sim/employees       every employee, all fields plus hasPassword and passwordChanges
//	GET    /_sim/employees/{id}  one employee (404 if unknown)
//	GET    /_sim/roles           every role with its members
//	POST   /_sim/reset           empty the store (ids restart at E000001/R00001) and the call stats
//	POST   /_sim/seed            {"employees": 250, "prefix": "load"}: load0001... (no passwords)
//	GET    /_sim/knobs           the fault-injection settings (KnobSettings as JSON)
//	PUT    /_sim/knobs           replace them (unknown fields are refused)
//	GET    /_sim/calls           calls and faults per operation, last SOAPAction, injected counts
//	DELETE /_sim/calls           clear the call statistics
//
// # Details a client may trip over
//
//   - ModifiedAt moves only when a write changes something: an UpdateEmployee that sends the
//     record unchanged, or enabling an enabled employee, keeps it. Role membership changes move the
//     ModifiedAt of the employee and of the role; deleting a role moves its members', deleting an
//     employee moves its roles'. SetPassword never moves it.
//   - UpdateRole, like UpdateEmployee, clears an absent Description.
//   - FindEmployees treats an empty criterion element (<Login/>) as absent; an xs:dateTime without
//     a zone is read as UTC.
//   - passwordChanges counts SetPassword calls that succeeded; the InitialPassword of
//     CreateEmployee is not a change.
//   - The random fault, 503 and malformed knobs answer before the call is processed; only
//     HangAfterWrite processes the call and then withholds the answer.
//
// What the simulator deliberately does not do: WS-Security timestamp freshness and nonce replay
// checks, SOAP 1.2, mustUnderstand processing of unknown header blocks, or any real password
// security (salted SHA-256 is enough for a simulator and keeps bulk seeding fast).
package legacysim
