package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/mapping"
)

// bridge is a running bridge: the parts built once (logger, metrics registry and wrapper, state
// store, health) and the current generation (configuration, backend client, SCIM handler), which
// Reload replaces without a restart. Requests in flight finish on the generation they started
// on; its client is closed once the last of them is done.
type bridge struct {
	path    string // the configuration file; "" for a configuration built in Go (no reload)
	log     *slog.Logger
	reg     *prometheus.Registry
	store   stateStore
	health  *observe.Health
	metrics *observe.Metrics
	reloads *prometheus.CounterVec

	mu  sync.Mutex // one reload at a time
	cur atomic.Pointer[generation]
	tls atomic.Pointer[tls.Config]
}

// generation is what one configuration built.
type generation struct {
	p       *config.Prepared
	handler http.Handler
	// mu is held shared by every request on this generation and exclusively by its retirement,
	// which therefore waits for them.
	mu      sync.RWMutex
	retired bool
}

// newRuntime builds the bridge from a prepared configuration (whose metrics went to reg). It
// takes ownership of p's client.
func newRuntime(path string, p *config.Prepared, reg *prometheus.Registry, log *slog.Logger) (*bridge, error) {
	store, err := openState(p.Config.State, reg)
	if err != nil {
		p.Close()
		return nil, err
	}
	m, err := observe.NewMetrics(reg)
	if err != nil {
		p.Close()
		store.Close()
		return nil, err
	}
	rt := &bridge{path: path, log: log, reg: reg, store: store, metrics: m,
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "scimbridge_config_reloads_total",
			Help: "Configuration reloads (SIGHUP or service control) by result: success, or refused (the running configuration kept serving).",
		}, []string{"result"}),
	}
	for _, r := range []string{"success", "refused"} {
		rt.reloads.WithLabelValues(r)
	}
	if err := reg.Register(rt.reloads); err != nil {
		p.Close()
		store.Close()
		return nil, err
	}
	g, err := rt.build(p)
	if err != nil {
		p.Close()
		store.Close()
		return nil, err
	}
	rt.cur.Store(g)
	rt.tls.Store(p.ServerTLS())
	rt.health = observe.NewHealth(observe.HealthOptions{
		Breaker: func() (string, time.Duration) { return rt.cur.Load().p.Client.BreakerState() },
		Probe:   func(ctx context.Context) error { return rt.cur.Load().p.Client.Ping(ctx) },
		State:   store.Ping,
	})
	return rt, nil
}

// build assembles the SCIM handler of one configuration over the shared state store.
func (rt *bridge) build(p *config.Prepared) (*generation, error) {
	cfg := p.Config
	// Backends without change times or stable group ids keep that bookkeeping in the bridge's
	// state store; every store provides it, so every mapping gets it.
	be := p.Engine.Backend(p.Client, rt.log, mapping.WithState(rt.store))
	h, err := adapter.New(cfg.SCIM, be, adapter.Options{Logger: rt.log, Ledger: rt.store, Locker: rt.store})
	if err != nil {
		return nil, err
	}
	return &generation{p: p, handler: withRequestTimeout(h, cfg.RequestTimeout)}, nil
}

// ServeHTTP serves a SCIM request on the current generation.
func (rt *bridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for {
		g := rt.cur.Load()
		g.mu.RLock()
		if g.retired {
			// Swapped out between the load and the lock: take the new one.
			g.mu.RUnlock()
			continue
		}
		defer g.mu.RUnlock()
		g.handler.ServeHTTP(w, r)
		return
	}
}

// handler is the SCIM listener's handler: metrics outermost, so that they see every request,
// including the ones the deadline cuts short.
func (rt *bridge) handler() http.Handler { return rt.metrics.Wrap(rt) }

// metricsHandler serves /metrics, /healthz and /readyz.
func (rt *bridge) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(rt.reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", rt.health.Livez())
	mux.Handle("GET /readyz", rt.health.Readyz())
	if g := rt.cur.Load(); g != nil && g.p.Config.Metrics.Pprof {
		// Opt-in (metrics.pprof); read when the listener starts, so turning it on or off takes a
		// restart, never a reload.
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	return mux
}

// serverTLS is the SCIM listener's TLS configuration, nil without tls. Every handshake takes the
// current generation's certificate, client CAs and minimum version, so a reload renews them for
// new connections.
func (rt *bridge) serverTLS() *tls.Config {
	if rt.tls.Load() == nil {
		return nil
	}
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			return rt.tls.Load(), nil
		},
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return &rt.tls.Load().Certificates[0], nil
		},
	}
}

// Close releases the current generation and the state store.
func (rt *bridge) Close() error {
	return errors.Join(rt.cur.Load().p.Close(), rt.store.Close())
}

// errRestartOnly refuses a reload that changes what only a restart can change.
var errRestartOnly = errors.New("reload refused")

// Reload re-reads the configuration file (and with it the secrets, the certificates and the
// mapping) through the same config.Prepare as serve and check. A configuration that fails is
// refused with a log line and the running one keeps serving; one that passes serves every new
// request from now on, while the requests in flight finish on the old one.
func (rt *bridge) Reload() error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	refuse := func(err error, attrs ...any) error {
		rt.reloads.WithLabelValues("refused").Inc()
		rt.log.Error("configuration reload refused; the running configuration keeps serving", append(attrs, "error", err.Error())...)
		return err
	}
	if rt.path == "" {
		return refuse(errors.New("this bridge was not started from a configuration file"))
	}
	p, err := config.Prepare(rt.path, prepareOptions(rt.reg))
	if err != nil {
		var probs config.Problems
		if errors.As(err, &probs) {
			lines := make([]string, len(probs))
			for i, pr := range probs {
				lines[i] = pr.String()
			}
			return refuse(err, "problems", lines)
		}
		return refuse(err)
	}
	old := rt.cur.Load()
	if keys := restartOnly(old.p.Config, p.Config); len(keys) > 0 {
		p.Close()
		return refuse(fmt.Errorf("%w: %s changed, which needs a restart", errRestartOnly, strings.Join(keys, ", ")))
	}
	if err := checkBackendAuth(context.Background(), p); err != nil {
		p.Close()
		return refuse(err)
	}
	g, err := rt.build(p)
	if err != nil {
		p.Close()
		return refuse(err)
	}
	rt.tls.Store(p.ServerTLS())
	rt.cur.Store(g)
	go func() {
		old.mu.Lock() // waits for the requests still running on it
		old.retired = true
		old.mu.Unlock()
		old.p.Close()
	}()
	rt.reloads.WithLabelValues("success").Inc()
	rt.log.Info("configuration reloaded", "file", rt.path, "mapping", p.Config.Backend.Mapping)
	return nil
}

// restartOnly names the keys whose change a reload cannot apply: the listeners, the state store,
// logging, the Go runtime's tuning, and whether the SCIM listener speaks TLS at all.
func restartOnly(a, b *config.Config) []string {
	var keys []string
	diff := func(key string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			keys = append(keys, key)
		}
	}
	diff("listen", a.Listen, b.Listen)
	diff("metrics", a.Metrics, b.Metrics)
	diff("state", a.State, b.State)
	diff("log", a.Log, b.Log)
	diff("shutdown", a.Shutdown, b.Shutdown)
	diff("runtime", a.Runtime, b.Runtime)
	if (a.TLS == nil) != (b.TLS == nil) {
		keys = append(keys, "tls (on or off)")
	}
	return keys
}

// reloadRequests carries reload requests from a signal or a service control to the serve loop;
// one pending request is enough.
var reloadRequests = make(chan struct{}, 1)

// requestReload asks the running serve to reload its configuration (SIGHUP does this; the
// Windows service handler calls it for its parameter-change control).
func requestReload() {
	select {
	case reloadRequests <- struct{}{}:
	default:
	}
}
