package adapter

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/backendtime"
	"github.com/scimbridge/scimbridge/internal/reqid"
)

// Options carries the collaborators New does not build itself.
type Options struct {
	// Logger receives one line per request and the warnings; nil discards.
	Logger *slog.Logger
	// Ledger remembers the passwords set, for passwordSync "changed" (required: the bridge's
	// state store, internal/state, provides it; the front end does not keep state of its own).
	Ledger PasswordLedger
	// Locker serialises the writes to one resource (the read, diff and write of one request);
	// nil uses Ledger when it is also a Locker, as the bridge's state store is.
	Locker Locker
	// Now is the clock for request durations; nil means time.Now.
	Now func() time.Time
	// BackendVersions says the backend fills Meta.Version on every user and group, so SCIM 2.0
	// advertises etag.supported. ETags are sent, and If-Match honoured, for every resource that has
	// a version either way.
	BackendVersions bool
	// CustomAttributes names the custom extension's attributes (from the mapping), for the SCIM 2.0
	// /Schemas document; nil publishes the extension without attribute definitions.
	CustomAttributes []string
}

type server struct {
	cfg       Config
	b         backend.Backend
	caps      backend.Capabilities
	attrTypes map[string]backend.AttrInfo // the backend's description of its user attributes
	// userLimits and groupLimits are the backend's length limits per attribute (nil: none).
	userLimits, groupLimits map[string]backend.MaxLength
	w11                     *wire11
	w20                     *wire20
	versions                bool
	customAttrs             []string
	log                     *slog.Logger
	ledger                  PasswordLedger
	locker                  Locker
	now                     func() time.Time
	okta                    []string // the advertised userManagementCapabilities
	// pushPasswords is whether a PUT or PATCH may set a password: only while
	// PUSH_PASSWORD_UPDATES is advertised, so that switching it off (capabilities.disable) also
	// stops the passwords the agent re-sends on every PUT (docs/okta-agent-protocol.md#agent-password-on-every-put) from reaching the application.
	pushPasswords bool
	// allow is scim.allowFrom parsed; empty lets every address through.
	allow []netip.Prefix
}

const jsonContentType = "application/json;charset=UTF-8"

// New returns the SCIM front end over b. cfg gets its defaults applied and is validated; every
// problem is reported at once.
func New(cfg Config, b backend.Backend, opts Options) (http.Handler, error) {
	if b == nil {
		return nil, errors.New("adapter: no backend")
	}
	if opts.Ledger == nil {
		return nil, errors.New("adapter: no password ledger (Options.Ledger)")
	}
	if opts.Locker == nil {
		opts.Locker, _ = opts.Ledger.(Locker)
	}
	if opts.Locker == nil {
		return nil, errors.New("adapter: no resource locker (Options.Locker)")
	}
	cfg.Defaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("adapter configuration:\n%w", err)
	}
	s := &server{
		cfg: cfg, b: nilGuard{b}, caps: b.Capabilities(),
		versions:    opts.BackendVersions,
		customAttrs: opts.CustomAttributes,
		log:         opts.Logger,
		ledger:      opts.Ledger,
		locker:      opts.Locker,
		now:         opts.Now,
	}
	s.w11 = &wire11{codec: scim11.New(cfg.AppName, cfg.CustomSchemaName), cfg: &s.cfg}
	// The 1.1 spellings stay accepted on input, so that a v2 client configured with either URN is
	// understood.
	s.w20 = &wire20{cfg: &s.cfg, codec: scim20.New(cfg.SCIM2.CustomSchemaURN,
		"urn:okta:"+cfg.AppName+":1.0:user:"+cfg.CustomSchemaName, "urn:okta:"+cfg.AppName+":1.0:user")}
	if d, ok := b.(backend.AttributeDescriber); ok {
		s.attrTypes = d.UserAttributeTypes()
	}
	if l, ok := b.(backend.LengthLimiter); ok {
		s.userLimits, s.groupLimits = l.MaxLengths()
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.allow, _ = ParseAllowFrom(cfg.AllowFrom) // validated above
	s.okta = oktaCapabilities(s.caps, cfg)
	s.pushPasswords = slices.Contains(s.okta, CapPushPasswordUpdates)

	r := mux.NewRouter()
	// We normalise paths ourselves (// and trailing /) and must not let mux redirect: the agent
	// does not follow redirects on PUT/POST. Encoded paths keep %2F inside an id.
	r.SkipClean(true)
	r.UseEncodedPath()
	for _, prefix := range []string{"/scim/v1", ""} {
		s.routes11(r, prefix)
	}
	s.routes20(r)
	r.NotFoundHandler = http.HandlerFunc(s.route("unmatched", s.unmatched))
	r.MethodNotAllowedHandler = http.HandlerFunc(s.route("unmatched", s.methodNotAllowed(r)))

	// Outermost first: request id → log line → panic recovery → common headers → auth → body limit.
	var h http.Handler = r
	h = s.limitBody(h)
	h = s.authenticate(h)
	h = s.allowFrom(h)
	h = s.commonHeaders(h)
	h = s.recoverPanics(h)
	h = s.logRequests(h)
	h = s.normalisePath(h)
	return h, nil
}

// route names the route template for the log line.
func (s *server) route(tpl string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ri := infoFrom(r.Context())
		ri.route = tpl
		if id, ok := pathID(r); ok {
			ri.resourceID = id
		}
		h(w, r)
	}
}

// pathID returns the percent-decoded {id}.
func pathID(r *http.Request) (string, bool) {
	id, err := url.PathUnescape(mux.Vars(r)["id"])
	return id, err == nil && id != ""
}

// unmatched answers a path no route knows: 404 in SCIM 2.0 (RFC 7644 §3.12), except for the
// endpoints the RFC defines and this connector does not offer (/Bulk, /Me: 501); SCIM 1.1 answers
// 501 as the SDK does (docs/okta-agent-protocol.md#auth-before-routing).
func (s *server) unmatched(w http.ResponseWriter, r *http.Request) {
	if infoFrom(r.Context()).dialect == scim20Dialect {
		rest := strings.ToLower(strings.TrimPrefix(r.URL.Path, prefix20))
		if rest != "/bulk" && rest != "/me" && !strings.HasPrefix(rest, "/me/") {
			writeError(w, r, http.StatusNotFound, codeNotFound, fmt.Sprintf("There is no resource for path [%s]", r.URL.Path))
			return
		}
	}
	s.noResource(w, r)
}

// withHead is the methods a route answers: HEAD wherever GET is, as RFC 9110 §9.3.2 asks of
// every server (net/http sends the GET answer's status and headers, Content-Length included,
// without the body).
func withHead(method string) []string {
	if method == http.MethodGet {
		return []string{http.MethodGet, http.MethodHead}
	}
	return []string{method}
}

// methodNotAllowed answers a method a known endpoint never supports with 405 and the methods it
// does support in Allow (RFC 9110 §15.5.6), in the dialect's error shape.
func (s *server) methodNotAllowed(router *mux.Router) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
			probe := r.Clone(r.Context())
			probe.Method = m
			var match mux.RouteMatch
			if router.Match(probe, &match) && match.MatchErr == nil {
				allow = append(allow, m)
			}
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		writeError(w, r, http.StatusMethodNotAllowed, codeMethod,
			fmt.Sprintf("The endpoint [%s] does not support the method %s; it supports %s", r.URL.Path, r.Method, strings.Join(allow, ", ")))
	}
}

func (s *server) noResource(w http.ResponseWriter, r *http.Request) {
	writeError(w, r, http.StatusNotImplemented, codeNotImplemented,
		fmt.Sprintf("There is no resource for path [%s] with method %s", r.URL.Path, r.Method))
}

// normalisePath collapses repeated slashes and drops a trailing one, so that every spelling an
// admin may type as the base URL reaches the same route (docs/okta-agent-protocol.md#agent-paths). It also sets up the request id and
// the log record, which everything inside relies on.
func (s *server) normalisePath(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := reqid.Sanitize(r.Header.Get(reqid.Header))
		if id == "" {
			id = reqid.New()
		}
		ri := &reqInfo{id: id, route: "unmatched"}
		ctx := reqid.With(r.Context(), id)
		ctx = contextWithInfo(ctx, ri)
		r = r.WithContext(ctx)
		restoreTLS(r)
		w.Header().Set(reqid.Header, id)

		raw := r.URL.EscapedPath()
		clean := collapseSlashes(raw)
		if strings.HasPrefix(clean, "/scim/v2/") || clean == "/scim/v2" {
			ri.dialect = scim20Dialect
		}
		if clean != raw {
			u := *r.URL
			dec, err := url.PathUnescape(clean)
			if err != nil {
				dec = clean
			}
			u.Path, u.RawPath = dec, clean
			r.URL = &u
		}
		next.ServeHTTP(w, r)
	})
}

func collapseSlashes(p string) string {
	if p == "" {
		return "/"
	}
	// The usual path is already clean: answer it without a copy.
	if p[0] == '/' && !strings.Contains(p, "//") && (len(p) == 1 || p[len(p)-1] != '/') {
		return p
	}
	var b strings.Builder
	b.Grow(len(p))
	prevSlash := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '/' && prevSlash {
			continue
		}
		prevSlash = c == '/'
		b.WriteByte(c)
	}
	out := b.String()
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	if !strings.HasPrefix(out, "/") {
		out = "/" + out
	}
	return out
}

// statusWriter remembers the status for the log line and whether anything was written, so that
// panic recovery knows whether it can still answer.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (sw *statusWriter) WriteHeader(code int) {
	if sw.wrote {
		return
	}
	sw.status, sw.wrote = code, true
	sw.ResponseWriter.WriteHeader(code)
}

func (sw *statusWriter) Write(b []byte) (int, error) {
	if !sw.wrote {
		sw.WriteHeader(http.StatusOK)
	}
	return sw.ResponseWriter.Write(b)
}

// logRequests writes one audit line per request: method, route template, resource type and id,
// caller (the Basic user or which token, never a secret), client address, every backend
// operation with its outcome and time, status, duration_ms, request id, and whatever the handlers
// added (error kind, code, password decision). Never bodies: a PUT carries the password.
func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		// The line's attributes (a Sprintf per backend call among them) are built only for a
		// logger that will write it.
		if !s.log.Enabled(r.Context(), level) {
			return
		}
		ri := infoFrom(r.Context())
		client := r.RemoteAddr
		if a, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			client = a.Addr().Unmap().String()
		}
		attrs := append(make([]slog.Attr, 0, 12+len(ri.attrs)),
			slog.String("method", r.Method),
			slog.String("route", ri.route),
			slog.String("resource", resourceType(ri.route)),
		)
		if ri.resourceID != "" {
			attrs = append(attrs, slog.String("resource_id", ri.resourceID))
		}
		if ri.caller != "" {
			attrs = append(attrs, slog.String("caller", ri.caller))
		}
		attrs = append(attrs, slog.String("client", client))
		if ops := backendtime.From(r.Context()).Ops(); len(ops) > 0 {
			calls := make([]string, len(ops))
			var buf []byte
			for i, op := range ops {
				// name:outcome:1.2ms, as fmt's "%s:%s:%.1fms" writes it (the same strconv
				// formatting for a finite number), without fmt's reflection.
				buf = append(append(append(append(buf[:0], op.Name...), ':'), op.Outcome...), ':')
				buf = append(strconv.AppendFloat(buf, float64(op.Duration.Microseconds())/1000, 'f', 1, 64), "ms"...)
				calls[i] = string(buf)
			}
			attrs = append(attrs, slog.Any("backend", calls))
		}
		attrs = append(attrs,
			slog.Int("status", sw.status),
			slog.Float64("duration_ms", float64(s.now().Sub(start).Microseconds())/1000),
			slog.String("request_id", ri.id),
		)
		attrs = append(attrs, ri.attrs...)
		// The record is handed to the handler directly: Logger.LogAttrs would also walk the stack
		// for the caller's program counter, which no handler of the bridge writes (no AddSource).
		rec := slog.NewRecord(time.Now(), level, "scim request", 0)
		rec.AddAttrs(attrs...)
		_ = s.log.Handler().Handle(r.Context(), rec) // a failed log write is not the client's error

	})
}

// resourceType names the resource of a route template for the audit line.
func resourceType(route string) string {
	switch {
	case strings.Contains(route, "/Users"):
		return "User"
	case strings.Contains(route, "/Groups"):
		return "Group"
	case route == "unmatched":
		return "none"
	}
	return "discovery"
}

func (s *server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w, status: http.StatusOK}
		}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { //nolint:errorlint // the sentinel is compared by identity, as net/http does
				panic(v)
			}
			s.log.Error("panic in handler", "request_id", reqid.From(r.Context()), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if !sw.wrote {
				sw.Header().Set("Content-Type", jsonContentType)
				writeError(sw, r, http.StatusInternalServerError, codeInternal,
					"Internal error in the connector; see its log for request id "+reqid.From(r.Context())+".")
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

func (s *server) commonHeaders(next http.Handler) http.Handler {
	sdk := ""
	if s.cfg.SDKVersionHeader != nil {
		sdk = *s.cfg.SDKVersionHeader
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if infoFrom(r.Context()).dialect == scim20Dialect {
			w.Header().Set("Content-Type", scim20.ContentType)
		} else {
			w.Header().Set("Content-Type", jsonContentType)
		}
		if sdk != "" {
			w.Header().Set("X-okta-sdk-version", sdk)
		}
		next.ServeHTTP(w, r)
	})
}

// digest makes secrets fixed-length before the constant-time comparison, so that timing does not
// reveal their length either.
func digest(s string) [32]byte { return sha256.Sum256([]byte(s)) }

func secretEqual(got string, want [32]byte) int {
	d := digest(got)
	return subtle.ConstantTimeCompare(d[:], want[:])
}

// authenticate checks credentials before anything else, unknown paths included (docs/okta-agent-protocol.md#auth-before-routing), so that a
// missing route is never mistaken for an auth problem or the other way round.
func (s *server) authenticate(next http.Handler) http.Handler {
	a := s.cfg.Auth
	user, pass, token := digest(a.Username), digest(a.Password), digest(a.Token)
	prevPass, prevToken := digest(a.PreviousPassword), digest(a.PreviousToken)
	hasPrevPass, hasPrevToken := a.PreviousPassword != "", a.PreviousToken != ""
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, caller := false, ""
		switch a.Mode {
		case "none":
			ok, caller = true, "anonymous"
		case "basic":
			u, p, present := r.BasicAuth()
			// Every comparison always runs: no short-circuit that would time the username alone,
			// or tell which of the two passwords matched.
			uok := secretEqual(u, user)
			cur, prev := secretEqual(p, pass), secretEqual(p, prevPass)
			switch {
			case present && uok&cur == 1:
				ok, caller = true, a.Username
			case present && uok&prev == 1 && hasPrevPass:
				ok, caller = true, a.Username+" (previous password)"
			}
		case "header":
			v := r.Header.Values(a.HeaderName)
			if len(v) == 1 {
				cur, prev := secretEqual(v[0], token), secretEqual(v[0], prevToken)
				switch {
				case cur == 1:
					ok, caller = true, "token"
				case prev == 1 && hasPrevToken:
					ok, caller = true, "previous token"
				}
			}
		}
		if ok {
			infoFrom(r.Context()).caller = caller
			next.ServeHTTP(w, r)
			return
		}
		desc := "Authentication failed: send the Basic credentials configured for this connector."
		if a.Mode == "basic" {
			w.Header().Set("WWW-Authenticate", `Basic realm="scimbridge", charset="UTF-8"`)
		} else {
			desc = "Authentication failed: send the " + a.HeaderName + " header configured for this connector."
			// A 401 carries a challenge (RFC 9110 §11.6.1). With a token in Authorization the scheme
			// is the token's first word (e.g. Bearer); a custom header has no standard scheme.
			if scheme, _, ok := strings.Cut(a.Token, " "); ok && strings.EqualFold(a.HeaderName, "Authorization") && scheme != "" {
				w.Header().Set("WWW-Authenticate", scheme+` realm="scimbridge"`)
			}
		}
		writeError(w, r, http.StatusUnauthorized, codeUnauthorized, desc)
	})
}

// allowFrom refuses clients outside scim.allowFrom with 403, before they may try credentials.
func (s *server) allowFrom(next http.Handler) http.Handler {
	if len(s.allow) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if a, err := netip.ParseAddrPort(r.RemoteAddr); err == nil {
			ip := a.Addr().Unmap()
			for _, p := range s.allow {
				if p.Contains(ip) {
					next.ServeHTTP(w, r)
					return
				}
			}
		}
		writeError(w, r, http.StatusForbidden, codeForbidden,
			"Requests from this address are not allowed by the connector's allowFrom setting.")
	})
}

func (s *server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// readBody reads the whole request body, answering a problem (413 or 400) when it cannot.
func (s *server) readBody(r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, newProblem(http.StatusBadRequest, codeBadRequest, "The request has no body")
	}
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, newProblem(http.StatusRequestEntityTooLarge, codeTooLarge,
			fmt.Sprintf("The request body exceeds the limit of %d bytes (maxBodyBytes)", s.cfg.MaxBodyBytes))
	case err != nil:
		return nil, newProblem(http.StatusBadRequest, codeBadRequest, "The request body could not be read")
	}
	return b, nil
}

// writeJSON writes a success body with status. The length is known, so the answer says it: a
// page larger than net/http's buffer would otherwise go out chunked.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	if len(body) > 0 {
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
