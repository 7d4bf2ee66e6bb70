package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check prints what Okta will be offered, so that a read-only mapping is seen to be one before
// Okta is configured.
func TestCheckPrintsTheOffer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.mapping.yaml")
	src := `client: legacyhr
users:
  toSCIM: { id: rec.EmployeeID, userName: rec.Login, active: rec.Enabled }
  get: { call: GetEmployee, request: { EmployeeID: id }, result: resp.Employee }
  list:
    call: ListEmployees
    paging: { style: pageNumber, page: PageNumber, size: PageSize, maxSize: 100 }
    items: resp.Employees
    total: resp.TotalCount
`
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := cmdCheck([]string{"--mapping", path}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"Okta capabilities: IMPORT_NEW_USERS, IMPORT_PROFILE_UPDATES\n",
		"not offered: GROUP_PUSH, PUSH_NEW_USERS, PUSH_PASSWORD_UPDATES"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
