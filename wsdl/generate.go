package wsdl

// Regenerate the SOAP clients under soapclient/ from the WSDLs here, then the soapclient.Clients
// list. internal/wsdlgen/generate is a thin main over internal/wsdlgen (`scimbridge gen`): it inlines local
// imports, picks the SOAP 1.1 binding, repairs what gowsdl v0.5.0 gets wrong, runs `go tool
// gowsdl` (pinned in go.mod), vets the result and installs it; the output is byte-identical on
// every run, which CI checks. Never edit the generated files by hand. The --register line must
// stay last. See docs/wsdl.md to add a WSDL.
//
//go:generate go run ../internal/wsdlgen/generate --wsdl legacyhr.wsdl --package legacyhr --out ../soapclient/legacyhr
//go:generate go run ../internal/wsdlgen/generate --wsdl corpus/wso2-remote-userstore/RemoteUserStoreManagerService.wsdl --package wso2userstore --out ../soapclient/wso2userstore
//go:generate go run ../internal/wsdlgen/generate --register ../soapclient
