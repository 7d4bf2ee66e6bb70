package soapclient

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestKerberosWithoutKDC: a KDC that does not answer is not a refusal of the bridge's credentials:
// serve must not stop saying the password is wrong (it waits, as for an unreachable backend, and
// readiness reports it), and the error says no KDC answers.
func TestKerberosWithoutKDC(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close() // nothing listens there now: connection refused
	conf := filepath.Join(t.TempDir(), "krb5.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, "[libdefaults]\n  default_realm = PROBE.TEST\n[realms]\n  PROBE.TEST = {\n    kdc = %s\n  }\n", addr), 0o600); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the backend was called without a ticket")
	}))
	defer ts.Close()
	c, err := New("legacyhr", Config{Endpoint: ts.URL, Kerberos: &KerberosConfig{Krb5Conf: conf, Realm: "PROBE.TEST", Username: "svc", Password: "pw-s3cr3t"}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Ping(context.Background())
	if err == nil || errors.Is(err, ErrAuthRefused) || !strings.Contains(err.Error(), "no KDC answers") {
		t.Fatalf("Ping without a KDC: %v; want an error saying no KDC answers, not ErrAuthRefused", err)
	}
	if strings.Contains(err.Error(), "pw-s3cr3t") || strings.Contains(err.Error(), "refused the bridge's credentials") {
		t.Errorf("error: %v", err)
	}
}
