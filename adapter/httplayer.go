package adapter

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scim20"
)

// Codes of the answers the HTTP layer decides before any handler runs.
const (
	codeBadHTTP        = "SB-BAD-HTTP"
	codeHeadersTooBig  = "SB-HEADERS-TOO-LARGE"
	codeNotHTTPS       = "SB-NOT-HTTPS"
	maxRequestLineSeen = 512 // bytes of a request line kept to pick the dialect of an error
)

// net/http writes its own answer to a request it cannot parse (a bad percent-escape, a header
// block over MaxHeaderBytes, a malformed request line or header, an unknown Transfer-Encoding)
// straight to the connection, in one write of exactly this shape, before any handler could run
// (docs/security.md#http-layer-errors). A handler's answer never starts so: net/http adds Date
// to it, and the front end never answers text/plain.
var (
	preHandlerStatusPrefix = []byte("HTTP/1.1 ")
	preHandlerHeaders      = []byte("\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n")
)

// ListenerOptions configures GuardListener.
type ListenerOptions struct {
	// TLS, when set, terminates TLS on each accepted connection before the guard, so that the guard
	// sees the plaintext HTTP (serve the listener with http.Server.Serve, not ServeTLS, and set
	// http.Server.ConnContext to ConnContext so that requests keep their r.TLS).
	TLS *tls.Config
	// MaxHeaderBytes is the server's limit, named in the 431 answer; 0 means net/http's default.
	MaxHeaderBytes int
	// Logger receives one warning per refused request and TLS handshake failure; nil discards.
	Logger *slog.Logger
}

// GuardListener wraps ln so that every answer the HTTP layer writes itself reaches the client as
// a SCIM error in the request's dialect (same status, Connection: close) instead of Go's plain
// text. A request whose path starts with /scim/v2 gets the SCIM 2.0 shape; any other path the
// 1.1 shape the agent parses; a request line too broken to show a path the 2.0 shape, the
// standard one (RFC 7644 §3.12) a generic client can read, since the agent never sends such a
// line.
func GuardListener(ln net.Listener, opts ListenerOptions) net.Listener {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxHeaderBytes <= 0 {
		opts.MaxHeaderBytes = http.DefaultMaxHeaderBytes
	}
	return &guardListener{Listener: ln, opts: opts}
}

type guardListener struct {
	net.Listener
	opts ListenerOptions
}

func (l *guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	g := &guardConn{Conn: c, raw: c, opts: &l.opts, collecting: true}
	if l.opts.TLS != nil {
		// The TLS layer reads through a recorder, so that plain HTTP sent to this port can be
		// answered in the dialect of its path: the TLS code consumes those bytes itself.
		g.first = &firstBytes{Conn: c}
		g.tls = tls.Server(g.first, l.opts.TLS)
		g.Conn = g.tls
	}
	return g, nil
}

// firstBytes keeps the first bytes read from a connection (up to maxRequestLineSeen), until
// stopped: what a client sent before the TLS handshake failed.
type firstBytes struct {
	net.Conn
	done atomic.Bool // the handshake is over: reads pass straight through
	mu   sync.Mutex
	buf  []byte
}

func (f *firstBytes) Read(p []byte) (int, error) {
	n, err := f.Conn.Read(p)
	if n > 0 && !f.done.Load() {
		f.mu.Lock()
		if !f.done.Load() {
			if room := maxRequestLineSeen - len(f.buf); room > 0 {
				f.buf = append(f.buf, p[:min(n, room)]...)
			}
		}
		f.mu.Unlock()
	}
	return n, err
}

// stop ends the recording (the handshake is over) and returns what was kept.
func (f *firstBytes) stop() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.done.Store(true)
	b := f.buf
	f.buf = nil
	return b
}

// guardConn is one accepted connection: it remembers the start of the request line being read
// (for the dialect) and rewrites a pre-handler error write. With TLS it sits over the TLS
// connection and performs the handshake on the first read, as net/http would.
type guardConn struct {
	net.Conn
	raw   net.Conn
	tls   *tls.Conn
	first *firstBytes // with TLS: the bytes read before the handshake ended
	opts  *ListenerOptions

	hsOnce sync.Once
	hsErr  error

	mu         sync.Mutex
	line       []byte // the start of the current request line
	collecting bool   // the request line is not complete yet
	readDL     time.Time
}

// errHandshakeFailed ends a connection whose TLS handshake failed; net/http treats io.EOF as a
// client that went away and writes nothing more.
var errHandshakeFailed = io.EOF

func (g *guardConn) handshake() error {
	g.hsOnce.Do(func() {
		g.mu.Lock()
		dl := g.readDL
		g.mu.Unlock()
		// net/http bounds the read of the request (ReadHeaderTimeout) with the read deadline it
		// set before this first read; the handshake shares it, writes included.
		_ = g.raw.SetWriteDeadline(dl)
		err := g.tls.HandshakeContext(context.Background())
		_ = g.raw.SetWriteDeadline(time.Time{})
		sent := g.first.stop()
		if err == nil {
			return
		}
		reason := err.Error()
		var re tls.RecordHeaderError
		if errors.As(err, &re) && re.Conn != nil && looksLikeHTTP(re.RecordHeader[:]) {
			// Plain HTTP on the TLS port: answer in clear, as net/http does, but as SCIM.
			reason = "client sent an HTTP request to an HTTPS server"
			line, _, _ := bytes.Cut(sent, []byte("\n"))
			_, _ = re.Conn.Write(errorResponse(http.StatusBadRequest, dialectOfLine(line), codeNotHTTPS,
				"The connector serves HTTPS on this port; send the request with https://."))
			_ = re.Conn.Close()
		}
		g.opts.Logger.Warn("TLS handshake failed", "client", g.raw.RemoteAddr().String(), "error", reason)
		g.hsErr = errHandshakeFailed
	})
	return g.hsErr
}

// looksLikeHTTP says whether the first five bytes of a TLS record are an HTTP method instead.
func looksLikeHTTP(h []byte) bool {
	for _, m := range []string{"GET /", "HEAD ", "POST ", "PUT /", "OPTIO", "PATCH", "DELET"} {
		if string(h) == m {
			return true
		}
	}
	return false
}

func (g *guardConn) SetReadDeadline(t time.Time) error {
	g.mu.Lock()
	g.readDL = t
	g.mu.Unlock()
	return g.Conn.SetReadDeadline(t)
}

func (g *guardConn) SetDeadline(t time.Time) error {
	g.mu.Lock()
	g.readDL = t
	g.mu.Unlock()
	return g.Conn.SetDeadline(t)
}

func (g *guardConn) Read(p []byte) (int, error) {
	if g.tls != nil {
		if err := g.handshake(); err != nil {
			return 0, err
		}
	}
	n, err := g.Conn.Read(p)
	if n > 0 {
		g.mu.Lock()
		if g.collecting {
			g.noteLine(p[:n])
		}
		g.mu.Unlock()
	}
	return n, err
}

// noteLine keeps the first bytes of the request line; blank lines before it are skipped.
func (g *guardConn) noteLine(b []byte) {
	if len(g.line) == 0 {
		b = bytes.TrimLeft(b, "\r\n")
	}
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
		g.collecting = false
	}
	if room := maxRequestLineSeen - len(g.line); len(b) > room {
		b = b[:room]
		g.collecting = false
	}
	g.line = append(g.line, b...)
}

func (g *guardConn) Write(p []byte) (int, error) {
	if status, detail, ok := parsePreHandlerError(p); ok {
		g.mu.Lock()
		d := dialectOfLine(g.line)
		// The query is left out of the log: a client may carry a secret there.
		line, _, _ := strings.Cut(strings.TrimSuffix(string(g.line), "\r"), "?")
		line = sanitizeDetail(line, 120)
		g.mu.Unlock()
		code, msg := preHandlerAnswer(status, detail, g.opts.MaxHeaderBytes)
		g.opts.Logger.Warn("request refused by the HTTP layer", "client", g.raw.RemoteAddr().String(),
			"status", status, "error_code", code, "detail", detail, "request_line", line)
		if _, err := g.Conn.Write(errorResponse(status, d, code, msg)); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	// An answer is going out: what is read next starts a new request.
	g.mu.Lock()
	g.collecting, g.line = true, g.line[:0]
	g.mu.Unlock()
	return g.Conn.Write(p)
}

// CloseWrite half-closes the connection as net/http does after a 431, so that the client reads
// the answer before the connection is reset under the headers it is still sending.
func (g *guardConn) CloseWrite() error {
	if cw, ok := g.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// tlsState is the connection's TLS state once its handshake is complete, else nil.
func (g *guardConn) tlsState() *tls.ConnectionState {
	if g.tls == nil {
		return nil
	}
	cs := g.tls.ConnectionState()
	if !cs.HandshakeComplete {
		return nil
	}
	return &cs
}

// expectationFailed is how net/http refuses an Expect other than 100-continue: a bodiless 417
// through the normal response path (the front end never answers 417 itself), its status line in
// the request's own version, HTTP/1.0 or HTTP/1.1 (a fuzzed HTTP/1.0 request found the former).
var expectationFailed = []byte(" 417 Expectation Failed\r\nConnection: close\r\n")

// parsePreHandlerError recognises net/http's own error write and returns its status and the
// detail net/http gave (the text after "Bad Request: ", or empty).
func parsePreHandlerError(p []byte) (status int, detail string, ok bool) {
	if (bytes.HasPrefix(p, []byte("HTTP/1.1")) || bytes.HasPrefix(p, []byte("HTTP/1.0"))) &&
		bytes.HasPrefix(p[len("HTTP/1.x"):], expectationFailed) && bytes.HasSuffix(p, []byte("\r\n\r\n")) {
		return http.StatusExpectationFailed, "", true
	}
	if !bytes.HasPrefix(p, preHandlerStatusPrefix) {
		return 0, "", false
	}
	rest := p[len(preHandlerStatusPrefix):]
	eol := bytes.Index(rest, []byte("\r\n"))
	if eol < 4 || !bytes.HasPrefix(rest[eol:], preHandlerHeaders) || rest[3] != ' ' {
		return 0, "", false
	}
	status, err := strconv.Atoi(string(rest[:3]))
	if err != nil || status < 400 || status > 599 {
		return 0, "", false
	}
	if _, d, found := strings.Cut(string(rest[4:eol]), ": "); found {
		detail = sanitizeDetail(d, 120)
	}
	return status, detail, true
}

// sanitizeDetail keeps printable ASCII only, at most n bytes, so that nothing a client sent can
// shape the answer or the log line.
func sanitizeDetail(s string, n int) string {
	var b strings.Builder
	for i := 0; i < len(s) && b.Len() < n; i++ {
		if c := s[i]; c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
		} else {
			b.WriteByte('?')
		}
	}
	return b.String()
}

// dialectOfLine picks the error dialect from the start of a request line: SCIM 2.0 for a target
// under /scim/v2 (repeated slashes collapsed, as the router does; absolute-form targets too) or a
// line with no readable target, SCIM 1.1 for any other path.
func dialectOfLine(line []byte) dialect {
	_, target, ok := strings.Cut(string(line), " ")
	if !ok {
		return scim20Dialect
	}
	target, _, _ = strings.Cut(target, " ")
	if i := strings.Index(target, "://"); i > 0 {
		target = target[i+3:]
		if j := strings.IndexByte(target, '/'); j >= 0 {
			target = target[j:]
		} else {
			target = "/"
		}
	}
	if !strings.HasPrefix(target, "/") {
		return scim20Dialect
	}
	target, _, _ = strings.Cut(target, "?")
	clean := collapseSlashes(target)
	if clean == prefix20 || strings.HasPrefix(clean, prefix20+"/") {
		return scim20Dialect
	}
	return scim11Dialect
}

// preHandlerAnswer words the answer to a request the HTTP layer refused.
func preHandlerAnswer(status int, detail string, maxHeader int) (code, msg string) {
	switch status {
	case http.StatusBadRequest:
		msg = "The request is not well-formed HTTP and was refused before reaching the connector"
		if detail != "" {
			msg += " (" + detail + ")"
		}
		return codeBadHTTP, msg + ": check the URL's percent-escapes (%XX), the request line and the headers."
	case http.StatusRequestHeaderFieldsTooLarge:
		return codeHeadersTooBig, "The request's header block exceeds the connector's limit of " +
			strconv.Itoa(maxHeader) + " bytes."
	case http.StatusNotImplemented:
		return codeNotImplemented, "The request's Transfer-Encoding is not supported; send the body with Content-Length or chunked."
	case http.StatusExpectationFailed:
		return codeBadHTTP, "The request's Expect header is not supported; only 100-continue is."
	case http.StatusHTTPVersionNotSupported:
		return codeBadHTTP, "The request's HTTP version is not supported; use HTTP/1.1."
	}
	return codeBadHTTP, "The request was refused by the HTTP layer: " + http.StatusText(status) + "."
}

// errorResponse is a complete HTTP/1.1 error answer in d's shape, ending the connection.
func errorResponse(status int, d dialect, code, msg string) []byte {
	body := d.errorBody(status, code, msg)
	ct := jsonContentType
	if d == scim20Dialect {
		ct = scim20.ContentType
	}
	var b bytes.Buffer
	b.Grow(160 + len(body))
	b.WriteString("HTTP/1.1 ")
	b.WriteString(strconv.Itoa(status))
	b.WriteByte(' ')
	b.WriteString(http.StatusText(status))
	b.WriteString("\r\nContent-Type: ")
	b.WriteString(ct)
	b.WriteString("\r\nContent-Length: ")
	b.WriteString(strconv.Itoa(len(body)))
	b.WriteString("\r\nConnection: close\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}

type connKey struct{}

// ConnContext is for http.Server.ConnContext with a GuardListener: it keeps the connection in the
// request context, so that the front end can give requests over TLS their r.TLS back (net/http
// sets it only for a bare *tls.Conn).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if g, ok := c.(*guardConn); ok && g.tls != nil {
		return context.WithValue(ctx, connKey{}, g)
	}
	return ctx
}

// restoreTLS sets r.TLS from the guarded connection, when there is one.
func restoreTLS(r *http.Request) {
	if r.TLS != nil {
		return
	}
	if g, ok := r.Context().Value(connKey{}).(*guardConn); ok {
		r.TLS = g.tlsState()
	}
}
