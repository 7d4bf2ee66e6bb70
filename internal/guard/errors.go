package guard

import (
	"fmt"
	"time"
)

// RefusedError is a call that was not carried out and may succeed later: refused by the circuit
// breaker or a concurrency limit (never sent), or answered by the application with HTTP 503 and
// a Retry-After. The guards own this error so that no client depends on a bridge package; the
// mapping engine reads it through its methods (Refused, RetryAfter, ClientMessage) and turns it
// into the contract's Unavailable.
type RefusedError struct {
	// Wait is how long the caller should wait before trying again.
	Wait time.Duration
	// Message says what happened in words fit for the SCIM client: no server text, no secrets.
	Message string
	// Err is the cause: ErrBreakerOpen, ErrLimitReached or the client's error for the 503.
	Err error
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("call refused (retry after %s): %s: %v", e.Wait, e.Message, e.Err)
}

// Unwrap returns the cause.
func (e *RefusedError) Unwrap() error { return e.Err }

// Refused reports that the call was refused and may be retried later.
func (e *RefusedError) Refused() bool { return true }

// RetryAfter is how long to wait before retrying.
func (e *RefusedError) RetryAfter() time.Duration { return e.Wait }

// ClientMessage is the client-safe description of the refusal.
func (e *RefusedError) ClientMessage() string { return e.Message }

// countedFault marks, inside the breaker only, a fault the judgement says counts towards it.
type countedFault struct{ err error }

func (c *countedFault) Error() string { return c.err.Error() }

// judged marks err as a counted fault when the client classes it as a fault and the judgement
// says it counts.
func (g *Guard) judged(err error) error {
	if err == nil || g.classify(err) != OutcomeFault {
		return err
	}
	if j := g.judge.Load(); j != nil {
		if counts, ok := (*j)(err); ok && counts {
			return &countedFault{err: err}
		}
	}
	return err
}

// JudgeFaults takes the mapping engine's judgement of faults (mapping.FaultJudging): judge gives
// counts=true for a fault that is the application failing, which then counts towards the
// breaker. Without a judgement, or when it has no opinion, a fault never counts: the
// application answered. Safe to call on a nil *Guard (no guards: nothing to judge).
func (g *Guard) JudgeFaults(judge func(err error) (counts, ok bool)) {
	if g == nil || judge == nil {
		return
	}
	g.judge.Store(&judge)
}
