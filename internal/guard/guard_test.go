package guard

import (
	"context"
	"errors"
	"testing"
	"time"
)

// statusErr is a client's HTTP error as the guards see it.
type statusErr struct{ code int }

func (e statusErr) Error() string   { return "status" }
func (e statusErr) HTTPStatus() int { return e.code }
func (e statusErr) RetryAfterDelay(time.Time) (time.Duration, bool) {
	return 2 * time.Second, true
}

func classifyTest(err error) string {
	var se statusErr
	switch {
	case err == nil:
		return OutcomeSuccess
	case errors.As(err, &se):
		return OutcomeHTTPError
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	}
	return OutcomeTransportError
}

func build(t *testing.T, cfg Config, isRead func(string) bool, call InvokerFunc) Invoker {
	t.Helper()
	g, err := New("test", []string{"fetch", "store"}, cfg, Hooks{Classify: classifyTest, IsRead: isRead})
	if err != nil {
		t.Fatal(err)
	}
	var inv Invoker = call
	chain := g.Chain()
	for i := len(chain) - 1; i >= 0; i-- {
		inv = chain[i](inv)
	}
	return inv
}

// The client's read rule (a REST client's HTTP method) decides what is retried: the read is
// attempted three times, the write once, whatever their names say.
func TestHooksIsReadDecidesRetries(t *testing.T) {
	calls := map[string]int{}
	inv := build(t, Config{Retry: RetryConfig{Attempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}},
		func(op string) bool { return op == "fetch" },
		func(_ context.Context, op string, _ any) (any, error) {
			calls[op]++
			return nil, errors.New("connection reset")
		})
	_, _ = inv.Invoke(context.Background(), "fetch", nil)
	_, _ = inv.Invoke(context.Background(), "store", nil)
	if calls["fetch"] != 3 || calls["store"] != 1 {
		t.Fatalf("calls = %v, want fetch 3, store 1", calls)
	}
}

// A 503 with Retry-After from any client is answered as Unavailable with that delay.
func TestStatusError503HonoursRetryAfter(t *testing.T) {
	inv := build(t, Config{Retry: RetryConfig{Attempts: 1}}, nil,
		func(context.Context, string, any) (any, error) { return nil, statusErr{503} })
	_, err := inv.Invoke(context.Background(), "fetch", nil)
	var be *RefusedError
	if !errors.As(err, &be) || !be.Refused() || be.RetryAfter() != 2*time.Second {
		t.Fatalf("err = %#v, want Unavailable with RetryAfter 2s", err)
	}
}

func TestNewNeedsClassify(t *testing.T) {
	if _, err := New("x", nil, Config{}, Hooks{}); err == nil {
		t.Fatal("New without Hooks.Classify succeeded")
	}
}
