package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A void operation as gowsdl v0.5.0's template renders it. Without the repair the call passes a
// non-pointer and the test's Contains check on "&struct{}{}" fails.
const voidSrc = `package x

import "context"

type client interface {
	CallContext(ctx context.Context, action string, req, resp interface{}) error
}

func call(c client, ctx context.Context) error {
	err := c.CallContext(ctx, "urn:x/Ping", nil, struct{}{})
	return err
}
`

func TestRepairVoidOperation(t *testing.T) {
	out, notes, err := repair([]byte(voidSrc), "x")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `nil, &struct{}{})`) || strings.Contains(string(out), `nil, struct{}{})`) {
		t.Fatalf("void call not repaired:\n%s", out)
	}
	if len(notes) != 1 {
		t.Fatalf("notes = %q, want one", notes)
	}
}

func TestRepairNoOpKeepsSourceAndChecksPackage(t *testing.T) {
	src := "package legacyhr\n\nvar X = 1\n"
	out, notes, err := repair([]byte(src), "legacyhr")
	if err != nil || string(out) != src || len(notes) != 0 {
		t.Fatalf("repair(clean) = %q, %q, %v", out, notes, err)
	}
	if _, _, err := repair([]byte(src), "other"); err == nil {
		t.Fatal("wrong package name accepted")
	}
	if _, _, err := repair([]byte("package legacyhr\nfunc {"), "legacyhr"); err == nil {
		t.Fatal("unformattable source accepted")
	}
}

func TestInstallModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pkg", "f.go")
	if err := install(path, []byte("package pkg\n")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode = %v, want 0644", fi.Mode().Perm())
	}
	di, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	// gowsdl itself makes the directory 0744; install must give what MkdirAll(0755) gives under
	// the current umask (compared with a sibling made that way, so the test holds for any umask).
	ref := filepath.Join(t.TempDir(), "ref")
	if err := os.MkdirAll(ref, 0o755); err != nil {
		t.Fatal(err)
	}
	ri, _ := os.Stat(ref)
	if di.Mode().Perm() != ri.Mode().Perm() {
		t.Errorf("dir mode = %v, want %v", di.Mode().Perm(), ri.Mode().Perm())
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}
