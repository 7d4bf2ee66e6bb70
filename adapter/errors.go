package adapter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/reqid"
)

// Internal codes. The E00000xx ones are the Okta SDK's (docs/okta-agent-protocol.md#sdk-error-codes). The SDK lets a
// connector choose its own codes for everything else; ours start with "SB-" and say what happened,
// because the agent shows the code to the Okta admin verbatim.
const (
	codeNotFound       = "E0000048"
	codeBadRequest     = "E0000050"
	codeNotImplemented = "E0000052"
	codeBadFilter      = "E0000053"
	codeBadPaging      = "E0000054"
	codeDuplicateGroup = "E0000055"

	codeUnauthorized  = "SB-AUTH"
	codeForbidden     = "SB-FORBIDDEN"
	codeDuplicateUser = "SB-DUPLICATE-USER"
	codePolicy        = "SB-PASSWORD-POLICY"
	codeGroupGuard    = "SB-GROUP-GUARD"
	codeTooLarge      = "SB-BODY-TOO-LARGE"
	codeMethod        = "SB-METHOD-NOT-ALLOWED"
	codeTooMany       = "SB-TOO-MANY"
	codeUnavailable   = "SB-UNAVAILABLE"
	codeTimeout       = "SB-TIMEOUT"
	codeBackendFailed = "SB-BACKEND-FAILED"
	codeInternal      = "SB-INTERNAL"

	// SCIM 2.0 only: each stands for one RFC 7644 §3.12 scimType (see scimTypes).
	codeInvalidSyntax = "SB-INVALID-SYNTAX"
	codeInvalidPath   = "SB-INVALID-PATH"
	codeNoTarget      = "SB-NO-TARGET"
	codeMutability    = "SB-MUTABILITY"
	codePrecondition  = "SB-PRECONDITION-FAILED"
)

// scimTypes gives the RFC 7644 §3.12 scimType of the codes that have one; the 1.1 body has no
// such field and ignores it.
var scimTypes = map[string]scimjson.ScimType{
	codeBadFilter:      scimjson.InvalidFilter,
	codeBadPaging:      scimjson.InvalidValue,
	codeBadRequest:     scimjson.InvalidValue,
	codeDuplicateUser:  scimjson.Uniqueness,
	codeDuplicateGroup: scimjson.Uniqueness,
	codeInvalidSyntax:  scimjson.InvalidSyntax,
	codeInvalidPath:    scimjson.InvalidPath,
	codeNoTarget:       scimjson.NoTarget,
	codeMutability:     scimjson.Mutability,
	codeTooMany:        scimjson.TooMany,
	codeBadHTTP:        scimjson.InvalidSyntax,
	codeNotHTTPS:       scimjson.InvalidSyntax,
}

// codeOf is the code standing for a scimType a codec chose (the inverse of scimTypes for the
// types only a SCIM 2.0 body can produce); anything else is a plain bad request.
func codeOf(t scimjson.ScimType) string {
	switch t {
	case scimjson.InvalidSyntax:
		return codeInvalidSyntax
	case scimjson.InvalidPath:
		return codeInvalidPath
	case scimjson.NoTarget:
		return codeNoTarget
	case scimjson.Mutability:
		return codeMutability
	}
	return codeBadRequest
}

// defaultRetryAfter is sent with a 503 when the backend did not say how long to wait.
const defaultRetryAfter = 5 * time.Second

// dialect is what differs between SCIM 1.1 and SCIM 2.0 on the error path. Only the error shape
// is needed before a second codec exists; the resource codecs stay with the handlers.
type dialect int

const (
	scim11Dialect dialect = iota
	scim20Dialect
)

func (d dialect) errorBody(status int, code, desc string) []byte {
	if d == scim20Dialect {
		return scim20.EncodeError(status, string(scimTypes[code]), desc)
	}
	return scim11.EncodeError(status, code, desc)
}

// reqInfo collects what the single request log line reports; handlers add to it.
type reqInfo struct {
	id      string
	route   string
	dialect dialect
	// caller is who authenticated: the Basic user name or which token, never a secret.
	caller string
	// resourceID is the {id} of the path, when the route has one.
	resourceID string
	attrs      []slog.Attr
	// proj is the SCIM 2.0 projection of the request's query (see projection).
	proj *projected
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if ri, ok := ctx.Value(infoKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func (ri *reqInfo) add(attrs ...slog.Attr) { ri.attrs = append(ri.attrs, attrs...) }

// problem is an answer decided without the backend (a refused body, a guard, a failed
// precondition): a status and a code with a client-safe message, written in the request's
// dialect. The core returns it as an error, so that it never writes HTTP itself.
type problem struct {
	status int
	code   string
	msg    string
}

func (p *problem) Error() string { return p.msg }

func newProblem(status int, code, msg string) error {
	return &problem{status: status, code: code, msg: msg}
}

// opError is a backend error with the operation it came from, which words the answer.
type opError struct {
	op  op
	err error
}

func (e *opError) Error() string { return e.err.Error() }
func (e *opError) Unwrap() error { return e.err }

// failed attributes a backend error to o; nil stays nil.
func failed(o op, err error) error {
	if err == nil {
		return nil
	}
	return &opError{op: o, err: err}
}

// answerError writes whatever the core or a handler failed with: a problem as decided, a backend
// error through writeBackendError, anything else as an internal error.
func answerError(w http.ResponseWriter, r *http.Request, err error) {
	var p *problem
	var oe *opError
	switch {
	case errors.As(err, &p):
		writeError(w, r, p.status, p.code, p.msg)
	case errors.As(err, &oe):
		writeBackendError(w, r, oe.err, oe.op)
	default:
		writeBackendError(w, r, err, op{resource: "resource"})
	}
}

// writeError writes an error in the request's dialect.
func writeError(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
	ri := infoFrom(r.Context())
	ri.add(slog.String("error_code", code))
	w.WriteHeader(status)
	_, _ = w.Write(ri.dialect.errorBody(status, code, desc))
}

// op describes the operation a backend error came from, to word the answer.
type op struct {
	resource string // "user" or "group"
	id       string // the id addressed, if any
	list     bool   // a listing: Invalid means the filter could not be evaluated
	create   bool   // a create: Conflict means a duplicate
	name     string // the userName or displayName being created
}

// writeBackendError is the one place where a backend error kind becomes an HTTP status and an
// error body. The client only ever sees backend.Error.Message (client-safe by contract) or a fixed
// text; the full error goes to the request's log line.
func writeBackendError(w http.ResponseWriter, r *http.Request, err error, o op) {
	ri := infoFrom(r.Context())
	kind := backend.KindOf(err)
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		kind = backend.Unavailable // the client went away; nobody reads the answer
	}
	ri.add(slog.String("error_kind", kind.String()), slog.String("error", err.Error()))
	msg := ""
	var be *backend.Error
	if errors.As(err, &be) {
		msg = be.Message
	}
	if msg == "" {
		msg = kind.String()
	}
	switch kind {
	case backend.NotFound:
		if o.id != "" {
			msg = fmt.Sprintf("Cannot find the %s with the id [%s]", o.resource, o.id)
		}
		writeError(w, r, http.StatusNotFound, codeNotFound, msg)
	case backend.Conflict:
		switch {
		case o.resource == "group" && o.create:
			writeError(w, r, http.StatusConflict, codeDuplicateGroup,
				fmt.Sprintf("Duplicate group with the same name [%s] found. Cannot create the group", o.name))
		case o.resource == "group":
			writeError(w, r, http.StatusConflict, codeDuplicateGroup, msg)
		default:
			writeError(w, r, http.StatusConflict, codeDuplicateUser, msg)
		}
	case backend.Invalid:
		if o.list {
			writeError(w, r, http.StatusBadRequest, codeBadFilter, "Cannot evaluate the SCIM filter: "+msg)
		} else {
			writeError(w, r, http.StatusBadRequest, codeBadRequest, msg)
		}
	case backend.Policy:
		writeError(w, r, http.StatusBadRequest, codePolicy, msg)
	case backend.Unavailable:
		retry := defaultRetryAfter
		if be != nil && be.RetryAfter > 0 {
			retry = be.RetryAfter
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
		// msg is the engine's lower-case reason ("the legacy application could not be reached").
		reason := ""
		if msg != kind.String() {
			reason = " (" + strings.TrimSuffix(strings.TrimSuffix(msg, "."), "; retry later") + ")"
		}
		writeError(w, r, http.StatusServiceUnavailable, codeUnavailable,
			"The application behind the connector is unavailable"+reason+"; retry later.")
	case backend.Timeout:
		if r.Method == http.MethodGet || r.Method == http.MethodHead || o.list {
			// A read changes nothing, so it can simply be retried.
			writeError(w, r, http.StatusGatewayTimeout, codeTimeout,
				"The application behind the connector did not answer in time while reading; nothing was changed, retry later.")
			break
		}
		writeError(w, r, http.StatusGatewayTimeout, codeTimeout,
			"The application behind the connector did not answer in time. The change may or may not have been applied: check the "+o.resource+" in the application before retrying.")
	case backend.Failed:
		// The application was reached and failed (an internal fault, an unreadable reply): not a
		// defect of the connector, so not 500.
		writeError(w, r, http.StatusBadGateway, codeBackendFailed,
			"The application behind the connector failed: "+msg+". See the connector's log for request id "+reqid.From(r.Context())+".")
	case backend.Unsupported:
		writeError(w, r, http.StatusNotImplemented, codeNotImplemented,
			"The connector's backend does not support this operation: "+msg)
	default:
		writeError(w, r, http.StatusInternalServerError, codeInternal,
			"Internal error in the connector; see its log for request id "+reqid.From(r.Context())+".")
	}
}

func contextWithInfo(ctx context.Context, ri *reqInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, ri)
}
