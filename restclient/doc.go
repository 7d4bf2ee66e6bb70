// Package restclient is the REST side of the bridge: it calls a legacy application's JSON or XML API by
// operation name, so that the mapping engine drives a REST backend through the same Invoker and
// Catalog seam, the same mapping file format and the same `scimbridge check` as a SOAP one.
//
// Operations are declared in the mapping file's rest: block (Parse: method, path template,
// query and header parameters, body and response types in a small type language, xml: for XML
// bodies) or come from an OpenAPI 3 document by operationId (LoadOpenAPI; its problems carry
// their line and column, openapi_pos.go). Either way each operation gets a
// request and a response struct built with reflect.StructOf at start-up, field names in Go
// style (GoName: total_count is TotalCount), so every field path and expression of the mapping
// is checked against them exactly as against a generated SOAP client. docs/mapping.md describes
// the block.
//
// Client (New) sends the calls: path parameters escaped into the template, set query and header
// parameters only, the body as JSON or XML (xml.go: no DOCTYPE or entity is ever read),
// credentials (static API-key headers, Basic, bearer, OAuth2 client credentials; mTLS through
// Config.TLS) and the request id of the SCIM request. Replies
// are read capped; a 4xx answer (not 408/429) is a *Fault whose methods are the SOAP fault's,
// status code as FaultCode and the error body's code and text as detail, so the mapping's fault
// rules classify it; other statuses are *HTTPStatusError. The guards of internal/guard wrap
// every call; GET and HEAD are the reads, and nothing else is ever sent twice.
//
// This package imports nothing of the bridge's contract or engine: the wiring code adapts it.
package restclient
