package main

import (
	"flag"
	"fmt"
	"io"
)

// cmdCheck validates the configuration and the mapping against the generated client's
// operations without serving, so that deploy pipelines can refuse a bad change before it lands.
func cmdCheck(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "scimbridge.yaml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	eng, client, err := compileBackend(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	client.Close()
	fmt.Fprintf(stdout, "%s: OK (mapping %s, client %s)\n", *configPath, cfg.Backend.Mapping, eng.Client())
	return 0
}
