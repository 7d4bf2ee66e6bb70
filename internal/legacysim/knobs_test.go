package legacysim

import (
	"context"
	"encoding/xml"
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"
)

func (s *sim) count(t *testing.T) int {
	t.Helper()
	_, total, err := s.Store().FindEmployees(context.Background(), EmployeeQuery{})
	if err != nil {
		t.Fatal(err)
	}
	return total
}

func TestKnobUnavailableBurst(t *testing.T) {
	s := newSim(t)
	if err := s.Knobs().Set(KnobSettings{UnavailableNext: 3}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		r := s.call(t, "CreateEmployee", employeeXML("Login", "x", "Enabled", "true"))
		if r.status != http.StatusServiceUnavailable || strings.Contains(r.body, "Envelope") {
			t.Fatalf("call %d: HTTP %d %s", i, r.status, r.body)
		}
	}
	if s.count(t) != 0 {
		t.Fatal("a 503 call was processed")
	}
	s.call(t, "CreateEmployee", employeeXML("Login", "x", "Enabled", "true")).ok(t, "CreateEmployee")
	if got := s.Calls().Injected["unavailable"]; got != 3 {
		t.Fatalf("injected 503s counted %d", got)
	}
	if k := s.Knobs().Get(); k.UnavailableNext != 0 {
		t.Fatalf("counter left at %d", k.UnavailableNext)
	}
}

func TestKnobMalformed(t *testing.T) {
	s := newSim(t)
	s.Knobs().Update(func(k *KnobSettings) { k.MalformedNext = 2 })
	for range 2 {
		r := s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>")
		if r.status != http.StatusOK {
			t.Fatalf("malformed answer should be HTTP 200, got %d", r.status)
		}
		var v struct{}
		if err := xml.Unmarshal([]byte(r.body), &v); err == nil {
			t.Fatalf("malformed body parsed:\n%s", r.body)
		}
	}
	s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>").ok(t, "ListRoles")
}

func TestKnobLatency(t *testing.T) {
	s := newSim(t)
	s.Knobs().Set(KnobSettings{LatencyMillis: 150})
	start := time.Now()
	s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>").ok(t, "ListRoles")
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Fatalf("answered after %v, want at least 150ms", d)
	}

	// A client that gives up during the delay: the call is never processed.
	s.Knobs().Set(KnobSettings{LatencyMillis: 5000})
	if err := callWithTimeout(s, 50*time.Millisecond, "CreateEmployee", employeeXML("Login", "late", "Enabled", "true")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if s.count(t) != 0 {
		t.Fatal("a call abandoned during latency was processed")
	}
}

// callWithTimeout sends a call with a client deadline and returns the transport error, if any.
func callWithTimeout(s *sim, d time.Duration, op, inner string) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url,
		strings.NewReader(envelopeWith(wsseText(testUser, testPass), opXML(op, inner))))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	return nil
}

func TestKnobHang(t *testing.T) {
	s := newSim(t)
	s.Knobs().Set(KnobSettings{Hang: true})
	start := time.Now()
	if err := callWithTimeout(s, 100*time.Millisecond, "CreateEmployee", employeeXML("Login", "h", "Enabled", "true")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("hang outlived the client's deadline: %v", d)
	}
	if s.count(t) != 0 {
		t.Fatal("a hung call was processed")
	}

	// Closing the server releases a hung call with a 503 instead of leaving it to its timeout.
	done := make(chan int, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.url, strings.NewReader(envelopeWith("", opXML("GetRole", ""))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- -1
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	deadline := time.Now().Add(5 * time.Second)
	for s.Calls().Injected["hang"] < 2 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	s.Close()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Fatalf("released hang answered %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release the hung call")
	}
}

func TestKnobHangAfterWrite(t *testing.T) {
	s := newSim(t)
	s.Knobs().Set(KnobSettings{HangAfterWrite: true})
	if err := callWithTimeout(s, 100*time.Millisecond, "CreateEmployee", employeeXML("Login", "maybe", "Enabled", "true")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want a client timeout, got %v", err)
	}
	s.Knobs().Reset()
	// The write happened although the client never heard back: the case the bridge must look up
	// before it retries.
	r := s.call(t, "FindEmployees", "<Login>maybe</Login><PageNumber>1</PageNumber><PageSize>1</PageSize>").ok(t, "FindEmployees")
	if *r.TotalCount != 1 {
		t.Fatal("the write was not applied")
	}
}

func TestKnobStrictSOAPAction(t *testing.T) {
	s := newSim(t)
	s.Knobs().Set(KnobSettings{StrictSOAPAction: true})
	body := envelopeWith(wsseText(testUser, testPass), opXML("ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>"))
	for _, action := range []string{"''", "", "-", "urn:legacyhr:directory:1/ListEmployees", `"ListRoles"`} {
		msg := post(t, s.url, action, body).fault(t, CodeInvalid)
		if !strings.Contains(msg, "SOAPAction") {
			t.Fatalf("%q: message %q", action, msg)
		}
	}
	for _, action := range []string{"urn:legacyhr:directory:1/ListRoles", `"urn:legacyhr:directory:1/ListRoles"`} {
		post(t, s.url, action, body).ok(t, "ListRoles")
	}
	if st := s.Calls().Operations["ListRoles"]; *st.LastSOAPAction != `"urn:legacyhr:directory:1/ListRoles"` || st.Calls != 7 || st.Faults != 5 {
		t.Fatalf("stats %+v", st)
	}
	s.Knobs().Reset()
	post(t, s.url, "''", body).ok(t, "ListRoles")
}

func TestKnobRandomFaultsAreSeeded(t *testing.T) {
	s := newSim(t)
	pattern := func() string {
		s.Knobs().Set(KnobSettings{FaultProbability: 0.5, FaultSeed: 42})
		var b strings.Builder
		for range 24 {
			if s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>").status == http.StatusOK {
				b.WriteByte('.')
			} else {
				b.WriteByte('F')
			}
		}
		return b.String()
	}
	p1, p2 := pattern(), pattern()
	if p1 != p2 {
		t.Fatalf("same seed, different faults: %s vs %s", p1, p2)
	}
	if !strings.Contains(p1, "F") || !strings.Contains(p1, ".") {
		t.Fatalf("p=0.5 over 24 calls gave %s", p1)
	}
}

func TestKnobValidation(t *testing.T) {
	k := newKnobs()
	for _, bad := range []KnobSettings{{LatencyMillis: -1}, {LatencyMillis: math.MaxInt}, {UnavailableNext: -1}, {MalformedNext: -1}, {FaultProbability: -0.1}, {FaultProbability: 1.1}} {
		if err := k.Set(bad); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
	if err := k.Update(func(s *KnobSettings) { s.LatencyMillis = -5 }); err == nil || k.Get().LatencyMillis != 0 {
		t.Fatal("Update applied an invalid setting")
	}
}
