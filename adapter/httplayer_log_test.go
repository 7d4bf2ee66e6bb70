package adapter

import (
	"bytes"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestHTTPLayerRefusalLogLine: the warning names the request line as the client sent it, without
// the line's CR (logged as a '?', it read like a cut query) and without the query, which may carry
// a secret.
func TestHTTPLayerRefusalLogLine(t *testing.T) {
	var logs lockedBuffer
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler(), MaxHeaderBytes: guardTestMaxHeader, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		_ = srv.Serve(GuardListener(ln, ListenerOptions{MaxHeaderBytes: guardTestMaxHeader,
			Logger: slog.New(slog.NewJSONHandler(&logs, nil))}))
	}()
	t.Cleanup(func() { _ = srv.Close() })
	dial := func() (net.Conn, error) { return net.Dial("tcp", ln.Addr().String()) }

	for _, tc := range []struct{ req, want string }{
		{"GET /scim/v2/Us%zzers HTTP/1.1\r\nHost: x\r\n\r\n", `"request_line":"GET /scim/v2/Us%zzers HTTP/1.1"`},
		{"GET /scim/v1/%zz?token=s3cret HTTP/1.1\r\nHost: x\r\n\r\n", `"request_line":"GET /scim/v1/%zz"`},
	} {
		if res := rawExchange(t, dial, tc.req); len(res) != 1 || res[0].StatusCode != 400 {
			t.Fatalf("%q: %d responses", tc.req, len(res))
		}
		deadline := time.Now().Add(5 * time.Second)
		for !strings.Contains(logs.String(), tc.want) && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if !strings.Contains(logs.String(), tc.want) {
			t.Errorf("log lacks %s:\n%s", tc.want, logs.String())
		}
	}
	if strings.Contains(logs.String(), "s3cret") {
		t.Errorf("log carries the query:\n%s", logs.String())
	}
}
