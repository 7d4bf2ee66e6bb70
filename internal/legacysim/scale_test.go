package legacysim

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestCostFlatWithDirectorySize guards the simulator against work that grows with the directory
// (a scan of every employee per lookup, a sort of every ID per page): a bulk seed, the login
// lookup behind the agent's existence check and a listing page must cost about the same in a
// directory of 20,000 employees (SQLite: 5,000) as in one of 500. Each figure is the best of
// several tries in this run, compared with its counterpart in the same run, and only a gross
// ratio fails, so that a loaded machine cannot fail it; the scan this replaced made the ratios
// 7 to 10 at 5,000 (and a 100,000-user seed through POST /_sim/seed took minutes).
func TestCostFlatWithDirectorySize(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 20,000 employees")
	}
	const small = 500
	// limit sits between what a bigger directory costs an indexed store (its maps and B-trees
	// outgrow the CPU's caches: up to x3.3 for the memory store's lookups under the race detector
	// on a loaded 2-core machine) and what a scan costs (about the ratio of the sizes: x40 and x10).
	for _, c := range []struct {
		kind  string
		large int
		limit float64
	}{{"memory", 20000, 10}, {"sqlite", 5000, 3}} { // an SQLite insert costs about 200 µs
		kind, large, limit := c.kind, c.large, c.limit
		t.Run(kind, func(t *testing.T) {
			if kind == "sqlite" && raceEnabled {
				t.Skip("SKIPPED under the race detector: seeding 5,000 SQLite employees takes about 40 s there; run without -race")
			}
			s := newSim(t, func(o *Options) {
				if kind == "sqlite" {
					o.DBPath = filepath.Join(t.TempDir(), "sim.db")
				}
			}).Server
			ctx := context.Background()
			var logins []string
			batches := 0
			seed := func(n int) {
				prefix := fmt.Sprintf("b%d-", batches)
				batches++
				if _, err := s.SeedEmployees(ctx, SeedRequest{Employees: n, Prefix: prefix}); err != nil {
					t.Fatal(err)
				}
				for i := 1; i <= n; i++ {
					logins = append(logins, fmt.Sprintf("%s%04d", prefix, i))
				}
			}
			// best is the quickest of 7 runs of f, after a collection and one run not timed: a run
			// that allocates into memory the process has just taken from the system pays its page
			// faults, which made whole series ten times slower than the next.
			best := func(f func()) time.Duration {
				runtime.GC()
				f()
				var lo time.Duration
				for i := range 7 {
					start := time.Now()
					f()
					if d := time.Since(start); i == 0 || d < lo {
						lo = d
					}
				}
				return lo
			}
			// measure returns the cost of seeding 50 more employees, of 200 login lookups spread
			// over the directory, and of its last 20 listing pages of 20 (small pages, so that
			// what a page costs beyond its own records shows).
			measure := func() [3]time.Duration {
				return [3]time.Duration{
					best(func() { seed(50) }),
					best(func() {
						for i := range 200 {
							login := logins[(i*7)%small] // the same records at both sizes: cache effects aside
							if _, total, err := s.store.FindEmployees(ctx, EmployeeQuery{Login: login, Limit: 1}); err != nil || total != 1 {
								t.Fatalf("lookup %s: %d, %v", login, total, err)
							}
						}
					}),
					best(func() {
						n := len(logins)
						for p := 1; p <= 20; p++ {
							if es, total, err := s.store.FindEmployees(ctx, EmployeeQuery{Offset: n - 20*p, Limit: 20}); err != nil || total != n || len(es) != 20 {
								t.Fatalf("page at %d of %d: %d of %d, %v", n-20*p, n, len(es), total, err)
							}
						}
					}),
				}
			}
			seed(small)
			before := measure()
			for len(logins) < large {
				seed(min(large-len(logins), MaxSeed))
			}
			after := measure()
			for i, what := range []string{"seeding 50 employees", "200 login lookups", "the last 20 listing pages of 20"} {
				r := float64(after[i]) / float64(max(before[i], time.Microsecond))
				t.Logf("%s: %v at %d employees, %v at %d (x%.2f)", what, before[i], small, after[i], large, r)
				// The SQLite store pages with COUNT(*) and OFFSET, which grow with the directory
				// as in any SQL application paged that way (about x2 here): logged, not judged.
				if r > limit && !(kind == "sqlite" && i == 2) {
					t.Errorf("%s costs %.1f times more in a directory of %d than in one of %d (%v against %v): something scans the whole directory", what, r, large, small, after[i], before[i])
				}
			}
		})
	}
}
