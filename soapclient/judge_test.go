package soapclient

import (
	"context"
	"errors"
	"testing"
)

// With the mapping's judgement, server faults count towards the breaker; without it (or for
// faults it does not count) a fault is the application answering and never trips it.
func TestJudgedFaultsTripTheBreaker(t *testing.T) {
	fault := envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring></soap:Fault>`)
	for _, tc := range []struct {
		name  string
		judge func(error) (bool, bool)
		open  bool
	}{
		{"no judge", nil, false},
		{"judged business", func(error) (bool, bool) { return false, true }, false},
		{"judged server", func(err error) (bool, bool) {
			var f *Fault
			return errors.As(err, &f) && f.FaultCode() == "soap:Server", true
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, fixed(500, fault, "Content-Type", "text/xml"))
			c, _ := guarded(t, srv.URL, Resilience{Breaker: BreakerConfig{ConsecutiveFailures: 3}})
			c.JudgeFaults(tc.judge)
			for range 5 {
				_, err := c.Invoke(context.Background(), "GetEmployee", getReq())
				var f *Fault
				if !errors.As(err, &f) && !errors.Is(err, ErrBreakerOpen) {
					t.Fatalf("err = %v, want the fault or a refusal", err)
				}
			}
			if s, _ := c.BreakerState(); (s == "open") != tc.open {
				t.Errorf("breaker %s, want open=%v", s, tc.open)
			}
		})
	}
}
