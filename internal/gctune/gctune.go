package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// heapMinimum is Go's smallest heap target at GOGC=100 (runtime/mgcpacer.go's
// defaultHeapMinimum). The runtime scales it with the percent, so a percent p never targets less
// than heapMinimum×p/100, whatever the live heap.
const heapMinimum = 4 << 20

// liveHeap is the runtime metric of the heap that survived the last collection.
const liveHeap = "/gc/heap/live:bytes"

// Percent is the GC percent that puts the next collection's heap target at floor bytes for a
// live heap of live bytes, never below base (the percent in effect without the tuner). The heap
// target of a percent p is the larger of live×(1+p/100) and heapMinimum×p/100, so p is also
// capped where the second alone reaches the floor: a tiny live heap must not buy a target far
// above it.
func Percent(live, floor uint64, base int) int {
	if live >= floor {
		return base
	}
	ceiling := int(floor * 100 / heapMinimum)
	if live == 0 {
		return max(ceiling, base)
	}
	p := int((floor - live) * 100 / live)
	return max(min(p, ceiling), base)
}

// Tuner holds the collector's percent at what Percent gives after each collection.
type Tuner struct {
	floor   uint64
	base    int
	stopped atomic.Bool
	mu      sync.Mutex // serialises the percent's setting with Stop
	sample  []metrics.Sample
	percent atomic.Int64
}

// sentinel is the object whose finalizer runs after a collection.
type sentinel struct{ t *Tuner }

// running is set while a tuner runs: the percent is the process's, so one tuner at a time.
var running atomic.Bool

// Start begins tuning with a floor of floor bytes and returns the tuner; Stop restores the
// percent in effect before. It returns nil, changing nothing, when floor is 0, the collector is
// off (GOGC=off) or another tuner runs (several bridges in one process, as in tests).
func Start(floor uint64) *Tuner {
	if floor == 0 || !running.CompareAndSwap(false, true) {
		return nil
	}
	base := debug.SetGCPercent(100)
	debug.SetGCPercent(base)
	if base < 0 {
		running.Store(false)
		return nil
	}
	t := &Tuner{floor: floor, base: base, sample: []metrics.Sample{{Name: liveHeap}}}
	t.adjust()
	t.arm()
	return t
}

func (t *Tuner) arm() {
	s := &sentinel{t: t}
	runtime.SetFinalizer(s, func(s *sentinel) {
		if s.t.stopped.Load() {
			return
		}
		s.t.adjust()
		s.t.arm()
	})
}

// adjust reads the live heap and sets the percent for the next cycle.
func (t *Tuner) adjust() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	metrics.Read(t.sample)
	var live uint64
	if t.sample[0].Value.Kind() == metrics.KindUint64 {
		live = t.sample[0].Value.Uint64()
	}
	p := Percent(live, t.floor, t.base)
	if int64(p) != t.percent.Load() {
		debug.SetGCPercent(p)
		t.percent.Store(int64(p))
	}
}

// Percent is the percent the tuner last set.
func (t *Tuner) Percent() int { return int(t.percent.Load()) }

// Stop ends the tuning and restores the percent in effect when it started. It is safe on a nil
// Tuner and more than once.
func (t *Tuner) Stop() {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Swap(true) {
		return
	}
	debug.SetGCPercent(t.base)
	running.Store(false)
}
