package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/soapclient"
)

// bridge is one assembled bridge: the SCIM handler over the mapping engine over the SOAP client.
type bridge struct {
	handler http.Handler
	metrics http.Handler
	health  *observe.Health
	client  *soapclient.Client
	store   stateStore
}

func (b *bridge) Close() error {
	return errors.Join(b.client.Close(), b.store.Close())
}

// stateStore is the bridge's state as its users see it: the front end's password ledger and
// per-resource lock, the engine's change tracking and surrogate ids, and a probe for /readyz.
// Every engine of internal/state implements it directly (held to it by internal/state/statetest).
type stateStore interface {
	adapter.PasswordLedger
	adapter.Locker
	mapping.State
	Ping(ctx context.Context) error
	io.Closer
}

var (
	_ stateStore = (*state.Memory)(nil)
	_ stateStore = (*state.SQLite)(nil)
)

// openState opens the store the configuration names, measured into reg.
func openState(cfg config.State, reg prometheus.Registerer) (stateStore, error) {
	opts := []state.Option{state.WithPasswordHistory(cfg.PasswordHistory)}
	if reg != nil {
		m, err := state.NewMetrics(reg)
		if err != nil {
			return nil, err
		}
		opts = append(opts, state.WithMetrics(m))
	}
	if cfg.Path == "" {
		return state.NewMemory(opts...), nil
	}
	return state.OpenSQLite(cfg.Path, opts...)
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by Config.validate
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.Format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	// Redaction sits in front of every handler, so no code path can log a password or a token,
	// however deeply it is nested in what is logged.
	return slog.New(observe.NewRedactHandler(h, cfg.Sensitive...))
}

// newRegistry is the metrics registry of one bridge, with the process collectors.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		observe.NewBuildInfo(buildLabels()),
	)
	return reg
}

// prepareOptions are the options of config.Prepare for a bridge that registers its metrics in
// reg.
func prepareOptions(reg prometheus.Registerer) config.Options {
	return config.Options{Registerer: reg, UserAgent: "scimbridge/" + buildVersion()}
}

// buildBridge assembles a bridge from a prepared configuration (whose metrics went to reg). It
// takes ownership of p's client.
func buildBridge(p *config.Prepared, reg *prometheus.Registry, log *slog.Logger) (*bridge, error) {
	cfg, eng, client := p.Config, p.Engine, p.Client
	fail := func(err error, closers ...io.Closer) (*bridge, error) {
		client.Close()
		for _, c := range closers {
			c.Close()
		}
		return nil, err
	}
	store, err := openState(cfg.State, reg)
	if err != nil {
		return fail(err)
	}
	// Backends without change times or stable group ids keep that bookkeeping in the bridge's
	// state store; every store provides it, so every mapping gets it.
	opts := []mapping.BackendOption{mapping.WithState(store)}
	be := eng.Backend(client, log, opts...)
	h, err := adapter.New(cfg.SCIM, be, adapter.Options{Logger: log, Ledger: store, Locker: store})
	if err != nil {
		return fail(err, store)
	}
	m, err := observe.NewMetrics(reg)
	if err != nil {
		return fail(err, store)
	}
	// Outermost: metrics see every request, including the ones the deadline cuts short.
	handler := m.Wrap(withRequestTimeout(h, cfg.RequestTimeout))

	health := observe.NewHealth(observe.HealthOptions{Breaker: client.BreakerState, Probe: client.Ping})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", health.Livez())
	mux.Handle("GET /readyz", health.Readyz())
	return &bridge{handler: handler, metrics: mux, health: health, client: client, store: store}, nil
}

// withRequestTimeout gives each SCIM request one deadline that every backend call it makes
// shares (a PUT may read, write and set a password), so the bridge answers before the agent
// gives up rather than after.
func withRequestTimeout(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// server runs one HTTP listener until ctx ends, then shuts it down gracefully.
type server struct {
	name string
	ln   net.Listener
	srv  *http.Server
	tls  *tls.Config
}

func listen(name, addr string, h http.Handler, tlsCfg *tls.Config, log *slog.Logger) (*server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", name, addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		// The agent waits at least 30 s; a backend call is bounded by backend.timeout (20 s by
		// default), so a response is always written before this.
		WriteTimeout: 90 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:    tlsCfg,
	}
	return &server{name: name, ln: ln, srv: srv, tls: tlsCfg}, nil
}

func (s *server) URL() string {
	scheme := "http"
	if s.tls != nil {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

func (s *server) serve() error {
	var err error
	if s.tls != nil {
		err = s.srv.ServeTLS(s.ln, "", "")
	} else {
		err = s.srv.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// shutdownGrace bounds how long in-flight SCIM requests may finish after a stop signal.
const shutdownGrace = 25 * time.Second

// serveAll serves every server until ctx ends or one fails, then calls onStop (which marks the
// bridge as draining, so /readyz turns load balancers away first) and shuts all down, letting
// in-flight requests finish within shutdownGrace.
func serveAll(ctx context.Context, log *slog.Logger, onStop func(), servers ...*server) error {
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.serve() }()
	}
	var first error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", shutdownGrace.String())
	case first = <-errc:
	}
	if onStop != nil {
		onStop()
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			log.Warn("shutdown incomplete", "listener", s.name, "err", err)
		}
	}
	return first
}

// serverTLS is the SCIM listener's TLS configuration, nil without tls.
func serverTLS(p *config.Prepared) *tls.Config {
	if p.ServerCert == nil {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*p.ServerCert}}
}
