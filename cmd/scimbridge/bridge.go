package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// bridge is one assembled bridge: the SCIM handler over the mapping engine over the SOAP client.
type bridge struct {
	handler http.Handler
	metrics http.Handler
	health  *observe.Health
	client  *soapclient.Client
	store   state.Store
}

func (b *bridge) Close() error {
	return errors.Join(b.client.Close(), b.store.Close())
}

// builtinMappings are the mapping files shipped in the binary, for the bundled simulator.
var builtinMappings = map[string][]byte{"legacyhr": defaults.LegacyHR, "wso2": defaults.WSO2}

// ledger adapts the state store to the front end's PasswordLedger: the two packages keep their
// own "no entry" sentinel so that neither imports the other.
type ledger struct{ s state.Store }

func (l ledger) Matches(ctx context.Context, userID, password string) (bool, error) {
	ok, err := l.s.Matches(ctx, userID, password)
	if errors.Is(err, state.ErrNoEntry) {
		return false, fmt.Errorf("%w: %w", adapter.ErrNoEntry, err)
	}
	return ok, err
}

func (l ledger) Record(ctx context.Context, userID, password string) error {
	return l.s.Record(ctx, userID, password)
}

// loadMapping reads the mapping file named by the configuration, or a built-in one.
func loadMapping(ref string) (*mapping.Spec, error) {
	if name, ok := strings.CutPrefix(ref, "builtin:"); ok {
		data, ok := builtinMappings[name]
		if !ok {
			return nil, fmt.Errorf("backend.mapping: no built-in mapping %q (have: legacyhr, wso2)", name)
		}
		return mapping.Parse("builtin:"+name, data)
	}
	return mapping.Load(ref)
}

// soapConfig translates the backend section. reg receives the resilience metrics; nil (as for
// check, which never calls the backend) leaves the guards out.
func soapConfig(cfg *Config, reg prometheus.Registerer) (soapclient.Config, error) {
	b := cfg.Backend
	sc := soapclient.Config{
		Endpoint:       b.Endpoint,
		Timeout:        b.Timeout,
		MaxConcurrency: b.MaxConcurrency,
		Headers:        b.Headers,
		UserAgent:      "scimbridge/" + buildVersion(),
		SOAPVersion:    b.SOAPVersion,
	}
	if b.Proxy != "" {
		u, err := url.Parse(b.Proxy) // validated with the configuration
		if err != nil {
			return sc, fmt.Errorf("backend.proxy: %w", err)
		}
		sc.Proxy = u
	}
	if reg != nil && !b.Resilience.Disabled {
		r := b.Resilience.Resilience
		r.Registerer = reg
		sc.Resilience = &r
	}
	if b.WSSE != nil {
		sc.WSSE = &soapclient.WSSEConfig{Username: b.WSSE.Username, Password: b.WSSE.Password, Digest: b.WSSE.Digest}
	}
	if b.Basic != nil {
		sc.BasicAuth = &soapclient.BasicAuthConfig{Username: b.Basic.Username, Password: b.Basic.Password}
	}
	if t := b.TLS; t != nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if t.CAFile != "" {
			pem, err := os.ReadFile(t.CAFile)
			if err != nil {
				return sc, fmt.Errorf("backend.tls.caFile: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return sc, fmt.Errorf("backend.tls.caFile: %s holds no PEM certificate", t.CAFile)
			}
			tc.RootCAs = pool
		}
		if t.CertFile != "" || t.KeyFile != "" {
			cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
			if err != nil {
				return sc, fmt.Errorf("backend.tls: client certificate: %w", err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		sc.TLS = tc
	}
	return sc, nil
}

// compileBackend loads the mapping, builds the SOAP client it names and checks the mapping
// against that client's operations. It is shared by serve and check so that both report the
// same errors.
func compileBackend(cfg *Config, reg prometheus.Registerer) (*mapping.Engine, *soapclient.Client, error) {
	spec, err := loadMapping(cfg.Backend.Mapping)
	if err != nil {
		return nil, nil, err
	}
	sc, err := soapConfig(cfg, reg)
	if err != nil {
		return nil, nil, err
	}
	var client *soapclient.Client
	var catalog *soapreg.Client
	if b := cfg.Backend; b.WSDL != "" {
		// The runtime client: built from the WSDL now, with the same transport and guards.
		client, catalog, err = wsdlrt.New(context.Background(), wsdlrt.Options{
			WSDL: b.WSDL, Binding: b.WSDLBinding, SaveTo: b.WSDLSave, Name: spec.Client.Value,
		}, sc)
		if err != nil {
			return nil, nil, fmt.Errorf("backend.wsdl: %w", err)
		}
	} else {
		client, err = soapclient.New(spec.Client.Value, sc)
		if err != nil {
			return nil, nil, fmt.Errorf("backend: %w", err)
		}
		catalog = soapclient.Clients[spec.Client.Value]
	}
	eng, err := mapping.Compile(spec, registryCatalog{catalog}, mapping.Options{})
	if err != nil {
		client.Close()
		return nil, nil, err
	}
	return eng, client, nil
}

func newLogger(cfg LogConfig, w io.Writer) *slog.Logger {
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

func buildBridge(cfg *Config, log *slog.Logger) (*bridge, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		observe.NewBuildInfo(buildLabels()),
	)
	eng, client, err := compileBackend(cfg, reg)
	if err != nil {
		return nil, err
	}
	fail := func(err error, closers ...io.Closer) (*bridge, error) {
		client.Close()
		for _, c := range closers {
			c.Close()
		}
		return nil, err
	}
	var store state.Store = state.NewMemory()
	if cfg.State.Path != "" {
		s, err := state.OpenSQLite(cfg.State.Path)
		if err != nil {
			return fail(err)
		}
		store = s
	}
	// Backends without change times or stable group ids keep that bookkeeping in the bridge's
	// state store; the engine says whether its mapping needs it.
	var opts []mapping.BackendOption
	if ms, ok := store.(mapping.State); ok {
		opts = append(opts, mapping.WithState(ms))
	} else if eng.NeedsState() {
		return fail(fmt.Errorf("backend.mapping %s needs the bridge's state store, which this build cannot provide", cfg.Backend.Mapping), store)
	}
	be := eng.Backend(client, log, opts...)
	h, err := adapter.New(cfg.SCIM, be, adapter.Options{Logger: log, Ledger: ledger{store}})
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
	tls  *TLSConfig
}

func listen(name, addr string, h http.Handler, tlsCfg *TLSConfig, log *slog.Logger) (*server, error) {
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
		err = s.srv.ServeTLS(s.ln, s.tls.CertFile, s.tls.KeyFile)
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
