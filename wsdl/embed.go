package wsdl

import "embed"

// Files holds every WSDL in this directory, by file name (e.g. "legacyhr.wsdl").
//
//go:embed *.wsdl
var Files embed.FS
