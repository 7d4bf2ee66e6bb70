package adapter

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// A rotated secret: the new and the previous one are both accepted, each named in the log line,
// anything else is refused.
func TestAuthAcceptsPreviousSecretDuringRotation(t *testing.T) {
	h := newHarness(t, nil, func(c *Config) { c.Auth.PreviousPassword = "old-secret" })
	get := func(user, pass string) int {
		req, _ := http.NewRequest("GET", h.srv.URL+"/scim/v1/ServiceProviderConfigs", nil)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if get(testUser, testPass) != 200 || get(testUser, "old-secret") != 200 {
		t.Fatal("current or previous password refused")
	}
	if get(testUser, "wrong") != 401 || get("someone", "old-secret") != 401 {
		t.Fatal("a wrong password or user was accepted")
	}
	var callers []string
	for _, l := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(l), &rec) == nil && rec["caller"] != nil {
			callers = append(callers, rec["caller"].(string))
		}
	}
	if strings.Join(callers, ",") != testUser+","+testUser+" (previous password)" {
		t.Errorf("callers %v", callers)
	}
	if strings.Contains(h.logs.String(), "old-secret") || strings.Contains(h.logs.String(), testPass) {
		t.Error("a secret reached the log")
	}

	// Header mode: the previous token too.
	h = newHarness(t, nil, func(c *Config) {
		c.Auth = AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer new", PreviousToken: "Bearer old"}
	})
	for tok, want := range map[string]int{"Bearer new": 200, "Bearer old": 200, "Bearer other": 401} {
		req, _ := http.NewRequest("GET", h.srv.URL+"/scim/v1/ServiceProviderConfigs", nil)
		req.Header.Set("Authorization", tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", tok, resp.StatusCode, want)
		}
	}
}

func TestAllowFrom(t *testing.T) {
	// The test client is 127.0.0.1: outside 10.0.0.0/8, refused with a JSON 403 before auth.
	h := newHarness(t, nil, func(c *Config) { c.AllowFrom = []string{"10.0.0.0/8", "192.0.2.7"} })
	r := h.do("GET", "/scim/v1/Users", nil)
	if r.status != 403 || !strings.Contains(string(r.raw), "SB-FORBIDDEN") {
		t.Fatalf("outside allowFrom: %d %s", r.status, r.raw)
	}
	h = newHarness(t, nil, func(c *Config) { c.AllowFrom = []string{"127.0.0.0/8"} })
	if r := h.do("GET", "/scim/v1/Users", nil); r.status != 200 {
		t.Fatalf("inside allowFrom: %d %s", r.status, r.raw)
	}
	cfg := Config{AllowFrom: []string{"10.0.0.0/33", "host.example"}, Auth: AuthConfig{Mode: "header", HeaderName: "X", Token: "t", PreviousPassword: "p"}}
	cfg.Defaults()
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), `allowFrom: "10.0.0.0/33" is neither`) || !strings.Contains(err.Error(), "auth.previousPassword only applies to auth.mode basic") {
		t.Errorf("validate: %v", err)
	}
}
