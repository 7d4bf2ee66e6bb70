package main

import (
	"os"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
)

func main() { os.Exit(wsdlgen.Main(os.Args[1:], os.Stdout, os.Stderr)) }
