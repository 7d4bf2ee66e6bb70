package gctune

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		base, want  int
	}{
		{4 * mb, 64 * mb, 100, 1500},  // target 4×16 = 64 MB
		{16 * mb, 64 * mb, 100, 300},  // target 16×4 = 64 MB
		{40 * mb, 64 * mb, 100, 100},  // 60% would target 64 MB, below the default's 80 MB
		{64 * mb, 64 * mb, 100, 100},  // at the floor: the default
		{500 * mb, 64 * mb, 100, 100}, // far above: the default
		{500 * mb, 64 * mb, 50, 50},   // the operator's own percent above the floor
		{10 * mb, 64 * mb, 800, 800},  // never below the operator's own percent
		{1024, 64 * mb, 100, 1600},    // capped: 4 MB × 16 is the floor already
		{0, 64 * mb, 100, 1600},
		{1024, 2 * mb, 100, 100}, // a floor under Go's own minimum changes nothing
	} {
		if got := Percent(c.live, c.floor, c.base); got != c.want {
			t.Errorf("Percent(%d MB, %d MB, %d) = %d, want %d", c.live/mb, c.floor/mb, c.base, got, c.want)
		}
	}
}

// garbage allocates n bytes of short-lived objects with a small live heap and returns how many
// collections ran meanwhile.
func garbage(n int) uint32 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.NumGC
	var keep [][]byte
	for i := 0; i < n/(32<<10); i++ {
		b := make([]byte, 32<<10)
		b[0] = byte(i)
		keep = append(keep, b)
		if len(keep) > 8 {
			keep = keep[:0]
		}
	}
	runtime.ReadMemStats(&ms)
	return ms.NumGC - before
}

// TestFewerCollectionsWithAFloor checks the tuner's effect where it matters: the same garbage
// with a small live heap makes far fewer collections with a 64 MB floor than with Go's default,
// and Stop restores the default's behaviour and percent.
func TestFewerCollectionsWithAFloor(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	runtime.GC()
	const n = 512 << 20
	plain := garbage(n)
	tu := Start(64 << 20)
	if tu == nil {
		t.Fatal("Start returned nil with a floor and the collector on")
	}
	if Start(32<<20) != nil {
		t.Error("a second tuner started while one runs")
	}
	runtime.GC() // a first cycle under the tuner, so it has read the live heap after one
	tuned := garbage(n)
	if p := tu.Percent(); p <= 100 {
		t.Errorf("percent under the tuner = %d, want well above 100 with a small live heap", p)
	}
	// The heap target is about the floor, not far above it.
	goal := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(goal)
	if g := goal[0].Value.Uint64(); g > 72<<20 || g < 32<<20 {
		t.Errorf("heap goal under a 64 MB floor = %d MB, want about 64 MB", g>>20)
	}
	tu.Stop()
	tu.Stop()
	if p := debug.SetGCPercent(100); p != 100 {
		t.Errorf("percent after Stop = %d, want 100", p)
	}
	// The last tuned cycle's marked heap (floating garbage of a large goal) sets the next goal
	// once more; two forced cycles let it settle.
	runtime.GC()
	runtime.GC()
	after := garbage(n)
	t.Logf("collections for %d MB of garbage: default %d, with a 64 MB floor %d, after Stop %d", n>>20, plain, tuned, after)
	if tuned*4 > plain {
		t.Errorf("with a 64 MB floor %d collections, against %d without: want at most a quarter", tuned, plain)
	}
	if after*2 < plain {
		t.Errorf("after Stop %d collections, against %d before Start: the default is not back", after, plain)
	}
}

func TestStartOff(t *testing.T) {
	if Start(0) != nil {
		t.Error("Start(0) tunes")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	if Start(64<<20) != nil {
		t.Error("Start with GOGC=off tunes")
	}
	var tu *Tuner
	tu.Stop() // safe on nil
}
