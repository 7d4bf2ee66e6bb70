package soapclient

import (
	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// ClientFactory returns the generated port (what gowsdl's NewXxxPort returns) bound to c.
type ClientFactory func(c *soap.Client) any

// Clients are the generated SOAP clients the bridge can drive, by the name used in configuration.
// The map is explicit (no init registration) so that the list is reviewable in one place. Add a
// client here and its WSDL file (in package wsdl) to ClientWSDL.
var Clients = map[string]ClientFactory{
	"legacyhr": func(c *soap.Client) any { return legacyhr.NewDirectoryPort(c) },
}

// ClientWSDL names, for each entry of Clients, its WSDL in wsdl.Files; the SOAPAction of each
// operation is read from it. A client without an entry sends the actions compiled into its
// generated code.
var ClientWSDL = map[string]string{
	"legacyhr": "legacyhr.wsdl",
}
