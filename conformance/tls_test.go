package conformance

import (
	"bytes"
	"encoding/pem"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPrivateCA: a connector behind a private CA fails certificate verification by default,
// passes with --ca-file naming that CA, and with --insecure passes while the report says the
// agent would still verify. Contradicting or unusable TLS options are usage errors.
func TestPrivateCA(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	srv := httptest.NewUnstartedServer(fk.srv.Config.Handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected here
	srv.StartTLS()
	t.Cleanup(srv.Close)
	base := srv.URL + fakePrefix + "/"
	dir := t.TempDir()
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		args := append([]string{"--url", base, "--header", "Authorization: " + fakeToken, "--only", "filter.bad"}, extra...)
		code := Main(args, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, _ := run()
	if code != 1 || !strings.Contains(out, "certificate") {
		t.Errorf("without the CA: exit %d, want 1 with a certificate failure\n%s", code, out)
	}
	code, out, errOut := run("--ca-file", caFile)
	if code != 0 || !strings.Contains(out, "TLS: trusting the CAs in "+caFile) {
		t.Errorf("with --ca-file: exit %d (stderr %q)\n%s", code, errOut, out)
	}
	code, out, errOut = run("--insecure")
	if code != 0 || !strings.Contains(out, "TLS: certificate verification OFF") {
		t.Errorf("with --insecure: exit %d (stderr %q)\n%s", code, errOut, out)
	}
	for name, extra := range map[string][]string{
		"both":    {"--ca-file", caFile, "--insecure"},
		"missing": {"--ca-file", filepath.Join(dir, "absent.pem")},
		"not PEM": {"--ca-file", notPEM},
	} {
		if code, _, errOut := run(extra...); code != 2 || !strings.Contains(errOut, "scimbridge test:") {
			t.Errorf("%s: exit %d, want 2 with a message (stderr %q)", name, code, errOut)
		}
	}
}
