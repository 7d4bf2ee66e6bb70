package backendtime

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestAccumulatorSumsConcurrentCalls(t *testing.T) {
	ctx, acc := With(context.Background())
	if From(ctx) != acc {
		t.Fatal("From does not return the accumulator With stored")
	}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { From(ctx).Add(3 * time.Millisecond) })
	}
	wg.Wait()
	if got := acc.Total(); got != 30*time.Millisecond {
		t.Errorf("Total = %v, want 30ms", got)
	}
	if got := acc.Calls(); got != 10 {
		t.Errorf("Calls = %d, want 10", got)
	}
}

func TestNilAccumulatorIsInert(t *testing.T) {
	a := From(context.Background())
	if a != nil {
		t.Fatal("a bare context carries an accumulator")
	}
	a.Add(time.Second) // must not panic
	if a.Total() != 0 || a.Calls() != 0 {
		t.Error("nil accumulator reports non-zero")
	}
}

func TestRecordKeepsBoundedOps(t *testing.T) {
	ctx, acc := With(context.Background())
	for i := 0; i < maxOps+5; i++ {
		From(ctx).Record("GetEmployee", "success", time.Millisecond)
	}
	ops := acc.Ops()
	if len(ops) != maxOps+1 || ops[0].Name != "GetEmployee" || ops[maxOps].Name != "more" || ops[maxOps].Duration != 5*time.Millisecond {
		t.Fatalf("ops: %d, last %+v", len(ops), ops[len(ops)-1])
	}
	if acc.Calls() != maxOps+5 || acc.Total() != time.Duration(maxOps+5)*time.Millisecond {
		t.Fatalf("calls %d total %v", acc.Calls(), acc.Total())
	}
	var nilAcc *Accumulator
	nilAcc.Record("x", "y", time.Second)
	if nilAcc.Ops() != nil {
		t.Fatal("nil accumulator has ops")
	}
}
