// Package soapreg is the shape of the operation registry that `scimbridge gen` writes next to
// every generated SOAP client (soapclient/<pkg>/registry.go), and that package soapclient reads.
//
// It lives apart from soapclient because each generated package refers to it while soapclient
// refers to each generated package (clients_gen.go): the registry types must sit below both.
// A registry is plain data plus one typed call function per operation, so soapclient needs no
// reflection over generated methods at run time, and an operation without a response (a "void"
// operation, which gowsdl generates as `XxxContext(ctx, req) error`) is called like any other.
package soapreg
