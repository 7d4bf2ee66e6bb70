package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/soapclient"
)

// checkBackendAuth probes the backend once at start-up when Windows authentication is configured:
// wrong NTLM or Kerberos credentials are a configuration error, and should stop the bridge with a
// clear message rather than surface later as failed SCIM requests. An unreachable backend is not
// an error here (the readiness probe reports it, and the bridge waits for it).
func checkBackendAuth(ctx context.Context, cfg *config.Config, b *bridge) error {
	if cfg.Backend.Auth == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := b.client.Ping(ctx); errors.Is(err, soapclient.ErrAuthRefused) {
		return fmt.Errorf("backend.auth: %w (check the account, its password or keytab, and that it may use %s)", err, config.RedactURL(cfg.Backend.Endpoint))
	}
	return nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "scimbridge.yaml", "configuration file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	// Exactly what check runs; its problems are printed the same way, one per line.
	reg := newRegistry()
	p, err := config.Prepare(*configPath, prepareOptions(reg))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	cfg := p.Config
	log := newLogger(cfg.Log, stderr)
	b, err := buildBridge(p, reg, log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	defer b.Close()
	if err := checkBackendAuth(ctx, cfg, b); err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}

	scim, err := listen("scim", cfg.Listen, b.handler, serverTLS(p), log)
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
