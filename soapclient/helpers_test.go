package soapclient

import (
	"flag"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

const tns = "urn:legacyhr:directory:1"

// envelope wraps body XML in a SOAP 1.1 envelope, as a server would send it.
func envelope(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` +
		body + `</soap:Body></soap:Envelope>`
}

type capturedRequest struct {
	Header http.Header
	Body   []byte
}

// fake is an httptest server on 127.0.0.1 that records requests and counts new connections.
type fake struct {
	*httptest.Server
	mu       sync.Mutex
	requests []capturedRequest
	newConns atomic.Int32
}

// newFake serves every request with reply (which gets the request body already read).
func newFake(t *testing.T, reply func(w http.ResponseWriter, r *http.Request, body []byte)) *fake {
	t.Helper()
	f := &fake{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.requests = append(f.requests, capturedRequest{Header: r.Header.Clone(), Body: body})
		f.mu.Unlock()
		reply(w, r, body)
	}))
	f.Server.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.newConns.Add(1)
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// fixed replies with status, headers and body.
func fixed(status int, body string, headers ...string) func(http.ResponseWriter, *http.Request, []byte) {
	return func(w http.ResponseWriter, _ *http.Request, _ []byte) {
		for i := 0; i+1 < len(headers); i += 2 {
			w.Header().Set(headers[i], headers[i+1])
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

func (f *fake) last(t *testing.T) capturedRequest {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.requests) == 0 {
		t.Fatal("server received no request")
	}
	return f.requests[len(f.requests)-1]
}

func newTestClient(t *testing.T, endpoint string, mod func(*Config)) *Client {
	t.Helper()
	cfg := Config{Endpoint: endpoint, Timeout: 5e9}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New("legacyhr", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from golden file\n got: %s\nwant: %s", name, got, want)
	}
}
