package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConformanceAgainstJIRA: JIRA SOAP v2 (rpc/encoded, session-token login) connected with no
// code: the simulator's tokens expire every 20 calls, the bridge reads JIRA's own WSDL and the
// example mapping (deploy/examples/jira.mapping.yaml) with the example's session block, and
// `scimbridge test` passes through it in SCIM 1.1 and 2.0, skipping (as not advertised) what
// JIRA's API cannot do. The example configuration must also check clean.
func TestConformanceAgainstJIRA(t *testing.T) {
	sim, endpoint := startProc(t, regexp.MustCompile(`jirasim: listening on (http://\S+)`),
		"sim", "--kind", "jira", "--expire-every", "20", "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	s := startBridge(t, endpoint, "  capabilities: { disable: [PUSH_PROFILE_UPDATES] }", fmt.Sprintf(`
  wsdl: %s
  endpoint: %s
  mapping: %s
  session:
    login: login
    request: { in0: %s, in1: "${file:SIMPASS}" }
    token: loginReturn
    use: { parameter: in0 }
    expired: [ { faultString: "(?i)session timed out" } ]
    logout: logout`,
		filepath.Join(root, "wsdl/corpus/jira-soap-v2/jirasoapservice-v2.wsdl"), endpoint, filepath.Join(root, "deploy/examples/jira.mapping.yaml"), e2eSimUser))
	for _, dialect := range []string{"1.1", "2.0"} {
		base := s.scim.base
		if dialect == "2.0" {
			base = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
		}
		out, err := execBin(t, "test", "--dialect", dialect, "--url", base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s through JIRA failed: %v\n%s\nbridge:\n%s", dialect, err, out, s.bridge.output())
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line (%s):\n%s", dialect, out)
		}
		// What JIRA's API lacks is advertised, in 2.0 as in 1.1, and so skipped with that reason;
		// what it offers is checked.
		for _, name := range []string{"pushProfileUpdate", "pushPasswordUpdate", "createGroup"} {
			if !regexp.MustCompile(`(?m)^SKIP\s+` + name + `\s+needs capability \S+, not advertised`).Match(out) {
				t.Errorf("%s: %s is not skipped as not advertised:\n%s", dialect, name, out)
			}
		}
		for _, name := range []string{"createNewUser", "deactivateUser", "reactivateUser", "lifecycle"} {
			if !regexp.MustCompile(`(?m)^PASS\s+` + name + `\s`).Match(out) {
				t.Errorf("%s: %s did not run and pass:\n%s", dialect, name, out)
			}
		}
		t.Logf("%s", out)
	}
	if strings.Contains(s.bridge.output(), "jirasim-") {
		t.Errorf("a session token reached the bridge's log")
	}
	// Tokens did expire during the run (every 20 calls), and every call still succeeded.
	if n := strings.Count(sim.output(), "session timed out"); n == 0 {
		t.Errorf("no session expired during the run:\n%s", sim.output())
	}

	// JIRA cannot change a user's name: a PUT that tries is refused, never answered 200.
	r := s.scim.do("POST", "Users", map[string]any{"schemas": []string{"urn:scim:schemas:core:1.0"}, "userName": "rename.me@example.test",
		"name": map[string]any{"givenName": "Ann", "familyName": "Old"}, "emails": []map[string]any{{"value": "rename.me@example.test", "primary": true}}, "active": true})
	if r.status != 201 && r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	r = s.scim.do("PUT", "Users/rename.me@example.test", map[string]any{"schemas": []string{"urn:scim:schemas:core:1.0"}, "userName": "rename.me@example.test",
		"name": map[string]any{"givenName": "Ann", "familyName": "New"}, "emails": []map[string]any{{"value": "rename.me@example.test", "primary": true}}, "active": true})
	if r.status != 400 || !strings.Contains(string(r.body), "cannot change") {
		t.Errorf("a name change answered %d %s, want 400", r.status, r.body)
	}

	// The shipped example checks clean (from the repository root, as its comment says).
	os.Setenv("LEGACYSIM_PASSWORD", "x")
	os.Setenv("SCIM_PASSWORD", "y")
	cmd := execBin(t, "check", "--config", "deploy/examples/local-jira.yaml")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "OK") {
		t.Fatalf("check of the JIRA example: %v\n%s", err, out)
	}
}
