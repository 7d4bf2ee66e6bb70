package pki

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestServerCertificateVerifiesForItsNamesOnly(t *testing.T) {
	for _, kt := range []KeyType{ECDSA, RSA} {
		t.Run(string(kt), func(t *testing.T) {
			ca, err := NewCA("test CA", time.Hour, kt)
			if err != nil {
				t.Fatal(err)
			}
			srv, err := ca.IssueServer(ServerRequest{DNSNames: []string{"bridge.example.test"}, IPs: []net.IP{net.ParseIP("127.0.0.1")}, Validity: time.Hour, KeyType: kt})
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"bridge.example.test", "127.0.0.1"} {
				if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: name, Roots: ca.Pool()}); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			}
			if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: "other.example.test", Roots: ca.Pool()}); err == nil {
				t.Error("verified for a name it does not carry")
			}
			other, _ := NewCA("other CA", time.Hour, ECDSA)
			if _, err := srv.Cert.Verify(x509.VerifyOptions{DNSName: "bridge.example.test", Roots: other.Pool()}); err == nil {
				t.Error("verified under a CA that did not sign it")
			}
		})
	}
}

func TestTLSHandshakeWithServerAndClientCertificates(t *testing.T) {
	ca, err := NewCA("test CA", time.Hour, ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	srvPair, err := ca.IssueServer(ServerRequest{IPs: []net.IP{net.ParseIP("127.0.0.1")}, Validity: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	cliPair, err := ca.IssueClient("okta-agent", time.Hour, ECDSA)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := srvPair.TLSCertificate()
	cc, _ := cliPair.TLSCertificate()
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	ts.TLS = &tls.Config{Certificates: []tls.Certificate{sc}, ClientCAs: ca.Pool(), ClientAuth: tls.RequireAndVerifyClientCert}
	ts.StartTLS()
	defer ts.Close()
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool(), Certificates: []tls.Certificate{cc}}}}
	res, err := c.Get(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if string(b) != "okta-agent" {
		t.Fatalf("server saw client %q", b)
	}
	noCert := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}}
	if res, err := noCert.Get(ts.URL); err == nil {
		res.Body.Close()
		t.Fatal("a client without a certificate was served")
	}
}

func TestLoadCARoundTripAndRefusals(t *testing.T) {
	ca, _ := NewCA("test CA", time.Hour, ECDSA)
	again, err := LoadCA(ca.CertPEM, ca.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	p, err := again.IssueServer(ServerRequest{DNSNames: []string{"a.example.test"}, Validity: 48 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Cert.Verify(x509.VerifyOptions{DNSName: "a.example.test", Roots: ca.Pool()}); err != nil {
		t.Fatal(err)
	}
	if p.Cert.NotAfter.After(ca.Cert.NotAfter) {
		t.Errorf("leaf outlives its CA: %s > %s", p.Cert.NotAfter, ca.Cert.NotAfter)
	}
	if _, err := LoadCA(p.CertPEM, p.KeyPEM); err == nil || !strings.Contains(err.Error(), "not a CA") {
		t.Errorf("a leaf loaded as CA: %v", err)
	}
	other, _ := NewCA("other", time.Hour, ECDSA)
	if _, err := LoadCA(ca.CertPEM, other.KeyPEM); err == nil {
		t.Error("mismatched key accepted")
	}
}

func TestIssueServerRefusesBadNames(t *testing.T) {
	ca, _ := NewCA("test CA", time.Hour, ECDSA)
	for _, bad := range []string{"https://bridge.example.test", "bridge.example.test:8443", "10.0.0.1", "a b", "-x.example", "bad_char.example", ""} {
		if _, err := ca.IssueServer(ServerRequest{DNSNames: []string{bad}, Validity: time.Hour}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := ca.IssueServer(ServerRequest{Validity: time.Hour}); err == nil {
		t.Error("a certificate without names was issued")
	}
	if _, err := ca.IssueServer(ServerRequest{DNSNames: []string{"*.example.test"}, Validity: time.Hour}); err != nil {
		t.Errorf("wildcard refused: %v", err)
	}
}

func TestWriteFilePermissionsAndNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "server.key")
	if err := WriteFile(path, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", fi.Mode().Perm())
		}
	}
	if err := WriteFile(path, []byte("other"), 0o600, false); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("overwrote without force: %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != "secret" {
		t.Errorf("content changed to %q", b)
	}
	if err := WriteFile(path, []byte("other"), 0o600, true); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "other" {
		t.Errorf("content %q after forced write", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}
