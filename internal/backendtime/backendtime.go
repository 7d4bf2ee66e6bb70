package backendtime

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Accumulator sums backend time for one request. It is safe for concurrent use, because a
// request may run backend calls in parallel; the nil *Accumulator ignores Add and reports zero,
// so callers need not check whether a request carries one.
type Accumulator struct {
	ns    atomic.Int64
	calls atomic.Int64

	mu  sync.Mutex
	ops []Op
}

// Op is one backend call of a request, for its audit log line.
type Op struct {
	Name     string
	Outcome  string
	Duration time.Duration
}

// maxOps bounds the calls kept per request: a scan over a large directory makes many, and the
// log line must stay a line.
const maxOps = 32

type key struct{}

// With returns a context carrying a fresh accumulator, and the accumulator.
func With(ctx context.Context) (context.Context, *Accumulator) {
	a := &Accumulator{}
	return context.WithValue(ctx, key{}, a), a
}

// From returns the accumulator carried by ctx, or nil.
func From(ctx context.Context) *Accumulator {
	a, _ := ctx.Value(key{}).(*Accumulator)
	return a
}

// Add records one backend call that took d.
func (a *Accumulator) Add(d time.Duration) {
	if a == nil {
		return
	}
	a.ns.Add(int64(d))
	a.calls.Add(1)
}

// Record records one backend call that took d, like Add, and keeps its name and outcome for
// the request's log line (the first maxOps calls; the last entry then says how many more).
func (a *Accumulator) Record(op, outcome string, d time.Duration) {
	if a == nil {
		return
	}
	a.Add(d)
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case len(a.ops) < maxOps:
		a.ops = append(a.ops, Op{Name: op, Outcome: outcome, Duration: d})
	case len(a.ops) == maxOps:
		a.ops = append(a.ops, Op{Name: "more", Outcome: "elided", Duration: d})
	default:
		a.ops[maxOps].Duration += d
	}
}

// Ops returns the recorded calls in the order they ended.
func (a *Accumulator) Ops() []Op {
	if a == nil {
		return nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]Op(nil), a.ops...)
}

// Total returns the summed backend time.
func (a *Accumulator) Total() time.Duration {
	if a == nil {
		return 0
	}
	return time.Duration(a.ns.Load())
}

// Calls returns how many backend calls were recorded.
func (a *Accumulator) Calls() int64 {
	if a == nil {
		return 0
	}
	return a.calls.Load()
}
