package main

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCmd(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCertUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"cert", "--out", dir}, "--dns bridge.example.internal"},
		{[]string{"cert", "--dns", "https://bridge.example.internal:8443/", "--out", dir}, "host name only"},
		{[]string{"cert", "--ip", "10.0.0", "--out", dir}, `--ip "10.0.0" is not an IP address`},
		{[]string{"cert", "--dns", "b.example", "--key", "dsa", "--out", dir}, "want ecdsa or rsa"},
		{[]string{"cert", "--dns", "b.example", "--days", "0", "--out", dir}, "must be positive"},
		{[]string{"token"}, "--out FILE is required"},
		{[]string{"token", "--out", filepath.Join(dir, "t"), "--bits", "64"}, "from 128 to 1024"},
	} {
		code, _, stderr := runCmd(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: code %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused commands wrote files: %v", entries)
	}
}

// A second run in the same directory keeps the CA (agents already trust it) and replaces the
// server certificate only with --force.
func TestCertReusesCA(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := runCmd("cert", "--dns", "a.example.test", "--out", dir); code != 0 {
		t.Fatal(stderr)
	}
	ca1 := readCert(t, filepath.Join(dir, "ca.crt"))
	code, _, stderr := runCmd("cert", "--dns", "b.example.test", "--out", dir)
	if code != 2 || !strings.Contains(stderr, "--force") {
		t.Fatalf("replaced the server certificate without --force: %d %s", code, stderr)
	}
	code, stdout, stderr := runCmd("cert", "--dns", "b.example.test", "--ip", "10.1.2.3", "--out", dir, "--force", "--key", "rsa")
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(stdout, "existing CA, reused") {
		t.Errorf("output does not say the CA was reused:\n%s", stdout)
	}
	ca2 := readCert(t, filepath.Join(dir, "ca.crt"))
	if !ca1.Equal(ca2) {
		t.Fatal("the CA changed")
	}
	leaf := readCert(t, filepath.Join(dir, "server.crt"))
	pool := x509.NewCertPool()
	pool.AddCert(ca1)
	if _, err := leaf.Verify(x509.VerifyOptions{DNSName: "b.example.test", Roots: pool}); err != nil {
		t.Fatal(err)
	}
	if len(leaf.IPAddresses) != 1 || leaf.IPAddresses[0].String() != "10.1.2.3" || leaf.PublicKeyAlgorithm != x509.RSA {
		t.Errorf("leaf IPs %v, key %v", leaf.IPAddresses, leaf.PublicKeyAlgorithm)
	}
	// Half a CA (key lost) is an error, not a silent new CA the agents do not trust.
	os.Remove(filepath.Join(dir, "ca.key"))
	if code, _, stderr := runCmd("cert", "--dns", "c.example.test", "--out", dir, "--force"); code != 2 || !strings.Contains(stderr, "must both exist") {
		t.Errorf("code %d: %s", code, stderr)
	}
}

func TestTokenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tok")
	if code, stdout, stderr := runCmd("token", "--out", path, "--bits", "128"); code != 0 || strings.Contains(stdout+stderr, readToken(t, path)) {
		t.Fatalf("code %d, or the token was printed: %s %s", code, stdout, stderr)
	}
	first := readToken(t, path)
	if len(first) != 22 {
		t.Errorf("128-bit token %q has %d characters, want 22", first, len(first))
	}
	if code, _, _ := runCmd("token", "--out", path); code == 0 {
		t.Fatal("overwrote an existing token without --force")
	}
	if code, _, stderr := runCmd("token", "--out", path, "--force"); code != 0 {
		t.Fatal(stderr)
	}
	if second := readToken(t, path); second == first || len(second) != 43 {
		t.Errorf("second token %q (first %q)", second, first)
	}
}

func readToken(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}
