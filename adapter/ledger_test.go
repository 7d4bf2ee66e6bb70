package adapter

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/state"
)

// countingLedger counts how the front end records passwords.
type countingLedger struct {
	*state.Memory
	record, recordNew atomic.Int32
}

func (l *countingLedger) Record(ctx context.Context, user, pw string) error {
	l.record.Add(1)
	return l.Memory.Record(ctx, user, pw)
}

func (l *countingLedger) RecordNew(ctx context.Context, user, pw string) error {
	l.recordNew.Add(1)
	return l.Memory.RecordNew(ctx, user, pw)
}

// A changed password is recorded with RecordNew (each remembered hash is slow to match, and
// Remembered has just matched them all); a repeated one is not recorded at all; and what
// RecordNew stored is remembered by the next PUT.
func TestChangedPasswordRecordedWithoutMatchingAgain(t *testing.T) {
	l := &countingLedger{Memory: state.NewMemory()}
	h := &harness{t: t, logs: &syncBuffer{}, auth: basicAuth}
	handler, err := New(Config{Auth: AuthConfig{Mode: "basic", Username: testUser, Password: testPass}},
		memory.New(memory.Options{}), Options{Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Ledger: l})
	if err != nil {
		t.Fatal(err)
	}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)

	uid := h.do("POST", "/Users", []byte(`{"userName":"rec@example.com","password":"first-Passw0rd","active":true}`)).json(t)["id"].(string)
	l.record.Store(0)
	put := func(pw string) {
		t.Helper()
		if r := h.do("PUT", "/Users/"+uid, []byte(`{"userName":"rec@example.com","password":"`+pw+`","active":true}`)); r.status != 200 {
			t.Fatalf("PUT: %d %s", r.status, r.raw)
		}
	}
	put("first-Passw0rd") // the agent re-sending the current password
	if r, n := l.record.Load(), l.recordNew.Load(); r != 0 || n != 0 {
		t.Fatalf("a repeated password was recorded (Record %d, RecordNew %d)", r, n)
	}
	put("second-Passw0rd")
	if r, n := l.record.Load(), l.recordNew.Load(); r != 0 || n != 1 {
		t.Fatalf("a changed password: Record %d, RecordNew %d; want 0 and 1", r, n)
	}
	if ok, _, _ := l.Remembered(context.Background(), uid, "second-Passw0rd"); !ok {
		t.Fatal("the password RecordNew stored is not remembered")
	}
	put("second-Passw0rd")
	if n := l.recordNew.Load(); n != 1 {
		t.Fatalf("the password just recorded counted as changed again (RecordNew %d)", n)
	}
}
