package mapping

import (
	"context"
	"reflect"
	"time"
)

// Invoker calls one legacy operation by name. req is a pointer to a value of the operation's
// Request type; the answer is a pointer to a value of its Response type. The wiring code wraps
// the generated clients in an Invoker (with metrics, breaker, deadline and retry around it), so
// that this package never depends on them.
//
// Clients own their errors; the engine classifies them into contract kinds in one place
// (classify.go) through the small interfaces below, so no client imports the contract: Fault
// (the application answered with a fault), Refusal (not carried out, retry later),
// MalformedReply (a reply that cannot be read), context.DeadlineExceeded (timed out). Anything
// else means the application could not be reached. An error that already is a *backend.Error
// is passed through unchanged.
type Invoker interface {
	Invoke(ctx context.Context, op string, req any) (any, error)
}

// OperationInfo describes one operation of a client: its name and its request and response
// struct types (struct types, not pointers to them).
type OperationInfo struct {
	Name              string
	Request, Response reflect.Type
}

// Catalog lists the operations of one client. Compile checks every operation name, request
// field and expression of a mapping file against it.
type Catalog interface {
	Operations() []string
	Operation(name string) (OperationInfo, bool)
}

// Fault is a business fault answered by the legacy application (a SOAP Fault): the application
// is up and refused the request. The engine matches the mapping file's fault rules against
// FaultCode and DetailCode; the texts are logged, and reach the client only for rules that say
// exposeDetail.
type Fault interface {
	error
	FaultCode() string
	FaultString() string
	DetailCode() string
	DetailMessage() string
}

// Refusal is a call that was not carried out and may succeed later: refused by a circuit breaker
// or a concurrency limit, or by the application with 503 and Retry-After. It becomes
// Unavailable with RetryAfter. An error may also have ClientMessage() string, a client-safe
// description used as the message.
type Refusal interface {
	Refused() bool
	RetryAfter() time.Duration
}

// MalformedReply is a reply that arrived but could not be read (not XML or JSON, cut short,
// too large, of the wrong shape). It becomes Failed: the application is up, its answer unusable.
type MalformedReply interface {
	MalformedReply() bool
}

// FaultJudging is implemented by Invokers with a circuit breaker. Backend hands them the
// engine's judgement of faults, from the mapping's fault rules: judge(err) gives counts=true
// when err is a fault that should count towards the breaker (an internal fault of the
// application), false for business faults; ok=false means the error is no fault the engine
// judges, and the Invoker's own rule applies. judge is safe for concurrent use.
type FaultJudging interface {
	JudgeFaults(judge func(err error) (counts, ok bool))
}

// ChangeTracker assigns lastModified to resources of an application that keeps no change times:
// Observe returns the time the resource was first seen with contentHash (a changed hash moves it
// to now). Implemented by the bridge's state store (internal/state), defined here so that the
// engine does not depend on it.
type ChangeTracker interface {
	Observe(ctx context.Context, resourceType, id, contentHash string, now time.Time) (time.Time, error)
	Forget(ctx context.Context, resourceType, id string) error
}

// IDMap issues stable ids for resources whose only key is a name that can change (surrogateIds).
type IDMap interface {
	// SurrogateID returns the id issued for key, issuing one the first time.
	SurrogateID(ctx context.Context, resourceType, key string) (string, error)
	// NaturalKey returns the key behind id; ok is false for an id never issued.
	NaturalKey(ctx context.Context, resourceType, id string) (key string, ok bool, err error)
	// Rebind points id at a new key after the application accepted a rename; another id that
	// still held the key loses it.
	Rebind(ctx context.Context, resourceType, id, key string) error
	ForgetID(ctx context.Context, resourceType, id string) error
}

// MetaKeeper keeps what an application cannot: when the bridge first saw (or created) each
// resource, for meta.created where toSCIM gives none, and a group's externalId where toSCIM
// does not read one back from the application.
type MetaKeeper interface {
	// FirstSeen returns the time recorded for the resource, recording now the first time.
	FirstSeen(ctx context.Context, resourceType, id string, now time.Time) (time.Time, error)
	// ExternalID returns the externalId kept for the resource, "" when none.
	ExternalID(ctx context.Context, resourceType, id string) (string, error)
	// SetExternalID keeps externalID for the resource ("" removes it).
	SetExternalID(ctx context.Context, resourceType, id, externalID string) error
	// ForgetMeta drops what is kept for a deleted resource.
	ForgetMeta(ctx context.Context, resourceType, id string) error
}

// State is what the engine needs from the bridge's state store: change times for applications
// that keep none (changeTracking, and meta times toSCIM does not give), surrogate ids, and what
// MetaKeeper keeps.
type State interface {
	ChangeTracker
	IDMap
	MetaKeeper
}
