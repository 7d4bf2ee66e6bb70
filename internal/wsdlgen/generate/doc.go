// Command generate is the go:generate entry point of the WSDL pipeline: a thin main over
// internal/wsdlgen, with the same flags as `scimbridge gen`. The go:generate lines in package wsdl
// call it rather than `go run ./cmd/scimbridge`, which would compile the whole bridge (SQLite
// included) for every line; this command compiles only the pipeline, which uses the standard
// library and runs the pinned `go tool gowsdl`.
//
// Usage (paths relative to the working directory, which go generate sets to the package dir):
//
//	go run ../internal/wsdlgen/generate --wsdl legacyhr.wsdl --package legacyhr --out ../soapclient/legacyhr
//	go run ../internal/wsdlgen/generate --register ../soapclient
//
// See internal/wsdlgen and docs/wsdl.md for what the pipeline checks, repairs and reports.
package main
