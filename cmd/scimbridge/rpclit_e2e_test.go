package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConformanceRPCLiteral runs `scimbridge test`, in SCIM 1.1 and 2.0, through a bridge whose
// SOAP client is built at start-up from an rpc/literal WSDL (wsdl/legacyhr-rpc.wsdl) with the
// shipped example mapping, in front of the LegacyHR simulator in its rpc/literal-only variant.
// That variant refuses document/literal-shaped requests, which a second bridge, reading the
// document/literal WSDL, shows: so this test fails if the client stops speaking rpc/literal.
// The shipped example must also check clean.
func TestConformanceRPCLiteral(t *testing.T) {
	_, simURL := startProc(t, regexp.MustCompile(`legacysim: listening on (http://\S+)/soap`),
		"sim", "--rpc-literal", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass, "--seed=false")
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	backend := func(wsdlFile, mappingFile string) string {
		return fmt.Sprintf(`
  wsdl: %s
  mapping: %s
  endpoint: %s/soap
  wsse: { username: %s, password: "${file:SIMPASS}" }`,
			filepath.Join(root, wsdlFile), filepath.Join(root, mappingFile), simURL, e2eSimUser)
	}
	s := startBridge(t, simURL, "", backend("wsdl/legacyhr-rpc.wsdl", "deploy/examples/legacyhr-rpc.mapping.yaml"))
	for _, dialect := range []string{"1.1", "2.0"} {
		base := s.scim.base
		if dialect == "2.0" {
			base = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
		}
		out, err := execBin(t, "test", "--dialect", dialect, "--url", base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s over rpc/literal failed: %v\n%s\nbridge:\n%s", dialect, err, out, s.bridge.output())
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line (%s):\n%s", dialect, out)
		}
	}

	// The same simulator refuses a client that sends document/literal.
	doc := startBridge(t, simURL, "", backend("wsdl/legacyhr.wsdl", "deploy/examples/legacyhr.mapping.yaml"))
	r := doc.scim.do("GET", "Users?startIndex=1&count=5", nil)
	if r.status == 200 || !strings.Contains(string(r.body), "document/literal") {
		t.Fatalf("a document/literal client was answered %d %s; the rpc/literal simulator must refuse it", r.status, r.body)
	}

	// The shipped example checks clean (from the repository root, as its comment says).
	os.Setenv("LEGACYSIM_PASSWORD", "x")
	os.Setenv("SCIM_PASSWORD", "y")
	cmd := execBin(t, "check", "--config", "deploy/examples/local-legacyhr-rpc.yaml")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("check of the rpc/literal example: %v\n%s", err, out)
	}
}
