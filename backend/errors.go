package backend

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Kind classifies a backend failure. The front end maps each kind to one HTTP status and SCIM
// error shape (see adapter's error writer); backends only choose the kind.
type Kind int

// The closed set of error kinds.
const (
	// Internal is anything unexpected. The client sees a generic message; details go to the log.
	Internal Kind = iota
	// NotFound: the id names no resource.
	NotFound
	// Conflict: a uniqueness rule of the backend refused the write (duplicate userName or group
	// name).
	Conflict
	// Invalid: the request cannot be carried out as sent (a required field missing, a value the
	// backend refuses, a filter it cannot evaluate).
	Invalid
	// Policy: a backend policy refused the change (password history or strength).
	Policy
	// Unavailable: the backend cannot be reached or refused service (breaker open, 503, transport
	// error). The front end answers 503 with Retry-After.
	Unavailable
	// Timeout: the backend did not answer in time. The write may or may not have been applied.
	Timeout
	// Unsupported: the configured backend cannot do this operation.
	Unsupported
	// Failed: the backend was reached and failed: an internal fault of the application that no
	// rule explains, or a reply that cannot be read. Not the bridge's defect (Internal), not a
	// refusal of service (Unavailable); the front end answers 502 with the request id.
	Failed
)

var kindNames = [...]string{"internal", "notFound", "conflict", "invalid", "policy", "unavailable", "timeout", "unsupported", "failed"}

// String returns the kind's stable name, used in logs and metrics labels.
func (k Kind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "internal"
	}
	return kindNames[k]
}

// Error is the error type every backend returns across the contract.
type Error struct {
	Kind Kind
	// Message is safe to show to the SCIM client (and so to the Okta admin): actionable, with no
	// secrets, no raw SOAP fault text, no stack.
	Message string
	// RetryAfter, when positive, is sent as Retry-After with Unavailable.
	RetryAfter time.Duration
	// Err is the cause, for logs only.
	Err error
}

// Error renders the kind, the message and the cause (for logs; the client only sees Message).
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Kind, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an *Error of the given kind with a client-safe message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Wrap builds an *Error of the given kind around a cause that stays out of the client's sight.
func Wrap(kind Kind, cause error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...), Err: cause}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain, Timeout for a
// context deadline, and Internal for anything else.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return Timeout
	}
	return Internal
}

// IsNotFound reports whether err is of Kind NotFound.
func IsNotFound(err error) bool { return err != nil && KindOf(err) == NotFound }
