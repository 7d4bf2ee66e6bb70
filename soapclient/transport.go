package soapclient

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/internal/h1client"
	"github.com/scimbridge/scimbridge/internal/reqid"
	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// Transport is the soap.HTTPClient that repairs gowsdl v0.5.0's runtime (see the package doc). It
// is safe for concurrent use; build one per backend and share it between calls, so connections are
// pooled.
type Transport struct {
	client    *http.Client
	maxBody   int64
	userAgent string
	basic     *BasicAuthConfig
	headers   http.Header
	version   string // SOAP11 or SOAP12
	auth      string // the HTTP authentication in use, for errors; "" without one
}

// NewTransport builds the transport from cfg (Endpoint, Timeout, WSSE and Middleware are not used
// here). cfg is expected to have passed validation; New does both.
func NewTransport(cfg Config) *Transport {
	cfg = cfg.withDefaults()
	var tlsCfg = cfg.TLS
	if tlsCfg != nil {
		tlsCfg = tlsCfg.Clone()
	}
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		// No proxy unless configured: a bridge on a server must not pick up a desktop's
		// HTTP(S)_PROXY and send credentials through it unnoticed.
		Proxy:               proxyFunc(cfg.Proxy),
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsCfg,
		TLSHandshakeTimeout: 5 * time.Second,
		// The pool must hold as many idle connections as calls may run at once, or every burst
		// above the default of 2 per host ends in closed and re-dialled connections.
		MaxIdleConns:        cfg.MaxConcurrency,
		MaxIdleConnsPerHost: cfg.MaxConcurrency,
		IdleConnTimeout:     90 * time.Second,
	}
	h := make(http.Header, len(cfg.Headers))
	for k, v := range cfg.Headers {
		h.Set(k, v)
	}
	var rt http.RoundTripper = tr
	if !cfg.NetHTTP && cfg.NTLM == nil {
		// Calls run on the caller's goroutine instead of crossing net/http's connection
		// goroutines (internal/h1client); NTLM keeps net/http's Transport, whose pool its
		// per-connection handshake is built around.
		rt = h1client.For(tr)
	}
	switch {
	case cfg.NTLM != nil:
		rt = newNTLMPool(tr, cfg.MaxConcurrency, *cfg.NTLM)
	case cfg.Kerberos != nil:
		rt = newKerberosTransport(rt, cfg.Endpoint, *cfg.Kerberos)
	}
	return &Transport{
		auth: cfg.authName(),
		client: &http.Client{
			Transport: rt,
			// A redirected POST becomes a GET (301/302) or is replayed to another host; neither
			// is right for SOAP, so a redirect is reported as the HTTPStatusError it is.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			// No Client.Timeout: each call's deadline comes from its context (Config.Timeout).
		},
		maxBody:   cfg.MaxResponseBytes,
		userAgent: cfg.UserAgent,
		basic:     cfg.BasicAuth,
		headers:   h,
		version:   cfg.SOAPVersion,
	}
}

// CloseIdleConnections closes pooled connections; in-flight calls are not affected.
func (t *Transport) CloseIdleConnections() { t.client.CloseIdleConnections() }

// Do sends r and returns a response gowsdl can decode, or a typed error: *Fault, *HTTPStatusError,
// ErrResponseTooLarge, ErrDoctype, or the transport's own error (context deadline, refused
// connection). gowsdl returns Do's error to the caller unchanged.
func (t *Transport) Do(r *http.Request) (*http.Response, error) {
	ctx := r.Context()
	slot, ours := ctx.Value(fastSlotKey{}).(*fastSlot)
	if !ours {
		// The caller's request stays as it was; one gowsdl built for Client.call is not used
		// again, and its copy cost a header map per call.
		r = r.Clone(ctx)
	}
	// gowsdl sets Close on every request, which would dial a new connection per call.
	r.Close = false
	action := r.Header.Get("SOAPAction")
	if a, ok := ctx.Value(soapActionKey{}).(string); ok {
		action = a
	}
	// SOAP 1.1 wants the action as a quoted string (gowsdl sends it bare, and an empty one as
	// the two characters ''); SOAP 1.2 wants it as the content type's action parameter.
	setAction(r, t.version, action)
	if t.version == SOAP12 && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("soapclient: reading request body: %w", err)
		}
		body = rewriteEnvelopeNS(body, nsSOAP11, nsSOAP12)
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	r.Header.Set("User-Agent", t.userAgent)
	if t.basic != nil {
		r.SetBasicAuth(t.basic.Username, t.basic.Password)
	}
	if c, ok := ctx.Value(sessionCookieKey{}).(string); ok {
		r.Header.Add("Cookie", c)
	}
	for k, v := range t.headers {
		r.Header[k] = append([]string(nil), v...)
	}
	if id := reqid.Sanitize(reqid.From(ctx)); id != "" {
		r.Header.Set(reqid.Header, id)
	}

	resp, err := t.client.Do(r)
	if err != nil {
		return nil, err
	}
	resp, err = t.repair(resp, slot)
	if err == nil && slot != nil && slot.v.IsValid() {
		return nil, errFastDecoded
	}
	return resp, err
}

// repair reads the whole (capped) body, so the connection goes back to the pool, and decides what
// gowsdl gets to see.
func (t *Transport) repair(resp *http.Response, slot *fastSlot) (*http.Response, error) {
	defer resp.Body.Close()
	if resp.ContentLength > t.maxBody {
		return nil, fmt.Errorf("%w: Content-Length %d exceeds the limit of %d bytes", ErrResponseTooLarge, resp.ContentLength, t.maxBody)
	}
	body, err := readAll(io.LimitReader(resp.Body, t.maxBody+1), resp.ContentLength)
	if err != nil {
		return nil, &bodyReadError{status: resp.StatusCode, err: err}
	}
	if int64(len(body)) > t.maxBody {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrResponseTooLarge, t.maxBody)
	}

	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	if len(bytes.TrimSpace(body)) == 0 {
		if !success {
			return nil, statusError(resp, body)
		}
		// A one-way or void reply (typically 202 with no body).
		body = emptyEnvelope
		resp.Header.Set("Content-Type", "text/xml; charset=utf-8")
	} else {
		utf8Body, transcoded, err := toUTF8(resp.Header.Get("Content-Type"), body)
		if err != nil {
			if !success {
				return nil, statusError(resp, body)
			}
			return nil, err
		}
		if transcoded {
			body = utf8Body
			resp.Header.Set("Content-Type", "text/xml; charset=utf-8")
		}
		// Most replies are proved fault-free by a byte scan; the tokenizer runs only when it is not
		// sure (see prescan).
		in, sure := prescan(body)
		if !sure {
			in = inspect(body)
		}
		if in.fault != nil {
			// Faults come with 500 (SOAP 1.1 §6.2) or, from lax servers, 200. gowsdl would turn the
			// first into an opaque *soap.HTTPError and the second into a *soap.SOAPFault without
			// detail; both become one typed error here.
			in.fault.HTTPStatus = resp.StatusCode
			return nil, in.fault
		}
		if !success {
			return nil, statusError(resp, body)
		}
		if in.doctype {
			return nil, ErrDoctype
		}
		if in.ns == nsSOAP12 {
			// The decoders are written for SOAP 1.1's envelope; see rewriteEnvelopeNS.
			body = rewriteEnvelopeNS(body, nsSOAP12, nsSOAP11)
		}
		if hasHref(body) {
			// rpc/encoded multi-ref values; see multiref.go.
			if body, err = resolveMultiRefs(body); err != nil {
				return nil, err
			}
		}
		// gowsdl parses Content-Type unconditionally and fails with "mime: no media type".
		if _, valid := xmlcontent.MediaType(resp.Header.Get("Content-Type")); !valid {
			resp.Header.Set("Content-Type", "text/xml; charset=utf-8")
		}
		if slot != nil && slot.p != nil && !isMultipart(resp.Header.Get("Content-Type")) {
			// gowsdl reads a multipart reply with its MTOM decoder; anything else it would decode
			// with encoding/xml into a new response value, which fastDecode does when it can (Do then
			// returns errFastDecoded, which gowsdl hands back unread to Client.call).
			if v, ok := fastDecode(body, slot.p); ok {
				slot.v = v
				fastDecodes.Add(1)
				return nil, nil
			}
		}
	}
	resp.Body = bodyReader{bytes.NewReader(body)}
	resp.ContentLength = int64(len(body))
	resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
	return resp, nil
}

// isMultipart says whether a Content-Type is multipart/*, which gowsdl reads with its MTOM decoder.
func isMultipart(ct string) bool {
	ct = strings.TrimLeft(ct, " \t")
	return len(ct) >= 10 && strings.EqualFold(ct[:10], "multipart/")
}

// maxPresize bounds the buffer readAll allocates up front on the word of a Content-Length header:
// a larger reply grows it as it arrives, so a header alone cannot make the client allocate much.
const maxPresize = 1 << 20

// readAll is io.ReadAll with the buffer sized from the Content-Length (size, -1 when unknown),
// instead of growing from 512 bytes by copying: one allocation for a typical reply. The extra byte
// lets the final read see io.EOF without growing the buffer.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(size, maxPresize)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // let append pick the next capacity, as io.ReadAll does
		}
	}
}

// bodyReadError is a failure to read a reply off the socket: a transport error, even when it is an
// unexpected EOF, which the resilience guards must not mistake for a malformed document.
type bodyReadError struct {
	status int
	err    error
}

func (e *bodyReadError) Error() string {
	return fmt.Sprintf("soapclient: reading response (HTTP %d): %v", e.status, e.err)
}
func (e *bodyReadError) Unwrap() error { return e.err }

// ping GETs endpoint; see Client.Ping.
func (t *Transport) ping(ctx context.Context, endpoint string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, endpoint, nil)
	if err != nil {
		return fmt.Errorf("soapclient: ping: %w", err)
	}
	req.Header.Set("User-Agent", t.userAgent)
	if t.basic != nil {
		req.SetBasicAuth(t.basic.Username, t.basic.Password)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("soapclient: ping: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if t.auth != "" && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%w (%s): the endpoint answered HTTP %d", ErrAuthRefused, t.auth, resp.StatusCode)
	}
	if resp.StatusCode >= 500 {
		return fmt.Errorf("soapclient: ping: endpoint answered HTTP %d", resp.StatusCode)
	}
	return nil
}

func proxyFunc(u *url.URL) func(*http.Request) (*url.URL, error) {
	if u == nil {
		return nil
	}
	return http.ProxyURL(u)
}

func statusError(resp *http.Response, body []byte) *HTTPStatusError {
	return &HTTPStatusError{
		StatusCode: resp.StatusCode,
		RetryAfter: resp.Header.Get("Retry-After"),
		Body:       truncate(string(bytes.ToValidUTF8(body[:min(len(body), maxBodyExcerpt+4)], nil)), maxBodyExcerpt),
	}
}

type soapActionKey struct{}

// WithSOAPAction returns a context that makes the next call send action as its SOAPAction header,
// instead of the one the registry read from the WSDL. For servers that expect a different action
// than their WSDL says; "" sends `""`.
func WithSOAPAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, soapActionKey{}, action)
}

// WithRequestID returns a context whose calls send id as the X-Request-ID header, so one id ties
// the bridge's and the legacy app's logs together. It is the same context key as package
// internal/reqid, which the SCIM front end sets; ids that are not 1–64 characters of
// [A-Za-z0-9._-] are not sent.
func WithRequestID(ctx context.Context, id string) context.Context {
	return reqid.With(ctx, id)
}

// defaultUserAgent is "scimbridge/<module version>", or "scimbridge/dev" for builds from a
// checkout.
func defaultUserAgent() string {
	v := "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v = bi.Main.Version
	}
	return "scimbridge/" + v
}

// bodyReader is a repaired reply's body. It keeps bytes.Reader's ReadByte visible (io.NopCloser
// hides it), so that gowsdl's xml.NewDecoder reads the bytes in place instead of wrapping them in
// a 4 KB bufio.Reader and copying them once more on every call.
type bodyReader struct{ *bytes.Reader }

func (bodyReader) Close() error { return nil }
