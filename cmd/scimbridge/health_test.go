package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthProbe(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer ok.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "not ready: backend", http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if code, stdout, stderr := runCmd("health", "--url", ok.URL+"/healthz"); code != 0 || !strings.Contains(stdout, "ok") {
		t.Errorf("healthy: code %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := runCmd("health", "--url", down.URL+"/readyz"); code != 1 || !strings.Contains(stderr, "503") {
		t.Errorf("unready: code %d %q", code, stderr)
	}
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	defer ts.Close()
	if code, _, _ := runCmd("health", "--url", ts.URL); code != 1 {
		t.Errorf("an unverified certificate passed: %d", code)
	}
	if code, _, _ := runCmd("health", "--url", ts.URL, "--insecure", "--quiet"); code != 0 {
		t.Errorf("--insecure: %d", code)
	}
	addr := ok.Listener.Addr().String()
	ok.Close()
	if code, _, _ := runCmd("health", "--url", "http://"+addr+"/healthz"); code != 1 {
		t.Errorf("nothing listening: %d", code)
	}
	for _, bad := range [][]string{{"--url", "ftp://x/"}, {"--url", "127.0.0.1:9464"}, {"--timeout", "0s"}} {
		if code, _, _ := runCmd(append([]string{"health"}, bad...)...); code != 2 {
			t.Errorf("%v: code %d, want 2", bad, code)
		}
	}
}
