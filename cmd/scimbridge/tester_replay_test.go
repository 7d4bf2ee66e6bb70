package main

import (
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// TestTesterDataReplayWithPasswordHistory replays the Okta tester's data files, in the order its
// documentation lists them, against LegacyHR, whose password policy refuses the last three
// passwords. The tester re-sends an earlier password ("inSecure") after pushing a new one, and
// its deactivate file carries one too: every step must pass, and the deactivation must happen.
// Ids in the files ("101", "102", "1002") become the ones the bridge assigned; the second and
// third create files get their own userName, since each file is a separate run of the tester.
func TestTesterDataReplayWithPasswordHistory(t *testing.T) {
	s := startStack(t, "")
	c := s.scim
	ids := map[string]string{}
	body := func(name string) string {
		b, err := oktafixtures.Bytes(name)
		if err != nil {
			t.Fatal(err)
		}
		out := string(b)
		for from, to := range ids {
			out = strings.ReplaceAll(out, `"`+from+`"`, `"`+to+`"`)
		}
		return out
	}
	creates := 0
	for _, name := range oktafixtures.TesterOrder() {
		method := strings.TrimSuffix(strings.SplitN(name, "-", 2)[0], ".json")
		switch method {
		case "createNewUser", "createPendingUser":
			b := body(name)
			if creates++; creates > 1 {
				b = strings.ReplaceAll(b, `@domain.com"`, `+`+strings.TrimSuffix(name, ".json")+`@domain.com"`)
			}
			r := c.do("POST", "Users", b)
			wantStatus(t, name, r, 200)
			u := r.json(t)
			if want := method == "createNewUser"; u["active"] != want {
				t.Fatalf("%s: active %v, want %v", name, u["active"], want)
			}
			if name == "createNewUser.json" {
				ids["101"] = u["id"].(string)
			}
			if name == "createPendingUser.json" {
				ids["102"] = u["id"].(string)
			}
		case "activateUser", "deactivateUser", "reactivateUser", "pushPasswordUpdate", "pushProfileUpdate":
			r := c.do("PUT", "Users/"+ids["101"], body(name))
			wantStatus(t, name, r, 200)
			want := method != "deactivateUser"
			if r.json(t)["active"] != want || s.employee(t, ids["101"])["enabled"] != want {
				t.Fatalf("%s: active %v, LegacyHR enabled %v, want %v", name, r.json(t)["active"], s.employee(t, ids["101"])["enabled"], want)
			}
		case "createGroup":
			r := c.do("POST", "Groups", body(name))
			wantStatus(t, name, r, 200)
			ids["1002"] = r.json(t)["id"].(string)
		case "updateGroup":
			r := c.do("PUT", "Groups/"+ids["1002"], body(name))
			wantStatus(t, name, r, 200)
			if r.json(t)["displayName"] != "AppGroup-Changed" {
				t.Fatalf("%s: %s", name, r.body)
			}
		default:
			t.Fatalf("no step for %s", name)
		}
	}
	// The sequence the issue reported: after the new password, deactivate and reactivate with the
	// earlier one. The deactivation must reach LegacyHR.
	for _, name := range []string{"pushPasswordUpdate.json", "deactivateUser.json", "reactivateUser.json", "deactivateUser.json"} {
		wantStatus(t, "again "+name, c.do("PUT", "Users/"+ids["101"], body(name)), 200)
	}
	if e := s.employee(t, ids["101"]); e["enabled"] != false {
		t.Fatalf("the user is not deactivated in LegacyHR: %v", e)
	}
}
