package deploy

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// unitDirectives reads a systemd unit into section.key → values (a key may repeat).
func unitDirectives(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.Trim(line, "[]")
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("%s: line %q is not key=value", path, line)
			}
			out[section+"."+k] = append(out[section+"."+k], v)
		}
	}
	return out
}

// TestSystemdUnitHardening pins what the unit promises in docs/security.md: a dedicated user,
// no privilege gain, a read-only system, a private state directory, no capabilities, reload by
// SIGHUP, a stop timeout above the bridge's 25 s drain.
func TestSystemdUnitHardening(t *testing.T) {
	const path = "systemd/scimbridge.service"
	d := unitDirectives(t, path)
	want := map[string]string{
		"Service.User":                  "scimbridge",
		"Service.NoNewPrivileges":       "yes",
		"Service.ProtectSystem":         "strict",
		"Service.ProtectHome":           "yes",
		"Service.PrivateTmp":            "yes",
		"Service.StateDirectory":        "scimbridge",
		"Service.CapabilityBoundingSet": "",
		"Service.AmbientCapabilities":   "",
		"Service.ExecReload":            "/bin/kill -HUP $MAINPID",
		"Service.KillSignal":            "SIGTERM",
		"Service.UMask":                 "0077",
		"Install.WantedBy":              "multi-user.target",
	}
	for k, v := range want {
		got, ok := d[k]
		if !ok || got[len(got)-1] != v {
			t.Errorf("%s: %s = %q, want %q", path, k, got, v)
		}
	}
	if exec := d["Service.ExecStart"]; len(exec) != 1 || !strings.HasSuffix(exec[0], "scimbridge serve --config /etc/scimbridge/scimbridge.yaml") {
		t.Errorf("ExecStart = %q", exec)
	}
	stop, err := time.ParseDuration(d["Service.TimeoutStopSec"][0])
	if err != nil || stop <= 25*time.Second {
		t.Errorf("TimeoutStopSec %q must exceed the bridge's 25 s drain (%v)", d["Service.TimeoutStopSec"], err)
	}
}

// TestSystemdUnitVerifies runs systemd-analyze verify on the unit, with this test binary standing
// in at the ExecStart path (verify checks that the command is executable). .ci/run does the same
// with the release binary and installs systemd when it is missing.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("systemd-analyze is missing in CI (.ci/run installs the systemd package)")
		}
		t.Skip("SKIPPED: systemd-analyze not installed (apt-get install systemd); the unit is not verified")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit, err := os.ReadFile("systemd/scimbridge.service")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scimbridge.service")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(unit), "/usr/local/bin/scimbridge", self)), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}
