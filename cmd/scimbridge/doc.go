// Command scimbridge lets the Okta Provisioning Agent provision users and groups into a legacy
// on-premises application that only speaks SOAP.
//
//	scimbridge serve --config scimbridge.yaml   run the bridge
//	scimbridge demo                             the bridge plus the bundled LegacyHR simulator, on loopback
//	scimbridge sim                              only the bundled LegacyHR simulator
//	scimbridge check --config scimbridge.yaml   validate the configuration and the mapping, then exit
//	scimbridge test --url URL …                 replay the Okta agent's messages against any SCIM connector
//	scimbridge gen --wsdl FILE --package NAME   generate a SOAP client from a WSDL
//	scimbridge version
//
// This package is wiring only: it reads the configuration, builds the pieces (adapter, mapping,
// soapclient, state) and connects them. Behaviour lives in those packages.
package main
