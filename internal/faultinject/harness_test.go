package faultinject

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/legacysim"
	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
)

const (
	scimUser, scimPass = "okta", "fault-scim-secret"
	simUser, simPass   = "svc", "fault-sim-secret"
)

// harness is simulator → toxiproxy → soapclient (guards) → mapping engine → adapter → observe, on
// httptest servers bound to 127.0.0.1.
type harness struct {
	t        *testing.T
	sim      *legacysim.Server
	simSrv   *httptest.Server
	newConns atomic.Int64 // connections the simulator accepted
	proxy    *toxiproxy.Proxy
	client   *soapclient.Client
	reg      *prometheus.Registry
	scim     *httptest.Server
	http     *http.Client
}

// catalog adapts the client's registry to the engine's Catalog, as cmd/scimbridge does.
type catalog struct{ c *soapclient.Client }

func (c catalog) Operations() []string { return c.c.Operations() }
func (c catalog) Operation(name string) (mapping.OperationInfo, bool) {
	op, ok := c.c.Lookup(name)
	if !ok {
		return mapping.OperationInfo{}, false
	}
	return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, true
}

// testResilience is the guard configuration of the fault tests: production shape, short windows.
func testResilience() soapclient.Resilience {
	return soapclient.Resilience{
		OpTimeout: time.Second,
		QueueWait: 200 * time.Millisecond,
		Breaker:   soapclient.BreakerConfig{ConsecutiveFailures: 3, OpenFor: time.Second, HalfOpenProbes: 1},
		Retry:     soapclient.RetryConfig{Attempts: 3, BaseDelay: 10 * time.Millisecond, MaxDelay: 50 * time.Millisecond},
	}
}

func newHarness(t *testing.T, res soapclient.Resilience) *harness {
	t.Helper()
	h := &harness{t: t, reg: prometheus.NewRegistry()}
	sim, err := legacysim.New(legacysim.Options{Username: simUser, Password: simPass})
	if err != nil {
		t.Fatal(err)
	}
	h.sim = sim
	h.simSrv = httptest.NewUnstartedServer(sim)
	h.simSrv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			h.newConns.Add(1)
		}
	}
	h.simSrv.Start()
	t.Cleanup(func() { h.simSrv.Close() })
	t.Cleanup(func() { _ = sim.Close() }) // runs first: releases hung requests

	tp := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(prometheus.NewRegistry()), zerolog.Nop())
	h.proxy = toxiproxy.NewProxy(tp, "legacyhr", "127.0.0.1:0", h.simSrv.Listener.Addr().String())
	if err := h.proxy.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.proxy.Stop)

	res.Registerer = h.reg
	client, err := soapclient.New("legacyhr", soapclient.Config{
		Endpoint:   "http://" + h.proxy.Listen + legacysim.SOAPPath,
		Timeout:    800 * time.Millisecond,
		WSSE:       &soapclient.WSSEConfig{Username: simUser, Password: simPass},
		Resilience: &res,
	})
	if err != nil {
		t.Fatal(err)
	}
	h.client = client
	t.Cleanup(func() { _ = client.Close() })

	spec, err := mapping.Parse("builtin", defaults.LegacyHR)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mapping.Compile(spec, catalog{client}, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	handler, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "basic", Username: scimUser, Password: scimPass}},
		eng.Backend(client, log), adapter.Options{Logger: log, Ledger: state.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	m, err := observe.NewMetrics(h.reg)
	if err != nil {
		t.Fatal(err)
	}
	h.scim = httptest.NewServer(m.Wrap(handler))
	t.Cleanup(h.scim.Close)
	h.http = &http.Client{Timeout: 10 * time.Second}
	return h
}

// response is one SCIM answer, with how long it took.
type response struct {
	status  int
	header  http.Header
	body    map[string]any
	raw     string
	elapsed time.Duration
}

func (h *harness) do(method, path string, body any) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			h.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.scim.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	req.SetBasicAuth(scimUser, scimPass)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := h.http.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := response{status: resp.StatusCode, header: resp.Header, raw: string(raw), elapsed: time.Since(start)}
	_ = json.Unmarshal(raw, &r.body)
	return r
}

// expect checks the status and that the answer came within limit.
func (h *harness) expect(r response, status int, limit time.Duration, what string) {
	h.t.Helper()
	if r.status != status {
		h.t.Errorf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
	if r.elapsed > limit {
		h.t.Errorf("%s: answered after %v, want within %v", what, r.elapsed, limit)
	}
	if status == http.StatusServiceUnavailable && r.header.Get("Retry-After") == "" {
		h.t.Errorf("%s: 503 without Retry-After", what)
	}
}

func (h *harness) toxic(name, typ string, attrs map[string]any) {
	h.t.Helper()
	b, _ := json.Marshal(map[string]any{"name": name, "type": typ, "stream": "downstream", "attributes": attrs})
	if _, err := h.proxy.Toxics.AddToxicJson(bytes.NewReader(b)); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) removeToxic(name string) {
	h.t.Helper()
	if err := h.proxy.Toxics.RemoveToxic(context.Background(), name); err != nil {
		h.t.Fatal(err)
	}
}

func (h *harness) knobs(fn func(*legacysim.KnobSettings)) {
	h.t.Helper()
	if err := h.sim.Knobs().Update(fn); err != nil {
		h.t.Fatal(err)
	}
}

// employees returns the simulator's records by login.
func (h *harness) employees() map[string][]map[string]any {
	h.t.Helper()
	resp, err := http.Get(h.simSrv.URL + "/_sim/employees")
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		h.t.Fatal(err)
	}
	out := map[string][]map[string]any{}
	for _, e := range list {
		login := fmt.Sprint(e["login"])
		out[login] = append(out[login], e)
	}
	return out
}

// metric returns the value of one counter or gauge series of the bridge's registry.
func (h *harness) metric(name string, labels map[string]string) float64 {
	h.t.Helper()
	mfs, err := h.reg.Gather()
	if err != nil {
		h.t.Fatal(err)
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
			if m.Counter != nil {
				return m.Counter.GetValue()
			}
			return m.Gauge.GetValue()
		}
	}
	h.t.Fatalf("no series %s%v", name, labels)
	return 0
}

func (h *harness) transitions(from, to string) float64 {
	return h.metric("scimbridge_breaker_transitions_total", map[string]string{"breaker": "legacyhr", "from": from, "to": to})
}

// user is the SCIM 1.1 body the agent sends.
func user(login, given string, active bool, password string) map[string]any {
	u := map[string]any{
		"schemas":  []string{"urn:scim:schemas:core:1.0"},
		"userName": login,
		"name":     map[string]any{"givenName": given, "familyName": "Fault"},
		"emails":   []any{map[string]any{"value": login, "primary": true, "type": "primary"}},
		"active":   active,
	}
	if password != "" {
		u["password"] = password
	}
	return u
}

// agentSequence is the agent's traffic for one user (docs/okta-agent-protocol.md#msg-create-user: create is a filtered GET
// then a POST if nothing is found; every later change is a PUT of the full user). It returns the
// user's id, failing the test on any unexpected answer.
func (h *harness) agentSequence(login string) string {
	h.t.Helper()
	filter := url.QueryEscape(fmt.Sprintf(`userName eq "%s"`, login))
	r := h.do("GET", "/Users?filter="+filter+"&startIndex=1&count=100", nil)
	if r.status != 200 {
		h.t.Fatalf("lookup %s: %d %s", login, r.status, r.raw)
	}
	var id string
	if res, _ := r.body["Resources"].([]any); len(res) > 0 {
		id = fmt.Sprint(res[0].(map[string]any)["id"])
	} else {
		r = h.do("POST", "/Users", user(login, "First", true, "Initial-Passw0rd!"))
		if r.status != 200 && r.status != 201 { // SCIM 1.1 (Okta SDK) answers 200
			h.t.Fatalf("create %s: %d %s", login, r.status, r.raw)
		}
		id = fmt.Sprint(r.body["id"])
	}
	steps := []struct {
		what string
		body map[string]any
	}{
		{"profile push", user(login, "Updated", true, "")},
		{"deactivate", user(login, "Updated", false, "")},
		{"reactivate", user(login, "Updated", true, "")},
		{"password push", user(login, "Updated", true, "Changed-Passw0rd!")},
	}
	for _, s := range steps {
		if r := h.do("GET", "/Users/"+id, nil); r.status != 200 {
			h.t.Fatalf("%s: read %s: %d %s", s.what, id, r.status, r.raw)
		}
		s.body["id"] = id
		if r := h.do("PUT", "/Users/"+id, s.body); r.status != 200 {
			h.t.Fatalf("%s %s: %d %s", s.what, id, r.status, r.raw)
		}
	}
	return id
}

// checkUser asserts exactly one record for login with the final state of agentSequence.
func (h *harness) checkUser(login string) {
	h.t.Helper()
	recs := h.employees()[login]
	if len(recs) != 1 {
		h.t.Fatalf("%d records for %s, want exactly 1: %v", len(recs), login, recs)
	}
	e := recs[0]
	if e["givenName"] != "Updated" || e["enabled"] != true || e["hasPassword"] != true {
		h.t.Errorf("%s: an update was lost: %v", login, e)
	}
	if n, _ := e["passwordChanges"].(float64); n < 1 {
		h.t.Errorf("%s: the password push was lost: %v", login, e)
	}
}

// waitBreaker polls the breaker (which also moves an expired open state on) until it is state.
func (h *harness) waitBreaker(state string, within time.Duration) {
	h.t.Helper()
	deadline := time.Now().Add(within)
	for {
		s, _ := h.client.BreakerState()
		if s == state {
			return
		}
		if time.Now().After(deadline) {
			h.t.Fatalf("breaker %s after %v, want %s", s, within, state)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
