// Package wsdl holds the WSDL contracts the bridge is generated from, embedded so that the
// bundled simulator can serve its own contract at `?wsdl`, and the go:generate lines that turn
// each WSDL into a client under soapclient/ with gowsdl v0.5.0 (pinned as a go tool in go.mod).
//
// Provenance: legacyhr.wsdl is written by hand for this project (the bundled LegacyHR
// simulator's contract). corpus/<name>/ holds third-party WSDLs, unchanged, each with its licence
// and a PROVENANCE line: the WSO2 RemoteUserStoreManager (Apache-2.0; generated into
// soapclient/wso2userstore) and JIRA SOAP v2 (MIT; rpc/encoded, which scimbridge gen refuses; kept
// as the golden refusal). They are not embedded: only *.wsdl in this directory are.
package wsdl
