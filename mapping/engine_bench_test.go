package mapping

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// The mapping engine's own work per record, without any backend call: what one user costs in
// an import page (docs/benchmarks.md). go test -run '^$' -bench . -benchmem ./mapping/

func benchBackend(b *testing.B) *engineBackend {
	b.Helper()
	spec, err := Parse("legacyhr.yaml", defaults.LegacyHR)
	if err != nil {
		b.Fatal(err)
	}
	eng, err := Compile(spec, fakeCatalog{}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return eng.Backend(newFakeHR(), nil).(*engineBackend)
}

func benchEmployee() *Employee {
	now := soap.CreateXsdDateTime(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), true)
	return &Employee{EmployeeID: "E000042", Login: "alice", GivenName: "Alice", FamilyName: "Liddell",
		DisplayName: "Alice Liddell", Email: "alice@example.com", Phone: "+1 555 0100", Department: "Sales",
		Title: "Engineer", EmployeeNumber: "42", Enabled: bptr(true), IsAdmin: bptr(false), CreatedAt: now, ModifiedAt: now}
}

// bothWays runs f with plain access paths (access.go) and with every expression on expr's VM,
// so that one run on a noisy machine compares the two.
func bothWays(b *testing.B, f func(b *testing.B)) {
	for _, vmonly := range []bool{false, true} {
		name := "direct"
		if vmonly {
			name = "vm"
		}
		b.Run(name, func(b *testing.B) {
			// Without the test run's comparison with the VM (TestMain), which would double it.
			check := accessCheck
			vmOnly, accessCheck = vmonly, nil
			defer func() { vmOnly, accessCheck = false, check }()
			b.ReportAllocs()
			c0 := processCPU()
			f(b)
			// Process CPU time per op: on a machine shared with other work it moves far less
			// than the wall time ns/op.
			b.ReportMetric(float64(processCPU()-c0)/float64(b.N), "cpu-ns/op")
		})
	}
}

func BenchmarkToUser(b *testing.B) {
	be := benchBackend(b)
	rec := benchEmployee()
	ctx := context.Background()
	bothWays(b, func(b *testing.B) {
		for b.Loop() {
			if _, err := be.toUser(ctx, rec); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBuildRecord(b *testing.B) {
	be := benchBackend(b)
	u := alice()
	ctx := context.Background()
	bothWays(b, func(b *testing.B) {
		for b.Loop() {
			if _, err := be.buildRecord(ctx, u, nil, false); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The keys of the page-reuse store and the request read cache, built on every list window and
// every read.
func TestKeysAsBefore(t *testing.T) {
	st := &step{call: "FindEmployees"}
	for _, env := range []map[string]any{{}, {"value": "bench.user"}, {"value": 42, "id": "x"}, {"value": time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}} {
		old := st.call
		for _, k := range []string{"id", "value"} {
			if v, ok := env[k]; ok {
				old += fmt.Sprintf("\x00%s=%v", k, v)
			}
		}
		if got := snapshotKey(st, env); got != old {
			t.Errorf("snapshotKey(%v) = %q, want %q", env, got, old)
		}
		if got, want := pageKey(st, env, 400, 200), fmt.Sprintf("%s\x00page=%d+%d", old, 400, 200); got != want {
			t.Errorf("pageKey = %q, want %q", got, want)
		}
	}
	a, b := operation{{readKey: "a"}}, operation{{readKey: "b"}}
	if readKey(a, "1") == readKey(b, "1") || readKey(a, "1") == readKey(a, "2") || readKey(a, "1") != readKey(a, "1") {
		t.Error("read keys do not name one operation and id each")
	}
}

func BenchmarkListKeys(b *testing.B) {
	st := &step{call: "FindEmployees", readKey: "0xc000123456"}
	env := map[string]any{"value": "bench.user"}
	op := operation{st}
	b.ReportAllocs()
	for b.Loop() {
		_ = pageKey(st, env, 0, 200)
		_ = readKey(op, "E000042")
	}
}
