package main

import (
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestVersionStamped builds the binary with the -ldflags -X stamps scripts/release.sh uses (not
// its -trimpath, which would recompile every package: with TestMain's flags only the link runs)
// and checks that `version` and `--version` print the stamped module version, commit, date and
// dirty flag.
func TestVersionStamped(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "scimbridge")
	const pkg = "github.com/scimbridge/scimbridge/internal/buildinfo"
	ldflags := "-X " + pkg + ".version=v9.8.7 -X " + pkg + ".commit=0123456789abcdef0123456789abcdef01234567 -X " + pkg + ".date=2026-12-07T12:00:00Z -X " + pkg + ".dirty=true"
	args := []string{"build", "-ldflags", ldflags, "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	if out, err := exec.Command("go", append(args, ".")...).CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", arg, err, out)
		}
		for _, want := range []string{"scimbridge v9.8.7\n", "commit   0123456789abcdef0123456789abcdef01234567\n", "date     2026-12-07T12:00:00Z\n", "dirty    true\n", "go       go1."} {
			if !strings.Contains(string(out), want) {
				t.Errorf("%s output lacks %q:\n%s", arg, want, out)
			}
		}
	}
}

// TestBuildInfoMetricMatchesVersion checks that scimbridge_build_info carries the labels
// `scimbridge version` prints, for the same binary.
func TestBuildInfoMetricMatchesVersion(t *testing.T) {
	out, err := execBin(t, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("version: %v\n%s", err, out)
	}
	field := func(name string) string {
		m := regexp.MustCompile(`(?m)^\s*` + name + `\s+(\S+)$`).FindStringSubmatch(string(out))
		if m == nil {
			t.Fatalf("version output lacks %s:\n%s", name, out)
		}
		return m[1]
	}
	version := regexp.MustCompile(`^scimbridge (\S+)`).FindStringSubmatch(string(out))
	if version == nil {
		t.Fatalf("version output: %s", out)
	}
	s := startStack(t, "")
	res, err := http.Get(s.metricsURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	want := `scimbridge_build_info{commit="` + field("commit") + `",date="` + field("date") + `",dirty="` + field("dirty") +
		`",goversion="` + field("go") + `",version="` + version[1] + `"} 1`
	if !strings.Contains(string(body), want) {
		t.Errorf("/metrics lacks %s; it has:\n%s", want, regexp.MustCompile(`(?m)^scimbridge_build_info.*$`).FindString(string(body)))
	}
}
