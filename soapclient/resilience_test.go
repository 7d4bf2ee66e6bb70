package soapclient

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/scimbridge/scimbridge/internal/backendtime"
	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

const okGet = `<GetEmployeeResponse xmlns="urn:legacyhr:directory:1"><Employee><EmployeeID>E1</EmployeeID><Login>jdoe</Login></Employee></GetEmployeeResponse>`

func getReq() *legacyhr.GetEmployee { return &legacyhr.GetEmployee{EmployeeID: "E1"} }
func createReq() *legacyhr.CreateEmployee {
	return &legacyhr.CreateEmployee{Employee: &legacyhr.Employee{Login: "jdoe"}}
}

// guarded builds a client with resilience settings r (Registerer filled in) against endpoint.
func guarded(t *testing.T, endpoint string, r Resilience) (*Client, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewRegistry()
	r.Registerer = reg
	c := newTestClient(t, endpoint, func(c *Config) { c.Resilience = &r })
	return c, reg
}

// counter reads the value of one counter or gauge series (client_golang's testutil would pull a
// module the project does not have).
func counter(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		t.Fatal(err)
	}
	switch {
	case d.Counter != nil:
		return d.Counter.GetValue()
	case d.Gauge != nil:
		return d.Gauge.GetValue()
	}
	t.Fatalf("%s is neither a counter nor a gauge", m.Desc())
	return 0
}

// seriesCount counts the series of metric family name in reg.
func seriesCount(t *testing.T, reg prometheus.Gatherer, name string) int {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			return len(mf.GetMetric())
		}
	}
	return 0
}

func requests(c *Client, op, outcome string) prometheus.Metric {
	return c.guard.Metrics().Requests.WithLabelValues(op, outcome)
}

// A SOAP fault is the application answering: many of them must not open the breaker, while the
// same number of 503s must.
func TestBreakerCountsFaultsAsSuccess(t *testing.T) {
	srv := newFake(t, fixed(500, envelope(hrFault500), "Content-Type", "text/xml"))
	c, _ := guarded(t, srv.URL, Resilience{Breaker: BreakerConfig{ConsecutiveFailures: 3}, Retry: RetryConfig{Attempts: 1}})
	for range 10 {
		_, err := c.Invoke(context.Background(), "CreateEmployee", createReq())
		var f *Fault
		if !errors.As(err, &f) {
			t.Fatalf("err = %v, want the fault", err)
		}
	}
	if s, _ := c.BreakerState(); s != "closed" {
		t.Errorf("breaker %s after 10 faults, want closed", s)
	}
	if got := counter(t, requests(c, "CreateEmployee", OutcomeFault)); got != 10 {
		t.Errorf("fault outcome count = %v, want 10", got)
	}
}

func TestBreakerOpensRefusesFastAndRecovers(t *testing.T) {
	var healthy atomic.Bool
	var calls atomic.Int32
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls.Add(1)
		if healthy.Load() {
			fixed(200, envelope(okGet), "Content-Type", "text/xml")(w, r, body)
			return
		}
		fixed(503, "<html>down</html>")(w, r, body)
	})
	const openFor = 300 * time.Millisecond
	c, reg := guarded(t, srv.URL, Resilience{
		Breaker: BreakerConfig{ConsecutiveFailures: 3, OpenFor: openFor, HalfOpenProbes: 1},
		Retry:   RetryConfig{Attempts: 1},
	})
	for i := range 3 {
		_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
		var he *HTTPStatusError
		if !errors.As(err, &he) || he.StatusCode != 503 {
			t.Fatalf("call %d: err = %v, want the 503", i, err)
		}
	}
	if s, ra := c.BreakerState(); s != "open" || ra <= 0 {
		t.Fatalf("breaker = %s (retry after %v), want open", s, ra)
	}
	before := calls.Load()
	start := time.Now()
	_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
	if time.Since(start) > 50*time.Millisecond {
		t.Errorf("refusal took %v, want it immediate", time.Since(start))
	}
	var be *RefusedError
	if !errors.As(err, &be) || !be.Refused() || be.RetryAfter() < time.Second || !errors.Is(err, ErrBreakerOpen) {
		t.Fatalf("err = %#v, want a refusal with RetryAfter ≥ 1s wrapping ErrBreakerOpen", err)
	}
	if !strings.Contains(be.ClientMessage(), "stops calling it") {
		t.Errorf("message %q does not tell the admin what happens", be.ClientMessage())
	}
	if calls.Load() != before {
		t.Error("an open breaker let a call through")
	}
	if got := counter(t, c.guard.Metrics().Rejected.WithLabelValues(RejectBreakerOpen)); got != 1 {
		t.Errorf("rejected{breaker_open} = %v, want 1", got)
	}
	if got := counter(t, c.guard.Metrics().State.WithLabelValues("legacyhr")); got != 2 {
		t.Errorf("breaker_state = %v, want 2 (open)", got)
	}

	healthy.Store(true)
	time.Sleep(openFor + 50*time.Millisecond)
	if _, err := c.Invoke(context.Background(), "GetEmployee", getReq()); err != nil {
		t.Fatalf("probe after the open period: %v", err)
	}
	if s, _ := c.BreakerState(); s != "closed" {
		t.Errorf("breaker %s after a successful probe, want closed", s)
	}
	for _, tr := range [][2]string{{"closed", "open"}, {"open", "half-open"}, {"half-open", "closed"}} {
		if got := counter(t, c.guard.Metrics().Transitions.WithLabelValues("legacyhr", tr[0], tr[1])); got != 1 {
			t.Errorf("transitions{%s→%s} = %v, want 1", tr[0], tr[1], got)
		}
	}
	// The series exist from the start, so the scrape shows every one of them.
	if n := seriesCount(t, reg, "scimbridge_breaker_transitions_total"); n != 4 {
		t.Errorf("transition series = %d, want 4", n)
	}
}

// A caller that goes away says nothing about the backend.
func TestBreakerExcludesCallerCancellation(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) { <-r.Context().Done() })
	c, _ := guarded(t, srv.URL, Resilience{Breaker: BreakerConfig{ConsecutiveFailures: 2}, Retry: RetryConfig{Attempts: 1}})
	for range 4 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		_, err := c.Invoke(ctx, "GetEmployee", getReq())
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if s, _ := c.BreakerState(); s != "closed" {
		t.Errorf("breaker %s after cancellations, want closed", s)
	}
	if got := counter(t, requests(c, "GetEmployee", OutcomeCanceled)); got != 4 {
		t.Errorf("canceled outcome = %v, want 4", got)
	}
}

func TestOutcomeClassification(t *testing.T) {
	cases := []struct {
		name    string
		reply   func(http.ResponseWriter, *http.Request, []byte)
		outcome string
		failure bool
	}{
		{"ok", fixed(200, envelope(okGet), "Content-Type", "text/xml"), OutcomeSuccess, false},
		{"fault", fixed(500, envelope(hrFault500), "Content-Type", "text/xml"), OutcomeFault, false},
		{"503", fixed(503, "busy"), OutcomeHTTPError, true},
		{"401", fixed(401, "who are you"), OutcomeHTTPError, false},
		{"truncated", fixed(200, `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetEmployeeResp`, "Content-Type", "text/xml"), OutcomeMalformed, true},
		{"wrong shape", fixed(200, envelope(`<Resp xmlns="urn:legacyhr:directory:1"/>`), "Content-Type", "text/xml"), OutcomeMalformed, true},
		{"doctype", fixed(200, `<?xml version="1.0"?><!DOCTYPE x><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`, "Content-Type", "text/xml"), OutcomeMalformed, true},
		{"reset", func(w http.ResponseWriter, _ *http.Request, _ []byte) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
		}, OutcomeTransportError, true},
		{"hang", func(w http.ResponseWriter, r *http.Request, _ []byte) {
			select {
			case <-r.Context().Done():
			case <-time.After(2 * time.Second):
			}
		}, OutcomeTimeout, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, tc.reply)
			c, _ := guarded(t, srv.URL, Resilience{OpTimeout: 200 * time.Millisecond, Retry: RetryConfig{Attempts: 1}})
			_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
			if got := classify(err); got != tc.outcome {
				t.Fatalf("outcome = %s, want %s (err %v)", got, tc.outcome, err)
			}
			if got := countsAsFailure(classify(err), err); got != tc.failure {
				t.Errorf("breaker failure = %t, want %t (err %v)", got, tc.failure, err)
			}
			if got := counter(t, requests(c, "GetEmployee", tc.outcome)); got != 1 {
				t.Errorf("requests{%s} = %v, want 1", tc.outcome, got)
			}
		})
	}
}

func TestReadsRetriedWritesNot(t *testing.T) {
	var calls atomic.Int32
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if calls.Add(1)%3 != 0 { // two 503s, then success
			fixed(503, "busy")(w, r, body)
			return
		}
		fixed(200, envelope(okGet), "Content-Type", "text/xml")(w, r, body)
	})
	c, _ := guarded(t, srv.URL, Resilience{Retry: RetryConfig{Attempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}})
	if _, err := c.Invoke(context.Background(), "GetEmployee", getReq()); err != nil {
		t.Fatalf("read with two 503s then success: %v", err)
	}
	if calls.Load() != 3 {
		t.Errorf("server saw %d calls, want 3", calls.Load())
	}
	if got := counter(t, c.guard.Metrics().Retries.WithLabelValues("GetEmployee")); got != 2 {
		t.Errorf("retries = %v, want 2", got)
	}

	calls.Store(0)
	_, err := c.Invoke(context.Background(), "CreateEmployee", createReq())
	if err == nil || calls.Load() != 1 {
		t.Errorf("write: err = %v, calls = %d; want the 503 after exactly one call", err, calls.Load())
	}
}

func TestRetryBudgetBoundsRetries(t *testing.T) {
	var calls atomic.Int32
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls.Add(1)
		fixed(502, "bad gateway")(w, r, body)
	})
	// The floor of 2 tokens and a tiny ratio allow two retries in all, however many reads fail.
	c, _ := guarded(t, srv.URL, Resilience{
		Breaker: BreakerConfig{Disabled: true},
		Retry:   RetryConfig{Attempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, BudgetMin: 2, BudgetRatio: 0.001},
	})
	for range 5 {
		_, _ = c.Invoke(context.Background(), "GetEmployee", getReq())
	}
	if calls.Load() != 5+2 {
		t.Errorf("server saw %d calls for 5 failing reads, want 7 (budget of 2 retries)", calls.Load())
	}
}

// A 503 with Retry-After longer than the time left is not retried, and the wait it asks for
// reaches the caller.
func TestRetryAfterHonoured(t *testing.T) {
	var calls atomic.Int32
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		calls.Add(1)
		fixed(503, "restarting", "Retry-After", "7")(w, r, body)
	})
	c, _ := guarded(t, srv.URL, Resilience{OpTimeout: 500 * time.Millisecond})
	start := time.Now()
	_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
	if time.Since(start) > 300*time.Millisecond {
		t.Errorf("took %v: it slept although Retry-After exceeds the deadline", time.Since(start))
	}
	if calls.Load() != 1 {
		t.Errorf("server saw %d calls, want 1", calls.Load())
	}
	var be *RefusedError
	if !errors.As(err, &be) || be.RetryAfter() != 7*time.Second {
		t.Fatalf("err = %v, want a refusal with RetryAfter 7s", err)
	}
	var he *HTTPStatusError
	if !errors.As(err, &he) {
		t.Error("the HTTP error is no longer in the chain")
	}
}

func TestLimitsSeparateReadsAndWrites(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	entered := make(chan struct{}, 4)
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if strings.Contains(string(body), "CreateEmployee") {
			entered <- struct{}{}
			select {
			case <-release:
			case <-r.Context().Done():
			}
			fixed(200, envelope(`<CreateEmployeeResponse xmlns="urn:legacyhr:directory:1"/>`), "Content-Type", "text/xml")(w, r, body)
			return
		}
		fixed(200, envelope(okGet), "Content-Type", "text/xml")(w, r, body)
	})
	c, _ := guarded(t, srv.URL, Resilience{MaxWrites: 1, MaxReads: 1, QueueWait: -1})

	done := make(chan error, 1)
	go func() {
		_, err := c.Invoke(context.Background(), "CreateEmployee", createReq())
		done <- err
	}()
	<-entered
	if got := counter(t, c.guard.Metrics().InFlight.WithLabelValues("write")); got != 1 {
		t.Errorf("in_flight{write} = %v, want 1", got)
	}
	_, err := c.Invoke(context.Background(), "CreateEmployee", createReq())
	var be *RefusedError
	if !errors.Is(err, ErrLimitReached) || !errors.As(err, &be) || be.RetryAfter() <= 0 {
		t.Fatalf("second write: err = %v, want a refusal with RetryAfter wrapping ErrLimitReached", err)
	}
	if _, err := c.Invoke(context.Background(), "GetEmployee", getReq()); err != nil {
		t.Errorf("a read was blocked by the write limit: %v", err)
	}
	if got := counter(t, c.guard.Metrics().Rejected.WithLabelValues(RejectWriteLimit)); got != 1 {
		t.Errorf("rejected{write_limit} = %v, want 1", got)
	}
	unblock()
	if err := <-done; err != nil {
		t.Errorf("first write: %v", err)
	}
}

// A call queues for a slot up to QueueWait and gets it when one frees up.
func TestLimitQueueWait(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		time.Sleep(50 * time.Millisecond)
		fixed(200, envelope(okGet), "Content-Type", "text/xml")(w, r, body)
	})
	c, _ := guarded(t, srv.URL, Resilience{MaxReads: 1, QueueWait: 2 * time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() {
			_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("queued read failed: %v", err)
		}
	}
}

func TestOpTimeoutBoundsRetries(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	})
	c, _ := guarded(t, srv.URL, Resilience{OpTimeout: 150 * time.Millisecond, Retry: RetryConfig{Attempts: 3, BaseDelay: time.Millisecond}})
	start := time.Now()
	_, err := c.Invoke(context.Background(), "ListEmployees", &legacyhr.ListEmployees{PageNumber: 1, PageSize: 10})
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v with a 150ms operation timeout", el)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want a deadline", err)
	}
}

func TestBackendTimeAccumulated(t *testing.T) {
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		time.Sleep(30 * time.Millisecond)
		fixed(200, envelope(okGet), "Content-Type", "text/xml")(w, r, body)
	})
	c, _ := guarded(t, srv.URL, Resilience{})
	ctx, acc := backendtime.With(context.Background())
	for range 2 {
		if _, err := c.Invoke(ctx, "GetEmployee", getReq()); err != nil {
			t.Fatal(err)
		}
	}
	if acc.Calls() != 2 || acc.Total() < 60*time.Millisecond {
		t.Errorf("accumulated %d calls, %v; want 2 calls, ≥ 60ms", acc.Calls(), acc.Total())
	}
}

func TestUnknownOperationLabelBounded(t *testing.T) {
	srv := newFake(t, fixed(200, ""))
	c, _ := guarded(t, srv.URL, Resilience{})
	_, err := c.Invoke(context.Background(), "NoSuchOp-"+strings.Repeat("x", 50), getReq())
	if !errors.Is(err, ErrUnknownOperation) {
		t.Fatalf("err = %v", err)
	}
	if got := counter(t, requests(c, otherOp, OutcomeInvalid)); got != 1 {
		t.Errorf("requests{other,invalid} = %v, want 1", got)
	}
}

func TestIsReadName(t *testing.T) {
	for op, want := range map[string]bool{
		"GetEmployee": true, "ListEmployees": true, "FindEmployees": true, "isExistingUser": true,
		"getUserListOfRole": true, "search": true, "Get_User": true, "Lookup2": true,
		"CreateEmployee": false, "Issue": false, "Listen": false, "SetPassword": false, "updateCredential": false,
		"DeleteRole": false, "": false,
	} {
		if got := IsReadName(op, DefaultReadPrefixes); got != want {
			t.Errorf("IsReadName(%q) = %t, want %t", op, got, want)
		}
	}
}

func TestExplicitReadsOverridePrefixes(t *testing.T) {
	srv := newFake(t, fixed(200, ""))
	c, _ := guarded(t, srv.URL, Resilience{Reads: []string{"ListRoles"}})
	if !c.IsRead("ListRoles") || c.IsRead("GetEmployee") {
		t.Error("Reads does not replace the prefix rule")
	}
	_, err := New("legacyhr", Config{Endpoint: srv.URL, Resilience: &Resilience{Reads: []string{"Nope"}}})
	if err == nil || !strings.Contains(err.Error(), `"Nope"`) {
		t.Errorf("unknown read operation: err = %v", err)
	}
}

func TestResilienceValidation(t *testing.T) {
	for _, r := range []Resilience{
		{OpTimeout: -1},
		{Breaker: BreakerConfig{FailureRatio: 2}},
		{Retry: RetryConfig{Attempts: 50}},
		{OpTimeouts: map[string]time.Duration{"GetEmployee": -time.Second}},
		{OpTimeouts: map[string]time.Duration{"Nope": time.Second}},
	} {
		if _, err := New("legacyhr", Config{Endpoint: "http://127.0.0.1:1/", Resilience: &r}); err == nil {
			t.Errorf("%+v accepted", r)
		}
	}
}

// Two clients may share one registry (one breaker label each).
func TestSharedRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	for _, name := range []string{"a", "b"} {
		if _, err := New("legacyhr", Config{Endpoint: "http://127.0.0.1:1/", Resilience: &Resilience{Registerer: reg, BreakerName: name}}); err != nil {
			t.Fatalf("client %s: %v", name, err)
		}
	}
	if n := seriesCount(t, reg, "scimbridge_breaker_state"); n != 2 {
		t.Errorf("breaker_state series = %d, want 2", n)
	}
}

func TestPing(t *testing.T) {
	ok := newFake(t, fixed(405, "GET not allowed"))
	if err := newTestClient(t, ok.URL, nil).Ping(context.Background()); err != nil {
		t.Errorf("405: %v, want reachable", err)
	}
	bad := newFake(t, fixed(502, "proxy error"))
	if err := newTestClient(t, bad.URL, nil).Ping(context.Background()); err == nil {
		t.Error("502 counted as reachable")
	}
	dead := newFake(t, fixed(200, ""))
	url := dead.URL
	dead.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := newTestClient(t, url, nil).Ping(ctx); err == nil {
		t.Error("closed listener counted as reachable")
	}
}
