package main

import (
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// cmdCheck validates without serving, so that deploy pipelines can refuse a bad change before it
// lands: either a whole configuration (and the mapping it names, against the generated client's
// operations), or one mapping file on its own. Every problem is printed, as file:line:col:
// message where the mapping has positions.
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file to validate (with the mapping it names)")
	mappingPath := fs.String("mapping", "", "a mapping file to validate on its own, against the client it names")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch {
	case *mappingPath != "" && *configPath == "":
		return checkMapping(*mappingPath, stdout, stderr)
	case *configPath != "" && *mappingPath == "":
	default:
		fmt.Fprintln(stderr, "scimbridge check: give exactly one of --config FILE or --mapping FILE")
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	eng, client, err := compileBackend(cfg, nil)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	client.Close()
	fmt.Fprintf(stdout, "%s: OK (mapping %s, client %s)\n", *configPath, cfg.Backend.Mapping, eng.Client())
	return 0
}

// registryCatalog is the mapping engine's view of a generated client's registry (the operations'
// types; no connection needed). It adapts the two packages, which do not import each other: the
// engine must stay transport-neutral.
type registryCatalog struct{ c *soapreg.Client }

func (r registryCatalog) Operations() []string {
	names := make([]string, 0, len(r.c.Operations))
	for _, op := range r.c.Operations {
		names = append(names, op.Name)
	}
	sort.Strings(names)
	return names
}

func (r registryCatalog) Operation(name string) (mapping.OperationInfo, bool) {
	for _, op := range r.c.Operations {
		if op.Name == name {
			return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, true
		}
	}
	return mapping.OperationInfo{}, false
}

func checkMapping(path string, stdout, stderr io.Writer) int {
	spec, err := loadMapping(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	reg, ok := soapclient.Clients[spec.Client.Value]
	if spec.Client.Value == "" {
		reg, ok = &soapreg.Client{}, true // the mapping reports its missing client itself
	}
	if !ok {
		names := make([]string, 0, len(soapclient.Clients))
		for n := range soapclient.Clients {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(stderr, "%s:%d:%d: client %q is not a generated client of this build (have: %v; add one with scimbridge gen)\n",
			path, spec.Client.At.Line, spec.Client.At.Col, spec.Client.Value, names)
		return 1
	}
	eng, err := mapping.Compile(spec, registryCatalog{reg}, mapping.Options{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (client %s)\n", path, eng.Client())
	return 0
}
