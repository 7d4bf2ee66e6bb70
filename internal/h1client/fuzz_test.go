package h1client

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// replayConn is a connection whose peer's whole reply is data; what is written to it is dropped.
type replayConn struct{ r *bytes.Reader }

func (c replayConn) Read(p []byte) (int, error)     { return c.r.Read(p) }
func (replayConn) Write(p []byte) (int, error)      { return len(p), nil }
func (replayConn) Close() error                     { return nil }
func (replayConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (replayConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (replayConn) SetDeadline(time.Time) error      { return nil }
func (replayConn) SetReadDeadline(time.Time) error  { return nil }
func (replayConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReply feeds arbitrary bytes as a server's reply and compares what the transport makes of
// them with net/http's own parser on the same bytes: a reply the transport accepts must have the
// status and body net/http reads, and nothing may panic or read without end.
func FuzzReply(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 500 Internal Server Error\r\nContent-Length: 3\r\n\r\nbad",
		"HTTP/1.0 200 OK\r\n\r\nuntil the end",
		"HTTP/1.1 204 No Content\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tr := New(Config{DisableCompression: true, DialContext: func(context.Context, string, string) (net.Conn, error) {
			return replayConn{bytes.NewReader(data)}, nil
		}})
		req, _ := http.NewRequest(http.MethodGet, "http://fuzz.invalid/", nil)
		resp, err := tr.RoundTrip(req)
		if err != nil {
			return
		}
		body, berr := io.ReadAll(io.LimitReader(resp.Body, int64(len(data))+1))
		resp.Body.Close()

		br := bufio.NewReader(bytes.NewReader(data))
		var want *http.Response
		for range maxInformational + 1 {
			if want, err = http.ReadResponse(br, req); err != nil {
				t.Fatalf("the transport accepted a reply net/http refuses (%v)", err)
			}
			if want.StatusCode < 100 || want.StatusCode > 199 || want.StatusCode == 101 {
				break
			}
		}
		wantBody, wantErr := io.ReadAll(io.LimitReader(want.Body, int64(len(data))+1))
		if resp.StatusCode != want.StatusCode || !bytes.Equal(body, wantBody) || (berr == nil) != (wantErr == nil) {
			t.Fatalf("transport: %d %q %v; net/http: %d %q %v", resp.StatusCode, body, berr, want.StatusCode, wantBody, wantErr)
		}
	})
}
