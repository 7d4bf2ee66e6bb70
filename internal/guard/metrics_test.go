package guard

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// The series resolved once at New are the registered ones: every call still counts under its
// operation (or "other") and outcome, is timed, and leaves no call in flight.
func TestMetricsCountEveryCall(t *testing.T) {
	reg := prometheus.NewRegistry()
	g, err := New("test", []string{"fetch", "store"}, Config{Registerer: reg, Retry: RetryConfig{Attempts: 1}}, Hooks{Classify: classifyTest})
	if err != nil {
		t.Fatal(err)
	}
	var inv Invoker = InvokerFunc(func(_ context.Context, op string, _ any) (any, error) {
		if op == "store" {
			return nil, errors.New("connection reset")
		}
		return "ok", nil
	})
	chain := g.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		inv = chain[i](inv)
	}
	ctx := context.Background()
	for range 3 {
		_, _ = inv.Invoke(ctx, "fetch", nil)
	}
	_, _ = inv.Invoke(ctx, "store", nil)
	_, _ = inv.Invoke(ctx, "unheardOf", nil)
	m := g.Metrics()
	for _, c := range []struct {
		op, outcome string
		want        float64
	}{{"fetch", OutcomeSuccess, 3}, {"store", OutcomeTransportError, 1}, {otherOp, OutcomeSuccess, 1}, {"fetch", OutcomeFault, 0}} {
		if got := value(m.Requests.WithLabelValues(c.op, c.outcome)); got != c.want {
			t.Errorf("requests{%s,%s} = %v, want %v", c.op, c.outcome, got, c.want)
		}
	}
	for op, want := range map[string]uint64{"fetch": 3, "store": 1, otherOp: 1} {
		var d dto.Metric
		if err := m.Duration.WithLabelValues(op).(prometheus.Metric).Write(&d); err != nil || d.GetHistogram().GetSampleCount() != want {
			t.Errorf("duration{%s}: %d samples (%v), want %d", op, d.GetHistogram().GetSampleCount(), err, want)
		}
	}
	for _, class := range []string{"read", "write"} {
		if got := value(m.InFlight.WithLabelValues(class)); got != 0 {
			t.Errorf("in flight %s = %v after every call returned", class, got)
		}
	}
}

// BenchmarkChain is the guards' own cost per call around a backend that answers at once.
func BenchmarkChain(b *testing.B) {
	g, err := New("test", []string{"fetch", "store"}, Config{Registerer: prometheus.NewRegistry(), MaxReads: 8}, Hooks{Classify: classifyTest})
	if err != nil {
		b.Fatal(err)
	}
	var inv Invoker = InvokerFunc(func(context.Context, string, any) (any, error) { return nil, nil })
	chain := g.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		inv = chain[i](inv)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := inv.Invoke(ctx, "fetch", nil); err != nil {
			b.Fatal(err)
		}
	}
}

// value reads a counter or gauge.
func value(c prometheus.Metric) float64 {
	var d dto.Metric
	if err := c.Write(&d); err != nil {
		return -1
	}
	if d.Counter != nil {
		return d.Counter.GetValue()
	}
	return d.Gauge.GetValue()
}
