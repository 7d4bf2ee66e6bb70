package mapping

import (
	"fmt"
	"testing"
	"time"
)

// TestSnapshotsBoundedEvictOldest: at maxSnapshots listings, a new one evicts the listing that
// expires first and no other; refreshing a kept listing evicts nothing; an expired listing is
// not served.
func TestSnapshotsBoundedEvictOldest(t *testing.T) {
	s := newSnapshots()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := func(i int) string { return fmt.Sprintf("list\x00value=%d", i) }
	// Put in an order unrelated to expiry so that eviction cannot pass by map or insert order.
	for i := range maxSnapshots {
		j := (i*7 + 3) % maxSnapshots
		s.put(key(j), []any{j}, t0.Add(time.Duration(j+1)*time.Minute))
	}
	s.put(key(5), []any{"again"}, t0.Add(30*time.Minute)) // refresh: no eviction
	for i := range maxSnapshots {
		if _, ok := s.get(key(i), t0); !ok {
			t.Fatalf("snapshot %d evicted by a refresh of an existing one", i)
		}
	}
	s.put(key(100), []any{100}, t0.Add(time.Hour))
	if len(s.m) != maxSnapshots {
		t.Fatalf("%d snapshots kept, the bound is %d", len(s.m), maxSnapshots)
	}
	if _, ok := s.get(key(0), t0); ok {
		t.Error("the snapshot that expires first was kept")
	}
	for i := 1; i < maxSnapshots; i++ {
		if _, ok := s.get(key(i), t0); !ok {
			t.Errorf("snapshot %d evicted, but it was not the oldest", i)
		}
	}
	if items, ok := s.get(key(5), t0); !ok || items[0] != "again" {
		t.Errorf("refreshed snapshot = %v, %v", items, ok)
	}
	if _, ok := s.get(key(100), t0.Add(time.Hour)); ok {
		t.Error("a snapshot was served at its expiry time")
	}
	if _, ok := s.m[key(100)]; ok {
		t.Error("an expired snapshot stayed in memory after a get")
	}
}
