package h1client

import (
	"bufio"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Config tunes a Transport. The zero value works: a 5 s dial timeout, 30 s TCP keep-alive, up to
// 2 idle connections per host kept for 90 s, gzip replies decoded.
type Config struct {
	// DialContext opens the TCP connection; nil uses a net.Dialer with a 5 s timeout and 30 s
	// keep-alive, as net/http's default transport does.
	DialContext func(ctx context.Context, network, addr string) (net.Conn, error)
	// TLS configures https connections; nil uses the system roots. ServerName defaults to the
	// URL's host.
	TLS *tls.Config
	// TLSHandshakeTimeout bounds the handshake on top of the request's context; default 5 s.
	TLSHandshakeTimeout time.Duration
	// MaxIdlePerHost is how many idle connections are kept per scheme and host; default 2. Set it
	// to the number of calls that may run at once, or every burst above it re-dials.
	MaxIdlePerHost int
	// IdleTimeout closes a connection left idle this long; default 90 s.
	IdleTimeout time.Duration
	// DisableCompression stops the transport from asking for gzip and decoding gzip replies.
	DisableCompression bool
	// MaxResponseHeaderBytes bounds a reply's status line and headers; default 1 MB.
	MaxResponseHeaderBytes int64
}

// Transport is an http.RoundTripper for HTTP/1.1 over plain TCP or TLS; safe for concurrent use.
type Transport struct {
	cfg   Config
	mu    sync.Mutex
	pools map[poolKey]*pool
}

type poolKey struct{ scheme, host string }

// New returns a Transport for cfg.
func New(cfg Config) *Transport {
	if cfg.DialContext == nil {
		cfg.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	}
	if cfg.TLSHandshakeTimeout <= 0 {
		cfg.TLSHandshakeTimeout = 5 * time.Second
	}
	if cfg.MaxIdlePerHost <= 0 {
		cfg.MaxIdlePerHost = 2
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 90 * time.Second
	}
	if cfg.MaxResponseHeaderBytes <= 0 {
		cfg.MaxResponseHeaderBytes = 1 << 20
	}
	return &Transport{cfg: cfg, pools: make(map[poolKey]*pool)}
}

// maxInformational is how many 1xx replies one request may get before its real reply, as in
// net/http.
const maxInformational = 5

// RoundTrip sends req and reads the reply's status and headers; the body is read from the
// connection as the caller reads resp.Body, and the connection goes back to the pool once the body
// has been read to its end (or is closed if the caller closes the body before that). Errors are
// net/http's where they can be: the context's cause once it is done, the dialer's error, the
// parser's error.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := check(req); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := req.Context()
	p := t.pool(req.URL)
	wire := req
	gz := !t.cfg.DisableCompression && req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && req.Method != http.MethodHead
	if gz {
		// net/http asks for gzip the same way, and hides it from the caller in the same way.
		wire = shallowCopy(req)
		wire.Header = req.Header.Clone()
		if wire.Header == nil {
			wire.Header = make(http.Header, 1)
		}
		wire.Header["Accept-Encoding"] = []string{"gzip"}
	}
	fresh := false
	for {
		c, err := p.get(ctx, fresh)
		if err != nil {
			closeBody(req)
			return nil, ctxErr(ctx, err)
		}
		resp, err := t.exchange(ctx, p, c, wire, gz)
		if err == nil {
			resp.Request = req
			return resp, nil
		}
		// A pooled connection the server closed just before the request went out takes no byte of
		// it; the request is sent once more on a new connection, as net/http does. Once a byte has
		// gone, the server may have acted on it, and a SOAP call is not safe to repeat.
		if !fresh && c.reused && c.out.n == 0 && ctx.Err() == nil && rewindable(wire) {
			if wire.GetBody != nil {
				b, gerr := wire.GetBody()
				if gerr != nil {
					return nil, err
				}
				wire = shallowCopy(wire)
				wire.Body = b
			}
			fresh = true
			continue
		}
		return nil, err
	}
}

// CloseIdleConnections closes the pooled connections; calls in flight keep theirs.
func (t *Transport) CloseIdleConnections() {
	t.mu.Lock()
	pools := make([]*pool, 0, len(t.pools))
	for _, p := range t.pools {
		pools = append(pools, p)
	}
	t.mu.Unlock()
	for _, p := range pools {
		p.closeIdle(func(*conn) bool { return true })
	}
}

// exchange writes req on c and reads the reply's head.
func (t *Transport) exchange(ctx context.Context, p *pool, c *conn, req *http.Request, gz bool) (*http.Response, error) {
	if d, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(d)
		c.hasDeadline = true
	} else if c.hasDeadline {
		c.nc.SetDeadline(time.Time{})
		c.hasDeadline = false
	}
	var stop func() bool
	if ctx.Done() != nil {
		// Cancellation ends a blocked read or write at once, as net/http's does; the connection
		// is then not reused (see body.finish).
		nc := c.nc
		stop = context.AfterFunc(ctx, func() { nc.SetDeadline(aLongTimeAgo) })
	}
	fail := func(err error) (*http.Response, error) {
		if stop != nil {
			stop()
		}
		c.nc.Close()
		return nil, ctxErr(ctx, err)
	}

	c.out.n = 0
	if err := req.Write(c.bw); err != nil {
		return fail(err)
	}
	if err := c.bw.Flush(); err != nil {
		return fail(err)
	}
	var resp *http.Response
	for i := 0; ; i++ {
		c.in.limit = t.cfg.MaxResponseHeaderBytes
		// A connection that ends before the reply's first byte is broken, not a malformed reply:
		// net/http reports the read error (io.EOF, a reset) the same way.
		if _, err := c.br.Peek(1); err != nil {
			return fail(fmt.Errorf("h1client: connection broken before the reply: %w", err))
		}
		var err error
		resp, err = http.ReadResponse(c.br, req)
		c.in.limit = math.MaxInt64
		if err != nil {
			if errors.Is(err, errHeaderLimit) {
				err = fmt.Errorf("h1client: reply headers exceed %d bytes", t.cfg.MaxResponseHeaderBytes)
			}
			return fail(err)
		}
		if resp.StatusCode < 100 || resp.StatusCode > 199 || resp.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		if i == maxInformational {
			return fail(errors.New("h1client: too many 1xx informational replies"))
		}
	}
	b := &body{rc: resp.Body, p: p, c: c, ctx: ctx, stop: stop,
		reusable: !resp.Close && !req.Close && resp.StatusCode != http.StatusSwitchingProtocols}
	if resp.Body == http.NoBody {
		b.finish(true)
		return resp, nil
	}
	resp.Body = b
	if gz && strings.EqualFold(resp.Header.Get("Content-Encoding"), "gzip") {
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
		resp.Body = &gzipBody{body: b}
	}
	return resp, nil
}

// pool returns the pool of u's scheme and host. It is looked up by the URL's host as written, so
// that a call builds no string; "h" and "h:80" get a pool each, which costs only sharing.
func (t *Transport) pool(u *url.URL) *pool {
	k := poolKey{u.Scheme, u.Host}
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pools[k]
	if p == nil {
		p = &pool{t: t, addr: canonicalAddr(u)}
		if k.scheme == "https" {
			p.tls = t.cfg.TLS.Clone()
			if p.tls == nil {
				p.tls = &tls.Config{}
			}
			if p.tls.ServerName == "" {
				p.tls.ServerName = u.Hostname()
			}
			// Only HTTP/1.1 is spoken here; a server offered h2 must not pick it.
			p.tls.NextProtos = nil
		}
		t.pools[k] = p
	}
	return p
}

// ctxErr is the error to report for err, an I/O error of a call under ctx: the context's cause
// once the context is done, as net/http reports it. The connection's deadline is the context's,
// so a read can time out a moment before the context's own timer marks it done; the wait below
// is for that moment only.
func ctxErr(ctx context.Context, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if d, ok := ctx.Deadline(); ok && !time.Now().Before(d) {
			<-ctx.Done()
		}
	}
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return err
}

// aLongTimeAgo is a deadline in the past, which fails blocked reads and writes at once.
var aLongTimeAgo = time.Unix(1, 0)

var errHeaderLimit = errors.New("h1client: header limit")

// check refuses what net/http's Transport would refuse before sending.
func check(req *http.Request) error {
	if req.URL == nil {
		return errors.New("h1client: nil Request.URL")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("h1client: unsupported protocol scheme %q", req.URL.Scheme)
	}
	if req.URL.Host == "" {
		return errors.New("h1client: no Host in request URL")
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return fmt.Errorf("h1client: invalid header field name %q", k)
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return fmt.Errorf("h1client: invalid header field value for %q", k)
			}
		}
	}
	return nil
}

func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

func rewindable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

func shallowCopy(req *http.Request) *http.Request {
	r := new(http.Request)
	*r = *req
	return r
}

// canonicalAddr is the URL's host:port, with the scheme's default port.
func canonicalAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// pool holds the idle connections to one scheme and host, newest last.
type pool struct {
	t    *Transport
	addr string
	tls  *tls.Config

	mu    sync.Mutex
	idle  []*conn
	sweep *time.Timer
}

// get returns an idle connection that is still open, or dials one.
func (p *pool) get(ctx context.Context, fresh bool) (*conn, error) {
	for !fresh {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			break
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if time.Since(c.idleAt) < p.t.cfg.IdleTimeout && c.br.Buffered() == 0 && stillOpen(c.raw) {
			c.reused = true
			return c, nil
		}
		c.nc.Close()
	}
	return p.dial(ctx)
}

func (p *pool) dial(ctx context.Context) (*conn, error) {
	nc, err := p.t.cfg.DialContext(ctx, "tcp", p.addr)
	if err != nil {
		return nil, err
	}
	c := &conn{}
	if sc, ok := nc.(syscall.Conn); ok {
		c.raw, _ = sc.SyscallConn()
	}
	if p.tls != nil {
		hctx, cancel := context.WithTimeout(ctx, p.t.cfg.TLSHandshakeTimeout)
		tc := tls.Client(nc, p.tls)
		err := tc.HandshakeContext(hctx)
		timedOut := hctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil {
			nc.Close()
			if timedOut {
				return nil, errors.New("h1client: TLS handshake timeout")
			}
			return nil, err
		}
		nc = tc
	}
	c.nc = nc
	c.in = connReader{nc: nc, limit: math.MaxInt64}
	c.out = countWriter{w: nc}
	c.br = bufio.NewReaderSize(&c.in, 4096)
	c.bw = bufio.NewWriterSize(&c.out, 4096)
	return c, nil
}

// put keeps c for the next call, or closes it when the pool is full.
func (p *pool) put(c *conn) {
	c.idleAt = time.Now()
	p.mu.Lock()
	if len(p.idle) >= p.t.cfg.MaxIdlePerHost {
		p.mu.Unlock()
		c.nc.Close()
		return
	}
	p.idle = append(p.idle, c)
	if p.sweep == nil {
		p.sweep = time.AfterFunc(p.t.cfg.IdleTimeout, p.sweepIdle)
	}
	p.mu.Unlock()
}

// sweepIdle closes connections idle for longer than the idle timeout, so that a quiet bridge
// does not hold sockets the server has long given up on.
func (p *pool) sweepIdle() {
	timeout := p.t.cfg.IdleTimeout
	p.closeIdle(func(c *conn) bool { return time.Since(c.idleAt) >= timeout })
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sweep = nil
	if len(p.idle) > 0 {
		p.sweep = time.AfterFunc(timeout-time.Since(p.idle[0].idleAt), p.sweepIdle)
	}
}

// closeIdle closes the idle connections drop picks.
func (p *pool) closeIdle(drop func(*conn) bool) {
	var gone []*conn
	p.mu.Lock()
	kept := p.idle[:0]
	for _, c := range p.idle {
		if drop(c) {
			gone = append(gone, c)
		} else {
			kept = append(kept, c)
		}
	}
	clear(p.idle[len(kept):])
	p.idle = kept
	p.mu.Unlock()
	for _, c := range gone {
		c.nc.Close()
	}
}

// conn is one keep-alive connection.
type conn struct {
	nc          net.Conn        // what is read and written: the TCP or TLS connection
	raw         syscall.RawConn // the TCP socket, for stillOpen; nil when not available
	in          connReader
	out         countWriter
	br          *bufio.Reader
	bw          *bufio.Writer
	idleAt      time.Time
	reused      bool
	hasDeadline bool
}

// connReader stops a reply's head from growing without bound, as net/http's read limit does.
type connReader struct {
	nc    net.Conn
	limit int64
}

func (r *connReader) Read(p []byte) (int, error) {
	if r.limit <= 0 {
		return 0, errHeaderLimit
	}
	if int64(len(p)) > r.limit {
		p = p[:r.limit]
	}
	n, err := r.nc.Read(p)
	r.limit -= int64(n)
	return n, err
}

// countWriter counts the bytes that reached the connection, for the retry in RoundTrip.
type countWriter struct {
	w io.Writer
	n int64
}

func (w *countWriter) Write(p []byte) (int, error) {
	n, err := w.w.Write(p)
	w.n += int64(n)
	return n, err
}

// body is a reply's body; it hands the connection back when the body has been read to its end.
// Like net/http's, it must not be read from two goroutines at once.
type body struct {
	rc       io.ReadCloser
	p        *pool
	c        *conn
	ctx      context.Context
	stop     func() bool
	reusable bool
	done     bool
	err      error
}

func (b *body) Read(p []byte) (int, error) {
	if b.done {
		if b.err != nil {
			return 0, b.err
		}
		return 0, io.EOF
	}
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.finish(true)
	case err != nil:
		err = ctxErr(b.ctx, err)
		b.err = err
		b.finish(false)
	}
	return n, err
}

func (b *body) Close() error {
	if !b.done {
		b.err = errors.New("h1client: read on closed response body")
		b.finish(false)
	}
	return nil
}

// finish ends the exchange: the connection goes back to the pool when the reply was read to its
// end, nothing follows it, and the call was not cancelled on the way; otherwise it is closed.
func (b *body) finish(atEOF bool) {
	b.done = true
	keep := atEOF && b.reusable && b.c.br.Buffered() == 0
	if b.stop != nil && !b.stop() {
		keep = false // the cancellation fired and spoiled the connection's deadline
	}
	if keep {
		b.p.put(b.c)
	} else {
		b.c.nc.Close()
	}
}

// gzipBody decodes a gzip reply as it is read, as net/http does when it asked for gzip itself.
type gzipBody struct {
	body *body
	zr   *gzip.Reader
	err  error
}

func (g *gzipBody) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.zr == nil {
		zr, err := gzip.NewReader(g.body)
		if err != nil {
			g.err = err
			return 0, err
		}
		g.zr = zr
	}
	n, err := g.zr.Read(p)
	if err == io.EOF && !g.body.done {
		// The stream ended; read the (normally empty) rest so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(g.body, 4096))
	}
	if err != nil {
		g.err = err
	}
	return n, err
}

func (g *gzipBody) Close() error { return g.body.Close() }

// For returns the RoundTripper to send std's calls through: a Transport with std's dialer, TLS
// settings, idle pool, compression and header limit, or std itself where this package cannot stand
// in for it (a proxy, which it does not speak; HTTP/2 asked for; dial hooks it has no place for; a
// platform without the idle-connection check).
func For(std *http.Transport) http.RoundTripper {
	if !Supported || std.Proxy != nil || std.OnProxyConnectResponse != nil || std.ForceAttemptHTTP2 ||
		std.DialTLSContext != nil || std.DialTLS != nil || std.Dial != nil || std.DisableKeepAlives ||
		std.TLSNextProto != nil || std.ResponseHeaderTimeout > 0 || std.ExpectContinueTimeout > 0 ||
		std.MaxConnsPerHost > 0 {
		return std
	}
	idle := std.MaxIdleConnsPerHost
	if idle <= 0 {
		idle = http.DefaultMaxIdleConnsPerHost
	}
	return New(Config{
		DialContext:            std.DialContext,
		TLS:                    std.TLSClientConfig,
		TLSHandshakeTimeout:    std.TLSHandshakeTimeout,
		MaxIdlePerHost:         idle,
		IdleTimeout:            std.IdleConnTimeout,
		DisableCompression:     std.DisableCompression,
		MaxResponseHeaderBytes: std.MaxResponseHeaderBytes,
	})
}
