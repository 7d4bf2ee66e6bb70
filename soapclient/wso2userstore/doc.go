// Package wso2userstore is the SOAP client that scimbridge gen generated from RemoteUserStoreManagerService.wsdl
// (gowsdl v0.5.0 plus repairs; see docs/wsdl.md). Regenerate it with `go generate ./wsdl/`.
// This doc.go is written only when missing: edit it freely.
package wso2userstore
