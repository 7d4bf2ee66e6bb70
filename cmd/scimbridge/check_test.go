package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestCheckMappingFixtures runs `scimbridge check --mapping` on every invalid mapping fixture
// (one per validation rule, under mapping/testdata/invalid) against the real generated clients,
// and on the shipped examples: every error is printed with its position and the exit status is
// 1, and the examples pass with 0. The expected output is a golden file (go test -update).
func TestCheckMappingFixtures(t *testing.T) {
	dir := filepath.Join("..", "..", "mapping")
	files, err := filepath.Glob(filepath.Join(dir, "testdata", "invalid", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var got bytes.Buffer
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f)
		var stdout, stderr bytes.Buffer
		code := checkMapping(f, "", &stdout, &stderr)
		if code != 1 || stdout.Len() != 0 {
			t.Errorf("%s: exit %d, stdout %q; want exit 1 and errors on stderr", rel, code, stdout.String())
		}
		out := strings.ReplaceAll(stderr.String(), filepath.Join(dir, "testdata"), "testdata")
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(line, rel) {
				t.Errorf("%s: error line does not start with the file name: %q", rel, line)
			}
		}
		fmt.Fprintf(&got, "== %s\n%s", rel, out)
	}
	golden := filepath.Join("testdata", "check-invalid.golden")
	if *update {
		if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("check output differs from %s (run go test -update to accept):\n%s", golden, got.String())
	}

	for _, ex := range []string{"legacyhr.mapping.yaml", "wso2.mapping.yaml"} {
		var stdout, stderr bytes.Buffer
		if code := checkMapping(filepath.Join("..", "..", "deploy", "examples", ex), "", &stdout, &stderr); code != 0 {
			t.Errorf("%s: exit %d: %s", ex, code, stderr.String())
		}
	}
}
