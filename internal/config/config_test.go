package config

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the `# want:` lines of the invalid fixtures")

// Wants reads the `# want: ` lines of an invalid fixture: the exact messages, in order, that
// check and serve print for it. Exported to the command's tests through the file format only.
func wants(t *testing.T, file string) []string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			out = append(out, w)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s has no `# want: ` line", file)
	}
	return out
}

// TestInvalidFixtures is the table of invalid configurations (as blackbox_exporter keeps one):
// each testdata/invalid-*.yaml is refused by Prepare with exactly the messages its `# want:`
// lines give, all at once and positioned. cmd/scimbridge runs the same table through check and
// the serve start-up path, in process and as real processes.
func TestInvalidFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %v (%d)", err, len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			p, err := Prepare(f, Options{})
			if err == nil {
				p.Close()
				t.Fatal("accepted")
			}
			if _, ok := err.(Problems); !ok {
				t.Errorf("error is a %T, not Problems", err)
			}
			got := strings.Split(err.Error(), "\n")
			if *update {
				rewriteWants(t, f, got)
			}
			if want := wants(t, f); !reflect.DeepEqual(got, want) {
				t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			// YAML vocabulary only: no Go type or package names reach the operator.
			if m := regexp.MustCompile(`main\.|time\.Duration|soapclient|adapter\.|config\.|\bint64\b|float64|struct`).FindString(err.Error()); m != "" {
				t.Errorf("message leaks Go vocabulary %q", m)
			}
		})
	}
}

func TestBreakerRatioRefused(t *testing.T) {
	// The drift that started the one-owner rule: check accepted what serve refused.
	_, err := PrepareBytes("c.yaml", []byte("scim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: http://127.0.0.1:1/soap, resilience: { breaker: { failureRatio: 2 } } }\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "c.yaml:2:113: backend.resilience.breaker.failureRatio must be between 0 and 1") {
		t.Fatalf("got %v", err)
	}
}

func TestExampleConfigs(t *testing.T) {
	// The examples read their secrets from /etc and the environment; resolve them in memory.
	secrets := Options{
		LookupEnv: func(string) (string, bool) { return "from-env", true },
		ReadFile: func(p string) ([]byte, error) {
			if strings.HasPrefix(p, "/etc/scimbridge/") {
				return []byte("s3cret:with#odd\"chars\n"), nil
			}
			return os.ReadFile(p)
		},
	}
	cfg, err := Load("../../deploy/examples/scimbridge.yaml", secrets)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Backend.WSSE.Password != `s3cret:with#odd"chars` {
		t.Errorf("secret file reference not expanded verbatim: %q", cfg.Backend.WSSE.Password)
	}
	if cfg.SCIM.Auth.Token != `Bearer s3cret:with#odd"chars` {
		t.Errorf("secret inside a quoted value not expanded verbatim: %q", cfg.SCIM.Auth.Token)
	}
	for _, f := range []string{"local-legacyhr.yaml", "local-wso2.yaml"} {
		p, err := Prepare(filepath.Join("../../deploy/examples", f), secrets)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if p.Client == nil || p.Engine == nil {
			t.Errorf("%s: prepared without client or engine", f)
		}
		p.Close()
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(writeTemp(t, "scim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: \"http://127.0.0.1:1/soap\" }\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != "127.0.0.1:8080" || cfg.Metrics.Listen != "127.0.0.1:9464" || cfg.RequestTimeout != 28*time.Second ||
		cfg.Backend.Timeout != 20*time.Second || cfg.Backend.MaxConcurrency != 16 || cfg.Backend.Resilience.Disabled ||
		cfg.Log.Format != "json" || cfg.Log.Level != "info" || cfg.SCIM.PasswordSync != "changed" {
		t.Errorf("defaults: %+v", cfg)
	}
	cfg, err = Load(writeTemp(t, "metrics: { disabled: true }\nscim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: \"http://127.0.0.1:1/soap\" }\n"), Options{})
	if err != nil || cfg.Metrics.Listen != "" {
		t.Errorf("metrics.disabled: %v %q", err, cfg.Metrics.Listen)
	}
}

func TestPrepareBuildsServerCertificate(t *testing.T) {
	p, err := PrepareBytes("c.yaml", []byte("tls: { certFile: testdata/tls/a.crt, keyFile: testdata/tls/a.key }\nscim: { auth: { mode: none } }\nbackend: { mapping: builtin:wso2, endpoint: http://127.0.0.1:1/services/RemoteUserStoreManagerService }\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.ServerCert == nil || p.ServerCert.Leaf == nil || p.ServerCert.Leaf.Subject.CommonName != "localhost" {
		t.Errorf("server certificate: %+v", p.ServerCert)
	}
	if p.Engine.Client() != "wso2userstore" {
		t.Errorf("engine client %q", p.Engine.Client())
	}
}

func TestSecretNeverInMessages(t *testing.T) {
	t.Setenv("SCIMBRIDGE_TEST_SECRET", "hunter2-very-secret")
	_, err := PrepareBytes("c.yaml", []byte("scim: { auth: { mode: basic, username: \"${SCIMBRIDGE_TEST_SECRET}:x\", password: p } }\nbackend: { mapping: builtin:legacyhr, endpoint: \"http://u:${SCIMBRIDGE_TEST_SECRET}@/soap\", proxy: \"ftp://u:${SCIMBRIDGE_TEST_SECRET}@p\" }\n"), Options{})
	if err == nil {
		t.Fatal("accepted")
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a secret reached the message:\n%v", err)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// rewriteWants replaces a fixture's `# want:` lines (go test -update), after which the diff
// shows what changed for the operator.
func rewriteWants(t *testing.T, file string, got []string) {
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, l := range strings.SplitAfter(string(raw), "\n") {
		if !strings.HasPrefix(l, "# want: ") {
			b.WriteString(l)
		}
	}
	for _, g := range got {
		b.WriteString("# want: " + g + "\n")
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// backend.netHTTP reaches both clients' configurations, SOAP and REST.
func TestNetHTTP(t *testing.T) {
	for _, on := range []bool{false, true} {
		p, err := PrepareBytes("c.yaml", []byte(fmt.Sprintf("scim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: http://127.0.0.1:1/soap, netHTTP: %v }\n", on)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		sc := soapConfig(&collector{}, p.Config, Options{})
		if sc.NetHTTP != on || restConfig(p.Config, sc).NetHTTP != on {
			t.Errorf("netHTTP: %v: SOAP client gets %v, REST client %v", on, sc.NetHTTP, restConfig(p.Config, sc).NetHTTP)
		}
	}
}

// backend.gowsdlOnly reaches the SOAP client, and a REST backend refuses it as a SOAP-only key.
func TestGowsdlOnly(t *testing.T) {
	p, err := PrepareBytes("c.yaml", []byte("scim: { auth: { mode: none } }\nbackend: { mapping: builtin:legacyhr, endpoint: http://127.0.0.1:1/soap, gowsdlOnly: true }\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Config.Backend.GowsdlOnly {
		t.Error("gowsdlOnly: true was not read")
	}
	_, err = PrepareBytes("c.yaml", []byte("scim: { auth: { mode: none } }\nbackend: { mapping: ../../deploy/examples/restsim.mapping.yaml, openapi: ../restsim/openapi.yaml, endpoint: http://127.0.0.1:1/api/v1, gowsdlOnly: true }\n"), Options{})
	if err == nil || !strings.Contains(err.Error(), "backend.gowsdlOnly") || !strings.Contains(err.Error(), "is for SOAP backends") {
		t.Fatalf("a REST backend with gowsdlOnly: got %v", err)
	}
}
