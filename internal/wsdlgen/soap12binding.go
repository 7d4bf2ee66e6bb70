package wsdlgen

import "encoding/xml"

// NSSOAP12Binding is the WSDL 1.1 SOAP 1.2 binding namespace (soap12:binding, soap12:operation,
// soap12:body, soap12:address).
const NSSOAP12Binding = "http://schemas.xmlsoap.org/wsdl/soap12/"

// adoptSOAP12 lets the runtime client use a WSDL that offers only SOAP 1.2 bindings: the
// binding's soap12:* elements (and its ports' soap12:address) are re-declared in the SOAP 1.1
// binding namespace, whose elements and attributes (soapAction, style, use, namespace,
// location) are the same, so that one reader serves both; the client then sends SOAP 1.2
// envelopes (soapclient.Config.SOAPVersion, which Model.SOAPVersion sets). It returns the
// bindings it adopted.
func adoptSOAP12(defs *node) []*node {
	var adopted []*node
	names := map[string]bool{}
	for _, b := range defs.children(nsWSDL, "binding") {
		if len(b.children(NSSOAP12Binding, "binding")) == 0 {
			continue
		}
		redeclare(b)
		adopted = append(adopted, b)
		names[b.attrOr("name", "")] = true
	}
	for _, svc := range defs.children(nsWSDL, "service") {
		for _, port := range svc.children(nsWSDL, "port") {
			if _, local, _ := port.resolveQName(port.attrOr("binding", "")); names[local] {
				redeclare(port)
			}
		}
	}
	return adopted
}

// redeclare moves every soap12 element under n into the SOAP 1.1 binding namespace, under a
// prefix declared on n.
func redeclare(n *node) {
	const prefix = "soap11fromsoap12"
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Space: "xmlns", Local: prefix}, Value: nsSOAP11})
	n.walk(func(e *node) bool {
		if e.ns() == NSSOAP12Binding {
			e.prefix = prefix
		}
		return true
	})
}
