package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestConformanceAgainstRESTSim runs the Okta agent replay (`scimbridge test`, SCIM 1.1 and 2.0)
// through the bridge against the bundled REST simulator, its operations read from its OpenAPI
// document (backend.openapi) and its bearer tokens fetched with OAuth2 client credentials: the
// OpenAPI path of the REST client, end to end, in a few seconds.
func TestConformanceAgainstRESTSim(t *testing.T) {
	restsimConformance(t, "restsim.mapping.yaml", "openapi.yaml", "/api/v1")
}

// TestConformanceAgainstRESTSimXML is the same through the simulator's XML edition (its own
// OpenAPI document, XML bodies both ways, XML error bodies for the fault rules).
func TestConformanceAgainstRESTSimXML(t *testing.T) {
	restsimConformance(t, "restsim-xml.mapping.yaml", "openapi-xml.yaml", "/api/xml")
}

func restsimConformance(t *testing.T, mappingFile, doc, apiPath string) {
	_, base := startProc(t, regexp.MustCompile(`restsim: listening on (http://\S+) `),
		"sim", "--kind", "rest", "--listen", "127.0.0.1:0", "--username", "bridge", "--password", e2eSimPass)
	root := strings.TrimSuffix(base, "/api/v1")
	base = root + apiPath
	s := startBridge(t, base, "", fmt.Sprintf(`
  mapping: %s
  openapi: %s
  endpoint: %s
  oauth2: { tokenURL: %s/oauth/token, clientID: bridge, clientSecret: "${file:SIMPASS}" }`,
		filepath.Join("..", "..", "deploy", "examples", mappingFile),
		filepath.Join("..", "..", "internal", "restsim", doc), base, root))

	r := s.scim.do("POST", "Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"weak","name":{"givenName":"W","familyName":"P"},
		"emails":[{"value":"weak@example.com","primary":true}],"active":true,"password":"short"}`)
	if r.status != 400 || !strings.Contains(string(r.body), "at least 8 characters") {
		t.Fatalf("weak password: %d %s, want 400 with the application's words (policy rule, exposeDetail)", r.status, r.body)
	}
	// The document's maxLength of userName (64) reaches the front end: a longer one is refused
	// with the bridge's own words before any call (restsim would refuse it in its own words).
	long := strings.Repeat("x", 60) + "@example.com"
	r = s.scim.do("POST", "Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"`+long+`","name":{"givenName":"L","familyName":"N"},
		"emails":[{"value":"long@example.com","primary":true}],"active":true}`)
	if want := "the limit is 64 (the application's schema, maxLength of UserName)"; r.status != 400 || !strings.Contains(string(r.body), want) {
		t.Fatalf("a 72-character userName: %d %s, want 400 saying %q", r.status, r.body, want)
	}
	for _, dialect := range []string{"1.1", "2.0"} {
		url := s.scim.base
		if dialect == "2.0" {
			url = strings.TrimSuffix(url, "scim/v1/") + "scim/v2/"
		}
		out, err := execBin(t, "test", "--dialect", dialect, "--url", url, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s against restsim failed: %v\n%s", dialect, err, out)
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line:\n%s", out)
		}
	}
}
