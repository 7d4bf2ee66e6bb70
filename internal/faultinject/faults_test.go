package faultinject

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/legacysim"
)

// answerLimit is how long any SCIM answer may take under faults: the operation timeout (1s) plus
// the bridge's own work, with room for a loaded CI machine.
const answerLimit = 2500 * time.Millisecond

// fastLimit bounds a refusal by the open breaker: no backend call is made.
const fastLimit = 300 * time.Millisecond

// tripAndRecover drives reads of id while fault is active until the breaker opens, checks the
// fast refusal, lifts the fault, and checks the breaker closes after its open period, in the
// metrics too.
func (h *harness) tripAndRecover(id string, faultStatus int, lift func()) {
	h.t.Helper()
	for i := range 3 {
		r := h.do("GET", "/Users/"+id, nil)
		h.expect(r, faultStatus, answerLimit, fmt.Sprintf("read %d under the fault", i+1))
	}
	if s, _ := h.client.BreakerState(); s != "open" {
		h.t.Fatalf("breaker %s after 3 failed operations, want open", s)
	}
	if v := h.metric("scimbridge_breaker_state", map[string]string{"breaker": "legacyhr"}); v != 2 {
		h.t.Errorf("scimbridge_breaker_state = %v, want 2 (open)", v)
	}
	r := h.do("GET", "/Users/"+id, nil)
	h.expect(r, http.StatusServiceUnavailable, fastLimit, "read with the breaker open")
	if h.metric("scimbridge_backend_rejected_total", map[string]string{"reason": "breaker_open"}) < 1 {
		h.t.Error("no breaker_open rejection counted")
	}
	lift()
	h.waitBreaker("half-open", 3*time.Second)
	h.expect(h.do("GET", "/Users/"+id, nil), http.StatusOK, answerLimit, "probe read after recovery")
	if s, _ := h.client.BreakerState(); s != "closed" {
		h.t.Errorf("breaker %s after a good probe, want closed", s)
	}
	for _, tr := range [][2]string{{"closed", "open"}, {"open", "half-open"}, {"half-open", "closed"}} {
		if v := h.transitions(tr[0], tr[1]); v < 1 {
			h.t.Errorf("transitions{%s→%s} = %v, want ≥ 1", tr[0], tr[1], v)
		}
	}
}

// createUser runs the create half of the agent sequence and returns the id.
func (h *harness) createUser(login string) string {
	h.t.Helper()
	r := h.do("POST", "/Users", user(login, "First", true, "Initial-Passw0rd!"))
	if r.status != http.StatusOK && r.status != http.StatusCreated { // SCIM 1.1 (Okta SDK) answers 200
		h.t.Fatalf("create %s: %d %s", login, r.status, r.raw)
	}
	return fmt.Sprint(r.body["id"])
}

func TestLatencyBeyondDeadline(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("lat@example.com")
	h.toxic("slow", "latency", map[string]any{"latency": 1500})
	h.tripAndRecover(id, http.StatusGatewayTimeout, func() { h.removeToxic("slow") })
	h.agentSequence("lat@example.com")
	h.checkUser("lat@example.com")
	if h.metric("scimbridge_backend_requests_total", map[string]string{"operation": "GetEmployee", "outcome": "timeout"}) < 3 {
		t.Error("timeouts not counted as such")
	}
}

func TestConnectionReset(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("reset@example.com")
	h.toxic("reset", "reset_peer", map[string]any{"timeout": 0})
	h.tripAndRecover(id, http.StatusServiceUnavailable, func() { h.removeToxic("reset") })
	h.agentSequence("reset@example.com")
	h.checkUser("reset@example.com")
}

// A black hole: the proxy accepts and never forwards (toxiproxy's timeout toxic with 0).
func TestBlackHole(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("hole@example.com")
	h.toxic("hole", "timeout", map[string]any{"timeout": 0})
	h.tripAndRecover(id, http.StatusGatewayTimeout, func() { h.removeToxic("hole") })
	h.agentSequence("hole@example.com")
	h.checkUser("hole@example.com")
}

func TestHang(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("hang@example.com")
	h.knobs(func(k *legacysim.KnobSettings) { k.Hang = true })
	h.tripAndRecover(id, http.StatusGatewayTimeout, func() { h.knobs(func(k *legacysim.KnobSettings) { k.Hang = false }) })
	h.agentSequence("hang@example.com")
	h.checkUser("hang@example.com")
}

// The create is applied but its answer never comes: the agent sees 504 and starts over with its
// filtered GET, which finds the record, so the user exists once.
func TestHangAfterWriteCreatesOnce(t *testing.T) {
	h := newHarness(t, testResilience())
	h.knobs(func(k *legacysim.KnobSettings) { k.HangAfterWrite = true })
	r := h.do("POST", "/Users", user("ghost@example.com", "First", true, "Initial-Passw0rd!"))
	h.expect(r, http.StatusGatewayTimeout, answerLimit, "create whose answer is lost")
	h.knobs(func(k *legacysim.KnobSettings) { k.HangAfterWrite = false })
	h.waitBreaker("closed", 3*time.Second) // one failure does not trip it
	h.agentSequence("ghost@example.com")
	h.checkUser("ghost@example.com")
}

func Test503Burst(t *testing.T) {
	res := testResilience()
	res.OpTimeout = 3 * time.Second // room to honour the simulator's Retry-After: 1
	h := newHarness(t, res)
	id := h.createUser("burst@example.com")

	// Two 503s: a read is retried after the Retry-After and succeeds.
	h.knobs(func(k *legacysim.KnobSettings) { k.UnavailableNext = 2 })
	h.expect(h.do("GET", "/Users/"+id, nil), http.StatusOK, 4*time.Second, "read through two 503s")
	if h.metric("scimbridge_backend_retries_total", map[string]string{"operation": "GetEmployee"}) < 2 {
		t.Error("retries not counted")
	}

	// A long burst: every answer is a 503 with Retry-After or a success, in time.
	h.knobs(func(k *legacysim.KnobSettings) { k.UnavailableNext = 12 })
	for i := range 6 {
		r := h.do("PUT", "/Users/"+id, map[string]any(user("burst@example.com", "Updated", true, "")))
		if r.status != http.StatusOK {
			h.expect(r, http.StatusServiceUnavailable, 4*time.Second, fmt.Sprintf("write %d in a 503 burst", i))
		}
	}
	h.knobs(func(k *legacysim.KnobSettings) { k.UnavailableNext = 0 })
	time.Sleep(time.Second) // let an open breaker reach its probe
	h.agentSequence("burst@example.com")
	h.checkUser("burst@example.com")
}

func TestMalformedXML(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("bad@example.com")
	h.knobs(func(k *legacysim.KnobSettings) { k.MalformedNext = 1 })
	h.expect(h.do("GET", "/Users/"+id, nil), http.StatusOK, answerLimit, "read through one malformed reply")
	if h.metric("scimbridge_backend_retries_total", map[string]string{"operation": "GetEmployee"}) < 1 {
		t.Error("the malformed reply was not retried")
	}
	h.knobs(func(k *legacysim.KnobSettings) { k.MalformedNext = 1000 })
	h.tripAndRecover(id, http.StatusBadGateway, func() { h.knobs(func(k *legacysim.KnobSettings) { k.MalformedNext = 0 }) })
	if h.metric("scimbridge_backend_requests_total", map[string]string{"operation": "GetEmployee", "outcome": "malformed"}) < 3 {
		t.Error("malformed replies not counted as such")
	}
	h.agentSequence("bad@example.com")
	h.checkUser("bad@example.com")
}

// The backend disappears (listener closed, connections refused) and comes back.
func TestBackendDownThenBack(t *testing.T) {
	h := newHarness(t, testResilience())
	id := h.createUser("down@example.com")
	h.proxy.Stop()
	down := time.Now()
	h.tripAndRecover(id, http.StatusServiceUnavailable, func() {
		// Down for 10 s in all. The breaker (open for 1 s here) keeps probing and re-opening;
		// every request meanwhile gets a prompt 503 or 504, never a hang.
		for time.Since(down) < 10*time.Second {
			r := h.do("GET", "/Users/"+id, nil)
			if r.status != http.StatusServiceUnavailable && r.status != http.StatusGatewayTimeout {
				h.t.Fatalf("read during the outage: %d, want 503 or 504: %s", r.status, r.raw)
			}
			if r.elapsed > answerLimit {
				h.t.Fatalf("read during the outage took %v, want under %v", r.elapsed, answerLimit)
			}
			time.Sleep(250 * time.Millisecond)
		}
		if err := h.proxy.Start(); err != nil {
			h.t.Fatal(err)
		}
	})
	h.agentSequence("down@example.com")
	h.checkUser("down@example.com")
	// And a user that did not exist before the outage.
	h.agentSequence("after@example.com")
	h.checkUser("after@example.com")
}
