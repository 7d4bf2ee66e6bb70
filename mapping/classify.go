package mapping

import (
	"context"
	"errors"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// callError is the one place where an error from Invoke becomes a contract error (see Invoker).
// Clients own their errors; this reads them only through the interfaces of seam.go.
func (b *engineBackend) callError(ctx context.Context, op string, err error) error {
	var be *backend.Error
	if errors.As(err, &be) {
		return err
	}
	var f Fault
	if errors.As(err, &f) {
		return b.fault(ctx, op, f, err)
	}
	var r Refusal
	if errors.As(err, &r) && r.Refused() {
		msg := "the legacy application refused service"
		var cm interface{ ClientMessage() string }
		if errors.As(err, &cm) && cm.ClientMessage() != "" {
			msg = cm.ClientMessage()
		}
		b.log.WarnContext(ctx, "legacy call refused", "operation", op, "retryAfter", r.RetryAfter(), "error", err)
		return &backend.Error{Kind: backend.Unavailable, Message: msg, RetryAfter: r.RetryAfter(), Err: err}
	}
	var m MalformedReply
	if errors.As(err, &m) && m.MalformedReply() {
		b.log.WarnContext(ctx, "legacy reply unreadable", "operation", op, "error", err)
		return backend.Wrap(backend.Failed, err, "the legacy application's reply could not be read")
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		b.log.WarnContext(ctx, "legacy call timed out", "operation", op, "error", err)
		return backend.Wrap(backend.Timeout, err, "the legacy application did not answer in time")
	case errors.Is(err, context.Canceled):
		return err
	}
	b.log.WarnContext(ctx, "legacy call failed", "operation", op, "error", err)
	return backend.Wrap(backend.Unavailable, err, "the legacy application could not be reached")
}

var defaultFaultMessages = map[backend.Kind]string{
	backend.Internal:    "the legacy application reported an error",
	backend.NotFound:    "the legacy application has no such record",
	backend.Conflict:    "the legacy application already has a record with this name",
	backend.Invalid:     "the legacy application refused the request as invalid",
	backend.Policy:      "a policy of the legacy application refused the change",
	backend.Unavailable: "the legacy application refused service",
	backend.Timeout:     "the legacy application did not answer in time",
	backend.Failed:      "the legacy application failed",
}

// isServerFault reports whether a fault code says the application itself failed: SOAP 1.1
// "Server" and SOAP 1.2 "Receiver", with any prefix and any dotted sub-code ("soap:Server",
// "s:Server.Internal").
func isServerFault(code string) bool {
	if i := strings.LastIndexByte(code, ':'); i >= 0 {
		code = code[i+1:]
	}
	code, _, _ = strings.Cut(code, ".")
	return strings.EqualFold(code, "Server") || strings.EqualFold(code, "Receiver")
}

// businessKind: kinds that say the application judged the request, not that it failed. Faults
// of these kinds never count towards the breaker.
func businessKind(k backend.Kind) bool {
	switch k {
	case backend.NotFound, backend.Conflict, backend.Invalid, backend.Policy, backend.Unsupported:
		return true
	}
	return false
}

// FaultDetailXML is an optional method of a Fault: its detail as one XML element (<detail> with
// its content), for faultDetail's XPaths and detailPattern rules.
type FaultDetailXML interface {
	DetailXML() string
}

// faultView is a fault as the rules see it: the code and message faultDetail's XPaths read
// from the detail replace the client's own, when the file gives them and they find something.
type faultView struct {
	Fault
	code, message string
	raw           string
}

func (v faultView) DetailCode() string    { return v.code }
func (v faultView) DetailMessage() string { return v.message }

func (e *Engine) view(f Fault) faultView {
	v := faultView{Fault: f, code: f.DetailCode(), message: f.DetailMessage()}
	if dx, ok := f.(FaultDetailXML); ok {
		v.raw = dx.DetailXML()
	}
	if v.raw == "" || e.detailCode == "" && e.detailMessage == "" {
		return v
	}
	doc := v.raw
	for _, p := range []struct {
		path string
		dst  *string
	}{{e.detailCode, &v.code}, {e.detailMessage, &v.message}} {
		if p.path == "" {
			continue
		}
		if s, err := xpathString(doc, p.path); err == nil && s != nil && s != "" {
			*p.dst = s.(string)
		}
	}
	return v
}

// match returns the first fault rule that matches f, or nil.
func (e *Engine) match(f faultView) *faultRule {
	for i := range e.faults {
		r := &e.faults[i]
		if r.detailPattern != nil && !r.detailPattern.MatchString(f.raw) {
			continue
		}
		if r.faultCode != "" && r.faultCode != f.FaultCode() {
			continue
		}
		if r.detailCode != "" && r.detailCode != f.DetailCode() {
			continue
		}
		if r.pattern != nil && !r.pattern.MatchString(f.FaultString()) && !r.pattern.MatchString(f.DetailMessage()) {
			continue
		}
		return r
	}
	return nil
}

// countsTowardsBreaker is the engine's judgement for FaultJudging: a rule's `breaker:` setting
// when it has one; otherwise a server fault counts unless its rule gives a business kind, and a
// client fault never does.
func (e *Engine) countsTowardsBreaker(err error) (counts, ok bool) {
	var ff Fault
	if !errors.As(err, &ff) {
		return false, false
	}
	f := e.view(ff)
	r := e.match(f)
	switch {
	case r == nil:
		return isServerFault(f.FaultCode()), true
	case r.breaker != nil:
		return *r.breaker, true
	default:
		return isServerFault(f.FaultCode()) && !businessKind(r.kind), true
	}
}

// fault applies the first matching fault rule. The raw fault texts go to the log only, unless
// the rule says exposeDetail, in which case the detail message (the application's words meant
// for its users) becomes the client-visible message. A server fault no rule matches is the
// application failing (Failed, 502); any other unmatched fault stays Internal.
func (b *engineBackend) fault(ctx context.Context, op string, ff Fault, err error) error {
	f := b.e.view(ff)
	kind, msg := backend.Internal, ""
	expose := false
	if r := b.e.match(f); r != nil {
		kind, msg, expose = r.kind, r.message, r.exposeDetail
	} else if isServerFault(f.FaultCode()) {
		kind = backend.Failed
	}
	b.log.InfoContext(ctx, "legacy fault", "operation", op, "kind", kind.String(), "faultCode", f.FaultCode(),
		"detailCode", f.DetailCode(), "faultString", f.FaultString(), "detailMessage", f.DetailMessage())
	if expose && f.DetailMessage() != "" {
		if msg != "" {
			msg = msg + ": " + f.DetailMessage()
		} else {
			msg = f.DetailMessage()
		}
	}
	if msg == "" {
		msg = defaultFaultMessages[kind]
	}
	return &backend.Error{Kind: kind, Message: msg, Err: err}
}
