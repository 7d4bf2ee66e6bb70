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
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
)

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
	_ stateStore = (*state.Postgres)(nil)
)

// stateOpenTimeout bounds connecting to PostgreSQL and migrating its schema at start-up.
const stateOpenTimeout = 30 * time.Second

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
	switch {
	case cfg.Postgres != "":
		ctx, cancel := context.WithTimeout(context.Background(), stateOpenTimeout)
		defer cancel()
		return state.OpenPostgres(ctx, cfg.Postgres, opts...)
	case cfg.Path != "":
		return state.OpenSQLite(cfg.Path, opts...)
	default:
		return state.NewMemory(opts...), nil
	}
}

func newLogger(cfg config.Log, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.Level)) // validated by Config.validate
	opts := &slog.HandlerOptions{Level: level, ReplaceAttr: readableDurations}
	var h slog.Handler = slog.NewJSONHandler(w, opts)
	if cfg.Format == "text" {
		h = slog.NewTextHandler(w, opts)
	}
	// Redaction sits in front of every handler, so no code path can log a password or a token,
	// however deeply it is nested in what is logged.
	// Every line logged with a request's context names its request id.
	return slog.New(observe.NewRedactHandler(observe.NewRequestIDHandler(h), cfg.Sensitive...))
}

// readableDurations writes every duration as Go's readable form ("1.5s"), not as the JSON
// handler's unit-less nanoseconds; the request line's own duration is duration_ms.
func readableDurations(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
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
	// webConfig, when set, serves through the Prometheus exporter-toolkit with this web
	// configuration file (TLS and basic auth on the metrics listener).
	webConfig string
	log       *slog.Logger
	// guarded says the listener is an adapter.GuardListener, which terminates TLS itself.
	guarded bool
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
	return &server{name: name, ln: ln, srv: srv, tls: tlsCfg, log: log}, nil
}

// scimMaxHeaderBytes bounds a SCIM request's header block. The agent sends well under 2 KB; the
// limit keeps a client from holding a megabyte (net/http's default) per connection, and a request
// over it is answered 431 as a SCIM error.
const scimMaxHeaderBytes = 64 << 10

// listenSCIM is listen for the SCIM front end: its listener answers whatever the HTTP layer
// refuses before a handler runs as a SCIM error (adapter.GuardListener), terminating TLS under
// that guard when tlsCfg is set.
func listenSCIM(addr string, h http.Handler, tlsCfg *tls.Config, log *slog.Logger) (*server, error) {
	s, err := listen("scim", addr, h, tlsCfg, log)
	if err != nil {
		return nil, err
	}
	s.srv.MaxHeaderBytes = scimMaxHeaderBytes
	s.srv.ConnContext = adapter.ConnContext
	s.ln = adapter.GuardListener(s.ln, adapter.ListenerOptions{TLS: tlsCfg, MaxHeaderBytes: scimMaxHeaderBytes, Logger: log})
	s.guarded = true
	return s, nil
}

func (s *server) URL() string {
	scheme := "http"
	if s.tls != nil || s.webConfigTLS() {
		scheme = "https"
	}
	return scheme + "://" + s.ln.Addr().String()
}

func (s *server) serve() error {
	var err error
	switch {
	case s.webConfig != "":
		no := false
		err = web.Serve(s.ln, s.srv, &web.FlagConfig{WebConfigFile: &s.webConfig, WebSystemdSocket: &no,
			WebListenAddresses: &[]string{s.ln.Addr().String()}}, s.log)
	case s.tls != nil && !s.guarded:
		err = s.srv.ServeTLS(s.ln, "", "")
	default:
		err = s.srv.Serve(s.ln)
	}
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// webConfigTLS says whether the web configuration file turns TLS on (for the printed URL).
func (s *server) webConfigTLS() bool {
	if s.webConfig == "" {
		return false
	}
	b, err := os.ReadFile(s.webConfig)
	return err == nil && strings.Contains(string(b), "tls_server_config")
}

// stopping says how serveAll stops.
type stopping struct {
	// onStop runs first (it marks the bridge as draining, so /readyz turns load balancers away).
	onStop func()
	// drain is how long the listeners keep serving after onStop before they close.
	drain time.Duration
	// grace bounds how long in-flight requests may finish once they close.
	grace time.Duration
}

// serveAll serves every server until ctx ends or one fails, then stops: readiness off first,
// the drain delay, then the listeners close and in-flight requests finish within the grace.
func serveAll(ctx context.Context, log *slog.Logger, st stopping, servers ...*server) error {
	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.serve() }()
	}
	if st.grace <= 0 {
		st.grace = 25 * time.Second
	}
	var first error
	select {
	case <-ctx.Done():
		log.Info("shutting down", "drain_delay", st.drain.String(), "grace", st.grace.String())
	case first = <-errc:
	}
	if st.onStop != nil {
		st.onStop()
	}
	if st.drain > 0 && first == nil {
		time.Sleep(st.drain)
	}
	sctx, cancel := context.WithTimeout(context.Background(), st.grace)
	defer cancel()
	clean := true
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil {
			clean = false
			log.Warn("shutdown incomplete", "listener", s.name, "err", err)
		}
	}
	log.Info("stopped", "in_flight_finished", clean)
	return first
}
