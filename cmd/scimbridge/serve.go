package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/scimbridge/scimbridge/internal/gctune"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/soapclient"
)

// checkBackendAuth probes the backend once at start-up (and before a reload is accepted) when
// Windows authentication is configured: wrong NTLM or Kerberos credentials are a configuration
// error, and should stop the bridge with a clear message rather than surface later as failed SCIM
// requests. An unreachable backend is not an error here (the readiness probe reports it, and the
// bridge waits for it).
func checkBackendAuth(ctx context.Context, p *config.Prepared) error {
	cfg := p.Config
	if cfg.Backend.Auth == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := p.Client.Ping(ctx); errors.Is(err, soapclient.ErrAuthRefused) {
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
	logOut := stderr
	if cfg.Log.File != "" {
		lj := &lumberjack.Logger{Filename: cfg.Log.File, MaxSize: cfg.Log.MaxSizeMB, MaxBackups: cfg.Log.MaxBackups, MaxAge: cfg.Log.MaxAgeDays}
		defer lj.Close()
		logOut = lj
	}
	log := newLogger(cfg.Log, logOut)
	rt, err := newRuntime(*configPath, p, reg, log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	defer rt.Close()
	defer tuneGC(cfg.Runtime, log)()
	if err := checkBackendAuth(ctx, p); err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}

	scim, err := listenSCIM(cfg.Listen, rt.handler(), rt.serverTLS(), log)
	if err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	servers := []*server{scim}
	if cfg.Metrics.Listen != "" {
		m, err := listen("metrics", cfg.Metrics.Listen, rt.metricsHandler(), nil, log)
		if err != nil {
			scim.ln.Close()
			fmt.Fprintln(stderr, "scimbridge:", err)
			return 1
		}
		m.webConfig = cfg.Metrics.WebConfigFile
		servers = append(servers, m)
		fmt.Fprintf(stdout, "scimbridge: metrics on %s/metrics\n", m.URL())
	}
	// Tests and scripts read this line to learn the address when listen asks for port 0.
	fmt.Fprintf(stdout, "scimbridge: SCIM 1.1 listening on %s/scim/v1/\n", scim.URL())
	log.Info("scim listening", "url", scim.URL(), "version", buildVersion())

	// SIGHUP (and the Windows service's parameter-change control, through requestReload)
	// reloads the configuration; SIGINT and SIGTERM stop (ctx).
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go reloadLoop(sctx, rt, hup, log)

	rt.health.SetReady(true)
	st := stopping{onStop: rt.health.SetDraining, drain: cfg.Shutdown.DrainDelay, grace: cfg.Shutdown.Grace}
	if err := serveAll(ctx, log, st, servers...); err != nil {
		fmt.Fprintln(stderr, "scimbridge:", err)
		return 1
	}
	return 0
}

// reloadLoop reloads the bridge on every SIGHUP or requestReload until ctx ends.
func reloadLoop(ctx context.Context, rt *bridge, hup <-chan os.Signal, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		case <-reloadRequests:
		}
		log.Info("configuration reload requested")
		_ = rt.Reload() // logged and counted by Reload
	}
}

// tuneGC starts the garbage collector's heap floor (runtime.gcHeapFloorMB) unless GOGC is set in
// the environment, where the operator's own setting wins; it returns the function that ends it.
func tuneGC(rc config.Runtime, log *slog.Logger) (stop func()) {
	if v, set := os.LookupEnv("GOGC"); set {
		log.Info("gc heap floor off: GOGC is set in the environment", "GOGC", v)
		return func() {}
	}
	return gctune.Start(uint64(rc.GCHeapFloorMB) << 20).Stop
}
