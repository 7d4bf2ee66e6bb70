package main

import (
	"context"
	"flag"
	"fmt"
	"io"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "scimbridge.yaml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	log := newLogger(cfg.Log, stderr)
	b, err := buildBridge(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	defer b.Close()

	scim, err := listen("scim", cfg.Listen, b.handler, cfg.TLS, log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	servers := []*server{scim}
	if cfg.Metrics.Listen != "" {
		m, err := listen("metrics", cfg.Metrics.Listen, b.metrics, nil, log)
		if err != nil {
			scim.ln.Close()
			fmt.Fprintln(stderr, "scimbridge:", err)
			return 1
		}
		servers = append(servers, m)
		fmt.Fprintf(stdout, "scimbridge: metrics on %s/metrics\n", m.URL())
	}
	// Tests and scripts read this line to learn the address when listen asks for port 0.
	fmt.Fprintf(stdout, "scimbridge: SCIM 1.1 listening on %s/scim/v1/\n", scim.URL())
	log.Info("scim listening", "url", scim.URL(), "version", buildVersion())
	b.health.SetReady(true)
	if err := serveAll(ctx, log, b.health.SetDraining, servers...); err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	return 0
}
