package observe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// HealthOptions configures Health. Every field is optional.
type HealthOptions struct {
	// Breaker reports the backend breaker's state ("closed", "half-open", "open", "disabled"),
	// e.g. soapclient.(*Client).BreakerState. nil: not checked. While it says "open", /readyz
	// answers 503. (A load balancer with several replicas then routes around a replica whose
	// breaker opened; with a single replica it changes nothing, since the agent gets a 503
	// either way.)
	Breaker func() (state string, retryAfter time.Duration)
	// Probe checks that the backend is reachable, e.g. soapclient.(*Client).Ping. nil: not
	// probed. It runs at most once per ProbeInterval (default 10s), bounded by ProbeTimeout
	// (default 2s); /readyz serves the cached result in between, so scraping it often costs
	// the backend nothing.
	Probe func(ctx context.Context) error
	// State checks the bridge's state store (a query to PostgreSQL, a read of the SQLite file),
	// on every /readyz, bounded by ProbeTimeout: without its state the bridge refuses writes, so
	// a load balancer should send them to a replica that has it. nil: not checked.
	State         func(ctx context.Context) error
	ProbeInterval time.Duration
	ProbeTimeout  time.Duration
	// Now is the clock; default time.Now.
	Now func() time.Time
}

// Health serves /healthz and /readyz. It starts not ready: call SetReady once the configuration
// is loaded and the listeners are up, and SetDraining on a stop signal, before the HTTP servers
// are shut down, so that load balancers stop sending new requests first.
type Health struct {
	o        HealthOptions
	ready    atomic.Bool
	draining atomic.Bool

	probing sync.Mutex // held while a probe runs; TryLock keeps /readyz from queueing behind it
	mu      sync.Mutex // guards the cached result
	probed  time.Time
	probeOK error
}

// NewHealth returns a Health with o's defaults applied.
func NewHealth(o HealthOptions) *Health {
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = 10 * time.Second
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Health{o: o, probeOK: errNotProbed}
}

var errNotProbed = fmt.Errorf("no probe has completed yet")

// SetReady marks the configuration loaded (true) or not.
func (h *Health) SetReady(ok bool) { h.ready.Store(ok) }

// SetDraining makes /readyz answer 503 from now on, for a graceful shutdown.
func (h *Health) SetDraining() { h.draining.Store(true) }

// Livez answers 200 "ok" while the process serves HTTP at all. It never looks at the backend: a
// backend outage must not make an orchestrator restart the bridge.
func (h *Health) Livez() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
}

// Check is one line of the readiness report.
type Check struct {
	Name string
	OK   bool
	Info string
}

// Checks runs the readiness checks (the probe only when its cached result is stale).
func (h *Health) Checks(ctx context.Context) []Check {
	cs := []Check{{Name: "config", OK: h.ready.Load(), Info: "configuration loaded"}}
	if !cs[0].OK {
		cs[0].Info = "configuration not loaded yet"
	}
	if h.draining.Load() {
		cs = append(cs, Check{Name: "draining", OK: false, Info: "shutting down"})
	}
	// The backend counts as available when the breaker is not open OR the probe reaches it
	// (issue #6: "backend reachable or breaker not open"). Only both failing, a backend that is
	// really down, turns the replica unready: an open breaker alone would turn every replica
	// behind one load balancer unready at once, and a probe alone may fail on a SOAP endpoint
	// that does not answer plain GETs.
	var parts []string
	available, checked := false, false
	if h.o.Breaker != nil {
		checked = true
		state, ra := h.o.Breaker()
		if state != "open" {
			available = true
			parts = append(parts, "breaker "+state)
		} else {
			parts = append(parts, fmt.Sprintf("breaker open, next probe in %s", ra.Round(time.Second)))
		}
	}
	if h.o.Probe != nil {
		checked = true
		if err := h.probe(ctx); err == nil {
			available = true
			parts = append(parts, "reachable")
		} else {
			parts = append(parts, "probe: "+probeReason(err))
		}
	}
	if checked {
		cs = append(cs, Check{Name: "backend", OK: available, Info: strings.Join(parts, "; ")})
	}
	if h.o.State != nil {
		sctx, cancel := context.WithTimeout(ctx, h.o.ProbeTimeout)
		err := h.o.State(sctx)
		cancel()
		if err != nil {
			// The cause can name the database host: it goes to the bridge's log through the
			// failing requests, not to whoever can read /readyz.
			cs = append(cs, Check{Name: "state", OK: false, Info: "state store not reachable"})
		} else {
			cs = append(cs, Check{Name: "state", OK: true, Info: "state store reachable"})
		}
	}
	return cs
}

// probe returns the cached probe result, refreshing it when stale. A caller that finds another
// probe running takes the cached result instead of waiting.
func (h *Health) probe(ctx context.Context) error {
	h.mu.Lock()
	fresh := !h.probed.IsZero() && h.o.Now().Sub(h.probed) < h.o.ProbeInterval
	last := h.probeOK
	h.mu.Unlock()
	if fresh || !h.probing.TryLock() {
		return last
	}
	defer h.probing.Unlock()
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.o.ProbeTimeout)
	defer cancel()
	err := h.o.Probe(pctx)
	h.mu.Lock()
	h.probed, h.probeOK = h.o.Now(), err
	h.mu.Unlock()
	return err
}

// Readyz answers 200 "ready" when every check passes, else 503 with the failing checks. With
// ?verbose every check is listed.
func (h *Health) Readyz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs := h.Checks(r.Context())
		_, verbose := r.URL.Query()["verbose"]
		ok := true
		var b strings.Builder
		for _, c := range cs {
			if !c.OK {
				ok = false
			}
			if verbose || !c.OK {
				mark := "+"
				if !c.OK {
					mark = "-"
				}
				fmt.Fprintf(&b, "[%s]%s: %s\n", mark, c.Name, c.Info)
			}
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if ok {
			b.WriteString("ready\n")
		} else {
			w.WriteHeader(http.StatusServiceUnavailable)
			b.WriteString("not ready\n")
		}
		_, _ = w.Write([]byte(b.String()))
	})
}

var (
	urlPattern  = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^\s"]+`)
	addrPattern = regexp.MustCompile(`\[?[0-9a-fA-F:.]*[0-9a-fA-F]\]?:\d{1,5}\b|\b\d{1,3}(\.\d{1,3}){3}\b`)
)

// probeReason says why the backend probe failed without naming the backend: /readyz is served
// to whoever reaches the metrics listener, and the backend's URL, host and address are not
// theirs to learn (the log has them).
func probeReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var dns *net.DNSError
	var op *net.OpError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || (ue != nil && ue.Timeout()):
		return "timeout"
	case errors.As(err, &dns):
		return "name lookup failed: " + dns.Err
	case errors.As(err, &op):
		msg := op.Op
		if op.Err != nil {
			msg += ": " + op.Err.Error()
		}
		err = errors.New(msg)
	}
	msg := urlPattern.ReplaceAllString(err.Error(), "(backend)")
	return addrPattern.ReplaceAllString(msg, "(backend)")
}
