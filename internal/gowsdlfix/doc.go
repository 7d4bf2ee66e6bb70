// Command gowsdlfix runs gowsdl v0.5.0 (the `go tool gowsdl` pinned in go.mod) on one WSDL and
// installs the result, repaired, at a fixed path. It is what the go:generate lines in package wsdl
// call, so that `go generate ./wsdl/ && git diff --exit-code` holds in CI.
//
// Why a wrapper instead of calling gowsdl directly:
//   - gowsdl creates the package directory with mode 0744 (others cannot enter it) and writes the
//     file in place, even when gofmt fails (it then writes the unformatted source and exits 1).
//     gowsdlfix generates into a temporary directory and installs the file only if it parses and
//     formats, with mode 0644 in a 0755 directory, by rename, so a failed run leaves the committed
//     file untouched.
//   - gowsdl's template passes `struct{}{}` (not a pointer) as the response of an operation whose
//     output message has no part, which makes every non-empty reply fail with "non-pointer passed
//     to Unmarshal". gowsdlfix rewrites those calls to pass `&struct{}{}`. The bundled LegacyHR
//     WSDL has no such operation (every output has an element, even an empty one); the repair is
//     here for the next WSDL and is a no-op today.
//
// Usage (paths relative to the working directory, which go generate sets to the package dir):
//
//	go run ../internal/gowsdlfix -wsdl legacyhr.wsdl -pkg legacyhr -out ../soapclient/legacyhr/legacyhr.go
//
// Nothing else is changed: the repairs are deliberately textual and small, and every repair is
// listed on stdout so a reviewer sees what differs from plain gowsdl output.
package main
