package wsdlgen

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
)

// Main is the `scimbridge gen` subcommand; args are what follows "gen". Exit status: 0 done,
// 1 failed (I/O, gowsdl, go vet), 2 usage error or a WSDL the pipeline refuses (the message says
// why and what to do).
//
//	scimbridge gen --wsdl PATH --package NAME [--out DIR] [--binding NAME] [--register DIR]
//	scimbridge gen --register DIR
//
// --register DIR rewrites DIR/clients_gen.go (the soapclient.Clients map) from the generated
// packages under DIR, after generating if --wsdl is given.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("scimbridge gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts Options
	var register string
	fs.StringVar(&opts.WSDL, "wsdl", "", "WSDL file to generate from (imports and includes are read from local files only)")
	fs.StringVar(&opts.Package, "package", "", "Go package name of the client")
	fs.StringVar(&opts.Out, "out", "", "output directory (default ./NAME)")
	fs.StringVar(&opts.Binding, "binding", "", "SOAP 1.1 binding to use when the WSDL has several for different portTypes")
	fs.StringVar(&opts.WSDLName, "wsdl-name", "", "how the generated files name the WSDL (default: its base name)")
	fs.StringVar(&register, "register", "", "soapclient directory whose clients_gen.go to rewrite")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: scimbridge gen --wsdl PATH --package NAME [--out DIR] [--binding NAME] [--register DIR]")
		fmt.Fprintln(stderr, "       scimbridge gen --register DIR")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 || (opts.WSDL == "" && register == "") || (opts.WSDL != "") != (opts.Package != "") {
		fs.Usage()
		return 2
	}
	if opts.WSDL != "" {
		r, err := Generate(context.Background(), opts)
		if r != nil && (len(r.Changes) > 0 || len(r.Warnings) > 0 || err == nil) {
			fmt.Fprint(stdout, r.String())
		}
		if err != nil {
			fmt.Fprintln(stderr, "scimbridge gen:", err)
			var refused *RefusedError
			if errors.As(err, &refused) {
				return 2
			}
			return 1
		}
	}
	if register != "" {
		root := opts.ModuleRoot
		if root == "" {
			var err error
			if root, err = moduleRoot(); err != nil {
				fmt.Fprintln(stderr, "scimbridge gen:", err)
				return 1
			}
		}
		pkgs, err := WriteClients(register, root)
		if err != nil {
			fmt.Fprintln(stderr, "scimbridge gen: --register:", err)
			return 1
		}
		fmt.Fprintf(stdout, "%s/clients_gen.go: %d clients %v\n", register, len(pkgs), pkgs)
	}
	return 0
}
