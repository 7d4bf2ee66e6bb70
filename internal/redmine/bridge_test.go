//go:build unix

package redmine

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// This end-to-end test lives beside the harness, in its own package, so that its minutes (Redmine
// is slow to boot and to answer) have their own test timeout instead of the command's.

// buildBridge builds the scimbridge binary into dir.
func buildBridge(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "scimbridge")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/scimbridge/scimbridge/cmd/scimbridge")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// serve starts `scimbridge serve` and returns its SCIM 1.1 base URL.
func serve(t *testing.T, bin, cfg string) string {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--config", cfg)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var logs strings.Builder
	cmd.Stderr = &syncWriter{b: &logs}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("bridge log (last 8 KiB):\n%s", tail(logs.String(), 8<<10))
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := regexp.MustCompile(`SCIM 1.1 listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	select {
	case u := <-found:
		return u
	case <-done:
		t.Fatalf("the bridge exited:\n%s", logs.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("the bridge did not start:\n%s", logs.String())
	}
	return ""
}

type syncWriter struct{ b *strings.Builder }

func (w *syncWriter) Write(p []byte) (int, error) {
	if w.b.Len() > 4<<20 {
		return len(p), nil
	}
	return w.b.Write(p)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func scim(t *testing.T, method, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth("okta", "e2e-scim-secret")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (in *Instance) user(t *testing.T, id string) map[string]any {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, in.URL+"/users/"+id+".json", nil)
	req.Header.Set("X-Redmine-API-Key", in.APIKey)
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

// serveMapping starts a bridge in front of rm with the named example mapping (its own state
// file) and returns its SCIM 1.1 base URL.
func serveMapping(t *testing.T, bin, dir string, rm *Instance, keyFile, mapping string) string {
	t.Helper()
	mappingFile, _ := filepath.Abs(filepath.Join("..", "..", "deploy", "examples", mapping))
	cfg := filepath.Join(dir, mapping+".scimbridge.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`listen: 127.0.0.1:0
metrics: { disabled: true }
scim:
  auth: { mode: basic, username: okta, password: e2e-scim-secret }
backend:
  mapping: %s
  endpoint: %s
  timeout: 20s
  headers: { X-Redmine-API-Key: "${file:%s}" }
state: { path: %s }
log: { format: json, level: info }
`, mappingFile, rm.URL, keyFile, filepath.Join(dir, mapping+".state.db"))), 0o600); err != nil {
		t.Fatal(err)
	}
	return serve(t, bin, cfg)
}

// TestBridgeAgainstRedmine runs the Okta agent replay (`scimbridge test`, SCIM 1.1 and 2.0)
// through the bridge, configured with deploy/examples/redmine.mapping.yaml, against a real
// Redmine 5; plus what the replay cannot see from the SCIM side: Redmine's 422 answers as clear
// SCIM errors, deactivation as Redmine's locked status.
func TestBridgeAgainstRedmine(t *testing.T) {
	Require(t)
	dir := t.TempDir()
	bin := buildBridge(t, dir)
	rm := Start(t)
	keyFile := filepath.Join(dir, "redmine.key")
	if err := os.WriteFile(keyFile, []byte(rm.APIKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := serveMapping(t, bin, dir, rm, keyFile, "redmine.mapping.yaml")

	status, body := scim(t, "POST", base+"Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.one","name":{"givenName":"Rem","familyName":"One"},
		"emails":[{"value":"rm.one@example.com","primary":true}],"active":true,"password":"long-enough-1"}`)
	if status != 200 { // SCIM 1.1 as the Okta agent expects it
		t.Fatalf("create: %d %s", status, body)
	}
	var created map[string]any
	_ = json.Unmarshal(body, &created)
	id, _ := created["id"].(string)
	if u := rm.user(t, id); u["login"] != "rm.one" || u["mail"] != "rm.one@example.com" || u["status"] != float64(1) {
		t.Fatalf("Redmine holds %v", u)
	}
	status, body = scim(t, "POST", base+"Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.one","name":{"givenName":"Rem","familyName":"Two"},
		"emails":[{"value":"rm.two@example.com"}],"active":true,"password":"long-enough-2"}`)
	if status != 409 || !strings.Contains(string(body), "Redmine already has a user with this login") {
		t.Fatalf("taken login: %d %s, want 409 with the mapping's message", status, body)
	}
	status, body = scim(t, "POST", base+"Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.short","name":{"givenName":"Rem","familyName":"Short"},
		"emails":[{"value":"rm.short@example.com"}],"active":true,"password":"short"}`)
	if status != 400 || !strings.Contains(string(body), "Password is too short") {
		t.Fatalf("short password: %d %s, want 400 with Redmine's own words", status, body)
	}
	created["active"] = false
	b, _ := json.Marshal(created)
	if status, body = scim(t, "PUT", base+"Users/"+id, string(b)); status != 200 {
		t.Fatalf("deactivate: %d %s", status, body)
	}
	if got := rm.user(t, id)["status"]; got != float64(3) {
		t.Fatalf("after deactivation Redmine's status is %v, want 3 (locked)", got)
	}

	for _, dialect := range []string{"1.1", "2.0"} {
		url := base
		if dialect == "2.0" {
			url = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
		}
		out, err := exec.Command(bin, "test", "--dialect", dialect, "--url", url, "--basic", "okta:e2e-scim-secret").CombinedOutput()
		if err != nil {
			t.Fatalf("scimbridge test --dialect %s against Redmine failed: %v\n%s", dialect, err, out)
		}
		if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
			t.Fatalf("no clean summary line:\n%s", out)
		}
		t.Logf("SCIM %s against Redmine: %s", dialect, regexp.MustCompile(`(?m)^\d+ passed.*$`).Find(out))
		if dialect == "2.0" {
			// The meta check ran and found nothing to warn about: Redmine keeps no group times,
			// the bridge's state store supplies them.
			if !regexp.MustCompile(`(?m)^PASS\s+v2\.meta\s`).Match(out) || regexp.MustCompile(`(?m)warning: .*meta`).Match(out) {
				t.Errorf("v2.meta did not pass cleanly:\n%s", out)
			}
		}
	}

	// Groups, which Redmine keeps no times for, carry meta.created and meta.lastModified when
	// created, read and listed (SCIM 2.0).
	v2 := strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
	status, body = scim(t, "POST", v2+"Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"rm meta group"}`)
	if status != 201 {
		t.Fatalf("create group: %d %s", status, body)
	}
	var g struct {
		ID   string `json:"id"`
		Meta map[string]any
	}
	_ = json.Unmarshal(body, &g)
	hasTimes := func(what string, meta map[string]any) {
		for _, k := range []string{"created", "lastModified"} {
			if s, _ := meta[k].(string); s == "" {
				t.Errorf("%s: no meta.%s in %v", what, k, meta)
			} else if _, err := time.Parse(time.RFC3339, s); err != nil {
				t.Errorf("%s: meta.%s %q: %v", what, k, s, err)
			}
		}
	}
	hasTimes("POST /Groups", g.Meta)
	status, body = scim(t, "GET", v2+"Groups/"+g.ID, "")
	var got struct{ Meta map[string]any }
	_ = json.Unmarshal(body, &got)
	if status != 200 {
		t.Fatalf("get group: %d %s", status, body)
	}
	hasTimes("GET /Groups/"+g.ID, got.Meta)
	status, body = scim(t, "GET", v2+"Groups?count=100", "")
	var list struct {
		Resources []struct {
			ID   string `json:"id"`
			Meta map[string]any
		}
	}
	_ = json.Unmarshal(body, &list)
	found := false
	for _, r := range list.Resources {
		hasTimes("GET /Groups (item "+r.ID+")", r.Meta)
		found = found || r.ID == g.ID
	}
	if status != 200 || !found {
		t.Errorf("list groups: %d, group %s not listed: %s", status, g.ID, body)
	}
	if status, body = scim(t, "DELETE", v2+"Groups/"+g.ID, ""); status != 204 {
		t.Errorf("delete group: %d %s", status, body)
	}

	// The same Redmine through its XML endpoints (deploy/examples/redmine-xml.mapping.yaml):
	// Redmine's own XML replies and XML error bodies, SCIM 2.0 (the JSON run above covers 1.1).
	xmlBase := serveMapping(t, bin, dir, rm, keyFile, "redmine-xml.mapping.yaml")
	status, body = scim(t, "POST", xmlBase+"Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.one","name":{"givenName":"Rem","familyName":"Two"},
		"emails":[{"value":"rm.two@example.com"}],"active":true,"password":"long-enough-2"}`)
	if status != 409 || !strings.Contains(string(body), "Redmine already has a user with this login") {
		t.Fatalf("XML: taken login: %d %s, want 409 from Redmine's XML error body", status, body)
	}
	status, body = scim(t, "POST", xmlBase+"Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"rm.xml","name":{"givenName":"Rem","familyName":"Xml"},
		"emails":[{"value":"rm.xml@example.com","primary":true}],"active":true,"password":"short"}`)
	if status != 400 || !strings.Contains(string(body), "Password is too short") {
		t.Fatalf("XML: short password: %d %s, want 400 with Redmine's own words", status, body)
	}
	status, body = scim(t, "GET", xmlBase+"Users/"+id, "")
	if status != 200 || !strings.Contains(string(body), `"rm.one"`) || !strings.Contains(string(body), `"active":false`) {
		t.Fatalf("XML: read the user created through JSON: %d %s", status, body)
	}
	out, err := exec.Command(bin, "test", "--dialect", "2.0", "--url", strings.TrimSuffix(xmlBase, "scim/v1/")+"scim/v2/", "--basic", "okta:e2e-scim-secret").CombinedOutput()
	if err != nil || !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
		t.Fatalf("scimbridge test --dialect 2.0 against Redmine's XML API failed: %v\n%s", err, out)
	}
	t.Logf("SCIM 2.0 against Redmine's XML API: %s", regexp.MustCompile(`(?m)^\d+ passed.*$`).Find(out))
}
