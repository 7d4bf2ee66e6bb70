package bench

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/backendtime"
	"github.com/scimbridge/scimbridge/internal/legacysim"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

type catalog struct{ c *soapclient.Client }

func (c catalog) Operations() []string { return c.c.Operations() }
func (c catalog) Operation(name string) (mapping.OperationInfo, bool) {
	op, ok := c.c.Lookup(name)
	return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, ok
}

// stack is the simulator, the SOAP client and the bridge in front of them.
type stack struct {
	sim    *legacysim.Server
	client *soapclient.Client
	scim   *httptest.Server
	http   *http.Client
	id     string        // an employee that exists
	conns  *atomic.Int64 // connections the simulator accepted
	probe  *overheadProbe
}

func newStack(b testing.TB) *stack {
	b.Helper()
	sim, err := legacysim.New(legacysim.Options{Username: "svc", Password: "bench-secret"})
	if err != nil {
		b.Fatal(err)
	}
	conns := new(atomic.Int64)
	simSrv := httptest.NewUnstartedServer(sim)
	simSrv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	simSrv.Start()
	b.Cleanup(simSrv.Close)
	b.Cleanup(func() { _ = sim.Close() })
	client := legacyClient(b, simSrv.URL+legacysim.SOAPPath, "svc", "bench-secret")
	spec, err := mapping.Parse("builtin", defaults.LegacyHR)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := mapping.Compile(spec, catalog{client}, mapping.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := adapter.Config{}
	cfg.Auth.Mode = "none"
	h, err := adapter.New(cfg, eng.Backend(client, nil), adapter.Options{Ledger: state.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	scim, probe := serveBridge(b, h)
	enabled := true
	out, err := client.Invoke(context.Background(), "CreateEmployee", &legacyhr.CreateEmployee{Employee: &legacyhr.Employee{
		Login: "bench.user", GivenName: "Bench", FamilyName: "User", Email: "bench.user@example.com", Enabled: &enabled}})
	if err != nil {
		b.Fatal(err)
	}
	hc := scim.Client()
	// The load generator keeps as many connections as it has clients, as the agent's pool does.
	hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 128
	return &stack{sim: sim, client: client, scim: scim, http: hc, conns: conns, probe: probe,
		id: out.(*legacyhr.CreateEmployeeResponse).Employee.EmployeeID}
}

// legacyClient is the direct side's SOAP client of a LegacyHR endpoint, closed when the test
// ends. Limits sized for the 64-client throughput run: the defaults (8 reads) would refuse most
// of it.
func legacyClient(b testing.TB, endpoint, user, pass string) *soapclient.Client {
	res := soapclient.Resilience{Registerer: prometheus.NewRegistry(), MaxReads: 64, MaxWrites: 16}
	client, err := soapclient.New("legacyhr", soapclient.Config{
		Endpoint:       endpoint,
		WSSE:           &soapclient.WSSEConfig{Username: user, Password: pass},
		Resilience:     &res,
		MaxConcurrency: 80,
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Close() })
	return client
}

// serveBridge serves the adapter's handler the way serve does, inside the SCIM metrics
// (observe.Metrics), with the overhead probe between the two.
func serveBridge(b testing.TB, h http.Handler) (*httptest.Server, *overheadProbe) {
	m, err := observe.NewMetrics(prometheus.NewRegistry())
	if err != nil {
		b.Fatal(err)
	}
	probe := &overheadProbe{next: h}
	scim := httptest.NewServer(m.Wrap(probe))
	b.Cleanup(scim.Close)
	return scim, probe
}

// overheadProbe measures what scimbridge_adapter_overhead_seconds measures — the time of one
// SCIM request in the bridge's handler not spent in backend calls (the guards add the calls'
// time to the request's accumulator) — and keeps the samples while recording is on, so that
// the report can give its median, which a histogram's buckets cannot.
type overheadProbe struct {
	next      http.Handler
	mu        sync.Mutex
	recording bool
	samples   []time.Duration
}

func (p *overheadProbe) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, acc := backendtime.With(r.Context())
	t0 := time.Now()
	p.next.ServeHTTP(w, r.WithContext(ctx))
	d := max(time.Since(t0)-acc.Total(), 0)
	p.mu.Lock()
	if p.recording {
		p.samples = append(p.samples, d)
	}
	p.mu.Unlock()
}

// record starts keeping samples afresh; stop ends it and returns them.
func (p *overheadProbe) record() {
	p.mu.Lock()
	p.recording, p.samples = true, nil
	p.mu.Unlock()
}

func (p *overheadProbe) stop() []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.recording = false
	return p.samples
}

func (s *stack) direct(b testing.TB) {
	if _, err := s.client.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: s.id}); err != nil {
		b.Fatal(err)
	}
}

func (s *stack) bridged(b testing.TB) {
	res, err := s.http.Get(s.scim.URL + "/scim/v1/Users/" + s.id)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		b.Fatalf("GET user: %d", res.StatusCode)
	}
}

func BenchmarkGetUserDirectSOAP(b *testing.B) {
	s := newStack(b)
	b.ResetTimer()
	for b.Loop() {
		s.direct(b)
	}
}

func BenchmarkGetUserThroughBridge(b *testing.B) {
	s := newStack(b)
	b.ResetTimer()
	for b.Loop() {
		s.bridged(b)
	}
}

// BenchmarkExistenceCheckThroughBridge is the agent's existence check (a userName filter with
// the agent's paging), the request it makes before every create.
func BenchmarkExistenceCheckThroughBridge(b *testing.B) {
	s := newStack(b)
	target := s.scim.URL + "/scim/v1/Users?filter=" + url.QueryEscape(`userName eq "bench.user"`) + "&startIndex=1&count=100"
	b.ResetTimer()
	for b.Loop() {
		res, err := s.http.Get(target)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("existence check: %d", res.StatusCode)
		}
	}
}

// BenchmarkGetUserOverheadRatio alternates the two in one loop and reports bridge/direct: the
// factor the bridge adds to reading one user (SCIM HTTP, JSON, mapping, and the SOAP call itself).
func BenchmarkGetUserOverheadRatio(b *testing.B) {
	s := newStack(b)
	var direct, bridged time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		s.direct(b)
		t1 := time.Now()
		s.bridged(b)
		direct += t1.Sub(t0)
		bridged += time.Since(t1)
	}
	if direct > 0 {
		b.ReportMetric(float64(bridged)/float64(direct), "bridge/direct")
	}
}

// TestStackWorks keeps the benchmarks' wiring honest in the ordinary test run.
func TestStackWorks(t *testing.T) {
	s := newStack(t)
	s.direct(t)
	s.bridged(t)
}
