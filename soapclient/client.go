package soapclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hooklift/gowsdl/soap"
	"golang.org/x/net/http/httpguts"

	"github.com/scimbridge/scimbridge/internal/guard"
	"github.com/scimbridge/scimbridge/internal/reqid"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout          = 20 * time.Second
	DefaultMaxConcurrency   = 16
	DefaultMaxResponseBytes = 16 << 20
)

// Config configures one backend client. The zero value of every field but Endpoint is usable.
type Config struct {
	// Endpoint is the service URL (http or https), e.g. the WSDL's soap:address.
	Endpoint string
	// Timeout bounds each call (one HTTP exchange), on top of the caller's context; default 20s.
	Timeout time.Duration
	// MaxConcurrency sizes the pool of idle connections; default 16. It does not limit concurrency
	// by itself (the bulkhead comes with the resilience middleware).
	MaxConcurrency int
	// WSSE, when set, adds a WS-Security UsernameToken header to every call.
	WSSE *WSSEConfig
	// BasicAuth, when set, adds HTTP Basic credentials to every call.
	BasicAuth *BasicAuthConfig
	// NTLM and Kerberos are Windows authentication (IIS); at most one of BasicAuth, NTLM and
	// Kerberos. See winauth.go.
	NTLM     *NTLMConfig
	Kerberos *KerberosConfig
	// Headers are static HTTP headers added to every call; they may override User-Agent.
	Headers map[string]string
	// TLS configures https endpoints (custom CA, client certificate); nil uses the system roots.
	TLS *tls.Config
	// Proxy, when set, sends every call through this HTTP(S) proxy (http://host:port, credentials
	// in the URL's userinfo). nil means no proxy: HTTP_PROXY/HTTPS_PROXY in the environment are
	// deliberately ignored, so a bridge never routes backend traffic (and its credentials) through
	// a proxy nobody configured for it.
	Proxy *url.URL
	// MaxResponseBytes refuses larger replies; default 16 MiB.
	MaxResponseBytes int64
	// UserAgent defaults to "scimbridge/<version>".
	UserAgent string
	// SOAPVersion is the envelope version on the wire: SOAP11 ("" too) or SOAP12. With 1.2 the
	// action travels in the content type (application/soap+xml; action="…"), the envelope is in
	// the 1.2 namespace and 1.2 faults (Code/Subcode/Reason/Detail) are read; see docs/wsdl.md.
	SOAPVersion string
	// GowsdlOnly turns the fast request writer and reply reader off (fastencode.go,
	// fastdecode.go): every request and reply goes through gowsdl's encoding/xml, as before they
	// existed. They are held to gowsdl's output by differential tests; this is the operator's way
	// out should an application's messages ever show a difference, without a new release.
	GowsdlOnly bool
	// NetHTTP sends calls through Go's net/http Transport instead of the bridge's own HTTP/1.1
	// client (internal/h1client), which runs each call on the caller's goroutine and costs less
	// CPU per call. A proxy or NTLM always uses net/http's. An escape hatch, off by default.
	NetHTTP bool
	// Middleware wraps every call, first element outermost (see New). It runs inside the
	// resilience guards, once per attempt.
	Middleware []Middleware
	// Session, when set, logs in with a login operation and sends its token with every call
	// (session.go).
	Session *SessionConfig
	// Resilience, when set, puts the guards (metrics, concurrency limits, circuit breaker,
	// per-operation deadline, read retries) around every call; see Resilience. nil: no guards.
	Resilience *Resilience
}

// WSSEConfig is a WS-Security UsernameToken. With Digest the password is sent as
// Base64(SHA-1(nonce + created + password)) with a fresh nonce per call, else as PasswordText.
type WSSEConfig struct {
	Username string
	Password string
	Digest   bool
}

// BasicAuthConfig is HTTP Basic authentication.
type BasicAuthConfig struct {
	Username string
	Password string
}

// The credential types redact their password wherever they are printed or logged, so a config
// dump cannot leak it.

func (c WSSEConfig) String() string {
	return fmt.Sprintf("{Username:%s Password:[REDACTED] Digest:%t}", c.Username, c.Digest)
}
func (c WSSEConfig) GoString() string { return "soapclient.WSSEConfig" + c.String() }
func (c WSSEConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "[REDACTED]"), slog.Bool("digest", c.Digest))
}
func (c BasicAuthConfig) String() string {
	return fmt.Sprintf("{Username:%s Password:[REDACTED]}", c.Username)
}
func (c BasicAuthConfig) GoString() string { return "soapclient.BasicAuthConfig" + c.String() }
func (c BasicAuthConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "[REDACTED]"))
}

func (cfg Config) withDefaults() Config {
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxConcurrency == 0 {
		cfg.MaxConcurrency = DefaultMaxConcurrency
	}
	if cfg.MaxResponseBytes == 0 {
		cfg.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent()
	}
	if cfg.SOAPVersion == "" {
		cfg.SOAPVersion = SOAP11
	}
	return cfg
}

// reservedHeaders are set by the HTTP stack or by this package; a static header must not fight
// them.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Content-Type", reqid.Header}

func (cfg Config) validate() error {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("soapclient: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.Timeout < 0 || cfg.MaxConcurrency < 0 || cfg.MaxResponseBytes < 0 {
		return errors.New("soapclient: Timeout, MaxConcurrency and MaxResponseBytes must not be negative")
	}
	if p := cfg.Proxy; p != nil && ((p.Scheme != "http" && p.Scheme != "https" && p.Scheme != "socks5") || p.Host == "") {
		return fmt.Errorf("soapclient: proxy %q is not an http, https or socks5 URL", p.Redacted())
	}
	if err := validSOAPVersion(cfg.SOAPVersion); err != nil {
		return err
	}
	if cfg.WSSE != nil && cfg.WSSE.Username == "" {
		return errors.New("soapclient: WSSE needs a username")
	}
	if cfg.BasicAuth != nil && cfg.BasicAuth.Username == "" {
		return errors.New("soapclient: BasicAuth needs a username")
	}
	if err := cfg.validateWinAuth(); err != nil {
		return err
	}
	for k, v := range cfg.Headers {
		if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
			return fmt.Errorf("soapclient: invalid static header %q", k)
		}
		for _, r := range reservedHeaders {
			if strings.EqualFold(k, r) {
				return fmt.Errorf("soapclient: static header %q is set by the client itself", k)
			}
		}
	}
	return nil
}

// Invoker calls a backend operation by name. The mapping engine declares the same interface.
type Invoker = guard.Invoker

// InvokerFunc adapts a function to Invoker.
type InvokerFunc = guard.InvokerFunc

// Middleware wraps an Invoker (circuit breaker, bulkhead, retries, metrics, logging).
type Middleware = guard.Middleware

// Client drives one generated SOAP client: Invoke plus the operation catalog. It is safe for
// concurrent use.
type Client struct {
	name      string
	endpoint  string
	timeout   time.Duration
	wsse      *WSSEConfig
	transport *Transport
	reg       *registry
	invoker   Invoker
	guard     *guard.Guard
	session   *session // nil without Config.Session // nil without Config.Resilience
	closed    atomic.Bool
	fast      bool // the fast paths are on (not Config.GowsdlOnly)

	// Seams for golden tests of the digest header; time.Now and crypto/rand otherwise.
	now    func() time.Time
	random io.Reader
}

// New builds the client registered in Clients under name, for cfg.
func New(name string, cfg Config) (*Client, error) {
	gen, ok := Clients[name]
	if !ok {
		return nil, fmt.Errorf("soapclient: unknown client %q (known: %s)", name, strings.Join(slices.Sorted(maps.Keys(Clients)), ", "))
	}
	return NewFromRegistry(name, gen, cfg)
}

// NewFromRegistry builds a client over any registry: a generated one, or one built at start-up
// from a WSDL (package soapclient/wsdlrt). Transport, WS-Security, resilience guards, metrics and
// middleware are the same for both.
func NewFromRegistry(name string, gen *soapreg.Client, cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()

	reg, err := newRegistry(gen)
	if err != nil {
		return nil, fmt.Errorf("soapclient: client %q: %w", name, err)
	}
	var wsse *WSSEConfig
	if cfg.WSSE != nil {
		w := *cfg.WSSE
		wsse = &w
	}
	c := &Client{
		name:      name,
		endpoint:  cfg.Endpoint,
		timeout:   cfg.Timeout,
		fast:      !cfg.GowsdlOnly,
		wsse:      wsse,
		transport: NewTransport(cfg),
		reg:       reg,
		now:       time.Now,
		random:    rand.Reader,
	}

	// Middleware chain, first element outermost. The per-call timeout and the SOAP exchange are
	// the innermost step (call), so that the retry guard gets a fresh timeout per attempt while
	// its own budget comes from the operation's deadline. With cfg.Resilience the guards come
	// first, in this order (defaults and reasons in Resilience's doc):
	//   metrics → limit (reads/writes) → breaker → deadline → retry (reads) → cfg.Middleware → call
	var chain []Middleware
	if cfg.Resilience != nil {
		g, err := guard.New(name, reg.names, *cfg.Resilience, guard.Hooks{Classify: classify})
		if err != nil {
			return nil, fmt.Errorf("soapclient: %w", err)
		}
		c.guard = g
		chain = append(chain, g.Chain()...)
	}
	if cfg.Session != nil {
		s, err := newSession(*cfg.Session, reg)
		if err != nil {
			return nil, err
		}
		c.session = s
		chain = append(chain, s.middleware)
	}
	chain = append(chain, cfg.Middleware...)
	var inv Invoker = InvokerFunc(c.call)
	for i := len(chain) - 1; i >= 0; i-- {
		inv = chain[i](inv)
	}
	c.invoker = inv
	return c, nil
}

// Name returns the client's name in Clients.
func (c *Client) Name() string { return c.name }

// Invoke calls operation op with req, a pointer to its generated request struct, and returns a
// pointer to the generated response struct. Errors: ErrUnknownOperation, ErrRequestType, ErrClosed,
// *Fault, *HTTPStatusError, *RefusedError (guards), *MalformedReplyError (around ErrResponseTooLarge,
// ErrDoctype, XML errors), context errors; all wrapped with the client and operation name, so use
// errors.Is / errors.As.
func (c *Client) Invoke(ctx context.Context, op string, req any) (any, error) {
	resp, err := c.invoker.Invoke(ctx, op, req)
	return resp, ownError(err)
}

// Operations returns the operation names, sorted.
func (c *Client) Operations() []string { return slices.Clone(c.reg.names) }

// Lookup describes operation name.
func (c *Client) Lookup(name string) (OperationInfo, bool) {
	o, ok := c.reg.ops[name]
	return o.OperationInfo, ok
}

// Close releases idle connections; later calls fail with ErrClosed.
func (c *Client) Close() error {
	if c.session != nil && !c.closed.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.session.logout(ctx, InvokerFunc(c.call))
		cancel()
	}
	c.closed.Store(true)
	c.transport.CloseIdleConnections()
	return nil
}

// call is the innermost Invoker: one SOAP exchange through the generated code.
func (c *Client) call(ctx context.Context, op string, req any) (any, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	o, ok := c.reg.ops[op]
	if !ok {
		return nil, fmt.Errorf("%w %q for client %s", ErrUnknownOperation, op, c.name)
	}
	rv := reflect.ValueOf(req)
	want := reflect.PointerTo(o.Request)
	if !rv.IsValid() || rv.Type() != want {
		return nil, fmt.Errorf("%w: %s.%s takes %v, got %T", ErrRequestType, c.name, op, want, req)
	}
	if rv.IsNil() {
		return nil, fmt.Errorf("%w: %s.%s got a nil %v", ErrRequestType, c.name, op, want)
	}

	if dl, ok := ctx.Deadline(); c.timeout > 0 && (!ok || time.Until(dl) > c.timeout) {
		// Only when it is the nearer bound: under the guards' operation timeout it usually is
		// not, and a context that changes nothing still costs a cancel registration per call.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	if _, set := ctx.Value(soapActionKey{}).(string); !set {
		// The action the generated code passes is already the binding's, but an empty one would
		// go out as gowsdl's two apostrophes; the transport sends "" for it.
		ctx = WithSOAPAction(ctx, o.SOAPAction)
	}

	var wsse *wsseSecurity
	if c.wsse != nil {
		h, err := newWSSEHeader(c.wsse, c.now(), c.random)
		if err != nil {
			return nil, err
		}
		wsse = h
	}
	session, hasSession := ctx.Value(sessionHeaderKey{}).(*tokenHeader)
	// The slot tells the transport that this request was built for this call alone, and carries
	// the response type's plan when the fast decoder may read the reply (see fastdecode.go).
	slot := &fastSlot{}
	if c.fast && o.DecodesBody {
		slot.p = planFor(o.Response)
	}
	ctx = context.WithValue(ctx, fastSlotKey{}, slot)

	var resp any
	var err error
	var body []byte
	fast := slot.p != nil && !hasSession
	if fast {
		body, fast = appendEnvelope(nil, req, wsse)
	}
	if fast {
		resp, err = c.exchange(ctx, o, req, body, slot)
	} else {
		// A soap.Client per call: gowsdl keeps SOAP headers on the client, and the digest header
		// must differ per call. It is a small struct; the connections live in the shared transport.
		sc := soap.NewClient(c.endpoint, soap.WithHTTPClient(c.transport))
		if wsse != nil {
			sc.AddHeader(wsse)
		}
		if hasSession {
			sc.AddHeader(session)
		}
		resp, err = o.Call(ctx, sc, req)
		if err == errFastDecoded && slot.v.IsValid() {
			// The transport decoded the reply itself and stopped gowsdl before its own decode.
			return slot.v.Interface(), nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("soapclient: %s.%s: %w", c.name, op, err)
	}
	return resp, nil
}

// exchange sends body, the envelope gowsdl's encoder would have written for req (fastencode.go),
// as gowsdl's call sends it, through the same transport. A reply the fast decoder took is returned
// from the slot; any other reply is handed to gowsdl's own call, as if it had sent the request
// (replayClient), so that what it decodes, and how it fails, is exactly as before.
func (c *Client) exchange(ctx context.Context, o soapreg.Operation, req any, body []byte, slot *fastSlot) (any, error) {
	r, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	// gowsdl's headers; the transport sets SOAPAction, User-Agent and the connection's reuse.
	r.Header["Content-Type"] = []string{`text/xml; charset="utf-8"`}
	resp, err := c.transport.Do(r)
	if err == errFastDecoded && slot.v.IsValid() {
		return slot.v.Interface(), nil
	}
	if err != nil {
		return nil, err
	}
	return o.Call(ctx, soap.NewClient(c.endpoint, soap.WithHTTPClient(replayClient{resp})), req)
}

// replayClient answers gowsdl's request with a reply already received.
type replayClient struct{ resp *http.Response }

func (rc replayClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_ = r.Body.Close()
	}
	return rc.resp, nil
}

// Ping checks that the endpoint answers HTTP at all, for a readiness probe: one GET of the
// endpoint through the client's own transport (same TLS, proxy and connection pool), bypassing the
// guards so that probing neither trips nor resets the breaker. Any answer below 500 counts as
// reachable, since a SOAP endpoint commonly refuses GET with 405 or serves its WSDL; a 5xx, a
// transport error or ctx's deadline does not. The body is discarded (at most 64 KiB read).
func (c *Client) Ping(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	return c.transport.ping(ctx, c.endpoint)
}

// ensure the transport satisfies gowsdl's interface.
var _ soap.HTTPClient = (*Transport)(nil)
