package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// cmdCheck validates without serving, so that deploy pipelines can refuse a bad change before it
// lands: either a whole configuration (exactly what serve does before it listens:
// config.Prepare), or one mapping file on its own. Every problem is printed, as
// file:line:col: message.
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "", "configuration file to validate (with the mapping it names)")
	mappingPath := fs.String("mapping", "", "a mapping file to validate on its own, against the client it names")
	openapiPath := fs.String("openapi", "", "with --mapping: check it against this OpenAPI 3 document (as backend.openapi would load it)")
	wsdlPath := fs.String("wsdl", "", "with --mapping: check it against this WSDL (as backend.wsdl would load it) instead of a generated client")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	switch {
	case *mappingPath != "" && *configPath == "":
		if *wsdlPath != "" {
			return checkMappingWSDL(*mappingPath, *wsdlPath, stdout, stderr)
		}
		return checkMapping(*mappingPath, *openapiPath, stdout, stderr)
	case *wsdlPath != "" || *openapiPath != "":
		fmt.Fprintln(stderr, "scimbridge check: --wsdl and --openapi go with --mapping (a configuration names them in backend.wsdl, backend.openapi)")
		return 2
	case *configPath != "" && *mappingPath == "":
	default:
		fmt.Fprintln(stderr, "scimbridge check: give exactly one of --config FILE or --mapping FILE")
		return 2
	}
	p, err := config.Prepare(*configPath, prepareOptions(nil))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	p.Close()
	fmt.Fprintf(stdout, "%s: OK (mapping %s, client %s)\n", *configPath, p.Config.Backend.Mapping, p.Engine.Client())
	printOffer(stdout, p.Engine, p.Config.SCIM)
	return 0
}

// checkMappingWSDL checks a mapping file against a WSDL, read as backend.wsdl reads it.
func checkMappingWSDL(path, wsdl string, stdout, stderr io.Writer) int {
	spec, err := config.LoadMapping(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	m, err := wsdlrt.Load(context.Background(), wsdlrt.Options{WSDL: wsdl}, soapclient.Config{})
	if err != nil {
		fmt.Fprintln(stderr, "wsdl:", err)
		return 1
	}
	reg, err := wsdlrt.Registry(m, spec.Client.Value)
	if err != nil {
		fmt.Fprintln(stderr, "wsdl:", err)
		return 1
	}
	eng, err := mapping.Compile(spec, config.Catalog(reg), mapping.Options{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (WSDL %s)\n", path, wsdl)
	printOffer(stdout, eng, adapter.Config{})
	return 0
}

func checkMapping(path, openapi string, stdout, stderr io.Writer) int {
	spec, err := config.LoadMapping(path)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if config.IsREST(spec, openapi) {
		def, err := config.RESTDefinition(spec, openapi)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		eng, err := config.CompileREST(spec, def)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "%s: OK (REST backend %s)\n", path, eng.Client())
		printOffer(stdout, eng, adapter.Config{})
		return 0
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
	eng, err := mapping.Compile(spec, config.Catalog(reg), mapping.Options{})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK (client %s)\n", path, eng.Client())
	printOffer(stdout, eng, adapter.Config{})
	return 0
}

// printOffer says what Okta will be offered (userManagementCapabilities, with the scim:
// configuration's switches; the defaults for a mapping checked alone) and the user filters the
// mapping answers, so that a missing capability is seen before Okta is configured.
func printOffer(w io.Writer, eng *mapping.Engine, scim adapter.Config) {
	c := eng.Capabilities()
	offered := adapter.OktaCapabilities(c, scim)
	if len(offered) == 0 {
		fmt.Fprintln(w, "  Okta capabilities: none (the mapping cannot list, read or write users)")
	} else {
		fmt.Fprintf(w, "  Okta capabilities: %s\n", strings.Join(offered, ", "))
	}
	var missing []string
	for _, name := range adapter.AllCapabilities {
		if !slices.Contains(offered, name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		fmt.Fprintf(w, "  not offered: %s\n", strings.Join(missing, ", "))
	}
	if len(c.FilterUsers) > 0 {
		fmt.Fprintf(w, "  user filters the mapping answers: %s\n", strings.Join(c.FilterUsers, ", "))
	}
	users, groups := eng.MaxLengths()
	for _, l := range []struct {
		what   string
		limits map[string]backend.MaxLength
	}{{"user", users}, {"group", groups}} {
		if len(l.limits) == 0 {
			continue
		}
		var parts []string
		for attr, m := range l.limits {
			parts = append(parts, fmt.Sprintf("%s %d (%s)", attr, m.Limit, m.Source))
		}
		slices.Sort(parts)
		fmt.Fprintf(w, "  %s length limits: %s\n", l.what, strings.Join(parts, "; "))
	}
}
