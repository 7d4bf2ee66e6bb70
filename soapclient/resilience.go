package soapclient

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"time"

	"github.com/scimbridge/scimbridge/internal/guard"
)

// The resilience guards live in internal/guard, shared with the REST client; these names keep
// soapclient's API (and the backend.resilience configuration) as it was. See guard.Config for the
// chain, its defaults and what the breaker counts.
type (
	// Resilience configures the guards New puts around every call when Config.Resilience is
	// set; a nil Config.Resilience means no guards at all (each call then has only
	// Config.Timeout).
	Resilience    = guard.Config
	BreakerConfig = guard.BreakerConfig
	RetryConfig   = guard.RetryConfig
	// RefusedError is a call refused by the breaker or a limit (never sent), or answered 503
	// with Retry-After: the client's own error, read by the mapping engine through its methods.
	RefusedError = guard.RefusedError
)

// DefaultReadPrefixes is the default read rule (see Resilience.ReadPrefixes).
var DefaultReadPrefixes = guard.DefaultReadPrefixes

// Sentinels inside the *RefusedError of a refused call.
var (
	ErrBreakerOpen  = guard.ErrBreakerOpen
	ErrLimitReached = guard.ErrLimitReached
)

// Outcomes of a call, the values of the outcome label.
const (
	OutcomeSuccess        = guard.OutcomeSuccess
	OutcomeFault          = guard.OutcomeFault
	OutcomeHTTPError      = guard.OutcomeHTTPError
	OutcomeTimeout        = guard.OutcomeTimeout
	OutcomeTransportError = guard.OutcomeTransportError
	OutcomeMalformed      = guard.OutcomeMalformed
	OutcomeCanceled       = guard.OutcomeCanceled
	OutcomeRejected       = guard.OutcomeRejected
	OutcomeInvalid        = guard.OutcomeInvalid
)

// Rejection reasons, the values of scimbridge_backend_rejected_total's reason label.
const (
	RejectBreakerOpen     = guard.RejectBreakerOpen
	RejectBreakerHalfOpen = guard.RejectBreakerHalfOpen
	RejectReadLimit       = guard.RejectReadLimit
	RejectWriteLimit      = guard.RejectWriteLimit
)

// otherOp is the operation label of names the client does not know.
const otherOp = "other"

// IsReadName reports whether op starts with one of prefixes (case-insensitive) at a word
// boundary: followed by nothing, an upper-case letter, a digit or '_'.
func IsReadName(op string, prefixes []string) bool { return guard.IsReadName(op, prefixes) }

// HTTPStatus is the reply's status, for the guards (guard.StatusError).
func (e *HTTPStatusError) HTTPStatus() int { return e.StatusCode }

// classify names the outcome of a call from its error.
func classify(err error) string {
	if err == nil {
		return OutcomeSuccess
	}
	var (
		f  *Fault
		he *HTTPStatusError
		se *xml.SyntaxError
	)
	switch {
	case errors.Is(err, ErrBreakerOpen), errors.Is(err, ErrLimitReached):
		return OutcomeRejected
	case errors.As(err, &f):
		return OutcomeFault
	case errors.As(err, &he):
		return OutcomeHTTPError
	case errors.Is(err, context.Canceled):
		return OutcomeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return OutcomeTimeout
	case errors.Is(err, ErrUnknownOperation), errors.Is(err, ErrRequestType), errors.Is(err, ErrClosed):
		return OutcomeInvalid
	case errors.As(err, &se), errors.As(err, new(xml.UnmarshalError)), errors.Is(err, ErrDoctype), errors.Is(err, ErrResponseTooLarge),
		errors.Is(err, io.ErrUnexpectedEOF) && !errors.As(err, new(*bodyReadError)):
		return OutcomeMalformed
	}
	return OutcomeTransportError
}

// countsAsFailure: what the breaker counts against the backend (see guard.Config).
func countsAsFailure(outcome string, err error) bool { return guard.CountsAsFailure(outcome, err) }

// BreakerState reports the state of the client's circuit breaker ("closed", "half-open",
// "open", or "disabled" without resilience or with the breaker off) and, when open, how long
// until it lets a probe through. Reading it also moves an expired open breaker to half-open, so
// the state metric follows even without traffic.
func (c *Client) BreakerState() (state string, retryAfter time.Duration) {
	return c.guard.BreakerState()
}

// JudgeFaults lets the mapping engine say which faults count towards the circuit breaker
// (mapping.FaultJudging); see guard.Guard.JudgeFaults. Without resilience it does nothing.
func (c *Client) JudgeFaults(judge func(err error) (counts, ok bool)) { c.guard.JudgeFaults(judge) }

// IsRead reports whether the resilience settings class op as a read (retried, read limit).
// Without Config.Resilience it applies DefaultReadPrefixes.
func (c *Client) IsRead(op string) bool {
	if c.guard == nil {
		return IsReadName(op, DefaultReadPrefixes)
	}
	return c.guard.IsRead(op)
}
