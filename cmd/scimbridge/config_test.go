package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fixtureWants reads the `# want: ` lines of an invalid configuration fixture.
func fixtureWants(t *testing.T, file string) string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if w, ok := strings.CutPrefix(sc.Text(), "# want: "); ok {
			b.WriteString(w + "\n")
		}
	}
	return b.String()
}

// TestInvalidConfigsCheckAndServeAgree runs every invalid configuration fixture of
// internal/config through `scimbridge check` and through the start-up path of `scimbridge
// serve`: both must refuse it, exit 1, and print exactly the fixture's expected messages, so
// that a file check accepts is a file serve starts with. Two fixtures also run as real
// processes of the built binary.
func TestInvalidConfigsCheckAndServeAgree(t *testing.T) {
	// The fixtures name files relative to internal/config, as an operator's file names files
	// relative to where serve runs.
	t.Chdir(filepath.Join("..", "..", "internal", "config"))
	files, err := filepath.Glob("testdata/invalid-*.yaml")
	if err != nil || len(files) < 15 {
		t.Fatalf("fixtures: %v (%d)", err, len(files))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // serve must never get as far as serving; if it did, it stops at once
	for _, f := range files {
		want := fixtureWants(t, f)
		var out, errc strings.Builder
		if code := cmdCheck([]string{"--config", f}, &out, &errc); code != 1 || out.Len() != 0 || errc.String() != want {
			t.Errorf("check %s: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", f, code, out.String(), errc.String(), want)
		}
		out.Reset()
		errc.Reset()
		if code := cmdServe(ctx, []string{"--config", f}, &out, &errc); code != 1 || out.Len() != 0 || errc.String() != want {
			t.Errorf("serve %s: exit %d, stdout %q, stderr:\n%s\nwant:\n%s", f, code, out.String(), errc.String(), want)
		}
	}
	for _, f := range []string{"testdata/invalid-breaker-ratio.yaml", "testdata/invalid-tls-mismatch.yaml"} {
		want := fixtureWants(t, f)
		for _, cmd := range []string{"check", "serve"} {
			c := exec.Command(binPath, cmd, "--config", f)
			var stdout, stderr strings.Builder
			c.Stdout, c.Stderr = &stdout, &stderr
			err := c.Run()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 || stdout.Len() != 0 || stderr.String() != want {
				t.Errorf("process %s %s: %v, stdout %q, stderr:\n%s\nwant:\n%s", cmd, f, err, stdout.String(), stderr.String(), want)
			}
		}
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
