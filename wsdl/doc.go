// Package wsdl holds the WSDL contracts the bridge is generated from, embedded so that the
// bundled simulator can serve its own contract at `?wsdl`, and the go:generate lines that turn
// each WSDL into a client under soapclient/ with gowsdl v0.5.0 (pinned as a go tool in go.mod).
//
// Provenance: legacyhr.wsdl is written by hand for this project (the bundled LegacyHR
// simulator's contract). Third-party WSDLs used by generator tests stay in ../shared/wsdl-corpus
// with their licences.
package wsdl
