package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExampleConfigLoads(t *testing.T) {
	dir := t.TempDir()
	raw, err := os.ReadFile("../../deploy/examples/scimbridge.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The example reads its secrets from /etc; point those references at temporary files.
	for _, name := range []string{"scim-token", "legacy-password"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("s3cret:with#odd\"chars\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		raw = []byte(strings.ReplaceAll(string(raw), "/etc/scimbridge/"+name, p))
	}
	cfg, err := parseConfig("scimbridge.yaml", raw)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backend.WSSE.Password != `s3cret:with#odd"chars` {
		t.Fatalf("secret file reference not expanded verbatim: %q", cfg.Backend.WSSE.Password)
	}
	if cfg.SCIM.Auth.Token != `Bearer s3cret:with#odd"chars` {
		t.Fatalf("secret inside a quoted value not expanded verbatim: %q", cfg.SCIM.Auth.Token)
	}
}

func TestConfigErrorsAreAllReported(t *testing.T) {
	t.Setenv("SET_VAR", "x")
	cases := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "listen: 127.0.0.1:1\nbogus: 1\n", []string{"field bogus not found"}},
		{"missing env and file", "backend:\n  mapping: ${NOPE_NOT_SET}\n  endpoint: ${file:/nonexistent/x}\n",
			[]string{"NOPE_NOT_SET is not set", "/nonexistent/x"}},
		{"everything wrong at once", "listen: nope\nbackend: { endpoint: ftp://x, wsse: { username: u } }\nlog: { format: xml, level: loud }\n",
			[]string{`listen: "nope"`, "backend.mapping: required", "http:// or https://", "backend.wsse", "log.format", "log.level"}},
		{"bad proxy, password not echoed", "backend:\n  mapping: builtin:legacyhr\n  endpoint: http://127.0.0.1:1/soap\n  proxy: ftp://u:s3cret@proxy:21\n",
			[]string{"backend.proxy", "ftp://u:xxxxx@proxy:21"}},
		{"auth none off loopback", "listen: 0.0.0.0:8080\nscim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: http://127.0.0.1:1/soap }\n",
			[]string{"none is only allowed"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseConfig("c.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestLocalExamplesCheck runs `scimbridge check --config` on the loopback examples the README
// points newcomers to: they must load and their mappings compile against the generated clients.
func TestLocalExamplesCheck(t *testing.T) {
	t.Setenv("SCIM_PASSWORD", "x")
	t.Setenv("LEGACYSIM_PASSWORD", "y")
	for _, f := range []string{"local-legacyhr.yaml", "local-wso2.yaml"} {
		var stdout, stderr strings.Builder
		if code := cmdCheck([]string{"--config", filepath.Join("..", "..", "deploy", "examples", f)}, &stdout, &stderr); code != 0 {
			t.Errorf("%s: exit %d: %s", f, code, stderr.String())
		}
	}
}

func TestConfigDefaults(t *testing.T) {
	cfg, err := parseConfig("c.yaml", []byte("backend: { mapping: builtin:legacyhr, endpoint: \"http://127.0.0.1:1/soap\" }\nscim: { auth: { mode: none } }\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Metrics.Listen != "127.0.0.1:9464" || cfg.RequestTimeout.String() != "28s" || cfg.Backend.Resilience.Disabled {
		t.Errorf("defaults: metrics %q, requestTimeout %v, resilience disabled %v", cfg.Metrics.Listen, cfg.RequestTimeout, cfg.Backend.Resilience.Disabled)
	}
	cfg, err = parseConfig("c.yaml", []byte("metrics: { disabled: true }\nbackend: { mapping: builtin:legacyhr, endpoint: \"http://127.0.0.1:1/soap\" }\nscim: { auth: { mode: none } }\n"))
	if err != nil || cfg.Metrics.Listen != "" {
		t.Errorf("metrics.disabled: %v %q", err, cfg.Metrics.Listen)
	}
}
