package conformance

import (
	"slices"
	"strings"
	"testing"
)

// SCIM 2.0 capabilities: everything but incremental import is assumed, as the agent does, unless
// the document says otherwise: changePassword.supported false drops password pushes, and Okta's
// provider-config extension, when present, is the list (a capability it leaves out is then
// skipped, not failed). A malformed list is a problem, not a silent "everything".
func TestSCIM20Capabilities(t *testing.T) {
	d, err := newSCIM20(Options{URL: "http://127.0.0.1:1/scim/v2/"})
	if err != nil {
		t.Fatal(err)
	}
	spc := func(changePassword bool, ext any) map[string]any {
		m := map[string]any{"schemas": []any{spcURN20}, "patch": map[string]any{"supported": true}}
		for _, k := range []string{"bulk", "filter", "sort", "etag"} {
			m[k] = map[string]any{"supported": false}
		}
		m["changePassword"] = map[string]any{"supported": changePassword}
		if ext != nil {
			m["schemas"] = []any{spcURN20, providerURN11}
			m[providerURN11] = ext
		}
		return m
	}
	all := slices.DeleteFunc(slices.Clone(AllCapabilities), func(c string) bool { return c == CapIncrementalImports })

	caps, problems := d.ParseCapabilities(spc(true, nil))
	if !slices.Equal(caps, all) || len(problems) != 0 {
		t.Errorf("plain document: %v %v, want %v", caps, problems, all)
	}
	caps, _ = d.ParseCapabilities(spc(false, nil))
	if slices.Contains(caps, CapPushPasswordUpdates) || !slices.Contains(caps, CapGroupPush) {
		t.Errorf("changePassword false: %v", caps)
	}
	listed := []any{CapImportNewUsers, CapPushNewUsers, CapPushUserDeactivation, CapIncrementalImports}
	caps, problems = d.ParseCapabilities(spc(true, map[string]any{"userManagementCapabilities": listed}))
	if !slices.Equal(caps, []string{CapImportNewUsers, CapPushNewUsers, CapPushUserDeactivation}) || len(problems) != 0 {
		t.Errorf("listed: %v %v", caps, problems)
	}
	_, problems = d.ParseCapabilities(spc(true, map[string]any{"userManagementCapabilities": "GROUP_PUSH"}))
	if len(problems) == 0 || !strings.Contains(strings.Join(problems, ";"), "userManagementCapabilities") {
		t.Errorf("malformed list accepted: %v", problems)
	}
	m := spc(true, map[string]any{"userManagementCapabilities": listed})
	m["schemas"] = []any{spcURN20}
	if _, problems = d.ParseCapabilities(m); len(problems) == 0 {
		t.Error("an extension object the schemas do not declare is not reported")
	}
}
