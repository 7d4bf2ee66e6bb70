package faultinject

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak runs steady SCIM traffic (reads, lists and profile pushes) for SCIMBRIDGE_SOAK (a Go
// duration, e.g. 90s) and checks that after a warm-up the bridge opens no new backend connection,
// its goroutine count stays flat and its live heap does not grow. Skipped unless the variable is
// set; .ci/run runs it once with a short duration.
func TestSoak(t *testing.T) {
	v := os.Getenv("SCIMBRIDGE_SOAK")
	if v == "" {
		t.Skip("set SCIMBRIDGE_SOAK=<duration> to run the soak test")
	}
	total, err := time.ParseDuration(v)
	if err != nil || total < 10*time.Second || total > 30*time.Minute {
		t.Fatalf("SCIMBRIDGE_SOAK=%q: want a duration between 10s and 30m", v)
	}
	h := newHarness(t, testResilience())
	h.http.Transport = &http.Transport{MaxIdleConnsPerHost: 8}
	const workers = 4
	ids := make([]string, workers)
	for i := range ids {
		ids[i] = h.createUser(fmt.Sprintf("soak%d@example.com", i))
	}

	var failures, done atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range workers {
		wg.Go(func() {
			// A fixed arrival rate per worker (open loop), so the load is the same however fast
			// the bridge answers.
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				var r response
				switch n % 3 {
				case 0:
					r = h.do("GET", "/Users/"+ids[w], nil)
				case 1:
					r = h.do("GET", "/Users?startIndex=1&count=10", nil)
				default:
					body := user(fmt.Sprintf("soak%d@example.com", w), fmt.Sprintf("Given%d", n%5), true, "")
					body["id"] = ids[w]
					r = h.do("PUT", "/Users/"+ids[w], body)
				}
				done.Add(1)
				if r.status != http.StatusOK {
					failures.Add(1)
				}
			}
		})
	}

	warmup := min(total/4, 15*time.Second)
	time.Sleep(warmup)
	baseConns := h.newConns.Load()
	baseG, baseHeap := settle()
	time.Sleep(total - warmup)
	endConns := h.newConns.Load()
	close(stop)
	wg.Wait()
	endG, endHeap := settle()

	t.Logf("%d requests in %v, %d failed; goroutines %d → %d; live heap %d → %d KiB; backend connections %d after warm-up, %d new since",
		done.Load(), total, failures.Load(), baseG, endG, baseHeap>>10, endHeap>>10, baseConns, endConns-baseConns)
	if failures.Load() > 0 {
		t.Errorf("%d of %d requests failed without any injected fault", failures.Load(), done.Load())
	}
	if endConns != baseConns {
		t.Errorf("%d new backend connections after warm-up, want 0 (connection reuse broken)", endConns-baseConns)
	}
	// The workers have stopped, so the end count should be below the base; a few goroutines of
	// idle keep-alive connections may come and go.
	if endG > baseG+4 {
		t.Errorf("goroutines grew from %d to %d", baseG, endG)
	}
	if endHeap > baseHeap*3/2+4<<20 {
		t.Errorf("live heap grew from %d to %d KiB", baseHeap>>10, endHeap>>10)
	}
}

// settle runs the collector twice and returns the goroutine count and the live heap.
func settle() (goroutines int, heap uint64) {
	var ms runtime.MemStats
	for range 2 {
		runtime.GC()
		time.Sleep(50 * time.Millisecond)
	}
	runtime.ReadMemStats(&ms)
	return runtime.NumGoroutine(), ms.HeapAlloc
}
