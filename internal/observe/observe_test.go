package observe

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/scimbridge/scimbridge/internal/backendtime"
	"github.com/scimbridge/scimbridge/internal/reqid"
)

func TestClassifyRequest(t *testing.T) {
	cases := []struct{ method, path, dialect, op string }{
		{"GET", "/Users", "1.1", "users.list"},
		{"GET", "/scim/v1/Users/", "1.1", "users.list"},
		{"POST", "/Users", "1.1", "users.create"},
		{"GET", "/Users/E000001", "1.1", "users.get"},
		{"PUT", "//Users//E000001", "1.1", "users.replace"},
		{"GET", "/ServiceProviderConfigs", "1.1", "discovery"},
		{"GET", "/Groups", "1.1", "groups.list"},
		{"DELETE", "/Groups/R1", "1.1", "groups.delete"},
		{"GET", "/scim/v2/Users/abc", "2.0", "users.get"},
		{"PATCH", "/scim/v2/Users/abc", "2.0", "users.patch"},
		{"DELETE", "/scim/v2/Users/abc", "2.0", "users.delete"},
		{"POST", "/scim/v2/Users/.search", "2.0", "users.search"},
		{"PATCH", "/scim/v2/Groups/g1", "2.0", "groups.patch"},
		{"GET", "/scim/v2/ResourceTypes/User", "2.0", "discovery"},
		{"GET", "/scim/v2/Schemas", "2.0", "discovery"},
		{"GET", "/scim/v2", "2.0", "unknown"},
		{"GET", "/scim/v2x/Users", "1.1", "unknown"},
		{"GET", "/Users/a/b", "1.1", "unknown"},
		{"POST", "/Users/abc", "1.1", "unknown"},
		{"GET", "/", "1.1", "unknown"},
		{"GET", "/etc/passwd", "1.1", "unknown"},
	}
	for _, c := range cases {
		d, op := ClassifyRequest(c.method, c.path)
		if d != c.dialect || op != c.op {
			t.Errorf("%s %s = %s %s, want %s %s", c.method, c.path, d, op, c.dialect, c.op)
		}
		found := false
		for _, o := range Operations {
			found = found || o == op
		}
		if !found {
			t.Errorf("%s is not in Operations", op)
		}
	}
}

func metricValue(t *testing.T, reg prometheus.Gatherer, name string, labels map[string]string) *dto.Metric {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if v, ok := labels[lp.GetName()]; ok && v != lp.GetValue() {
					continue next
				}
			}
			return m
		}
	}
	t.Fatalf("no series %s%v", name, labels)
	return nil
}

// The overhead histogram gets request time minus the backend time the inner handler reported.
func TestMetricsWrapMeasuresOverhead(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	var inFlightSeen atomic.Int64
	h := m.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Stands in for the SOAP client's metrics guard: a backend call of 40ms.
		time.Sleep(40 * time.Millisecond)
		backendtime.From(r.Context()).Add(40 * time.Millisecond)
		var d dto.Metric
		_ = m.inFlight.Write(&d)
		inFlightSeen.Store(int64(d.GetGauge().GetValue()))
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/scim/v2/Users/123")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if inFlightSeen.Load() != 1 {
		t.Errorf("in-flight during the request = %d, want 1", inFlightSeen.Load())
	}
	c := metricValue(t, reg, "scimbridge_scim_requests_total", map[string]string{"dialect": "2.0", "operation": "users.get", "status_class": "5xx"})
	if c.GetCounter().GetValue() != 1 {
		t.Errorf("requests_total{2.0,users.get,5xx} = %v, want 1", c.GetCounter().GetValue())
	}
	dur := metricValue(t, reg, "scimbridge_scim_request_duration_seconds", map[string]string{"dialect": "2.0", "operation": "users.get"}).GetHistogram()
	ovh := metricValue(t, reg, "scimbridge_adapter_overhead_seconds", map[string]string{"dialect": "2.0", "operation": "users.get"}).GetHistogram()
	if dur.GetSampleCount() != 1 || ovh.GetSampleCount() != 1 {
		t.Fatalf("histogram counts %d/%d, want 1/1", dur.GetSampleCount(), ovh.GetSampleCount())
	}
	if dur.GetSampleSum() < 0.040 {
		t.Errorf("duration %v < the 40ms backend call", dur.GetSampleSum())
	}
	if ovh.GetSampleSum() > dur.GetSampleSum()-0.039 || ovh.GetSampleSum() < 0 {
		t.Errorf("overhead %v does not exclude the 40ms backend time (duration %v)", ovh.GetSampleSum(), dur.GetSampleSum())
	}
	// Every bounded combination exists from the start.
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "scimbridge_scim_requests_total" && len(mf.GetMetric()) != len(Dialects)*len(Operations)*len(statusClasses) {
			t.Errorf("requests_total has %d series, want %d", len(mf.GetMetric()), len(Dialects)*len(Operations)*len(statusClasses))
		}
	}
}

func TestHealth(t *testing.T) {
	var probes atomic.Int32
	var probeErr atomic.Value
	probeErr.Store(errors.New(""))
	breaker := "closed"
	now := time.Unix(1000, 0)
	h := NewHealth(HealthOptions{
		Breaker: func() (string, time.Duration) { return breaker, 12 * time.Second },
		Probe: func(context.Context) error {
			probes.Add(1)
			if e := probeErr.Load().(error); e.Error() != "" {
				return e
			}
			return nil
		},
		ProbeInterval: 10 * time.Second,
		Now:           func() time.Time { return now },
	})
	get := func(path string) (int, string) {
		rec := httptest.NewRecorder()
		handler := h.Readyz()
		if strings.HasPrefix(path, "/healthz") {
			handler = h.Livez()
		}
		handler.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "config") {
		t.Errorf("before SetReady: %d %q, want 503 naming config", code, body)
	}
	h.SetReady(true)
	if code, body := get("/readyz?verbose"); code != 200 || !strings.Contains(body, "[+]backend: breaker closed; reachable") {
		t.Errorf("ready: %d %q", code, body)
	}
	// Cached: a second scrape within the interval does not probe again.
	get("/readyz")
	if probes.Load() != 1 {
		t.Errorf("%d probes within one interval, want 1", probes.Load())
	}
	// "backend reachable or breaker not open": one failing alone keeps the replica ready.
	probeErr.Store(errors.New("dial tcp: connection refused"))
	now = now.Add(11 * time.Second)
	if code, body := get("/readyz?verbose"); code != 200 || !strings.Contains(body, "connection refused") {
		t.Errorf("probe failing, breaker closed: %d %q, want 200 listing the probe error", code, body)
	}
	breaker = "open"
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "[-]backend: breaker open, next probe in 12s; probe: dial tcp: connection refused") {
		t.Errorf("breaker open and probe failing: %d %q", code, body)
	}
	probeErr.Store(errors.New(""))
	now = now.Add(11 * time.Second)
	if code, body := get("/readyz"); code != 200 {
		t.Errorf("breaker open but backend reachable: %d %q, want 200", code, body)
	}
	breaker = "half-open"
	if code, _ := get("/readyz"); code != 200 {
		t.Errorf("half-open breaker: %d, want 200", code)
	}
	h.SetDraining()
	if code, body := get("/readyz"); code != 503 || !strings.Contains(body, "draining") {
		t.Errorf("draining: %d %q", code, body)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz while draining and the backend is down: %d %q", code, body)
	}
}

// A slow probe bounds /readyz by ProbeTimeout.
func TestHealthProbeBounded(t *testing.T) {
	h := NewHealth(HealthOptions{
		Probe:        func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
		ProbeTimeout: 50 * time.Millisecond,
	})
	h.SetReady(true)
	start := time.Now()
	rec := httptest.NewRecorder()
	h.Readyz().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
	if el := time.Since(start); el > time.Second || rec.Code != 503 {
		t.Errorf("hanging probe: %d after %v", rec.Code, el)
	}
}

type credentials struct {
	Username string
	Password string
}

type withTags struct {
	Login  string            `json:"login"`
	Secret string            `json:"apiKey"`
	Hidden string            `json:"-"`
	Extra  map[string]string `json:"extra"`
	Inner  *credentials      `json:"inner"`
}

type valuer struct{ pw string }

func (v valuer) LogValue() slog.Value {
	return slog.GroupValue(slog.String("user", "jdoe"), slog.String("password", v.pw))
}

// The naive ways a secret leaks into logs, and deeper ones: the secret must not appear in the output of
// either handler.
func TestRedactHandlerNestedCases(t *testing.T) {
	const secret = "hunter2-S3cret"
	cases := map[string]func(l *slog.Logger){
		"top-level":       func(l *slog.Logger) { l.Info("x", "password", secret) },
		"case and dashes": func(l *slog.Logger) { l.Info("x", "New-Password", secret, "X_API_KEY", secret) },
		"struct":          func(l *slog.Logger) { l.Info("x", "user", credentials{"jdoe", secret}) },
		"struct pointer":  func(l *slog.Logger) { l.Info("x", "user", &credentials{"jdoe", secret}) },
		"json tags":       func(l *slog.Logger) { l.Info("x", "u", withTags{Login: "a", Secret: secret, Hidden: secret}) },
		"nested map": func(l *slog.Logger) {
			l.Info("x", "body", map[string]any{"a": map[string]any{"b": map[string]any{"password": secret}}})
		},
		"slice of maps": func(l *slog.Logger) { l.Info("x", "ops", []any{map[string]any{"path": "password", "token": secret}}) },
		"map in struct": func(l *slog.Logger) { l.Info("x", "u", withTags{Extra: map[string]string{"clientSecret": secret}}) },
		"ptr in struct": func(l *slog.Logger) { l.Info("x", "u", withTags{Inner: &credentials{"a", secret}}) },
		"group": func(l *slog.Logger) {
			l.Info("x", slog.Group("req", slog.Group("auth", "authorization", "Basic "+secret)))
		},
		"log valuer":       func(l *slog.Logger) { l.Info("x", "who", valuer{secret}) },
		"valuer in map":    func(l *slog.Logger) { l.Info("x", "m", map[string]any{"who": valuer{secret}}) },
		"with attrs":       func(l *slog.Logger) { l.With("password", secret).Info("x") },
		"with group":       func(l *slog.Logger) { l.WithGroup("credentials").Info("x", "value", secret) },
		"configured extra": func(l *slog.Logger) { l.Info("x", "employee", map[string]string{"ssn": secret}) },
		"any slice":        func(l *slog.Logger) { l.Info("x", "list", []credentials{{"a", secret}}) },
		"raw JSON body": func(l *slog.Logger) {
			l.Info("x", "body", json.RawMessage(`{"schemas":[],"user":{"password":{"value":"`+secret+`"}}}`))
		},
		"raw JSON not parsable": func(l *slog.Logger) { l.Info("x", "body", json.RawMessage(`{"password":"`+secret)) },
	}
	for name, logIt := range cases {
		for _, kind := range []string{"json", "text"} {
			t.Run(name+"/"+kind, func(t *testing.T) {
				var buf bytes.Buffer
				var inner slog.Handler = slog.NewJSONHandler(&buf, nil)
				if kind == "text" {
					inner = slog.NewTextHandler(&buf, nil)
				}
				logIt(slog.New(NewRedactHandler(inner, "ssn")))
				out := buf.String()
				if strings.Contains(out, secret) {
					t.Errorf("secret leaked: %s", out)
				}
				if !strings.Contains(out, Redacted) && name != "json tags" {
					t.Errorf("no redaction marker: %s", out)
				}
			})
		}
	}
}

// The naive way leaks: this is why the wrapper exists (and the test above can fail).
func TestPlainJSONHandlerLeaksStructs(t *testing.T) {
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "user", credentials{"jdoe", "hunter2"})
	if !strings.Contains(buf.String(), "hunter2") {
		t.Skip("slog's JSON handler no longer prints struct fields; the wrapper is still defence in depth")
	}
}

// Non-sensitive data keeps its shape and values.
func TestRedactHandlerKeepsOtherValues(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewRedactHandler(slog.NewJSONHandler(&buf, nil)))
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l.Info("request", "status", 200, "route", "/Users/{id}", "at", when, "err", io.EOF,
		"u", withTags{Login: "jdoe", Inner: &credentials{Username: "x"}})
	out := buf.String()
	for _, want := range []string{`"status":200`, `"route":"/Users/{id}"`, `"at":"2026-01-02T03:04:05Z"`, `"err":"EOF"`, `"login":"jdoe"`, `"Username":"x"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
}

// A self-referencing value is cut off rather than walked forever.
func TestRedactHandlerCycle(t *testing.T) {
	type node struct {
		Name string
		Next *node
	}
	n := &node{Name: "a"}
	n.Next = n
	var buf bytes.Buffer
	slog.New(NewRedactHandler(slog.NewJSONHandler(&buf, nil))).Info("x", "n", n)
	if !strings.Contains(buf.String(), "too deep") {
		t.Errorf("cycle not cut: %s", buf.String())
	}
}

// /readyz?verbose is served to whoever reaches the metrics port: a failed probe says why, never
// where the backend is.
func TestReadyzHidesBackendAddress(t *testing.T) {
	for _, err := range []error{
		&url.Error{Op: "Get", URL: "http://hr.internal.example:8081/soap", Err: &net.OpError{Op: "dial", Net: "tcp",
			Addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8081}, Err: errors.New("connect: connection refused")}},
		&url.Error{Op: "Get", URL: "https://hr.internal.example/soap", Err: &net.DNSError{Err: "no such host", Name: "hr.internal.example"}},
		fmt.Errorf("soapclient: ping: %w", &url.Error{Op: "Get", URL: "http://10.1.2.3:8081/soap", Err: context.DeadlineExceeded}),
		errors.New("soapclient: ping: endpoint answered HTTP 503 at http://10.1.2.3:8081/soap"),
	} {
		h := NewHealth(HealthOptions{Probe: func(context.Context) error { return err }})
		h.SetReady(true)
		rec := httptest.NewRecorder()
		h.Readyz().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz?verbose", nil))
		body := rec.Body.String()
		if rec.Code != 503 || !strings.Contains(body, "[-]backend: probe: ") {
			t.Errorf("%v: %d %q", err, rec.Code, body)
		}
		for _, leak := range []string{"hr.internal", "10.1.2.3", "8081", "/soap"} {
			if strings.Contains(body, leak) {
				t.Errorf("readyz leaks %q: %q", leak, body)
			}
		}
	}
}

func TestRequestIDOnEveryLineWithAContext(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewRequestIDHandler(slog.NewJSONHandler(&buf, nil)))
	ctx := reqid.With(context.Background(), "req-42")
	log.WarnContext(ctx, "legacy call failed", "operation", "GetEmployee")
	log.InfoContext(ctx, "scim request", "request_id", "req-42")
	log.Info("no request here")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], `"request_id":"req-42"`) ||
		strings.Count(lines[1], "request_id") != 1 || strings.Contains(lines[2], "request_id") {
		t.Fatalf("lines:\n%s", buf.String())
	}
}

// The state store is part of readiness: a replica without its state refuses writes, so it must
// not get them; the cause (which can name the database host) stays out of /readyz.
func TestReadyzIncludesTheStateStore(t *testing.T) {
	var down atomic.Bool
	h := NewHealth(HealthOptions{State: func(ctx context.Context) error {
		if down.Load() {
			return errors.New("failed to connect to `user=scim database=state`: db.internal.example:5432: dial error")
		}
		return nil
	}})
	h.SetReady(true)
	get := func() (int, string) {
		rec := httptest.NewRecorder()
		h.Readyz().ServeHTTP(rec, httptest.NewRequest("GET", "/readyz?verbose", nil))
		return rec.Code, rec.Body.String()
	}
	if code, body := get(); code != 200 || !strings.Contains(body, "[+]state") {
		t.Fatalf("store up: %d %q", code, body)
	}
	down.Store(true)
	code, body := get()
	if code != 503 || !strings.Contains(body, "[-]state: state store not reachable") {
		t.Fatalf("store down: %d %q", code, body)
	}
	if strings.Contains(body, "db.internal") || strings.Contains(body, "5432") {
		t.Errorf("readyz leaks the database address: %q", body)
	}
}

func TestStatusIndex(t *testing.T) {
	for code, want := range map[int]string{100: "1xx", 200: "2xx", 204: "2xx", 301: "3xx", 404: "4xx", 499: "4xx", 500: "5xx", 503: "5xx", 0: "5xx", 99: "5xx", 600: "5xx"} {
		if got := statusClasses[statusIndex(code)]; got != want {
			t.Errorf("status %d counted as %s, want %s", code, got, want)
		}
	}
}
