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
// Business faults come back as errors implementing Fault. An error that already is a
// *backend.Error (a resilience layer's Unavailable with RetryAfter, say) is passed through
// unchanged by the engine.
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

// State is what mappings with changeTracking or surrogateIds need from the bridge's state store.
type State interface {
	ChangeTracker
	IDMap
}
