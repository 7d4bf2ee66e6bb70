package h1client

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer is an httptest server that counts the connections it accepts and has closed.
type countingServer struct {
	*httptest.Server
	opened, closed atomic.Int64
}

func newServer(t *testing.T, h http.HandlerFunc, opts ...func(*http.Server)) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(h)
	for _, o := range opts {
		o(s.Config)
	}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		switch st {
		case http.StateNew:
			s.opened.Add(1)
		case http.StateClosed, http.StateHijacked:
			s.closed.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, tr http.RoundTripper, ctx context.Context, url string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader("<ping/>"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := tr.RoundTrip(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("X-Test"), b)
}

func TestKeepAliveReusesOneConnection(t *testing.T) {
	s := newServer(t, echo)
	tr := New(Config{})
	for i := range 20 {
		code, body, err := get(t, tr, context.Background(), s.URL)
		if err != nil || code != 200 || body != "POST  <ping/>" {
			t.Fatalf("call %d: %d %q %v", i, code, body, err)
		}
	}
	if n := s.opened.Load(); n != 1 {
		t.Fatalf("20 sequential calls opened %d connections, want 1", n)
	}
}

func TestRequestHeadersAndBodyArrive(t *testing.T) {
	s := newServer(t, echo)
	tr := New(Config{})
	req, _ := http.NewRequest(http.MethodPut, s.URL+"/x?y=1", strings.NewReader("payload"))
	req.Header.Set("X-Test", "v1")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "PUT v1 payload" || resp.Request != req {
		t.Fatalf("got %q (request kept: %v)", b, resp.Request == req)
	}
}

func TestServerClosedIdleConnectionIsNotUsed(t *testing.T) {
	// The server gives up on idle connections quickly.
	s := newServer(t, echo, func(hs *http.Server) { hs.IdleTimeout = 20 * time.Millisecond })
	tr := New(Config{})
	for i := range 3 {
		if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
			t.Fatalf("call %d after the server closed the idle connection: %v", i, err)
		}
		time.Sleep(120 * time.Millisecond)
	}
	if n := s.opened.Load(); n != 3 {
		t.Fatalf("opened %d connections, want 3 (one per call, each after the server closed the last)", n)
	}
}

func TestConnectionCloseIsHonoured(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		echo(w, r)
	})
	tr := New(Config{})
	for range 3 {
		if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.opened.Load(); n != 3 {
		t.Fatalf("opened %d connections, want 3", n)
	}
}

func TestDeadlineAndCancellation(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		echo(w, r)
	})
	defer close(release)
	tr := New(Config{})
	if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := get(t, tr, ctx, s.URL+"/slow")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the deadline took %v to end the call", d)
	}

	cause := errors.New("the SCIM client went away")
	ctx2, cancel2 := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel2(cause) })
	if _, _, err := get(t, tr, ctx2, s.URL+"/slow"); !errors.Is(err, cause) {
		t.Fatalf("err = %v, want the cancellation's cause", err)
	}

	// The spoiled connections were not pooled: the next call works.
	if code, _, err := get(t, tr, context.Background(), s.URL); err != nil || code != 200 {
		t.Fatalf("call after the cancelled ones: %d %v", code, err)
	}
}

func TestDeadlineWhileReadingBody(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		w.Write([]byte("partial"))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	tr := New(Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, body, err := get(t, tr, ctx, s.URL)
	if !errors.Is(err, context.DeadlineExceeded) || body != "partial" {
		t.Fatalf("body %q, err %v; want the part sent and the deadline", body, err)
	}
}

func TestGzipReplyIsDecoded(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			http.Error(w, "gzip not offered", 400)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zw.Write([]byte(strings.Repeat("<user/>", 100)))
		zw.Close()
	})
	tr := New(Config{})
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader("x"))
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(b) != strings.Repeat("<user/>", 100) || !resp.Uncompressed || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("got %q, %v, uncompressed %v, headers %v", b, err, resp.Uncompressed, resp.Header)
		}
		if req.Header.Get("Accept-Encoding") != "" {
			t.Fatal("the caller's request was changed")
		}
	}
	if n := s.opened.Load(); n != 1 {
		t.Fatalf("opened %d connections, want 1: a decoded gzip reply must free its connection", n)
	}

	// A caller that asks for an encoding itself gets the bytes as sent.
	req, _ := http.NewRequest(http.MethodPost, s.URL, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "gzip" || resp.Uncompressed {
		t.Fatalf("an explicit Accept-Encoding must leave the reply encoded: %v", resp.Header)
	}
}

func TestEarlyCloseDropsTheConnection(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), 64<<10))
	})
	tr := New(Config{})
	req, _ := http.NewRequest(http.MethodGet, s.URL, nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Read(make([]byte, 10))
	resp.Body.Close()
	if _, err := resp.Body.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after Close succeeded")
	}
	if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
		t.Fatal(err)
	}
	if n := s.opened.Load(); n != 2 {
		t.Fatalf("opened %d connections, want 2: a body closed before its end must not be reused", n)
	}
}

func TestIdleLimitAndSweep(t *testing.T) {
	gate := make(chan struct{})
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		<-gate
		echo(w, r)
	})
	tr := New(Config{MaxIdlePerHost: 2, IdleTimeout: 100 * time.Millisecond})
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
				t.Error(err)
			}
		}()
	}
	for s.opened.Load() < 5 {
		time.Sleep(5 * time.Millisecond)
	}
	close(gate)
	wg.Wait()
	waitFor(t, func() bool { return s.closed.Load() == 3 }, "3 of 5 connections closed (the pool keeps 2)")
	waitFor(t, func() bool { return s.closed.Load() == 5 }, "all connections closed after the idle timeout")
}

func TestCloseIdleConnections(t *testing.T) {
	s := newServer(t, echo)
	tr := New(Config{})
	if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
		t.Fatal(err)
	}
	tr.CloseIdleConnections()
	waitFor(t, func() bool { return s.closed.Load() == 1 }, "the idle connection closed")
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTLS(t *testing.T) {
	s := httptest.NewUnstartedServer(http.HandlerFunc(echo))
	s.EnableHTTP2 = true // offered; the transport must still speak HTTP/1.1
	s.StartTLS()
	defer s.Close()
	pool := x509.NewCertPool()
	pool.AddCert(s.Certificate())
	tr := New(Config{TLS: &tls.Config{RootCAs: pool}})
	for range 3 {
		code, body, err := get(t, tr, context.Background(), s.URL)
		if err != nil || code != 200 || body != "POST  <ping/>" {
			t.Fatalf("%d %q %v", code, body, err)
		}
	}
	// Without the test CA the handshake fails with the certificate error.
	_, _, err := get(t, New(Config{}), context.Background(), s.URL)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown-authority error", err)
	}
}

// rawServer answers each connection with reply, whatever was asked.
func rawServer(t *testing.T, reply func(c net.Conn, r *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				reply(c, bufio.NewReader(c))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

func TestInformationalRepliesAreSkipped(t *testing.T) {
	url := rawServer(t, func(c net.Conn, r *bufio.Reader) {
		if _, err := http.ReadRequest(r); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	})
	code, body, err := get(t, New(Config{}), context.Background(), url)
	if err != nil || code != 200 || body != "ok" {
		t.Fatalf("%d %q %v", code, body, err)
	}
	url = rawServer(t, func(c net.Conn, r *bufio.Reader) {
		if _, err := http.ReadRequest(r); err != nil {
			return
		}
		io.WriteString(c, strings.Repeat("HTTP/1.1 100 Continue\r\n\r\n", 10))
	})
	if _, _, err := get(t, New(Config{}), context.Background(), url); err == nil || !strings.Contains(err.Error(), "1xx") {
		t.Fatalf("err = %v, want too many 1xx replies", err)
	}
}

func TestHeaderLimit(t *testing.T) {
	url := rawServer(t, func(c net.Conn, r *bufio.Reader) {
		if _, err := http.ReadRequest(r); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\n")
		line := "X-Filler: " + strings.Repeat("y", 1000) + "\r\n"
		for range 200 {
			if _, err := io.WriteString(c, line); err != nil {
				return
			}
		}
	})
	_, _, err := get(t, New(Config{MaxResponseHeaderBytes: 64 << 10}), context.Background(), url)
	if err == nil || !strings.Contains(err.Error(), "exceed 65536 bytes") {
		t.Fatalf("err = %v, want the header limit", err)
	}
}

func TestRefusedBeforeSending(t *testing.T) {
	var hits atomic.Int64
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) { hits.Add(1) })
	tr := New(Config{})
	for _, tc := range []struct{ name, value, url, want string }{
		{"X-Bad", "a\r\nInjected: yes", s.URL, "invalid header field value"},
		{"Bad Name", "v", s.URL, "invalid header field name"},
		{"X-Ok", "v", "ftp://127.0.0.1/", "unsupported protocol scheme"},
	} {
		req, _ := http.NewRequest(http.MethodPost, tc.url, nil)
		req.Header[tc.name] = []string{tc.value}
		if _, err := tr.RoundTrip(req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
	if hits.Load() != 0 {
		t.Fatal("a refused request reached the server")
	}
}

// failingConn fails its first write once armed, taking no byte (or some bytes, with partial).
type failingConn struct {
	net.Conn
	armed   *atomic.Bool
	partial bool
}

func (c *failingConn) Write(p []byte) (int, error) {
	if c.armed.CompareAndSwap(true, false) {
		c.Conn.Close()
		if c.partial {
			return 1, errors.New("broken pipe after one byte")
		}
		return 0, errors.New("broken pipe")
	}
	return c.Conn.Write(p)
}

func TestNothingWrittenIsSentAgain(t *testing.T) {
	for _, partial := range []bool{false, true} {
		t.Run(fmt.Sprintf("partial=%v", partial), func(t *testing.T) {
			var got []string
			var mu sync.Mutex
			s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				got = append(got, string(b))
				mu.Unlock()
			})
			var armed atomic.Bool
			d := &net.Dialer{}
			tr := New(Config{DialContext: func(ctx context.Context, n, a string) (net.Conn, error) {
				c, err := d.DialContext(ctx, n, a)
				if err != nil {
					return nil, err
				}
				return &failingConn{Conn: c, armed: &armed, partial: partial}, nil
			}})
			if _, _, err := get(t, tr, context.Background(), s.URL); err != nil {
				t.Fatal(err)
			}
			armed.Store(true) // the pooled connection's next write fails
			_, _, err := get(t, tr, context.Background(), s.URL)
			mu.Lock()
			defer mu.Unlock()
			if partial {
				if err == nil || len(got) != 1 {
					t.Fatalf("a request cut after one byte must not be sent again: err %v, server saw %q", err, got)
				}
				return
			}
			if err != nil || len(got) != 2 || got[1] != "<ping/>" {
				t.Fatalf("err %v, server saw %q; want the request sent again whole on a new connection", err, got)
			}
		})
	}
}

// Many callers at once, with replies that close their connection, calls that time out mid-reply
// and bodies left unread: every reply must reach the caller that asked for it (a connection
// handed to two callers at once, or reused with a reply's tail still in it, would mix them up).
func TestConcurrentCallersGetTheirOwnReplies(t *testing.T) {
	s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Id")
		var n int
		fmt.Sscanf(id, "%d", &n)
		switch {
		case n%7 == 0:
			w.Header().Set("Connection", "close")
		case n%11 == 0:
			time.Sleep(30 * time.Millisecond) // longer than the caller waits
		}
		w.Write([]byte(strings.Repeat(id+";", 1+n%50)))
	})
	tr := New(Config{MaxIdlePerHost: 4})
	var wg sync.WaitGroup
	var ok, timedOut atomic.Int64
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				n := g*1000 + i
				id := fmt.Sprint(n)
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
				if n%11 != 0 {
					cancel()
					ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
				}
				req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, strings.NewReader(id))
				req.Header.Set("X-Id", id)
				resp, err := tr.RoundTrip(req)
				if err != nil {
					cancel()
					if n%11 == 0 && errors.Is(err, context.DeadlineExceeded) {
						timedOut.Add(1)
						continue
					}
					t.Errorf("call %d: %v", n, err)
					continue
				}
				if n%13 == 0 {
					resp.Body.Read(make([]byte, 1)) // left unread: the connection must not be reused
					resp.Body.Close()
					cancel()
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				cancel()
				if want := strings.Repeat(id+";", 1+n%50); err != nil || string(b) != want {
					t.Errorf("call %d got %q (%v), want its own reply", n, b, err)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if ok.Load() < 500 || timedOut.Load() == 0 {
		t.Fatalf("%d calls answered, %d timed out: the mix did not happen", ok.Load(), timedOut.Load())
	}
	if opened := s.opened.Load(); opened >= 640 {
		t.Fatalf("%d connections for 640 calls: nothing was reused", opened)
	}
}
