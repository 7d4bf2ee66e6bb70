package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/state"
)

// `scimbridge state backup` copies a state file that a running store holds open, both by
// --db and through the configuration's state.path; the copy holds what was recorded.
func TestStateBackupCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db := filepath.Join(dir, "state.db")
	live, err := state.OpenSQLite(db)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	if err := live.Record(ctx, "alice", "pw-1"); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "bridge.yaml")
	os.WriteFile(cfg, fmt.Appendf(nil, `backend: { mapping: "builtin:legacyhr", endpoint: "http://127.0.0.1:1/soap" }
scim: { auth: { mode: none } }
state: { path: %s }
`, db), 0o600)

	for i, args := range [][]string{{"--db", db}, {"--config", cfg}} {
		dest := filepath.Join(dir, fmt.Sprintf("backup-%d.db", i))
		var stdout, stderr bytes.Buffer
		if code := run(ctx, append(append([]string{"state", "backup"}, args...), dest), &stdout, &stderr); code != 0 {
			t.Fatalf("state backup %v: exit %d: %s", args, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), "backed up to "+dest) {
			t.Errorf("stdout %q does not name the backup", stdout.String())
		}
		b, err := state.OpenSQLite(dest)
		if err != nil {
			t.Fatal(err)
		}
		if ok, _, _ := b.Remembered(ctx, "alice", "pw-1"); !ok {
			t.Errorf("backup %v lacks the password history", args)
		}
		b.Close()
	}

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"state"}, 2, "Usage"},
		{[]string{"state", "restore", "x"}, 2, "Usage"},
		{[]string{"state", "backup", filepath.Join(dir, "x.db")}, 2, "give one of --config FILE or --db FILE"},
		{[]string{"state", "backup", "--db", db, filepath.Join(dir, "backup-0.db")}, 1, "exists"},
		{[]string{"state", "backup", "--db", filepath.Join(dir, "none.db"), filepath.Join(dir, "y.db")}, 1, "no such file"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, tc.args, &stdout, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr.String(), tc.code, tc.want)
		}
	}
}
