// Package wsdlrt is the runtime WSDL client: a SOAP client built at start-up from a WSDL file or
// URL, with no code generation and no Go toolchain (docs/wsdl.md).
//
// The WSDL goes through the same pre-flight as `scimbridge gen` (internal/wsdlgen: local
// imports inlined, binding chosen, duplicate types and built-ins repaired, booleans and optional
// numbers made pointers), is read with gowsdl's own WSDL/XSD model, and each operation gets
// request and response types built with reflect.StructOf that are equal, field by field, to the
// ones gowsdl would generate (tested for the shipped WSDLs). Content gowsdl drops (xs:any, mixed
// content, xs:anyAttribute) is kept as xmlcontent.Content for the mapping's XPath functions.
//
// The result is an ordinary soapreg.Client registry, so soapclient.NewFromRegistry gives it the
// same transport, WS-Security, resilience guards, metrics and redaction as a generated client.
//
// Each operation is sent by the encoder of its style and use ("document/literal" here); other
// files of this package add encoders to styles (see RegisterStyle).
package wsdlrt
