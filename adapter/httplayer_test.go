package adapter

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/pki"
	"github.com/scimbridge/scimbridge/internal/state"
)

const guardTestMaxHeader = 64 << 10

// startGuarded serves the front end (auth none) on 127.0.0.1 behind GuardListener, as
// cmd/scimbridge does, and returns its address.
func startGuarded(t testing.TB, tlsCfg *tls.Config) string {
	t.Helper()
	h, err := New(Config{Auth: AuthConfig{Mode: "none"}}, memory.New(memory.Options{}),
		Options{Logger: slog.New(slog.DiscardHandler), Ledger: state.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, MaxHeaderBytes: guardTestMaxHeader, ConnContext: ConnContext,
		ReadHeaderTimeout: 5 * time.Second, ErrorLog: nil}
	go func() {
		_ = srv.Serve(GuardListener(ln, ListenerOptions{TLS: tlsCfg, MaxHeaderBytes: guardTestMaxHeader}))
	}()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// rawExchange writes req on a fresh connection (dial makes it) and reads every response until
// the server closes.
func rawExchange(t testing.TB, dial func() (net.Conn, error), req string) []*http.Response {
	t.Helper()
	c, err := dial()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	go func() { _, _ = io.WriteString(c, req) }()
	br := bufio.NewReader(c)
	var out []*http.Response
	for len(out) < 20 {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			break
		}
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatalf("reading response body: %v", err)
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
		out = append(out, res)
		if res.Close {
			break
		}
	}
	return out
}

// checkSCIMError asserts res is a complete SCIM error answer of status in dialect d (2.0 when
// v2) and returns its message.
func checkSCIMError(t testing.TB, res *http.Response, status int, v2 bool) string {
	t.Helper()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("status %d, want %d; body %s", res.StatusCode, status, body)
	}
	if res.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %d, body %d bytes", res.ContentLength, len(body))
	}
	if !res.Close {
		t.Errorf("the answer does not close the connection")
	}
	ct := res.Header.Get("Content-Type")
	if v2 {
		if ct != scim20.ContentType {
			t.Errorf("Content-Type %q, want %q", ct, scim20.ContentType)
		}
		var e struct {
			Schemas []string `json:"schemas"`
			Status  string   `json:"status"`
			Detail  string   `json:"detail"`
		}
		if err := json.Unmarshal(body, &e); err != nil || len(e.Schemas) != 1 || e.Schemas[0] != scim20.ErrorSchema ||
			e.Status != strconv.Itoa(status) || e.Detail == "" {
			t.Fatalf("not a SCIM 2.0 error of status %d: %s (%v)", status, body, err)
		}
		return e.Detail
	}
	if ct != jsonContentType {
		t.Errorf("Content-Type %q, want %q", ct, jsonContentType)
	}
	var e struct {
		Errors []struct {
			StatusCode   int    `json:"statusCode"`
			InternalCode string `json:"internalCode"`
			Description  string `json:"description"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(body, &e); err != nil || len(e.Errors) != 1 || e.Errors[0].StatusCode != status ||
		e.Errors[0].InternalCode == "" || e.Errors[0].Description == "" {
		t.Fatalf("not a SCIM 1.1 error of status %d: %s (%v)", status, body, err)
	}
	return e.Errors[0].Description
}

// httpLayerCases are requests net/http refuses before any handler, with the answer each must get.
func httpLayerCases() []struct {
	name, req string
	status    int
	v2        bool
	want      string
} {
	big := strings.Repeat("a", 70<<10)
	return []struct {
		name, req string
		status    int
		v2        bool
		want      string
	}{
		{"bad escape 2.0", "GET /scim/v2/Users/%zz<script> HTTP/1.1\r\nHost: x\r\n\r\n", 400, true, "percent-escapes"},
		{"bad escape 1.1", "GET /scim/v1/Users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, false, "percent-escapes"},
		{"bad escape root 1.1", "GET /Users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, false, "percent-escapes"},
		{"header too large 2.0", "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431, true, "65536 bytes"},
		{"header too large 1.1", "GET //scim/v1/Users HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", 431, false, "65536 bytes"},
		{"bad request line 1.1", "GET /scim/v1/Users HTP/1.1\r\nHost: x\r\n\r\n", 400, false, "request line"},
		{"bad request line 2.0", "GET /scim/v2/Users HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, true, "request line"},
		{"no target", "GET\r\n\r\n", 400, true, "not well-formed"},
		{"HTTP/0.9 line", "GET /scim/v2/Users\r\n\r\n", 400, true, "not well-formed"},
		{"no Host", "GET /scim/v1/Users HTTP/1.1\r\n\r\n", 400, false, "missing required Host header"},
		{"bad header", "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400, true, "not well-formed"},
		{"transfer encoding 2.0", "POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501, true, "Transfer-Encoding"},
		{"transfer encoding 1.1", "POST /scim/v1/Users HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: x<b>\r\n\r\n", 501, false, "Transfer-Encoding"},
		{"HTTP/2 version", "GET /scim/v2/Users HTTP/2.0\r\nHost: x\r\n\r\n", 505, true, "HTTP/1.1"},
		{"unknown Expect 1.1", "GET /scim/v1/Users HTTP/1.1\r\nHost: x\r\nExpect: x\r\n\r\n", 417, false, "Expect"},
		{"unknown Expect 1.0", "GET /scim/v2/Users HTTP/1.0\r\nExpect: x\r\n\r\n", 417, true, "Expect"},
		{"absolute form", "GET http://h/scim/v2/%zz HTTP/1.1\r\nHost: h\r\n\r\n", 400, true, "percent-escapes"},
	}
}

// TestHTTPLayerErrorsAreSCIM: every request the HTTP layer refuses before the handlers gets a
// SCIM error of the same status, in the dialect of its path, with a right Content-Length and
// Connection: close, and echoes nothing of the request.
func TestHTTPLayerErrorsAreSCIM(t *testing.T) {
	addr := startGuarded(t, nil)
	dial := func() (net.Conn, error) { return net.Dial("tcp", addr) }
	for _, tc := range httpLayerCases() {
		t.Run(tc.name, func(t *testing.T) {
			res := rawExchange(t, dial, tc.req)
			if len(res) != 1 {
				t.Fatalf("%d responses, want 1", len(res))
			}
			msg := checkSCIMError(t, res[0], tc.status, tc.v2)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("message %q does not say %q", msg, tc.want)
			}
			if strings.Contains(msg, "<") || strings.Contains(msg, "zz") {
				t.Errorf("message %q echoes the request", msg)
			}
		})
	}
}

// TestRouterAnswersAreSCIM: what the router decides itself (unknown paths, `..`, repeated and
// trailing slashes, a method no endpoint has) is a SCIM answer, never a redirect.
func TestRouterAnswersAreSCIM(t *testing.T) {
	addr := startGuarded(t, nil)
	dial := func() (net.Conn, error) { return net.Dial("tcp", addr) }
	for _, tc := range []struct {
		path, method string
		status       int
		v2           bool
	}{
		{"//scim//v2//Users", "GET", 200, true},
		{"/scim/v2/Users/", "GET", 200, true},
		{"//Users", "GET", 200, false},
		{"/scim/v2/../v2/Users", "GET", 404, true},
		{"/scim/v2/Users/..", "GET", 404, true},
		{"/scim/v2/Nothing", "GET", 404, true},
		{"/scim/v1/../Users", "GET", 501, false},
		{"/scim/v2/ServiceProviderConfig", "DELETE", 405, true},
		{"*", "OPTIONS", 200, false},
		{"/scim/v2/Users?filter=%zz", "GET", 400, true},
	} {
		res := rawExchange(t, dial, tc.method+" "+tc.path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		if len(res) != 1 {
			t.Fatalf("%s %s: %d responses", tc.method, tc.path, len(res))
		}
		if res[0].StatusCode != tc.status {
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.path, res[0].StatusCode, tc.status)
			continue
		}
		if tc.status >= 400 {
			body, _ := io.ReadAll(res[0].Body)
			res[0].Body = io.NopCloser(bytes.NewReader(body))
			res[0].ContentLength = int64(len(body)) // the handler's own answers are chunked or sized
			checkSCIMError(t, res[0], tc.status, tc.v2)
		}
	}
}

// TestHTTPLayerErrorsOverTLS: with TLS terminated under the guard, a refused request over TLS is
// a SCIM error too, plain HTTP on the TLS port gets one in clear, and handlers still see r.TLS
// (meta.location is https).
func TestHTTPLayerErrorsOverTLS(t *testing.T) {
	ca, err := pki.NewCA("test CA", time.Hour, pki.ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := ca.IssueServer(pki.ServerRequest{IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pair.TLSCertificate()
	if err != nil {
		t.Fatal(err)
	}
	addr := startGuarded(t, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	dialTLS := func() (net.Conn, error) {
		return tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1"})
	}
	for _, tc := range httpLayerCases()[:4] {
		res := rawExchange(t, dialTLS, tc.req)
		if len(res) != 1 {
			t.Fatalf("%s: %d responses", tc.name, len(res))
		}
		checkSCIMError(t, res[0], tc.status, tc.v2)
	}

	// HTTP/1.1 only: a client offering h2 is not answered in a protocol the guard cannot read.
	c, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool(), ServerName: "127.0.0.1", NextProtos: []string{"h2", "http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ConnectionState().NegotiatedProtocol; p == "h2" {
		t.Errorf("the guarded listener negotiated %q", p)
	}
	c.Close()

	// Plain HTTP on the TLS port: the answer is in clear and in the dialect of the path.
	for _, c := range []struct {
		path string
		v2   bool
	}{{"/scim/v1/Users", false}, {"/Users?filter=userName%20eq%20%22x%22", false}, {"/scim/v2/Users", true}} {
		res := rawExchange(t, func() (net.Conn, error) { return net.Dial("tcp", addr) }, "GET "+c.path+" HTTP/1.1\r\nHost: x\r\n\r\n")
		if len(res) != 1 {
			t.Fatalf("plain HTTP on the TLS port (%s): %d responses", c.path, len(res))
		}
		if msg := checkSCIMError(t, res[0], 400, c.v2); !strings.Contains(msg, "https://") {
			t.Errorf("plain HTTP on the TLS port (%s): %q", c.path, msg)
		}
	}

	res := rawExchange(t, dialTLS, "POST /scim/v2/Users HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/scim+json\r\n"+
		"Content-Length: 31\r\nConnection: close\r\n\r\n{\"userName\":\"tls@example.com\"}\n")
	if len(res) != 1 || res[0].StatusCode != 201 {
		t.Fatalf("create over TLS: %v", res)
	}
	if loc := res[0].Header.Get("Location"); !strings.HasPrefix(loc, "https://127.0.0.1/scim/v2/Users/") {
		t.Errorf("Location %q is not https: the handler lost r.TLS", loc)
	}
}

// TestParsePreHandlerError: only net/http's exact error shape is rewritten; a handler's answer
// (which always carries Date) and body bytes pass untouched.
func TestParsePreHandlerError(t *testing.T) {
	for _, tc := range []struct {
		in     string
		status int
		detail string
	}{
		{"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request", 400, ""},
		{"HTTP/1.1 400 Bad Request: missing required Host header\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nx", 400, "missing required Host header"},
		{"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n", 0, ""},
		{"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nDate: x\r\nConnection: close\r\n\r\n", 0, ""},
		{"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json;charset=UTF-8\r\n", 0, ""},
		{`{"a":"HTTP/1.1 400 Bad Request\r\n"}`, 0, ""},
		{"HTTP/1.1 4", 0, ""},
	} {
		status, detail, ok := parsePreHandlerError([]byte(tc.in))
		if status != tc.status || detail != tc.detail || ok != (tc.status != 0) {
			t.Errorf("%q: %d %q %v", tc.in, status, detail, ok)
		}
	}
}

// FuzzRawRequests writes arbitrary bytes to the guarded front end: every answer is either a
// handler's (it carries X-Request-Id) or a complete SCIM error closing the connection, and the
// server never hangs or panics.
func FuzzRawRequests(f *testing.F) {
	for _, tc := range httpLayerCases() {
		if len(tc.req) < 1024 {
			f.Add([]byte(tc.req))
		}
	}
	f.Add([]byte("GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\r\nGET /scim/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n"))
	f.Add([]byte("POST /scim/v2/Users HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}"))
	addr := startGuarded(f, nil)
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Skip("dial:", err) // the fuzz engine's load, not a finding
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(15 * time.Second))
		go func() {
			_, _ = c.Write(raw)
			// Nothing more comes: let net/http see the end of the input.
			if tc, ok := c.(*net.TCPConn); ok {
				_ = tc.CloseWrite()
			}
		}()
		br := bufio.NewReader(c)
		for range 50 {
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					t.Fatalf("the server hung on %q", raw)
				}
				return // closed: no more answers
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				return
			}
			if res.Header.Get("X-Request-Id") != "" {
				continue // a handler's answer
			}
			res.Body = io.NopCloser(bytes.NewReader(body))
			switch res.Header.Get("Content-Type") {
			case scim20.ContentType:
				checkSCIMError(t, res, res.StatusCode, true)
			case jsonContentType:
				checkSCIMError(t, res, res.StatusCode, false)
			default:
				t.Fatalf("an answer that is neither a handler's nor a SCIM error to %q:\n%v\n%s", raw, res.Header, body)
			}
			if res.StatusCode < 400 {
				t.Fatalf("a success without X-Request-Id to %q", raw)
			}
			return
		}
	})
}
