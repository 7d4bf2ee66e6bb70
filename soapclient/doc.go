// Package soapclient is the SOAP side of the bridge: it runs the Go clients that gowsdl v0.5.0
// generates from a legacy application's WSDL, repairs what gowsdl's runtime gets wrong, and lets the
// mapping engine call backend operations by name.
//
// The pieces:
//
//   - Transport, a soap.HTTPClient (given to gowsdl with soap.WithHTTPClient) over one shared,
//     keep-alive *http.Client. It turns SOAP faults (HTTP 500 as SOAP 1.1 prescribes, and HTTP
//     200) into *Fault, other error statuses into *HTTPStatusError, empty 2xx replies into an empty
//     envelope, sends "" instead of the two apostrophes gowsdl sends as an empty SOAPAction,
//     undoes gowsdl's `Connection: close`, caps response size, refuses DTDs, and adds the
//     HTTP-level credentials and headers (Basic auth, User-Agent, X-Request-ID, static headers).
//   - The operation registries that scimbridge gen writes next to every generated client
//     (soapclient/<pkg>/registry.go, types in package soapreg): per operation its WSDL name,
//     request and response structs, the SOAPAction of the WSDL's SOAP 1.1 binding, and a typed
//     call function. Void operations are called like any other and return *soapreg.Void.
//   - Client (New), which is what the rest of the bridge holds: Invoke(ctx, op, req) plus the
//     catalog (Operations, Lookup). It adds the WS-Security UsernameToken per call (a fresh nonce
//     and timestamp for PasswordDigest) and a per-call timeout, and has one place where middleware
//     wraps the call.
//   - The resilience guards (Config.Resilience, resilience.go): metrics, separate read and write
//     concurrency limits, a local gobreaker/v2 circuit breaker per backend, a per-operation
//     deadline and budgeted, jittered retries of reads. Refusals are *RefusedError
//     with their wait, unreadable replies *MalformedReplyError: the client owns its errors and
//     imports no bridge package; the mapping engine classifies them through their methods.
//     Client.BreakerState and Client.Ping feed a readiness probe.
//   - Fast paths beside gowsdl's encoding/xml (fastencode.go, fastdecode.go, their shared plans
//     in fastplan.go): the everyday document/literal request is written, and the everyday reply
//     read, in one pass over bytes, identical to what gowsdl writes and decodes (differential
//     fuzz targets hold them to it); anything else goes through gowsdl as before.
//     docs/design-notes.md says why.
//
// Generated clients are listed in Clients (clients_gen.go, generated too). Regenerate them all
// with `go generate ./wsdl/`; docs/wsdl.md explains how to add a WSDL.
package soapclient
