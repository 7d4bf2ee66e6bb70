package restclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/http/httpguts"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/scimbridge/scimbridge/internal/guard"
	"github.com/scimbridge/scimbridge/internal/h1client"
	"github.com/scimbridge/scimbridge/internal/reqid"
	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout          = 20 * time.Second
	DefaultMaxConcurrency   = 16
	DefaultMaxResponseBytes = 16 << 20
)

// Config configures one REST client. Only Endpoint is required.
type Config struct {
	// Endpoint is the base URL the operations' paths are appended to
	// (https://redmine.example.com or https://api.example.com/v2).
	Endpoint string
	// Timeout bounds each HTTP exchange, on top of the caller's context; default 20s.
	Timeout time.Duration
	// MaxConcurrency sizes the pool of idle connections; default 16.
	MaxConcurrency int
	// Headers are static headers sent with every call: an API key (X-Redmine-API-Key,
	// X-API-Key) goes here.
	Headers map[string]string
	// Basic, Bearer and OAuth2 are the other credentials; at most one of them.
	Basic  *BasicAuth
	Bearer string
	OAuth2 *OAuth2
	// TLS configures https endpoints: a private CA, a client certificate (mTLS).
	TLS *tls.Config
	// Proxy sends every call through this proxy; nil means none, whatever HTTPS_PROXY says.
	Proxy *url.URL
	// NetHTTP sends calls through Go's net/http Transport instead of the bridge's own HTTP/1.1
	// client (internal/h1client); a proxy always uses net/http's. An escape hatch, off by default.
	NetHTTP bool
	// MaxResponseBytes refuses larger replies; default 16 MiB.
	MaxResponseBytes int64
	// UserAgent defaults to "scimbridge/<version>".
	UserAgent string
	// Resilience, when set, puts the guards of internal/guard around every call (metrics,
	// limits, breaker, deadline, retries of GET and HEAD only). nil: no guards.
	Resilience *guard.Config
	// Registerer receives the metrics when Resilience is set (Resilience.Registerer wins).
	Registerer prometheus.Registerer
}

// BasicAuth is HTTP Basic authentication. Its password never appears when printed or logged.
type BasicAuth struct {
	Username, Password string
}

func (c BasicAuth) String() string {
	return fmt.Sprintf("{Username:%s Password:[REDACTED]}", c.Username)
}
func (c BasicAuth) GoString() string { return "restclient.BasicAuth" + c.String() }
func (c BasicAuth) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "[REDACTED]"))
}

// OAuth2 is the client-credentials grant (RFC 6749 §4.4): a token is fetched from TokenURL,
// cached until shortly before it expires, and sent as a bearer token. The secret never appears
// when printed or logged.
type OAuth2 struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	// Params are extra form values of the token request (audience, resource).
	Params map[string]string
}

func (o OAuth2) String() string {
	return fmt.Sprintf("{TokenURL:%s ClientID:%s ClientSecret:[REDACTED] Scopes:%v}", o.TokenURL, o.ClientID, o.Scopes)
}
func (o OAuth2) GoString() string { return "restclient.OAuth2" + o.String() }
func (o OAuth2) LogValue() slog.Value {
	return slog.GroupValue(slog.String("tokenURL", o.TokenURL), slog.String("clientID", o.ClientID), slog.String("clientSecret", "[REDACTED]"))
}

// reservedHeaders are set by the HTTP stack or by this package.
var reservedHeaders = []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Content-Type", reqid.Header}

func (cfg Config) validate() error {
	u, err := url.Parse(cfg.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("restclient: endpoint %q is not an http(s) URL", cfg.Endpoint)
	}
	if cfg.Timeout < 0 || cfg.MaxConcurrency < 0 || cfg.MaxResponseBytes < 0 {
		return errors.New("restclient: Timeout, MaxConcurrency and MaxResponseBytes must not be negative")
	}
	n := 0
	for _, set := range []bool{cfg.Basic != nil, cfg.Bearer != "", cfg.OAuth2 != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("restclient: give at most one of Basic, Bearer and OAuth2")
	}
	if cfg.Basic != nil && cfg.Basic.Username == "" {
		return errors.New("restclient: Basic needs a username")
	}
	if o := cfg.OAuth2; o != nil {
		tu, err := url.Parse(o.TokenURL)
		if err != nil || (tu.Scheme != "http" && tu.Scheme != "https") || tu.Host == "" || o.ClientID == "" {
			return errors.New("restclient: OAuth2 needs an http(s) TokenURL and a ClientID")
		}
	}
	for k, v := range cfg.Headers {
		if !httpguts.ValidHeaderFieldName(k) || !httpguts.ValidHeaderFieldValue(v) {
			return fmt.Errorf("restclient: invalid static header %q", k)
		}
		for _, r := range reservedHeaders {
			if strings.EqualFold(k, r) {
				return fmt.Errorf("restclient: static header %q is set by the client itself", k)
			}
		}
	}
	return nil
}

// Client calls the operations of one Definition over HTTP. It is safe for concurrent use.
type Client struct {
	name     string
	def      *Definition
	base     *url.URL
	timeout  time.Duration
	maxBody  int64
	ua       string
	headers  http.Header
	basic    *BasicAuth
	bearer   string
	tokens   oauth2.TokenSource
	http     *http.Client
	guard    *guard.Guard
	invoker  guard.Invoker
	closed   atomic.Bool
	idleConn func()
}

// New builds a client named name (the breaker and metrics label) serving def.
func New(name string, def *Definition, cfg Config) (*Client, error) {
	if def == nil || len(def.names) == 0 {
		return nil, errors.New("restclient: the definition declares no operations")
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
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
	base, _ := url.Parse(strings.TrimRight(cfg.Endpoint, "/"))
	var tlsCfg *tls.Config
	if cfg.TLS != nil {
		tlsCfg = cfg.TLS.Clone()
	}
	var proxy func(*http.Request) (*url.URL, error)
	if cfg.Proxy != nil {
		proxy = http.ProxyURL(cfg.Proxy)
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               proxy,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: 5 * time.Second,
		MaxIdleConns:        cfg.MaxConcurrency,
		MaxIdleConnsPerHost: cfg.MaxConcurrency,
		IdleConnTimeout:     90 * time.Second,
	}
	var rt http.RoundTripper = tr
	if !cfg.NetHTTP {
		// Calls run on the caller's goroutine instead of crossing net/http's connection
		// goroutines (internal/h1client); with a proxy, For keeps net/http's Transport.
		rt = h1client.For(tr)
	}
	idle := rt.(interface{ CloseIdleConnections() })
	c := &Client{
		name: name, def: def, base: base, timeout: cfg.Timeout, maxBody: cfg.MaxResponseBytes, ua: cfg.UserAgent,
		headers: make(http.Header, len(cfg.Headers)), basic: cfg.Basic, bearer: cfg.Bearer,
		http: &http.Client{
			Transport: rt,
			// A redirected write would be replayed (or turned into a GET); a redirect is reported
			// as the HTTPStatusError it is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		idleConn: idle.CloseIdleConnections,
	}
	for k, v := range cfg.Headers {
		c.headers.Set(k, v)
	}
	if o := cfg.OAuth2; o != nil {
		cc := clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL, Scopes: o.Scopes}
		if len(o.Params) > 0 {
			cc.EndpointParams = url.Values{}
			for k, v := range o.Params {
				cc.EndpointParams.Set(k, v)
			}
		}
		// The token endpoint is reached through the same transport (TLS, proxy) as the API,
		// with the per-call timeout.
		tokCtx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Transport: rt, Timeout: cfg.Timeout})
		c.tokens = oauth2.ReuseTokenSource(nil, cc.TokenSource(tokCtx))
	}
	var chain []guard.Middleware
	if cfg.Resilience != nil {
		r := *cfg.Resilience
		if r.Registerer == nil {
			r.Registerer = cfg.Registerer
		}
		g, err := guard.New(name, def.names, r, guard.Hooks{Classify: classify, IsRead: c.isReadMethod})
		if err != nil {
			return nil, fmt.Errorf("restclient: %w", err)
		}
		c.guard = g
		chain = g.Chain()
	}
	var inv guard.Invoker = guard.InvokerFunc(c.call)
	for i := len(chain) - 1; i >= 0; i-- {
		inv = chain[i](inv)
	}
	c.invoker = inv
	return c, nil
}

// isReadMethod: GET and HEAD are reads (retried, read limit); every other method is a write and
// is never sent twice by the bridge.
func (c *Client) isReadMethod(op string) bool {
	o, ok := c.def.ops[op]
	return ok && (o.Method == http.MethodGet || o.Method == http.MethodHead)
}

// Name returns the client's name.
func (c *Client) Name() string { return c.name }

// Definition returns the catalog the client serves.
func (c *Client) Definition() *Definition { return c.def }

// Invoke calls operation op with req, a pointer to its request struct, and returns a pointer to
// its response struct. Errors: *Fault (a 4xx answer), *HTTPStatusError, *MalformedError,
// ErrResponseTooLarge, ErrBadRequest, ErrUnknownOperation, ErrRequestType, ErrClosed, context
// and transport errors, wrapped with the operation's name.
func (c *Client) Invoke(ctx context.Context, op string, req any) (any, error) {
	return c.invoker.Invoke(ctx, op, req)
}

// BreakerState reports the circuit breaker's state (see guard.Guard.BreakerState).
func (c *Client) BreakerState() (string, time.Duration) { return c.guard.BreakerState() }

// JudgeFaults lets the mapping engine say which faults count towards the circuit breaker
// (mapping.FaultJudging); see guard.Guard.JudgeFaults. Without resilience it does nothing.
func (c *Client) JudgeFaults(judge func(err error) (counts, ok bool)) { c.guard.JudgeFaults(judge) }

// IsRead reports whether op is a read (GET or HEAD) unless the resilience settings list reads.
func (c *Client) IsRead(op string) bool {
	if c.guard == nil {
		return c.isReadMethod(op)
	}
	return c.guard.IsRead(op)
}

// Close releases idle connections; later calls fail with ErrClosed.
func (c *Client) Close() error {
	c.closed.Store(true)
	c.idleConn()
	return nil
}

// Ping checks that the endpoint answers HTTP, for a readiness probe: one GET of the base URL,
// outside the guards. Any answer below 500 counts (an API root commonly answers 401 or 404).
func (c *Client) Ping(ctx context.Context) error {
	if c.closed.Load() {
		return ErrClosed
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base.String()+"/", nil)
	if err != nil {
		return fmt.Errorf("restclient: ping: %w", err)
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("restclient: ping: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 500 {
		return fmt.Errorf("restclient: ping: endpoint answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// call is the innermost Invoker: one operation, which is one HTTP exchange, or one per page for
// an operation with Follow.
func (c *Client) call(ctx context.Context, op string, req any) (any, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	o, ok := c.def.ops[op]
	if !ok {
		return nil, fmt.Errorf("%w %q for client %s", ErrUnknownOperation, op, c.name)
	}
	rv := reflect.ValueOf(req)
	if !rv.IsValid() || rv.Type() != reflect.PointerTo(o.Request) || rv.IsNil() {
		return nil, fmt.Errorf("%w: %s.%s takes a pointer to its request struct, got %T", ErrRequestType, c.name, op, req)
	}
	hr, err := c.build(ctx, o, rv.Elem())
	if err != nil {
		return nil, fmt.Errorf("restclient: %s.%s: %w", c.name, op, err)
	}
	resp, h, err := c.exchange(ctx, o, hr)
	if err == nil && o.Follow != nil {
		resp, err = c.follow(ctx, o, hr, resp, h)
	}
	if err != nil {
		return nil, fmt.Errorf("restclient: %s.%s: %w", c.name, op, err)
	}
	return resp.Interface(), nil
}

// build makes the HTTP request of one call: path parameters escaped into the template, query
// and header parameters that are set, the JSON or XML body.
func (c *Client) build(ctx context.Context, o *Operation, req reflect.Value) (*http.Request, error) {
	path, fixedQuery, _ := strings.Cut(o.Path, "?")
	q, err := url.ParseQuery(fixedQuery)
	if err != nil {
		return nil, fmt.Errorf("%w: the path's query: %v", ErrBadRequest, err)
	}
	h := http.Header{}
	for _, p := range o.params {
		f := req.Field(p.field)
		switch p.in {
		case "path":
			v := f.String()
			if v == "" || v == "." || v == ".." {
				// Empty, it would address the collection; a dot segment, another resource.
				return nil, fmt.Errorf("%w: path parameter %s is %q", ErrBadRequest, p.name, v)
			}
			path = strings.ReplaceAll(path, "{"+p.name+"}", url.PathEscape(v))
		case "query":
			for _, s := range paramValues(f) {
				q.Add(p.name, s)
			}
		case "header":
			if vs := paramValues(f); len(vs) > 0 {
				if strings.ContainsAny(vs[0], "\r\n\x00") {
					return nil, fmt.Errorf("%w: header %s holds a line break", ErrBadRequest, p.name)
				}
				h.Set(p.name, vs[0])
			}
		}
	}
	u := *c.base
	raw := c.base.EscapedPath() + path
	if u.Path, err = url.PathUnescape(raw); err != nil {
		return nil, fmt.Errorf("%w: path %q: %v", ErrBadRequest, raw, err)
	}
	u.RawPath = raw
	u.RawQuery = q.Encode()
	var body io.Reader
	if o.body >= 0 {
		b := req.Field(o.body)
		data := []byte("{}")
		switch {
		case o.XML != nil:
			if data, err = encodeXML(o.XML, b); err != nil {
				return nil, fmt.Errorf("%w: body: %v", ErrBadRequest, err)
			}
		case !b.IsNil():
			if data, err = json.Marshal(b.Interface()); err != nil {
				return nil, fmt.Errorf("%w: body: %v", ErrBadRequest, err)
			}
		}
		body = bytes.NewReader(data)
	}
	hr, err := http.NewRequestWithContext(ctx, o.Method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadRequest, err)
	}
	for k, v := range h {
		hr.Header[k] = v
	}
	switch {
	case body != nil && o.XML != nil:
		hr.Header.Set("Content-Type", "application/xml; charset=utf-8")
	case body != nil:
		hr.Header.Set("Content-Type", "application/json")
	}
	return hr, nil
}

// paramValues renders a parameter field: nothing when unset (a nil pointer, an empty list).
func paramValues(f reflect.Value) []string {
	if f.Kind() == reflect.Slice {
		out := make([]string, 0, f.Len())
		for i := 0; i < f.Len(); i++ {
			out = append(out, scalarText(f.Index(i)))
		}
		return out
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	return []string{scalarText(f)}
}

func scalarText(v reflect.Value) string {
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// exchange sends one request (with the credentials and the request id) and reads the reply
// into the operation's response type.
func (c *Client) exchange(ctx context.Context, o *Operation, hr *http.Request) (reflect.Value, http.Header, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	hr = hr.Clone(ctx)
	if hr.GetBody != nil {
		b, err := hr.GetBody()
		if err != nil {
			return reflect.Value{}, nil, err
		}
		hr.Body = b
	}
	for k, v := range c.headers {
		hr.Header[k] = v
	}
	hr.Header.Set("User-Agent", c.ua)
	if o.XML != nil {
		hr.Header.Set("Accept", "application/xml, text/xml;q=0.9")
	} else {
		hr.Header.Set("Accept", "application/json")
	}
	switch {
	case c.basic != nil:
		hr.SetBasicAuth(c.basic.Username, c.basic.Password)
	case c.bearer != "":
		hr.Header.Set("Authorization", "Bearer "+c.bearer)
	case c.tokens != nil:
		tok, err := c.tokens.Token()
		if err != nil {
			return reflect.Value{}, nil, tokenError(err)
		}
		tok.SetAuthHeader(hr)
	}
	if id := reqid.Sanitize(reqid.From(ctx)); id != "" {
		hr.Header.Set(reqid.Header, id)
	}
	resp, err := c.http.Do(hr)
	if err != nil {
		return reflect.Value{}, nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.maxBody {
		return reflect.Value{}, nil, &MalformedError{Status: resp.StatusCode,
			Err: fmt.Errorf("%w: Content-Length %d exceeds the limit of %d bytes", ErrResponseTooLarge, resp.ContentLength, c.maxBody)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return reflect.Value{}, nil, &bodyReadError{status: resp.StatusCode, err: err}
	}
	if int64(len(body)) > c.maxBody {
		return reflect.Value{}, nil, &MalformedError{Status: resp.StatusCode, Err: fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, c.maxBody)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return reflect.Value{}, nil, statusError(resp, body, c.def)
	}
	out, err := decodeResponse(o, resp.Header, body)
	if err != nil {
		return reflect.Value{}, nil, &MalformedError{Status: resp.StatusCode, Err: err}
	}
	return out, resp.Header, nil
}

// decodeResponse reads a 2xx reply into a new response struct. An empty body (204) is an empty
// response; anything but JSON (XML for an XML operation) where the operation declares a
// response is malformed.
func decodeResponse(o *Operation, h http.Header, body []byte) (reflect.Value, error) {
	out := reflect.New(o.Response)
	for _, p := range o.respHeaders {
		v := h.Get(p.name)
		if v == "" {
			continue
		}
		f := out.Elem().FieldByName("Header").Field(p.field)
		pv, err := parseScalar(p.kind, v)
		if err != nil {
			return out, fmt.Errorf("header %s: %v", p.name, err)
		}
		ptr := reflect.New(f.Type().Elem())
		ptr.Elem().Set(reflect.ValueOf(pv).Convert(f.Type().Elem()))
		f.Set(ptr)
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 || o.Response.NumField() == 0 || (o.Response.NumField() == 1 && len(o.respHeaders) > 0) {
		return out, nil
	}
	dst := out.Interface()
	if o.respField != "" {
		dst = out.Elem().FieldByName(o.respField).Addr().Interface()
	}
	if o.XML != nil {
		// Legacy servers answer ISO-8859-1 or windows-1252 too; encoding/xml reads UTF-8 only.
		utf8Body, _, err := xmlcontent.ToUTF8(h.Get("Content-Type"), body)
		if err != nil {
			return out, err
		}
		return out, decodeXML(o.XML, utf8Body, dst)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return out, fmt.Errorf("not JSON: %w", err)
		}
		return out, err
	}
	return out, nil
}

func parseScalar(kind, s string) (any, error) {
	switch kind {
	case "int":
		return strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	case "number":
		return strconv.ParseFloat(strings.TrimSpace(s), 64)
	case "bool":
		return strconv.ParseBool(strings.TrimSpace(s))
	case "time":
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t, nil
		}
		return http.ParseTime(s)
	}
	return s, nil
}

// bodyReadError is a failure to read a reply off the socket: a transport error.
type bodyReadError struct {
	status int
	err    error
}

func (e *bodyReadError) Error() string {
	return fmt.Sprintf("reading response (HTTP %d): %v", e.status, e.err)
}
func (e *bodyReadError) Unwrap() error { return e.err }

// classify names a call's outcome for the guards' metrics and breaker.
func classify(err error) string {
	var (
		f  *Fault
		he *HTTPStatusError
		me *MalformedError
	)
	switch {
	case err == nil:
		return guard.OutcomeSuccess
	case errors.Is(err, guard.ErrBreakerOpen), errors.Is(err, guard.ErrLimitReached):
		return guard.OutcomeRejected
	case errors.As(err, &f):
		return guard.OutcomeFault
	case errors.As(err, &he):
		return guard.OutcomeHTTPError
	case errors.Is(err, context.Canceled):
		return guard.OutcomeCanceled
	case errors.Is(err, context.DeadlineExceeded):
		return guard.OutcomeTimeout
	case errors.Is(err, ErrUnknownOperation), errors.Is(err, ErrRequestType), errors.Is(err, ErrClosed), errors.Is(err, ErrBadRequest):
		return guard.OutcomeInvalid
	case errors.As(err, &me), errors.Is(err, ErrResponseTooLarge):
		return guard.OutcomeMalformed
	}
	return guard.OutcomeTransportError
}

func defaultUserAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "scimbridge/" + v
}
