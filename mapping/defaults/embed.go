package defaults

import _ "embed"

// LegacyHR is the mapping file of the bundled LegacyHR simulator
// (deploy/examples/legacyhr.mapping.yaml).
//
//go:embed legacyhr.yaml
var LegacyHR []byte
