package defaults

import _ "embed"

// LegacyHR is the mapping file of the bundled LegacyHR simulator
// (deploy/examples/legacyhr.mapping.yaml).
//
//go:embed legacyhr.yaml
var LegacyHR []byte

// WSO2 is the mapping file of WSO2's RemoteUserStoreManagerService (the wso2sim simulator and a
// real WSO2 Identity Server; deploy/examples/wso2.mapping.yaml).
//
//go:embed wso2.yaml
var WSO2 []byte
