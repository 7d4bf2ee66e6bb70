package bench

import (
	"fmt"
	"testing"
)

// BenchmarkImportPage500 is a whole import of 3,000 users at count=500 through the bridge, for
// profiling the import path (-cpuprofile); TestReport has the ratio against the direct listing.
func BenchmarkImportPage500(b *testing.B) {
	s := newStack(b)
	r := &report{t: b, s: s}
	r.seed(3000)
	b.ResetTimer()
	for b.Loop() {
		for start := 1; start < 3000; start += 500 {
			r.expect("GET", fmt.Sprintf("/scim/v1/Users?startIndex=%d&count=500", start), "", 200)
		}
	}
}
