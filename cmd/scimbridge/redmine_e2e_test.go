//go:build unix

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/redmine"
)

// startRedmineStack starts a real Redmine 5 (internal/redmine) and a bridge over it with the
// example mapping, the API key read from a file.
func startRedmineStack(t *testing.T) (*stack, *redmine.Instance) {
	t.Helper()
	rm := redmine.Start(t)
	keyFile := filepath.Join(t.TempDir(), "redmine.key")
	if err := os.WriteFile(keyFile, []byte(rm.APIKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := startBridge(t, rm.URL, "", fmt.Sprintf(`
  mapping: %s
  endpoint: %s
  headers: { X-Redmine-API-Key: "${file:%s}" }`, filepath.Join("..", "..", "deploy", "examples", "redmine.mapping.yaml"), rm.URL, keyFile))
	return s, rm
}

// redmineUser reads a user straight from Redmine's API.
func redmineUser(t *testing.T, rm *redmine.Instance, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rm.URL+"/users/"+id+".json", nil)
	req.Header.Set("X-Redmine-API-Key", rm.APIKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v struct{ User map[string]any }
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatalf("GET /users/%s.json: %d %v", id, resp.StatusCode, err)
	}
	return v.User
}

// TestConformanceAgainstRedmine runs the Okta agent replay (`scimbridge test`, SCIM 1.1 and 2.0)
// through the bridge against a real Redmine 5, plus the behaviour the replay cannot see from the
// SCIM side: Redmine's 422 answers as clear SCIM errors, deactivation as Redmine's locked status.
func TestConformanceAgainstRedmine(t *testing.T) {
	s, rm := startRedmineStack(t)

	r := s.scim.do("POST", "Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.one","name":{"givenName":"Rem","familyName":"One"},
		"emails":[{"value":"rm.one@example.com","primary":true}],"active":true,"password":"long-enough-1"}`)
	wantStatus(t, "create", r, 200) // SCIM 1.1 as the Okta agent expects it
	id := r.json(t)["id"].(string)
	if u := redmineUser(t, rm, id); u["login"] != "rm.one" || u["mail"] != "rm.one@example.com" || u["status"] != float64(1) {
		t.Fatalf("Redmine holds %v", u)
	}
	r = s.scim.do("POST", "Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.one","name":{"givenName":"Rem","familyName":"Two"},
		"emails":[{"value":"rm.two@example.com"}],"active":true,"password":"long-enough-2"}`)
	if r.status != 409 || !strings.Contains(string(r.body), "Redmine already has a user with this login") {
		t.Fatalf("taken login: %d %s, want 409 with the mapping's message", r.status, r.body)
	}
	r = s.scim.do("POST", "Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.short","name":{"givenName":"Rem","familyName":"Short"},
		"emails":[{"value":"rm.short@example.com"}],"active":true,"password":"short"}`)
	if r.status != 400 || !strings.Contains(string(r.body), "Password is too short") {
		t.Fatalf("short password: %d %s, want 400 with Redmine's own words", r.status, r.body)
	}
	user := s.scim.do("GET", "Users/"+id, nil).json(t)
	user["active"] = false
	b, _ := json.Marshal(user)
	wantStatus(t, "deactivate", s.scim.do("PUT", "Users/"+id, string(b)), 200)
	if got := redmineUser(t, rm, id)["status"]; got != float64(3) {
		t.Fatalf("after deactivation Redmine's status is %v, want 3 (locked)", got)
	}

	for _, dialect := range []string{"1.1", "2.0"} {
		base := s.scim.base
		if dialect == "2.0" {
			base = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
		}
		out, err := execBin(t, "test", "--dialect", dialect, "--url", base, "--basic", e2eSCIMUser+":"+e2eSCIMPass).CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s against Redmine failed: %v\n%s", dialect, err, out)
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line:\n%s", out)
		}
		t.Logf("SCIM %s against Redmine: %s", dialect, regexp.MustCompile(`(?m)^\d+ passed.*$`).Find(out))
	}
}
