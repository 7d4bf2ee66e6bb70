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
// internal/ntlmserver), the bridge configured with backend.auth.ntlm.
func TestNTLMBackend(t *testing.T) {
	os.Setenv("LEGACYSIM_NTLM_PASSWORD", "Ntlm-e2e-Secret1") // inherited by the simulator
	windowsAuthBackend(t, []string{"--ntlm", `CORP\svc-okta`}, "Ntlm-e2e-Secret1",
		func(pass string) string {
			return fmt.Sprintf(`{ ntlm: { username: 'CORP\svc-okta', password: "%s" } }`, pass)
		},
		`NTLM as CORP\svc-okta`, "HTTP 401", "refused")
}

// TestKerberosBackend: the LegacyHR simulator behind SPNEGO with the keytab a real MIT KDC issued
// for HTTP/127.0.0.1, the bridge configured with backend.auth.kerberos (krb5.conf naming that
// KDC): every backend call carries a ticket the KDC issued, and a wrong password is named as such.
func TestKerberosBackend(t *testing.T) {
	kdc := kdctest.Start(t)
	kdc.AddUser(t, "svc-okta", "Krb-e2e-Secret1")
	svcKeytab := kdc.AddService(t, "HTTP/127.0.0.1")
	windowsAuthBackend(t, []string{"--kerberos-keytab", svcKeytab}, "Krb-e2e-Secret1",
		func(pass string) string {
			return fmt.Sprintf(`{ kerberos: { krb5Conf: %s, realm: %s, username: svc-okta, password: "%s" } }`, kdc.Krb5Conf, kdctest.Realm, pass)
		},
		"Kerberos as svc-okta@"+kdctest.Realm, "the password or the keytab's key is wrong")
}

// windowsAuthBackend starts the LegacyHR simulator with simArgs (its Windows authentication),
// then a bridge whose backend.auth is auth(password), the password read from a secret file, and
// checks that `scimbridge test` passes through it. With a wrong password, serve must refuse to
// start with a message naming backend.auth and each of wantRefusal, and never the password.
func windowsAuthBackend(t *testing.T, simArgs []string, password string, auth func(pass string) string, wantRefusal ...string) {
	t.Helper()
	args := append([]string{"sim"}, simArgs...)
	args = append(args, "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`), args...)
	dir := t.TempDir()
	secret := filepath.Join(dir, "auth.pass")
	if err := os.WriteFile(secret, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	backend := func(pass string) string {
		return fmt.Sprintf(`
  mapping: builtin:legacyhr
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }
  auth: %s`, simURL, e2eSimUser, auth(pass))
	}
	s := startBridge(t, simURL, "", backend("${file:"+secret+"}"))
	out, err := execBin(t, "test", "--url", s.scim.base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test through %s failed: %v\n%s", simArgs[0], err, out)
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
		t.Fatalf("serve started with a wrong password (%s):\n%s", simArgs[0], out)
	}
	for _, want := range append([]string{"backend.auth"}, wantRefusal...) {
		if !strings.Contains(string(out), want) {
			t.Errorf("start-up error lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "Wrong-Password") {
		t.Errorf("the password is in the output:\n%s", out)
	}
}
