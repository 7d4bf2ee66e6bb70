package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestHTTPSWithCertAndToken is the operator's path to a TLS bridge, as real processes: `scimbridge
// cert` makes the CA and the server certificate, `scimbridge token` the bearer token, the bridge
// serves HTTPS with them, and `scimbridge test --ca-file` (the tester trusting only what the
// agent's trust store would) passes; without the CA the tester cannot connect.
func TestHTTPSWithCertAndToken(t *testing.T) {
	dir := t.TempDir()
	pkiDir := filepath.Join(dir, "tls")
	out, err := execBin(t, "cert", "--dns", "localhost", "--ip", "127.0.0.1", "--out", pkiDir).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge cert: %v\n%s", err, out)
	}
	caFile := filepath.Join(pkiDir, "ca.crt")
	for _, want := range []string{
		"/opt/OktaProvisioningAgent/jre/bin/keytool -importcert -noprompt -trustcacerts -alias scimbridge-ca -file " + caFile + " -keystore /opt/OktaProvisioningAgent/jre/lib/security/cacerts",
		`Get-ChildItem 'C:\Program Files\Okta\On-Premises Provisioning Agent' -Recurse -Filter keytool.exe`,
		"certFile: " + filepath.Join(pkiDir, "server.crt"),
		"DNS:localhost, IP:127.0.0.1",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("cert output lacks %q:\n%s", want, out)
		}
	}
	tokFile := filepath.Join(dir, "scim-token")
	if out, err := execBin(t, "token", "--out", tokFile).CombinedOutput(); err != nil {
		t.Fatalf("scimbridge token: %v\n%s", err, out)
	} else if !strings.Contains(string(out), "${file:"+tokFile+"}") {
		t.Errorf("token output lacks the configuration line:\n%s", out)
	}
	if runtime.GOOS != "windows" {
		for _, f := range []string{filepath.Join(pkiDir, "ca.key"), filepath.Join(pkiDir, "server.key"), tokFile} {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", f, fi.Mode().Perm())
			}
		}
	}
	tokBytes, err := os.ReadFile(tokFile)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokBytes))
	if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(token) {
		t.Fatalf("token %q is not 256 bits of base64url", token)
	}

	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	if err := os.WriteFile(filepath.Join(dir, "sim.pass"), []byte(e2eSimPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := fmt.Sprintf(`listen: 127.0.0.1:0
tls: { certFile: %q, keyFile: %q }
metrics: { disabled: true }
scim:
  auth: { mode: header, headerName: Authorization, token: "Bearer ${file:%s}" }
backend:
  mapping: builtin:legacyhr
  endpoint: %s/soap
  timeout: 10s
  wsse: { username: %s, password: "${file:%s}" }
state: { path: %q }
`, filepath.Join(pkiDir, "server.crt"), filepath.Join(pkiDir, "server.key"), tokFile,
		simURL, e2eSimUser, filepath.Join(dir, "sim.pass"), filepath.Join(dir, "state.db"))
	cfgPath := filepath.Join(dir, "scimbridge.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	_, base := startProc(t, regexp.MustCompile(`SCIM 1\.1 listening on (https://\S+)`), "serve", "--config", cfgPath)

	out, err = execBin(t, "test", "--url", base, "--ca-file", caFile, "--header", "Authorization: Bearer "+token).CombinedOutput()
	if err != nil {
		t.Fatalf("scimbridge test --ca-file over HTTPS failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("no clean summary line:\n%s", out)
	}

	// The same run without the CA: the tester, like the agent, must refuse the certificate.
	out, err = execBin(t, "test", "--url", base, "--only", "getImplementedUserManagementCapabilities",
		"--header", "Authorization: Bearer "+token).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "certificate") {
		t.Fatalf("the tester connected without trusting the private CA (err %v):\n%s", err, out)
	}
}
