package mapping

import (
	"context"
	"reflect"
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
