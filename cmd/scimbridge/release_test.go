package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The released-binary test: a binary built as a release is (-trimpath), run with a PATH that has
// no Go toolchain and from a directory that holds only the WSDL, the mapping and the
// configuration, connects each bundled application through the runtime WSDL client
// (backend.wsdl), and the Okta agent replay (`scimbridge test`, SCIM 1.1 and 2.0) passes. The
// ASMX-shaped directory has no generated client at all: only this path exists for it.

// releaseBin builds the release binary once per test binary run.
var releaseBin = sync1(func() (string, error) {
	dir, err := os.MkdirTemp("", "scimbridge-release-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "scimbridge")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build -trimpath: %v\n%s", err, out)
	}
	return bin, nil
})

func sync1(f func() (string, error)) func() (string, error) {
	var done bool
	var v string
	var err error
	return func() (string, error) {
		if !done {
			v, err = f()
			done = true
		}
		return v, err
	}
}

// noGoEnv is the environment of the released processes: PATH is one empty directory, so there
// is no go, gcc or anything else to run, and GOROOT/GOPATH are unset.
func noGoEnv(t *testing.T) []string {
	empty := t.TempDir()
	env := []string{"PATH=" + empty, "HOME=" + t.TempDir(), "E2E_SCIM_PASSWORD=" + e2eSCIMPass}
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	return env
}

// startReleased starts the release binary in dir with env and waits for a stdout line matching
// ready; it returns the first submatch.
func startReleased(t *testing.T, bin, dir string, env []string, ready *regexp.Regexp, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	_, v := startCmd(t, cmd, ready, args...)
	return v
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// releasedApp is one bundled application as an operator connects it from files.
type releasedApp struct {
	kind    string // sim --kind
	ready   string // the simulator's ready line, submatch: its endpoint URL
	wsdl    string // under the repository
	mapping string // under the repository
	auth    string // backend auth block, SIMPASS replaced by the password file
}

var releasedApps = []releasedApp{
	{"asmx", `asmxsim: listening on (http://\S+) `, "../../wsdl/asmx-directory.wsdl", "../../deploy/examples/asmx.mapping.yaml",
		`basic: { username: ` + e2eSimUser + `, password: "${file:SIMPASS}" }`},
	{"legacyhr", `legacysim: listening on (http://\S+/soap)`, "../../wsdl/legacyhr.wsdl", "../../deploy/examples/legacyhr.mapping.yaml",
		`wsse: { username: ` + e2eSimUser + `, password: "${file:SIMPASS}" }`},
	{"wso2", `wso2sim: listening on (http://\S+)`, "../../wsdl/corpus/wso2-remote-userstore/RemoteUserStoreManagerService.wsdl", "../../deploy/examples/wso2.mapping.yaml",
		`basic: { username: ` + e2eSimUser + `, password: "${file:SIMPASS}" }`},
}

func TestReleasedBinaryWithoutToolchain(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary and runs the agent replay three times")
	}
	bin, err := releaseBin()
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range releasedApps {
		t.Run(app.kind, func(t *testing.T) {
			dir := t.TempDir()
			env := noGoEnv(t)
			if _, err := exec.LookPath("go"); err == nil {
				// The test process has go; the released processes must not.
				for _, kv := range env {
					if p, ok := strings.CutPrefix(kv, "PATH="); ok {
						if _, err := os.Stat(filepath.Join(p, "go")); err == nil {
							t.Fatal("the released processes' PATH has go")
						}
					}
				}
			}
			copyFile(t, app.wsdl, filepath.Join(dir, filepath.Base(app.wsdl)))
			copyFile(t, app.mapping, filepath.Join(dir, "app.mapping.yaml"))
			if err := os.WriteFile(filepath.Join(dir, "sim.pass"), []byte(e2eSimPass+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			endpoint := startReleased(t, bin, dir, env, regexp.MustCompile(app.ready),
				"sim", "--kind", app.kind, "--listen", "127.0.0.1:0", "--username", e2eSimUser, "--password", e2eSimPass)
			if _, err := url.Parse(endpoint); err != nil {
				t.Fatal(err)
			}
			cfg := fmt.Sprintf(`listen: 127.0.0.1:0
metrics: { listen: "127.0.0.1:0" }
scim:
  auth: { mode: basic, username: %s, password: "${E2E_SCIM_PASSWORD}" }
backend:
  wsdl: %s
  mapping: app.mapping.yaml
  endpoint: %s
  timeout: 10s
  %s
state: { path: state.db }
log: { format: json, level: info }
`, e2eSCIMUser, filepath.Base(app.wsdl), endpoint, strings.ReplaceAll(app.auth, "SIMPASS", filepath.Join(dir, "sim.pass")))
			if err := os.WriteFile(filepath.Join(dir, "scimbridge.yaml"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			check := exec.Command(bin, "check", "--config", "scimbridge.yaml")
			check.Dir, check.Env = dir, env
			if out, err := check.CombinedOutput(); err != nil {
				t.Fatalf("check: %v\n%s", err, out)
			}
			base := startReleased(t, bin, dir, env, regexp.MustCompile(`SCIM 1.1 listening on (http://\S+)`), "serve", "--config", "scimbridge.yaml")
			for _, dialect := range []string{"1.1", "2.0"} {
				url := base
				if dialect == "2.0" {
					url = strings.TrimSuffix(base, "scim/v1/") + "scim/v2/"
				}
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				cmd := exec.CommandContext(ctx, bin, "test", "--dialect", dialect, "--url", url, "--basic", e2eSCIMUser+":"+e2eSCIMPass)
				cmd.Dir, cmd.Env = dir, env
				out, err := cmd.CombinedOutput()
				cancel()
				if err != nil {
					t.Fatalf("scimbridge test --dialect %s: %v\n%s", dialect, err, out)
				}
				if !regexp.MustCompile(`(?m)^\d+ passed, 0 failed`).Match(out) {
					t.Fatalf("no clean summary line:\n%s", out)
				}
			}
		})
	}
}
