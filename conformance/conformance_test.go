package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func optsFor(fk *fakeSCIM) Options {
	return Options{
		URL:     fk.url(),
		Header:  http.Header{"Authorization": {fakeToken}},
		Timeout: 5 * time.Second,
		sleep:   fk.sleep,
	}
}

func failing(rep *Report) []string {
	var out []string
	for _, c := range rep.Checks {
		if c.Status == Fail {
			out = append(out, c.Name)
		}
	}
	slices.Sort(out)
	return out
}

func textOf(t *testing.T, rep *Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestEachFaultFailsExactlyItsChecks is the tester's own conformance: against a fake connector
// broken in exactly one way, exactly the checks that rule belongs to fail, and nothing else.
func TestEachFaultFailsExactlyItsChecks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		fault fault
		want  []string
	}{
		{faultNone, nil},
		{faultNoCoreSchema, []string{"shape.schemas"}},
		{faultUnknownAttr, []string{"shape.attributes"}},
		{faultResourcesSpelling, []string{"shape.resources"}},
		{faultStringCounters, []string{"shape.counters"}},
		{fault404HTML, []string{"errors.404"}},
		{faultNo409Group, []string{"errors.409.group"}},
		{faultPagingDup, []string{"paging", "paging.groups"}},
		{faultPagingGap, []string{"paging", "paging.groups"}},
		{faultPagingUnstable, []string{"paging", "paging.groups"}},
		{faultPagingIgnoreCount, []string{"paging", "paging.groups"}},
		{faultFilterMiss404, []string{"checkUserExists", "lifecycle"}},
		{faultBadFilterOK, []string{"filter.bad"}},
		{faultNoAuth, []string{"auth.required"}},
		{faultActivateStale, []string{"activateUser", "lifecycle"}},
		{faultPasswordEcho, []string{"shape.password"}},
		{faultNoIDOnCreate, []string{"createNewUser", "createPendingUser", "lifecycle"}},
		{faultIncrementalIgnored, []string{"import.incremental", "lifecycle"}},
	}
	for _, tc := range cases {
		name := string(tc.fault)
		if name == "" {
			name = "no fault"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fk := newFake(t, tc.fault)
			rep, err := Run(context.Background(), optsFor(fk))
			if err != nil {
				t.Fatal(err)
			}
			if got := failing(rep); !slices.Equal(got, tc.want) {
				t.Errorf("failing checks = %v, want %v\n%s", got, tc.want, textOf(t, rep))
			}
			if _, _, skipped := rep.Counts(); skipped != 0 {
				t.Errorf("%d checks skipped with every capability advertised and credentials given\n%s", skipped, textOf(t, rep))
			}
			if want := 0; len(tc.want) > 0 {
				want = 1
				if rep.ExitCode() != want {
					t.Errorf("exit code %d, want %d", rep.ExitCode(), want)
				}
			} else if rep.ExitCode() != 0 {
				t.Errorf("exit code %d, want 0", rep.ExitCode())
			}
			// Whatever the fault, the run leaves no active test user, no test group, and
			// never wrote to data it did not create.
			active, groups, foreign := fk.testData()
			if tc.fault != faultNoIDOnCreate && (len(active) > 0 || len(groups) > 0) {
				t.Errorf("after cleanup: active test users %v, test groups %v", active, groups)
			}
			if len(foreign) > 0 {
				t.Errorf("the tester wrote to data it did not create: %v", foreign)
			}
		})
	}
}

// TestMainAgainstCorrectConnector runs the binary entry point against a correct connector: exit 0, the
// closing line, every check listed, and well-formed JUnit.
func TestMainAgainstCorrectConnector(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	var out, errOut bytes.Buffer
	code := Main([]string{"--url", fk.url(), "--header", "Authorization: " + fakeToken,
		"--only", "createNewUser,checkUserExists,errors,filter,shape,paging"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s\n%s", code, errOut.String(), out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	last := lines[len(lines)-1]
	if last != "15 passed, 0 failed" {
		t.Errorf("closing line %q, want %q\n%s", last, "15 passed, 0 failed", out.String())
	}
	for _, name := range []string{"createNewUser", "errors.409.group", "filter.plus-encoding", "shape.password", "paging.groups", "cleanup"} {
		if !strings.Contains(out.String(), "PASS  "+name) {
			t.Errorf("report lacks a PASS line for %s\n%s", name, out.String())
		}
	}

	out.Reset()
	code = Main([]string{"--url", fk.url(), "--header", "Authorization: " + fakeToken, "--format", "junit",
		"--only", "filter.bad,errors.404"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("junit run exit %d: %s", code, errOut.String())
	}
	var suites junitSuites
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, out.String())
	}
	if len(suites.Suites) != 1 || suites.Suites[0].Tests != 2 || suites.Suites[0].Failures != 0 {
		t.Errorf("JUnit suites = %+v", suites.Suites)
	}
}

func TestMainExitStatusAndJUnitOnFailure(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNo409Group)
	var out, errOut bytes.Buffer
	code := Main([]string{"--url", fk.url(), "--header", "Authorization: " + fakeToken, "--format", "junit",
		"--only", "errors.409,createGroup"}, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, errOut.String())
	}
	var suites junitSuites
	if err := xml.Unmarshal(out.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit output does not parse: %v\n%s", err, out.String())
	}
	s := suites.Suites[0]
	var failed []string
	for _, c := range s.Cases {
		if c.Failure != nil {
			failed = append(failed, c.Name)
			if !strings.Contains(c.Failure.Message, "want 409") {
				t.Errorf("failure message %q does not say what was expected", c.Failure.Message)
			}
		}
	}
	if !slices.Equal(failed, []string{"errors.409.group"}) || s.Failures != 1 {
		t.Errorf("JUnit failures = %v (count %d), want [errors.409.group]", failed, s.Failures)
	}
	if !strings.Contains(errOut.String(), "passed, 1 failed") {
		t.Errorf("stderr lacks the closing line: %q", errOut.String())
	}
	// The accepted duplicate was created by the tester, so cleanup removes it too.
	if _, groups, _ := fk.testData(); len(groups) != 0 {
		t.Errorf("test groups left: %v", groups)
	}
}

func TestUsageErrorsExit2(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"no url":          {},
		"bad header":      {"--url", "http://127.0.0.1:1/", "--header", "NoColonHere"},
		"unknown check":   {"--url", "http://127.0.0.1:1/", "--only", "nosuchcheck"},
		"unknown cap":     {"--url", "http://127.0.0.1:1/", "--capabilities", "PUSH_NEW_USERS,TELEPORT"},
		"bad format":      {"--url", "http://127.0.0.1:1/", "--format", "yaml"},
		"unknown dialect": {"--url", "http://127.0.0.1:1/", "--dialect", "3"},
		"not a url":       {"--url", "127.0.0.1:1"},
	}
	for name, args := range cases {
		var out, errOut bytes.Buffer
		if code := Main(args, &out, &errOut); code != 2 {
			t.Errorf("%s: exit %d, want 2 (stderr %q)", name, code, errOut.String())
		}
	}
}

// TestCapabilitiesDecideWhatRuns: with a connector advertising no group push and no
// incremental import, those checks are skipped with the reason, and the summary says so.
func TestCapabilitiesDecideWhatRuns(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	fk.caps = []string{CapPushNewUsers, CapImportNewUsers, CapImportProfileUpdates}
	opts := optsFor(fk)
	opts.Only = []string{"createGroup", "import.incremental", "createNewUser", "activateUser", "downloadGroups", "errors.404", capabilitiesCheck}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	for name, wantSkip := range map[string]bool{"createGroup": true, "import.incremental": true, "activateUser": true,
		"createNewUser": false, "downloadGroups": false, "errors.404": false, capabilitiesCheck: false} {
		c := rep.Check(name)
		if c == nil {
			t.Fatalf("check %s missing from the report", name)
		}
		if (c.Status == Skip) != wantSkip {
			t.Errorf("%s status %s (%s), want skip=%v", name, c.Status, c.Reason, wantSkip)
		}
		if wantSkip && !strings.Contains(c.Reason, "needs capability") {
			t.Errorf("%s skip reason %q does not name the capability", name, c.Reason)
		}
	}
	if rep.CapabilitySource != "from /ServiceProviderConfigs" {
		t.Errorf("capability source %q", rep.CapabilitySource)
	}
	if line := rep.SummaryLine(); !strings.HasSuffix(line, ", 3 skipped") {
		t.Errorf("summary line %q, want it to end with \", 3 skipped\"", line)
	}
	// The explicit list overrides discovery.
	opts.Capabilities = []string{CapGroupPush}
	opts.Only = []string{"createGroup", "createNewUser"}
	rep, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Check("createGroup").Status != Pass || rep.Check("createNewUser").Status != Skip {
		t.Errorf("with --capabilities GROUP_PUSH: %s", textOf(t, rep))
	}
}

// TestUniqueFieldFilters checks the existence filter for each kind of unique field, and that
// it is sent %20-encoded, with one dedicated + run.
func TestUniqueFieldFilters(t *testing.T) {
	t.Parallel()
	cases := []struct {
		field, want string
	}{
		{"userName", `userName eq "sbtest-`},
		{"email", `email eq "sbtest-`},
		{"employeeCode", `urn:okta:hr_app:1.0:user:custom:employeeCode eq "sbtest-`},
	}
	for _, tc := range cases {
		fk := newFake(t, faultNone)
		opts := optsFor(fk)
		opts.UniqueField, opts.AppName = tc.field, "hr_app"
		opts.Only = []string{"checkUserExists", "filter.plus-encoding"}
		rep, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if f := failing(rep); len(f) > 0 {
			t.Errorf("%s: failing %v\n%s", tc.field, f, textOf(t, rep))
		}
		var plus, pct int
		for _, raw := range fk.queries {
			q, err := url.ParseQuery(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(q.Get("filter"), tc.want) {
				t.Errorf("%s: filter %q, want prefix %q", tc.field, q.Get("filter"), tc.want)
			}
			if strings.Contains(raw, "%20eq%20") {
				pct++
			}
			if strings.Contains(raw, "+eq+") {
				plus++
			}
			if !strings.HasSuffix(raw, "&startIndex=1&count=100") {
				t.Errorf("%s: query %q lacks the agent's paging parameters", tc.field, raw)
			}
		}
		if plus != 1 || pct < 2 {
			t.Errorf("%s: %d +-encoded and %d %%20-encoded filters, want 1 and at least 2 (%v)", tc.field, plus, pct, fk.queries)
		}
	}
}

func TestKeepDataLeavesAndListsData(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	opts := optsFor(fk)
	opts.KeepData = true
	opts.Only = []string{"createNewUser", "createGroup"}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	active, groups, _ := fk.testData()
	if len(active) != 2 || len(groups) != 1 { // createNewUser's user, the group member, the group
		t.Errorf("kept data: active users %v, groups %v", active, groups)
	}
	if len(rep.Leftovers) != 3 || rep.Check("cleanup").Status != Skip {
		t.Errorf("leftovers %v, cleanup %+v", rep.Leftovers, rep.Check("cleanup"))
	}
	if txt := textOf(t, rep); !strings.Contains(txt, "left behind: user sbtest-") {
		t.Errorf("text report does not list what was left:\n%s", txt)
	}
}

// TestCleanupAfterCancellation: a run interrupted midway still deactivates and deletes what it
// created so far.
func TestCleanupAfterCancellation(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fk.onRequest = func(n int) {
		if n == 25 {
			cancel()
		}
	}
	rep, err := Run(ctx, optsFor(fk))
	if err != nil {
		t.Fatal(err)
	}
	if rep.ExitCode() != 1 {
		t.Errorf("an interrupted run must not pass")
	}
	active, groups, foreign := fk.testData()
	if len(active) > 0 || len(groups) > 0 || len(foreign) > 0 {
		t.Errorf("after an interrupted run: active %v, groups %v, foreign writes %v\n%s", active, groups, foreign, textOf(t, rep))
	}
	if c := rep.Check("cleanup"); c == nil || c.Status != Pass {
		t.Errorf("cleanup check: %+v", c)
	}
}

// TestUnreachableCapabilitiesAssumesAll: like Okta, a connector without a capabilities answer
// is assumed to implement everything, and the check says why it failed.
func TestUnreachableCapabilitiesAssumesAll(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	opts := optsFor(fk)
	opts.URL = fk.srv.URL + "/elsewhere/"
	opts.Only = []string{capabilitiesCheck}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Check(capabilitiesCheck)
	if c == nil || c.Status != Fail || !strings.Contains(c.Failures[0], "assumes every capability") {
		t.Errorf("capabilities check: %+v", c)
	}
	if len(rep.Capabilities) != len(AllCapabilities) {
		t.Errorf("capabilities %v, want all", rep.Capabilities)
	}
}

// TestSlowCallsWarnButPass: a call slower than the threshold is a warning, not a failure,
// and the JSON report carries it.
func TestSlowCallsWarnButPass(t *testing.T) {
	t.Parallel()
	fk := newFake(t, faultNone)
	opts := optsFor(fk)
	opts.Slow = time.Nanosecond
	opts.Only = []string{"filter.bad"}
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	c := rep.Check("filter.bad")
	if c.Status != Pass || len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "slow call: GET /Users?filter=") {
		t.Errorf("filter.bad = %+v", c)
	}
	if len(c.Calls) != 1 || c.Calls[0].Duration <= 0 || c.Calls[0].Status != http.StatusBadRequest {
		t.Errorf("recorded calls %+v", c.Calls)
	}
	var b bytes.Buffer
	if err := rep.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Passed int           `json:"passed"`
		Checks []CheckResult `json:"checks"`
	}
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("JSON report does not parse: %v", err)
	}
	if back.Passed != 1 || len(back.Checks) != 1 || len(back.Checks[0].Warnings) != 1 {
		t.Errorf("JSON report round trip: %+v", back)
	}
}
