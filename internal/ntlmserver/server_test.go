package ntlmserver

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	ntlmssp "github.com/Azure/go-ntlmssp"
)

func start(t *testing.T) (*Server, *httptest.Server) {
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := r.Context().Value(UserKey{}).(string)
		_, _ = io.WriteString(w, "hello "+u)
	}), "CORP", Account{Domain: "CORP", Username: "alice", Password: "Secret-1"})
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnContext = s.ConnContext
	ts.Start()
	t.Cleanup(ts.Close)
	return s, ts
}

func get(t *testing.T, c *http.Client, url, user, pass string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, url, nil)
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A real client's NTLMv2 handshake is verified; the connection then stays authenticated; a wrong
// password or an unknown user is refused.
func TestHandshake(t *testing.T) {
	s, ts := start(t)
	c := &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: drain401{&http.Transport{MaxConnsPerHost: 1}}}}
	if code, body := get(t, c, ts.URL, `CORP\alice`, "Secret-1"); code != 200 || body != `hello CORP\alice` {
		t.Fatalf("%d %s", code, body)
	}
	if code, _ := get(t, c, ts.URL, `CORP\alice`, "Secret-1"); code != 200 {
		t.Fatalf("second request: %d", code)
	}
	if s.Handshakes() != 1 {
		t.Errorf("handshakes = %d, want 1 (the connection stays authenticated)", s.Handshakes())
	}
	c2 := &http.Client{Transport: ntlmssp.Negotiator{RoundTripper: &http.Transport{}}}
	for _, up := range [][2]string{{`CORP\alice`, "secret-1"}, {`CORP\bob`, "Secret-1"}, {`OTHER\alice`, "Secret-1"}} {
		if code, _ := get(t, c2, ts.URL, up[0], up[1]); code != 401 {
			t.Errorf("%s/%s: %d, want 401", up[0], up[1], code)
		}
	}
	if code, _ := get(t, http.DefaultClient, ts.URL, "", ""); code != 401 {
		t.Errorf("anonymous: %d", code)
	}
}

// drain401 frees the connection of a 401 at once (go-ntlmssp holds the first one open, which on
// a one-connection transport would leave none for the handshake).
type drain401 struct{ next http.RoundTripper }

func (d drain401) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.next.RoundTrip(r)
	if err == nil && resp.StatusCode == 401 {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(b)))
	}
	return resp, err
}

// An AUTHENTICATE message on a connection that was never challenged is refused.
func TestAuthenticateWithoutChallenge(t *testing.T) {
	_, ts := start(t)
	msg := append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), make([]byte, 80)...)
	req, _ := http.NewRequest(http.MethodGet, ts.URL, nil)
	req.Header.Set("Authorization", "NTLM "+base64.StdEncoding.EncodeToString(msg))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

// FuzzAuthorization: no Authorization header crashes the server or authenticates.
func FuzzAuthorization(f *testing.F) {
	f.Add("NTLM TlRMTVNTUAABAAAAB4IIogAAAAAAAAAAAAAAAAAAAAAKAGFKAAAADw==")
	f.Add("NTLM " + base64.StdEncoding.EncodeToString(append([]byte("NTLMSSP\x00\x03\x00\x00\x00"), make([]byte, 80)...)))
	f.Add("Negotiate !!")
	s := New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(299) }), "CORP", Account{Username: "a", Password: "b"})
	f.Fuzz(func(t *testing.T, auth string) {
		for range 2 { // the second message meets the challenge the first may have set
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req = req.WithContext(s.ConnContext(req.Context(), nil))
			if strings.ContainsAny(auth, "\r\n") {
				return
			}
			req.Header.Set("Authorization", auth)
			w := httptest.NewRecorder()
			s.ServeHTTP(w, req)
			if w.Code == 299 {
				t.Fatalf("authenticated by %q", auth)
			}
		}
	})
}
