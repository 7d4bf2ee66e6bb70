package statetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/mapping"
)

// Store is what the bridge needs from a state store.
type Store interface {
	adapter.PasswordLedger
	adapter.NewPasswordRecorder
	adapter.Locker
	mapping.State
	Ping(ctx context.Context) error
}

// Opener opens a fresh, empty store remembering history passwords per user; the store is
// closed by the opener's own t.Cleanup. Stores opened by one call of Run's opener must not share
// data with each other unless the engine is shared by nature (a test may call it twice to model
// two replicas: see Shared).
type Opener func(t *testing.T, history int) Store

// Run runs the whole contract against the stores open makes.
func Run(t *testing.T, open Opener) {
	t.Run("PasswordHistory", func(t *testing.T) { testPasswordHistory(t, open) })
	t.Run("PasswordHistoryDedup", func(t *testing.T) { testPasswordDedup(t, open) })
	t.Run("PasswordRecordNew", func(t *testing.T) { testPasswordRecordNew(t, open) })
	t.Run("PasswordConcurrent", func(t *testing.T) { testPasswordConcurrent(t, open) })
	t.Run("Observe", func(t *testing.T) { testObserve(t, open) })
	t.Run("ObserveConcurrent", func(t *testing.T) { testObserveConcurrent(t, open) })
	t.Run("SurrogateIDs", func(t *testing.T) { testSurrogateIDs(t, open) })
	t.Run("SurrogateIDsConcurrent", func(t *testing.T) { testSurrogateConcurrent(t, open) })
	t.Run("MetaKeeper", func(t *testing.T) { testMetaKeeper(t, open) })
	t.Run("LockExclusion", func(t *testing.T) { testLockExclusion(t, open) })
	t.Run("LockDeadline", func(t *testing.T) { testLockDeadline(t, open) })
	t.Run("LockKeysIndependent", func(t *testing.T) { testLockKeys(t, open) })
	t.Run("Ping", func(t *testing.T) {
		if err := open(t, 5).Ping(context.Background()); err != nil {
			t.Fatalf("Ping on a fresh store: %v", err)
		}
	})
}

func remembered(t *testing.T, s Store, user, pw string) (bool, bool) {
	t.Helper()
	r, k, err := s.Remembered(context.Background(), user, pw)
	if err != nil {
		t.Fatalf("Remembered(%s, %s): %v", user, pw, err)
	}
	return r, k
}

func record(t *testing.T, s Store, user, pw string) {
	t.Helper()
	if err := s.Record(context.Background(), user, pw); err != nil {
		t.Fatalf("Record(%s, %s): %v", user, pw, err)
	}
}

func testPasswordHistory(t *testing.T, open Opener) {
	s := open(t, 3)
	if r, k := remembered(t, s, "u1", "p1"); r || k {
		t.Fatalf("unknown user: remembered=%v known=%v, want false false", r, k)
	}
	record(t, s, "u1", "p1")
	if r, k := remembered(t, s, "u1", "p1"); !r || !k {
		t.Fatalf("recorded password: remembered=%v known=%v, want true true", r, k)
	}
	if r, k := remembered(t, s, "u1", "other"); r || !k {
		t.Fatalf("other password: remembered=%v known=%v, want false true", r, k)
	}
	if r, k := remembered(t, s, "u2", "p1"); r || k {
		t.Fatal("a password recorded for u1 counts for u2")
	}
	// The Okta tester's sequence: a new password, then the earlier one again on deactivate.
	record(t, s, "u1", "p2")
	if r, _ := remembered(t, s, "u1", "p1"); !r {
		t.Fatal("the previous password is forgotten after a new one (history of 3)")
	}
	record(t, s, "u1", "p3")
	record(t, s, "u1", "p4") // p1 is now the fourth newest: out of a history of 3
	for pw, want := range map[string]bool{"p1": false, "p2": true, "p3": true, "p4": true} {
		if r, _ := remembered(t, s, "u1", pw); r != want {
			t.Errorf("after p1..p4 with a history of 3: %s remembered=%v, want %v", pw, r, want)
		}
	}
	one := open(t, 1)
	record(t, one, "u", "a")
	record(t, one, "u", "b")
	if r, _ := remembered(t, one, "u", "a"); r {
		t.Error("history of 1 remembers the previous password")
	}
}

// Recording a remembered password again keeps one entry for it, so it does not push the others
// out of the history.
func testPasswordDedup(t *testing.T, open Opener) {
	s := open(t, 2)
	record(t, s, "u", "a")
	record(t, s, "u", "b")
	record(t, s, "u", "b")
	record(t, s, "u", "b")
	if r, _ := remembered(t, s, "u", "a"); !r {
		t.Error("re-recording b pushed a out of a history of 2")
	}
	record(t, s, "u", "a") // a is now the newest, b the older
	record(t, s, "u", "c")
	if r, _ := remembered(t, s, "u", "b"); r {
		t.Error("b survived: a re-recorded password did not move to the front")
	}
	if r, _ := remembered(t, s, "u", "a"); !r {
		t.Error("a forgotten although it was re-recorded just before c")
	}
}

// RecordNew keeps the same history as Record for passwords Remembered did not find: newest
// first, the last N, each remembered.
func testPasswordRecordNew(t *testing.T, open Opener) {
	s := open(t, 3)
	ctx := context.Background()
	for _, pw := range []string{"p1", "p2", "p3", "p4"} {
		if err := s.RecordNew(ctx, "u", pw); err != nil {
			t.Fatal(err)
		}
	}
	for pw, want := range map[string]bool{"p1": false, "p2": true, "p3": true, "p4": true} {
		if r, k := remembered(t, s, "u", pw); r != want || !k {
			t.Errorf("after RecordNew p1..p4 with a history of 3: %s remembered=%v known=%v, want %v true", pw, r, k, want)
		}
	}
	// Mixed with Record: a remembered password recorded again moves to the front.
	record(t, s, "u", "p2")
	if err := s.RecordNew(ctx, "u", "p5"); err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"p2": true, "p5": true, "p4": true, "p3": false} {
		if r, _ := remembered(t, s, "u", pw); r != want {
			t.Errorf("after p2 again and RecordNew p5: %s remembered=%v, want %v", pw, r, want)
		}
	}
}

func testPasswordConcurrent(t *testing.T, open Opener) {
	s := open(t, 5)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 8 {
		wg.Go(func() {
			user := fmt.Sprintf("user-%d", i%4)
			if err := s.Record(ctx, user, fmt.Sprintf("pw-%d", i)); err != nil {
				errs <- err
				return
			}
			if r, _, err := s.Remembered(ctx, user, fmt.Sprintf("pw-%d", i)); err != nil || !r {
				errs <- fmt.Errorf("%s: own password not remembered right after Record (%v)", user, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func testObserve(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, 5)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 123456789, time.UTC)
	first, err := s.Observe(ctx, "User", "alice", "h1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Truncate(time.Millisecond); !first.Equal(want) {
		t.Fatalf("first observation = %v, want %v", first, want)
	}
	again, _ := s.Observe(ctx, "User", "alice", "h1", t0.Add(time.Hour))
	if !again.Equal(first) {
		t.Errorf("same hash moved lastModified: %v → %v", first, again)
	}
	// A changed hash moves lastModified even when the clock went backwards.
	changed, _ := s.Observe(ctx, "User", "alice", "h2", t0.Add(-time.Hour))
	if !changed.After(first) {
		t.Errorf("changed hash: lastModified %v is not after %v", changed, first)
	}
	other, _ := s.Observe(ctx, "Group", "alice", "h1", t0.Add(time.Minute))
	if !other.Equal(t0.Add(time.Minute).Truncate(time.Millisecond)) {
		t.Errorf("resource types share state: %v", other)
	}
	if err := s.Forget(ctx, "User", "alice"); err != nil {
		t.Fatal(err)
	}
	later := t0.Add(2 * time.Hour)
	if got, _ := s.Observe(ctx, "User", "alice", "h2", later); !got.Equal(later.Truncate(time.Millisecond)) {
		t.Errorf("after Forget: %v, want a fresh observation at %v", got, later)
	}
}

// Concurrent observations of one resource with one hash agree on one lastModified: an
// incremental import must see the same time whichever request (or replica) observed first.
func testObserveConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, 5)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	got := make([]time.Time, 8)
	for i := range got {
		wg.Go(func() {
			at, err := s.Observe(ctx, "User", "bob", "same", t0.Add(time.Duration(i)*time.Second))
			if err != nil {
				t.Error(err)
			}
			got[i] = at
		})
	}
	wg.Wait()
	for _, at := range got[1:] {
		if !at.Equal(got[0]) {
			t.Fatalf("concurrent observations of one hash disagree: %v", got)
		}
	}
}

func testSurrogateIDs(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, 5)
	id, err := s.SurrogateID(ctx, "Group", "Sales")
	if err != nil || id == "" {
		t.Fatalf("SurrogateID: %q, %v", id, err)
	}
	if again, _ := s.SurrogateID(ctx, "Group", "Sales"); again != id {
		t.Errorf("second SurrogateID = %q, want %q", again, id)
	}
	if key, ok, _ := s.NaturalKey(ctx, "Group", id); !ok || key != "Sales" {
		t.Errorf("NaturalKey = %q, %v", key, ok)
	}
	if _, ok, err := s.NaturalKey(ctx, "Group", "never-issued"); ok || err != nil {
		t.Errorf("NaturalKey of an unknown id: ok=%v err=%v", ok, err)
	}
	other, _ := s.SurrogateID(ctx, "Group", "Ops")
	if other == id {
		t.Error("two keys share an id")
	}
	if err := s.Rebind(ctx, "Group", id, "Revenue"); err != nil {
		t.Fatal(err)
	}
	if key, ok, _ := s.NaturalKey(ctx, "Group", id); !ok || key != "Revenue" {
		t.Errorf("NaturalKey after Rebind = %q, %v", key, ok)
	}
	if fresh, _ := s.SurrogateID(ctx, "Group", "Sales"); fresh == id {
		t.Error("the old key still maps to the renamed id")
	}
	// The application accepted a rename onto a key another id still held: its answer wins.
	if err := s.Rebind(ctx, "Group", id, "Ops"); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.SurrogateID(ctx, "Group", "Ops"); got != id {
		t.Errorf("after Rebind onto a held key, the key maps to %q, want %q", got, id)
	}
	if _, ok, _ := s.NaturalKey(ctx, "Group", other); ok {
		t.Error("the id that lost its key still answers")
	}
	if err := s.ForgetID(ctx, "Group", id); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := s.NaturalKey(ctx, "Group", id); ok {
		t.Error("NaturalKey after ForgetID still answers")
	}
}

// Concurrent first sights of one key issue one id.
func testSurrogateConcurrent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, 5)
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Go(func() {
			id, err := s.SurrogateID(ctx, "Group", "Engineering")
			if err != nil {
				t.Error(err)
			}
			ids[i] = id
		})
	}
	wg.Wait()
	for _, id := range ids[1:] {
		if id != ids[0] {
			t.Fatalf("concurrent SurrogateID calls issued different ids: %v", ids)
		}
	}
}

// What the application cannot keep (first-seen times, a group's externalId) is kept per resource:
// the first time wins, also between concurrent first sights; "" removes an externalId; a delete
// drops both.
func testMetaKeeper(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t, 5)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	first, err := s.FirstSeen(ctx, "User", "u1", t0)
	if err != nil || !first.Equal(t0) {
		t.Fatalf("FirstSeen = %v, %v; want %v", first, err, t0)
	}
	if again, _ := s.FirstSeen(ctx, "User", "u1", t0.Add(time.Hour)); !again.Equal(t0) {
		t.Errorf("a later FirstSeen moved the time to %v", again)
	}
	if other, _ := s.FirstSeen(ctx, "Group", "u1", t0.Add(time.Hour)); !other.Equal(t0.Add(time.Hour)) {
		t.Errorf("resource types share times: %v", other)
	}
	if err := s.SetExternalID(ctx, "Group", "g1", "okta-1"); err != nil {
		t.Fatal(err)
	}
	if ext, err := s.ExternalID(ctx, "Group", "g1"); err != nil || ext != "okta-1" {
		t.Errorf("ExternalID = %q, %v", ext, err)
	}
	if ext, err := s.ExternalID(ctx, "Group", "g2"); ext != "" || err != nil {
		t.Errorf("unknown group: externalId %q, %v", ext, err)
	}
	if err := s.SetExternalID(ctx, "Group", "g1", ""); err != nil {
		t.Fatal(err)
	}
	if ext, _ := s.ExternalID(ctx, "Group", "g1"); ext != "" {
		t.Errorf("externalId after setting it to \"\": %q", ext)
	}
	if err := s.ForgetMeta(ctx, "User", "u1"); err != nil {
		t.Fatal(err)
	}
	if again, _ := s.FirstSeen(ctx, "User", "u1", t0.Add(2*time.Hour)); !again.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("FirstSeen after ForgetMeta = %v", again)
	}
	got := make([]time.Time, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Go(func() {
			at, err := s.FirstSeen(ctx, "Group", "race", t0.Add(time.Duration(i)*time.Minute))
			if err != nil {
				t.Error(err)
			}
			got[i] = at
		})
	}
	wg.Wait()
	for _, at := range got[1:] {
		if !at.Equal(got[0]) {
			t.Fatalf("concurrent first sights disagree: %v", got)
		}
	}
}

// Holders of one key never overlap, and every waiter gets its turn.
func testLockExclusion(t *testing.T, open Opener) {
	s := open(t, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var inside, maxInside, done atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			unlock, err := s.Lock(ctx, "Groups/g1")
			if err != nil {
				t.Error(err)
				return
			}
			n := inside.Add(1)
			for {
				m := maxInside.Load()
				if n <= m || maxInside.CompareAndSwap(m, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			inside.Add(-1)
			done.Add(1)
			unlock()
			unlock() // a second call is harmless
		})
	}
	wg.Wait()
	if m := maxInside.Load(); m != 1 {
		t.Errorf("%d holders of one key at once", m)
	}
	if d := done.Load(); d != 10 {
		t.Errorf("%d of 10 lockers got their turn", d)
	}
}

// A waiter gives up when its context ends, with the context's error, and the lock stays usable.
func testLockDeadline(t *testing.T, open Opener) {
	s := open(t, 5)
	unlock, err := s.Lock(context.Background(), "Users/u1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	if u2, err := s.Lock(ctx, "Users/u1"); err == nil {
		u2()
		t.Fatal("a second holder got a held lock")
	} else if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("waiting past the deadline: %v, want an error wrapping context.DeadlineExceeded", err)
	}
	if waited := time.Since(start); waited < 100*time.Millisecond || waited > 5*time.Second {
		t.Errorf("gave up after %v, want about the 150 ms deadline", waited)
	}
	unlock()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel2()
	u3, err := s.Lock(ctx2, "Users/u1")
	if err != nil {
		t.Fatalf("lock unusable after a waiter timed out: %v", err)
	}
	u3()
}

func testLockKeys(t *testing.T, open Opener) {
	s := open(t, 5)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	u1, err := s.Lock(ctx, "Groups/a")
	if err != nil {
		t.Fatal(err)
	}
	defer u1()
	u2, err := s.Lock(ctx, "Groups/b")
	if err != nil {
		t.Fatalf("a held key blocks another key: %v", err)
	}
	u2()
}

// ReplicaOpener opens two stores over one shared state, as two bridge replicas would.
type ReplicaOpener func(t *testing.T) (a, b Store)

// RunReplicas runs the part of the contract that only a shared engine keeps: what one replica
// records, the other sees, and a resource locked by one is locked for the other.
func RunReplicas(t *testing.T, open ReplicaOpener) {
	ctx := context.Background()
	t.Run("PasswordHistoryShared", func(t *testing.T) {
		a, b := open(t)
		record(t, a, "u1", "p1")
		if r, k := remembered(t, b, "u1", "p1"); !r || !k {
			t.Fatalf("replica b does not remember what a recorded: remembered=%v known=%v", r, k)
		}
		record(t, b, "u1", "p2")
		if r, _ := remembered(t, a, "u1", "p2"); !r {
			t.Fatal("replica a does not remember what b recorded")
		}
	})
	t.Run("TrackingShared", func(t *testing.T) {
		a, b := open(t)
		t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
		first, err := a.Observe(ctx, "User", "u", "h1", t0)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := b.Observe(ctx, "User", "u", "h1", t0.Add(time.Hour)); !got.Equal(first) {
			t.Errorf("replica b assigns %v to an unchanged resource a saw at %v", got, first)
		}
		created, err := a.FirstSeen(ctx, "Group", "g", t0)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := b.FirstSeen(ctx, "Group", "g", t0.Add(time.Hour)); !got.Equal(created) {
			t.Errorf("replica b gives the group meta.created %v, a %v", got, created)
		}
		if err := a.SetExternalID(ctx, "Group", "g", "okta-7"); err != nil {
			t.Fatal(err)
		}
		if ext, _ := b.ExternalID(ctx, "Group", "g"); ext != "okta-7" {
			t.Errorf("replica b reads externalId %q, a set okta-7", ext)
		}
		id, _ := a.SurrogateID(ctx, "Group", "Sales")
		if got, _ := b.SurrogateID(ctx, "Group", "Sales"); got != id {
			t.Errorf("replicas issue different ids for one group: %q and %q", id, got)
		}
	})
	t.Run("LockAcrossReplicas", func(t *testing.T) {
		a, b := open(t)
		lctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		var inside, maxInside atomic.Int32
		var wg sync.WaitGroup
		for i := range 10 {
			s := a
			if i%2 == 1 {
				s = b
			}
			wg.Go(func() {
				unlock, err := s.Lock(lctx, "Groups/shared")
				if err != nil {
					t.Error(err)
					return
				}
				n := inside.Add(1)
				for {
					m := maxInside.Load()
					if n <= m || maxInside.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				inside.Add(-1)
				unlock()
			})
		}
		wg.Wait()
		if m := maxInside.Load(); m != 1 {
			t.Errorf("%d holders of one key at once across two replicas", m)
		}
		unlock, err := a.Lock(ctx, "Users/x")
		if err != nil {
			t.Fatal(err)
		}
		dctx, dcancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer dcancel()
		if u, err := b.Lock(dctx, "Users/x"); err == nil {
			u()
			t.Fatal("replica b took a lock replica a holds")
		} else if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("waiting on the other replica's lock past the deadline: %v", err)
		}
		unlock()
	})
}
