//go:build !windows

package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rawSCIMError sends req on conn and asserts the one answer is a SCIM error of status: in the
// 2.0 shape (application/scim+json) when v2, else in the 1.1 shape the agent parses.
func rawSCIMError(t *testing.T, conn net.Conn, req string, status int, v2 bool) {
	t.Helper()
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	go func() { _, _ = io.WriteString(conn, req) }()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("%q: %v", req[:min(len(req), 60)], err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status || !res.Close || res.ContentLength != int64(len(body)) {
		t.Fatalf("%q: status %d close %v length %d/%d: %s", req[:min(len(req), 60)], res.StatusCode, res.Close, res.ContentLength, len(body), body)
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("body is not JSON: %s", body)
	}
	ct := res.Header.Get("Content-Type")
	if v2 {
		if ct != "application/scim+json" || doc["status"] != itoa(status) || doc["detail"] == nil {
			t.Fatalf("not a SCIM 2.0 error (%s): %s", ct, body)
		}
		return
	}
	if errs, ok := doc["errors"].([]any); !ok || len(errs) != 1 || !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("not a SCIM 1.1 error (%s): %s", ct, body)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestHTTPLayerErrorsProcess: a real bridge answers what net/http refuses before any handler (a
// bad percent-escape, a header block over the limit, a broken request line) with SCIM errors.
func TestHTTPLayerErrorsProcess(t *testing.T) {
	s := startReloadStack(t, "", &http.Client{Timeout: 10 * time.Second})
	host := strings.TrimSuffix(strings.TrimPrefix(s.base, "http://"), "/scim/v1/")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", host)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rawSCIMError(t, dial(), "GET /scim/v1/Users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, false)
	rawSCIMError(t, dial(), "GET /scim/v2/Users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, true)
	rawSCIMError(t, dial(), "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\nX-Big: "+strings.Repeat("b", 70<<10)+"\r\n\r\n", 431, true)
	rawSCIMError(t, dial(), "GET /scim/v1/Users HTP/1.1\r\nHost: x\r\n\r\n", 400, false)
	if !strings.Contains(s.proc.output(), "request refused by the HTTP layer") {
		t.Errorf("no log line for the refused requests:\n%s", s.proc.output())
	}
}

// mTLSRawChecks: over mutual TLS a refused request is a SCIM error too, and plain HTTP on the TLS
// port gets one in clear, in the dialect of its path.
func mTLSRawChecks(t *testing.T, host string, cfg *tls.Config) {
	c, err := tls.Dial("tcp", host, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rawSCIMError(t, c, "GET /scim/v2/Users/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, true)
	p, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	rawSCIMError(t, p, "GET /scim/v1/Users HTTP/1.1\r\nHost: x\r\n\r\n", 400, false)
	p, err = net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	rawSCIMError(t, p, "GET /scim/v2/Users HTTP/1.1\r\nHost: x\r\n\r\n", 400, true)
}
