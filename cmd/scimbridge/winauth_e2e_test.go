package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/kdctest"
)

// TestNTLMBackend: the LegacyHR simulator behind NTLM (a real NTLMv2 handshake, verified by
// internal/ntlmserver), the bridge configured with backend.auth.ntlm and the password from a
// secret file; `scimbridge test` passes through it. With a wrong password, serve refuses to start
// and says why.
func TestNTLMBackend(t *testing.T) {
	os.Setenv("LEGACYSIM_NTLM_PASSWORD", "Ntlm-e2e-Secret1") // inherited by the simulator
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--ntlm", `CORP\svc-okta`, "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	dir := t.TempDir()
	secret := filepath.Join(dir, "ntlm.pass")
	if err := os.WriteFile(secret, []byte("Ntlm-e2e-Secret1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backend := func(pass string) string {
		return fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }
  auth: { ntlm: { username: 'CORP\svc-okta', password: "%s" } }`, simURL, e2eSimUser, pass)
	}
	s := startBridge(t, simURL, "", backend("${file:"+secret+"}"))
	out, err := execBin(t, "test", "--url", s.scim.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test through NTLM failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}

	// Wrong password: serve stops at start-up with a message naming backend.auth and the account.
	cfg := fmt.Sprintf("listen: 127.0.0.1:0\nmetrics: { disabled: true }\nscim:\n  auth: { mode: basic, username: u, password: p }\nbackend:%s\n",
		strings.ReplaceAll(backend("Wrong-Password"), "${file:SIMPASS}", e2eSimPass))
	cfgPath := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = execBin(t, "serve", "--config", cfgPath).CombinedOutput()
	if err == nil {
		t.Fatalf("serve started with a wrong NTLM password:\n%s", out)
	}
	for _, want := range []string{"backend.auth", `NTLM as CORP\svc-okta`, "HTTP 401", "refused"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("start-up error lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "Wrong-Password") {
		t.Errorf("the password is in the output:\n%s", out)
	}
}

// TestKerberosBackend: the LegacyHR simulator behind SPNEGO with the keytab a real MIT KDC issued
// for HTTP/127.0.0.1, the bridge configured with backend.auth.kerberos (krb5.conf naming that
// KDC, the password from a secret file); `scimbridge test` passes through it, every backend call
// carrying a ticket the KDC issued. With a wrong password, serve refuses to start and says why in
// the operator's words.
func TestKerberosBackend(t *testing.T) {
	kdc := kdctest.Start(t)
	kdc.AddUser(t, "svc-okta", "Krb-e2e-Secret1")
	svcKeytab := kdc.AddService(t, "HTTP/127.0.0.1")
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--kerberos-keytab", svcKeytab, "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	dir := t.TempDir()
	secret := filepath.Join(dir, "krb.pass")
	if err := os.WriteFile(secret, []byte("Krb-e2e-Secret1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backend := func(pass string) string {
		return fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }
  auth: { kerberos: { krb5Conf: %s, realm: %s, username: svc-okta, password: "%s" } }`, simURL, e2eSimUser, kdc.Krb5Conf, kdctest.Realm, pass)
	}
	s := startBridge(t, simURL, "", backend("${file:"+secret+"}"))
	out, err := execBin(t, "test", "--url", s.scim.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test through Kerberos failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}

	cfg := fmt.Sprintf("listen: 127.0.0.1:0\nmetrics: { disabled: true }\nscim:\n  auth: { mode: basic, username: u, password: p }\nbackend:%s\n",
		strings.ReplaceAll(backend("Wrong-Password"), "${file:SIMPASS}", e2eSimPass))
	cfgPath := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err = execBin(t, "serve", "--config", cfgPath).CombinedOutput()
	if err == nil {
		t.Fatalf("serve started with a wrong Kerberos password:\n%s", out)
	}
	for _, want := range []string{"backend.auth", "Kerberos as svc-okta@" + kdctest.Realm, "the password or the keytab's key is wrong"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("start-up error lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "Wrong-Password") {
		t.Errorf("the password is in the output:\n%s", out)
	}
}
