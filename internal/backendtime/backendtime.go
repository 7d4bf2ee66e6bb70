package backendtime

import (
	"context"
	"sync/atomic"
	"time"
)

// Accumulator sums backend time for one request. It is safe for concurrent use, because a
// request may run backend calls in parallel; the nil *Accumulator ignores Add and reports zero,
// so callers need not check whether a request carries one.
type Accumulator struct {
	ns    atomic.Int64
	calls atomic.Int64
}

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
