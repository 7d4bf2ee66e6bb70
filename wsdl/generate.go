package wsdl

// Regenerate the LegacyHR client. gowsdlfix runs `go tool gowsdl` (pinned in go.mod) into a
// temporary directory, applies the repairs it documents, and installs the file atomically; the
// output is byte-identical on every run. Never edit soapclient/legacyhr/legacyhr.go by hand.
//
//go:generate go run ../internal/gowsdlfix -wsdl legacyhr.wsdl -pkg legacyhr -out ../soapclient/legacyhr/legacyhr.go
