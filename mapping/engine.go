package mapping

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"reflect"
	"sync"
	"time"

	"github.com/expr-lang/expr/vm"

	"github.com/scimbridge/scimbridge/backend"
)

// Backend binds the engine to an Invoker: the result implements the backend contract by calling
// the mapped operations through inv. log receives what the client must not see (fault texts,
// mapping failures, skipped members); nil discards it.
func (e *Engine) Backend(inv Invoker, log *slog.Logger, opts ...BackendOption) backend.Backend {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &engineBackend{e: e, inv: inv, log: log, now: time.Now, snaps: newSnapshots()}
	for _, o := range opts {
		o(b)
	}
	if j, ok := inv.(FaultJudging); ok {
		j.JudgeFaults(e.countsTowardsBreaker)
	}
	return b
}

// NeedsState reports whether the file uses changeTracking or surrogateIds, i.e. whether Backend
// must be given WithState; the wiring checks it at start-up.
func (e *Engine) NeedsState() bool {
	return (e.users != nil && e.users.tracked) || (e.groups != nil && e.groups.surrogate)
}

// BackendOption configures one Backend.
type BackendOption func(*engineBackend)

// WithState gives the backend the bridge's state store, which mappings with
// `changeTracking: hash` or `surrogateIds: true` need (see Engine.NeedsState).
func WithState(s State) BackendOption { return func(b *engineBackend) { b.state = s } }

// WithClock replaces time.Now (for tests of change tracking and snapshots).
func WithClock(now func() time.Time) BackendOption { return func(b *engineBackend) { b.now = now } }

type engineBackend struct {
	e     *Engine
	inv   Invoker
	log   *slog.Logger
	state State
	now   func() time.Time
	snaps *snapshots
}

var _ backend.Backend = (*engineBackend)(nil)

func (b *engineBackend) Capabilities() backend.Capabilities { return b.e.Capabilities() }

func unsupported(what string) error {
	return backend.Errorf(backend.Unsupported, "the mapping file does not say how to %s", what)
}

// vms keeps expr's virtual machines between runs: expr.Run builds a new one (and its stack) for
// every expression, and a user's conversion runs one expression per attribute (docs/benchmarks.md).
// A VM resets its state at the start of each Run, so any VM may run any program; one goroutine
// holds a VM at a time.
var vms = sync.Pool{New: func() any { return new(vm.VM) }}

// vmOnly turns the plain access paths off (access.go), and accessCheck, when set, is given
// every value a plain access path read: tests compare both with expr's VM.
var (
	vmOnly      bool
	accessCheck func(p *program, env map[string]any, got any)
	// stringCheck, when set, is given every string access.getString read for a toSCIM attribute.
	stringCheck func(p *program, env map[string]any, got string)
)

func (p *program) run(env map[string]any) (any, error) {
	if p.direct != nil && !vmOnly {
		if v, ok := p.direct.get(env); ok {
			if accessCheck != nil {
				accessCheck(p, env, v)
			}
			return v, nil
		}
	}
	return p.runVM(env)
}

// runVM runs p on expr's virtual machine.
func (p *program) runVM(env map[string]any) (any, error) {
	m := vms.Get().(*vm.VM)
	v, err := m.Run(p.p, env)
	vms.Put(m)
	if err != nil {
		return nil, fmt.Errorf("%d:%d: %q: %s", p.at.Line, p.at.Col, p.src, firstLine(err.Error()))
	}
	return v, nil
}

func firstLine(s string) string {
	for i, r := range s {
		if r == '\n' {
			return s[:i]
		}
	}
	return s
}

// mappingFailed reports an expression that failed at run time: a defect of the mapping file
// (or data it did not foresee), not of the client's request.
func (b *engineBackend) mappingFailed(ctx context.Context, op string, err error) error {
	b.log.ErrorContext(ctx, "mapping expression failed", "operation", op, "error", err)
	return backend.Wrap(backend.Internal, err, "the mapping file could not be applied to this request")
}

// isNil reports whether an expression result means "no value".
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
		return rv.IsNil()
	}
	return false
}

// invoke builds a fresh request for st (record into st.record, request expressions, then
// extra, e.g. paging) and calls the operation. Expressions read env only; nothing the caller
// passed in is modified.
func (b *engineBackend) invoke(ctx context.Context, st *step, env map[string]any, record any, extra func(req reflect.Value) error) (any, error) {
	if err := ctx.Err(); err != nil {
		return nil, b.callError(ctx, st.call, err)
	}
	req := reflect.New(st.req)
	if st.record != nil && record != nil {
		if err := st.record.set(req.Elem(), record); err != nil {
			return nil, b.mappingFailed(ctx, st.call, err)
		}
	}
	for _, a := range st.request {
		v, err := a.expr.run(env)
		if err != nil {
			return nil, b.mappingFailed(ctx, st.call, err)
		}
		if isNil(v) {
			continue // absent: the field stays unset
		}
		if a.path.maxLen > 0 {
			if err := checkFieldLength(a.path, a.from, v); err != nil {
				return nil, err
			}
		}
		if err := a.path.set(req.Elem(), v); err != nil {
			return nil, backend.Wrap(backend.Invalid, err, "a value of the request cannot be sent to the legacy application: %v", err)
		}
	}
	if extra != nil {
		if err := extra(req.Elem()); err != nil {
			return nil, backend.Wrap(backend.Invalid, err, "%v", err)
		}
	}
	if st.sort != nil {
		if err := st.sort.apply(req.Elem(), env); err != nil {
			return nil, b.mappingFailed(ctx, st.call, err)
		}
	}
	resp, err := b.inv.Invoke(ctx, st.call, req.Interface())
	if err != nil {
		return nil, b.callError(ctx, st.call, err)
	}
	if isNil(resp) {
		// An answer without a body (a void reply, or an Invoker that returns nil) reads as
		// an empty response: expressions then see nil fields, not a nil resp they cannot walk.
		resp = reflect.New(st.resp).Interface()
	}
	return resp, nil
}

// runOp runs the steps of op in order and returns the record given by the last step that has a
// result expression (nil when none has, or when that step's answer holds no record). A step whose `when` gives false is skipped; a step with
// `as` adds its response to the environment of the steps after it; a fail step ends the
// operation with its error.
func (b *engineBackend) runOp(ctx context.Context, op operation, env map[string]any, record any, rec reflect.Type) (any, error) {
	backend.ForgetReads(ctx) // any call may change what this request's earlier reads answered
	var result any
	bound := false
	for _, st := range op {
		if st.when != nil {
			v, err := st.when.run(env)
			if err != nil {
				return nil, b.mappingFailed(ctx, st.call, err)
			}
			if ok, _ := v.(bool); !ok {
				continue
			}
		}
		if st.fail != nil {
			return nil, backend.Errorf(st.fail.kind, "%s", st.fail.message)
		}
		resp, err := b.invoke(ctx, st, env, record, nil)
		if err != nil {
			return nil, err
		}
		if st.as != "" {
			if !bound { // copy once: the caller's map stays as it was
				env, bound = maps.Clone(env), true
			}
			env[st.as] = resp
		}
		if st.result == nil {
			continue
		}
		if emptyAnswer(resp) {
			result = nil // an answer with nothing in it holds no record
			continue
		}
		v, err := st.result.run(with(env, "resp", resp))
		if err != nil {
			return nil, b.mappingFailed(ctx, st.call, err)
		}
		r, err := asRecord(v, rec)
		if errors.Is(err, errNoRecord) {
			// The answer holds no record (a nil record pointer): the caller decides what
			// that means (get: NotFound; create and replace: read the record back).
			result = nil
			continue
		}
		if err != nil {
			return nil, b.badAnswer(ctx, st.call, err)
		}
		result = r
	}
	return result, nil
}

var errNoRecord = errors.New("the response holds no record")

// asRecord turns what a result expression gave into a *T of the record type.
func asRecord(v any, t reflect.Type) (any, error) {
	if t != nil && t.Kind() == reflect.Map {
		m, ok := v.(map[string]any)
		if !ok || m == nil {
			return nil, errNoRecord
		}
		return m, nil
	}
	rv := reflect.ValueOf(v)
	for rv.IsValid() && (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) {
		if rv.IsNil() {
			return nil, errNoRecord
		}
		if rv.Kind() == reflect.Pointer && rv.Type().Elem() == t {
			return rv.Interface(), nil
		}
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return nil, errNoRecord
	}
	if rv.Type() != t {
		return nil, fmt.Errorf("the response gives %s, not a %s record", rv.Type(), t)
	}
	p := reflect.New(t)
	p.Elem().Set(rv)
	return p.Interface(), nil
}

func (b *engineBackend) badAnswer(ctx context.Context, op string, err error) error {
	b.log.ErrorContext(ctx, "unexpected answer from the legacy application", "operation", op, "error", err)
	return backend.Wrap(backend.Internal, err, "the legacy application gave an answer the mapping cannot read")
}

// copyRecord returns a new *T holding a shallow copy of rec; field setters copy nested
// pointers before writing, so the copy never changes rec.
func copyRecord(rec any) any {
	if m, ok := rec.(map[string]any); ok {
		out := make(map[string]any, len(m))
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	rv := reflect.ValueOf(rec)
	p := reflect.New(rv.Type().Elem())
	p.Elem().Set(rv.Elem())
	return p.Interface()
}
