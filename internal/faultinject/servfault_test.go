package faultinject

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/legacysim"
)

// Internal faults of the application (LegacyHR's HR-INTERNAL, a soap:Server no fault rule
// matches) answer 502 with a request id, not the connector's 500, and count towards the
// breaker: at 30 % of calls they open a breaker whose failure ratio is 20 %.
func TestServerFaultsAnswer502AndTripTheBreaker(t *testing.T) {
	res := testResilience()
	res.Breaker.ConsecutiveFailures = 1000 // only the ratio may trip it
	res.Breaker.FailureRatio = 0.2
	res.Breaker.MinRequests = 20
	res.Breaker.OpenFor = 30 * time.Second
	h := newHarness(t, res)
	id := h.createUser("faulty@example.com")
	h.knobs(func(k *legacysim.KnobSettings) { k.FaultProbability = 0.3; k.FaultSeed = 7 })
	counts := map[int]int{}
	for i := range 40 {
		r := h.do("GET", "/Users/"+id, nil)
		counts[r.status]++
		switch r.status {
		case http.StatusOK, http.StatusServiceUnavailable:
		case http.StatusBadGateway:
			if !strings.Contains(r.raw, "failed") || !strings.Contains(r.raw, "request id") {
				t.Errorf("read %d: 502 without its message and request id: %s", i, r.raw)
			}
		default:
			t.Fatalf("read %d: status %d, want 200, 502 or 503: %s", i, r.status, r.raw)
		}
	}
	if counts[http.StatusBadGateway] == 0 {
		t.Errorf("no 502 among %v", counts)
	}
	if s, _ := h.client.BreakerState(); s != "open" {
		t.Errorf("breaker %s after 40 reads at 30 %% server faults (%v), want open", s, counts)
	}
	if counts[http.StatusServiceUnavailable] == 0 {
		t.Errorf("the open breaker refused nothing: %v", counts)
	}
	t.Log(fmt.Sprint(counts))
}
