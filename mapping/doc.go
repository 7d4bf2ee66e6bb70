// Package mapping is the declarative mapping engine: it implements the backend contract
// (backend.Backend) by reading a mapping file that says which legacy operation each
// contract method calls, how neutral users and groups become request fields and how response
// records become neutral users and groups again, how faults become error kinds, and how paging
// and filters are adapted when the legacy application cannot do them itself.
//
// Connecting a new legacy application takes a WSDL and a mapping file, not Go code. The engine
// therefore never sees a generated client: it calls operations BY NAME through the Invoker seam
// and learns their request and response types from a Catalog, both supplied by the wiring code
// (package soapclient in production, fakes in tests). This package must never import net/http,
// soapclient or any generated package; the only generated-code dependency it has is gowsdl's
// soap.XSDDateTime, which every generated dateTime field uses.
//
// The life of a mapping file:
//
//	spec, err := mapping.Load("legacyhr.mapping.yaml") // strict YAML, positions kept
//	eng, err := mapping.Compile(spec, catalog, mapping.Options{}) // every problem at once, file:line:col
//	var b backend.Backend = eng.Backend(invoker, logger)
//
// Every expression is compiled once, in Compile, against the real Go types of the operation it
// belongs to; nothing is parsed per request. The file format is documented in docs/mapping.md.
package mapping
