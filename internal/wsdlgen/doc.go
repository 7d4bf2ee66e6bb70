// Package wsdlgen is `scimbridge gen`: the pipeline that turns a legacy application's WSDL into a
// working, registered Go client with gowsdl v0.5.0 (the only version available), or refuses it
// with a precise reason, never leaving a compile error behind.
//
// Steps (Generate):
//  1. Pre-flight on the XML: wsdl:import, xs:import and xs:include are inlined from local files
//     only (a remote location is refused; gowsdl would download it, and never follows
//     wsdl:import at all); the SOAP 1.1 binding is chosen even when a SOAP 1.2 one comes first,
//     and every other binding is dropped so gowsdl cannot read its empty soapActions; each
//     operation's style is checked (rpc/encoded and rpc/literal are refused naming the
//     operations, as are multi-part and type= messages); types that collide once namespaces are
//     stripped are removed (an empty extension of a same-named type) or renamed; XSD built-ins
//     gowsdl cannot map become ones it can; booleans and optional numbers are declared nillable so
//     gowsdl generates pointers (false and 0 must be sendable); xs:any, xs:group and
//     xs:attributeGroup are reported.
//  2. `go tool gowsdl` (pinned in go.mod) on the single prepared document.
//  3. Post-processing of the Go file: header, `&struct{}{}` for void calls, the binding's
//     SOAPAction per operation, child elements qualified with their namespace when the WSDL has
//     several, leftover self-embedding duplicates removed.
//  4. registry.go: per operation its WSDL name, request and response types, SOAPAction and a typed
//     call (package soapclient/soapreg); WriteClients lists every registry in
//     soapclient/clients_gen.go.
//  5. `go vet` of the result inside the module, then an atomic install.
//
// Every repair and warning is recorded in the Report, which Main prints. Main is the command
// line (cmd/scimbridge calls it for `gen`; internal/wsdlgen/generate is the go:generate entry point).
// docs/wsdl.md is the user-facing description.
package wsdlgen
