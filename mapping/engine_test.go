package mapping

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

func compileYAML(t *testing.T, src []byte) *Engine {
	t.Helper()
	spec, err := Parse("legacyhr.yaml", src)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	eng, err := Compile(spec, fakeCatalog{}, Options{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return eng
}

// legacyHR compiles the shipped LegacyHR file, optionally edited, over a fresh fake.
func legacyHR(t *testing.T, edit func(string) string) (backend.Backend, *fakeHR) {
	t.Helper()
	src := string(defaults.LegacyHR)
	if edit != nil {
		src = edit(src)
	}
	eng := compileYAML(t, []byte(src))
	hr := newFakeHR()
	return eng.Backend(hr, nil), hr
}

func mustReplace(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("edit: %q not found", old)
	}
	return strings.Replace(s, old, new, 1)
}

func bptr(b bool) *bool { return &b }

func alice() *backend.User {
	return &backend.User{
		UserName:    "alice",
		Name:        backend.Name{GivenName: "Alice", FamilyName: "Liddell"},
		DisplayName: "Alice Liddell",
		Title:       "Engineer",
		Emails: []backend.MultiValue{
			{Value: "home@example.com", Type: "home"},
			{Value: "alice@example.com", Type: "work", Primary: true},
		},
		PhoneNumbers: []backend.MultiValue{{Value: "+1 555 0100", Type: "work", Primary: true}},
		Active:       false,
		Password:     "Secret-1",
		Custom:       map[string]any{"departmentName": "R&D", "isAdmin": false},
		Enterprise:   map[string]any{"employeeNumber": "42"},
	}
}

func TestCreateUserBuildsRecord(t *testing.T) {
	b, hr := legacyHR(t, nil)
	in := alice()
	got, err := b.CreateUser(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	calls := hr.callsOf("CreateEmployee")
	if len(calls) != 1 {
		t.Fatalf("CreateEmployee calls = %d", len(calls))
	}
	req := calls[0].(*CreateEmployee)
	e := req.Employee
	if e == nil {
		t.Fatal("no Employee in the request")
	}
	if e.Login != "alice" || e.GivenName != "Alice" || e.Email != "alice@example.com" || e.SecondaryEmail != "home@example.com" ||
		e.Phone != "+1 555 0100" || e.Department != "R&D" || e.EmployeeNumber != "42" || e.Title != "Engineer" {
		t.Errorf("record = %+v", e)
	}
	// False booleans must be sent: nil would be omitted on the wire.
	if e.Enabled == nil || *e.Enabled || e.IsAdmin == nil || *e.IsAdmin {
		t.Errorf("Enabled=%v IsAdmin=%v, want both set to false", e.Enabled, e.IsAdmin)
	}
	if req.InitialPassword != "Secret-1" {
		t.Errorf("InitialPassword = %q", req.InitialPassword)
	}
	if got.ID == "" || got.UserName != "alice" || got.Active || got.Password != "" {
		t.Errorf("returned %+v", got)
	}
	if len(got.Emails) != 2 || got.Emails[0].Value != "alice@example.com" || !got.Emails[0].Primary || got.Emails[1].Primary {
		t.Errorf("emails = %+v", got.Emails)
	}
	if got.Custom["isAdmin"] != false || got.Custom["departmentName"] != "R&D" || got.Enterprise["employeeNumber"] != "42" {
		t.Errorf("extensions = %v %v", got.Custom, got.Enterprise)
	}
	if got.Meta.Created.IsZero() || !got.Meta.Created.Equal(got.Meta.LastModified) {
		t.Errorf("meta = %+v", got.Meta)
	}
	// The SCIM input is read-only.
	if !reflect.DeepEqual(in, alice()) {
		t.Errorf("CreateUser changed its input: %+v", in)
	}
	// No password: the field stays empty (absent), and the record says nothing about IsAdmin.
	in2 := &backend.User{UserName: "bob", Active: true}
	if _, err := b.CreateUser(context.Background(), in2); err != nil {
		t.Fatal(err)
	}
	req2 := hr.callsOf("CreateEmployee")[1].(*CreateEmployee)
	if req2.InitialPassword != "" || req2.Employee.IsAdmin != nil || req2.Employee.Enabled == nil || !*req2.Employee.Enabled {
		t.Errorf("second create request = %+v / %+v", req2, req2.Employee)
	}
}

func TestGetUserNotFound(t *testing.T) {
	b, _ := legacyHR(t, nil)
	_, err := b.GetUser(context.Background(), "E404")
	if backend.KindOf(err) != backend.NotFound {
		t.Fatalf("err = %v, want notFound", err)
	}
	var be *backend.Error
	if !errors.As(err, &be) || be.Message != "LegacyHR has no such record" {
		t.Errorf("message = %q", be.Message)
	}
}

func TestReplaceReadMergeWrite(t *testing.T) {
	ctx := context.Background()
	for _, absent := range []string{"keep", "clear"} {
		t.Run(absent, func(t *testing.T) {
			b, hr := legacyHR(t, func(s string) string {
				s = mustReplace(t, s, "absent: keep", "absent: "+absent)
				// Title is not written by fromSCIM in this variant: an unmapped field.
				return mustReplace(t, s, "    Title: user.title\n", "")
			})
			created, err := b.CreateUser(ctx, alice())
			if err != nil {
				t.Fatal(err)
			}
			// Set an unmapped field behind the bridge's back.
			hr.mu.Lock()
			hr.emps[created.ID].Title = "Set in LegacyHR"
			hr.mu.Unlock()
			upd := &backend.User{UserName: "alice", Name: backend.Name{GivenName: "Alicia"}, Active: true,
				Emails: []backend.MultiValue{{Value: "alicia@example.com", Type: "work", Primary: true}}}
			got, err := b.ReplaceUser(ctx, created.ID, upd)
			if err != nil {
				t.Fatal(err)
			}
			req := hr.callsOf("UpdateEmployee")[0].(*UpdateEmployee).Employee
			if req.EmployeeID != created.ID || req.GivenName != "Alicia" || req.Email != "alicia@example.com" || *req.Enabled != true {
				t.Errorf("update record = %+v", req)
			}
			if req.Title != "Set in LegacyHR" {
				t.Errorf("unmapped Title = %q, want it kept", req.Title)
			}
			// FamilyName, Phone and Department were not sent this time.
			if absent == "keep" {
				if req.FamilyName != "Liddell" || req.Phone != "+1 555 0100" || req.Department != "R&D" || req.IsAdmin == nil {
					t.Errorf("keep: record = %+v", req)
				}
			} else if req.FamilyName != "" || req.Phone != "" || req.Department != "" || req.IsAdmin != nil || req.SecondaryEmail != "" {
				t.Errorf("clear: record = %+v", req)
			}
			if !got.Active || got.Name.GivenName != "Alicia" {
				t.Errorf("returned %+v", got)
			}
			if _, err := b.ReplaceUser(ctx, "E999", upd); backend.KindOf(err) != backend.NotFound {
				t.Errorf("replace unknown: %v", err)
			}
		})
	}
}

func TestActivateDeactivateBlocks(t *testing.T) {
	ctx := context.Background()
	// A variant where Enabled is not written by fromSCIM: status changes go through the
	// separate operations.
	b, hr := legacyHR(t, func(s string) string {
		s = mustReplace(t, s, "    Enabled: user.active                   # always sent, also when false (Enabled is *bool)\n",
			"    Enabled: current?.Enabled ?? false\n")
		return mustReplace(t, s, "  setPassword:", "  activate: { call: EnableEmployee, request: { EmployeeID: id } }\n  deactivate: { call: DisableEmployee, request: { EmployeeID: id } }\n  setPassword:")
	})
	if !b.Capabilities().Activation {
		t.Error("Activation should be derived from the activate/deactivate blocks")
	}
	u, err := b.CreateUser(ctx, &backend.User{UserName: "carol", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if u.Active {
		t.Fatal("the variant creates disabled users")
	}
	got, err := b.ReplaceUser(ctx, u.ID, &backend.User{UserName: "carol", Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Active || len(hr.callsOf("EnableEmployee")) != 1 {
		t.Errorf("active=%v enable calls=%d", got.Active, len(hr.callsOf("EnableEmployee")))
	}
	got, err = b.ReplaceUser(ctx, u.ID, &backend.User{UserName: "carol", Active: false})
	if err != nil || got.Active || len(hr.callsOf("DisableEmployee")) != 1 {
		t.Errorf("deactivate: %v %+v", err, got)
	}
	// No change of status: no extra call.
	if _, err := b.ReplaceUser(ctx, u.ID, &backend.User{UserName: "carol", Active: false}); err != nil {
		t.Fatal(err)
	}
	if n := len(hr.callsOf("DisableEmployee")) + len(hr.callsOf("EnableEmployee")); n != 2 {
		t.Errorf("status calls = %d, want 2", n)
	}
}

func TestSetPasswordAndDelete(t *testing.T) {
	ctx := context.Background()
	b, hr := legacyHR(t, nil)
	u, err := b.CreateUser(ctx, alice())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.SetPassword(ctx, u.ID, "Other-2"); err != nil {
		t.Fatal(err)
	}
	req := hr.callsOf("SetPassword")[0].(*SetPassword)
	if req.EmployeeID != u.ID || req.NewPassword != "Other-2" {
		t.Errorf("SetPassword request = %+v", req)
	}
	err = b.SetPassword(ctx, u.ID, "Secret-1")
	var be *backend.Error
	if !errors.As(err, &be) || be.Kind != backend.Policy || be.Message != "the password was used recently" {
		t.Errorf("reused password: %v", err)
	}
	if err := b.DeleteUser(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetUser(ctx, u.ID); !backend.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}
}

// seed creates n employees e0001… directly in the fake.
func seed(hr *fakeHR, n int) {
	for i := 1; i <= n; i++ {
		id := fmt.Sprintf("E%05d", i)
		hr.emps[id] = &Employee{EmployeeID: id, Login: fmt.Sprintf("user%d", i), Email: fmt.Sprintf("user%d@example.com", i),
			Title: []string{"a", "b"}[i%2], Enabled: bptr(true),
			ModifiedAt: soapTime(time.Date(2024, 1, 1, 0, 0, i, 0, time.UTC))}
	}
	hr.nextID = n
}

func ids(us []backend.User) []string {
	out := make([]string, len(us))
	for i, u := range us {
		out[i] = u.ID
	}
	return out
}

func idRange(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("E%05d", i))
	}
	return out
}

type pageReq struct{ n, size int32 }

func listPages(hr *fakeHR) []pageReq {
	var out []pageReq
	for _, r := range hr.callsOf("ListEmployees") {
		l := r.(*ListEmployees)
		out = append(out, pageReq{l.PageNumber, l.PageSize})
	}
	return out
}

func TestListPagingAdaptation(t *testing.T) {
	cases := []struct {
		name        string
		start, cnt  int
		wantIDs     []string
		wantPages   []pageReq
		wantTotal   int
		maxUnpaged  int
		totalRecord int
	}{
		{"aligned", 11, 10, idRange(11, 20), []pageReq{{2, 10}}, 450, 0, 450},
		{"unaligned", 6, 10, idRange(6, 15), []pageReq{{1, 10}, {2, 10}}, 450, 0, 450},
		{"count over maxSize", 1, 450, idRange(1, 450), []pageReq{{1, 200}, {2, 200}, {3, 200}}, 450, 0, 450},
		{"count over maxSize unaligned", 101, 250, idRange(101, 350), []pageReq{{1, 200}, {2, 200}}, 450, 0, 450},
		{"count 0", 1, 0, []string{}, []pageReq{{1, 1}}, 450, 0, 450},
		{"no paging capped", 1, -1, idRange(1, 300), []pageReq{{1, 200}, {2, 200}}, 450, 300, 450},
		{"no paging all", 1, -1, idRange(1, 250), []pageReq{{1, 200}, {2, 200}}, 250, 0, 250},
		{"count above the cap", 1, 500, idRange(1, 300), []pageReq{{1, 200}, {2, 200}}, 450, 300, 450},
		{"past the end", 500, 10, []string{}, []pageReq{{50, 10}}, 450, 0, 450},
		// A first window of an unfiltered listing starts an import: it takes a whole page (the next
		// window reuses it, TestImportReusesPages).
		{"start below 1", 0, 3, idRange(1, 3), []pageReq{{1, 200}}, 450, 0, 450},
		{"short last page", 445, 10, idRange(445, 450), []pageReq{{45, 10}}, 450, 0, 450},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Parse("legacyhr.yaml", defaults.LegacyHR)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := Compile(spec, fakeCatalog{}, Options{MaxUnpaged: tc.maxUnpaged})
			if err != nil {
				t.Fatal(err)
			}
			hr := newFakeHR()
			seed(hr, tc.totalRecord)
			page, err := eng.Backend(hr, nil).ListUsers(context.Background(), backend.Query{StartIndex: tc.start, Count: tc.cnt})
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page.Users); !reflect.DeepEqual(got, tc.wantIDs) && !(len(got) == 0 && len(tc.wantIDs) == 0) {
				t.Errorf("ids = %v…(%d), want %d ids", got[:min(3, len(got))], len(got), len(tc.wantIDs))
			}
			if page.Total != tc.wantTotal {
				t.Errorf("total = %d, want %d", page.Total, tc.wantTotal)
			}
			if got := listPages(hr); !reflect.DeepEqual(got, tc.wantPages) {
				t.Errorf("pages = %v, want %v", got, tc.wantPages)
			}
		})
	}
}

func mustFilter(t *testing.T, s string) filter.Expr {
	t.Helper()
	e, err := filter.Parse(s)
	if err != nil {
		t.Fatalf("filter %q: %v", s, err)
	}
	return e
}

func TestSearchPushDown(t *testing.T) {
	ctx := context.Background()
	b, hr := legacyHR(t, nil)
	seed(hr, 30)
	hr.emps["E00007"].SecondaryEmail = "shared@example.com"
	hr.emps["E00009"].Email = "shared@example.com"

	t.Run("userName eq", func(t *testing.T) {
		hr.resetCalls()
		page, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `userName eq "USER5"`), StartIndex: 1, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(page.Users), []string{"E00005"}) || page.Total != 1 {
			t.Errorf("got %v total %d", ids(page.Users), page.Total)
		}
		f := hr.callsOf("FindEmployees")
		if len(f) != 1 || f[0].(*FindEmployees).Login != "USER5" || f[0].(*FindEmployees).PageSize != 10 || len(hr.callsOf("ListEmployees")) != 0 {
			t.Errorf("calls = %+v", hr.calls)
		}
	})
	t.Run("emails.value eq OR: union and dedupe", func(t *testing.T) {
		hr.resetCalls()
		q := backend.Query{Filter: mustFilter(t, `emails.value eq "shared@example.com" or emails.value eq "user7@example.com" or emails.value eq "nobody@example.com"`), StartIndex: 1, Count: 10}
		page, err := b.ListUsers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(page.Users), []string{"E00007", "E00009"}) || page.Total != 2 {
			t.Errorf("got %v total %d", ids(page.Users), page.Total)
		}
		if n := len(hr.callsOf("FindEmployees")); n != 3 {
			t.Errorf("FindEmployees calls = %d, want one per value", n)
		}
		// Windowing applies to the union.
		q.StartIndex, q.Count = 2, 5
		page, err = b.ListUsers(ctx, q)
		if err != nil || !reflect.DeepEqual(ids(page.Users), []string{"E00009"}) || page.Total != 2 {
			t.Errorf("window: %v %v %d", err, ids(page.Users), page.Total)
		}
	})
	t.Run("meta.lastModified gt", func(t *testing.T) {
		hr.resetCalls()
		page, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `meta.lastModified gt "2024-01-01T00:00:25Z"`), StartIndex: 1, Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(page.Users), idRange(26, 30)) {
			t.Errorf("got %v", ids(page.Users))
		}
		req := hr.callsOf("FindEmployees")[0].(*FindEmployees)
		if got := req.ModifiedSince.ToGoTime(); !got.Equal(time.Date(2024, 1, 1, 0, 0, 25, 0, time.UTC)) {
			t.Errorf("ModifiedSince = %v", got)
		}
	})
	t.Run("id eq uses get", func(t *testing.T) {
		hr.resetCalls()
		page, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `id eq "E00003" or id eq "E99999"`), StartIndex: 1, Count: 10})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ids(page.Users), []string{"E00003"}) || len(hr.callsOf("GetEmployee")) != 2 {
			t.Errorf("got %v, calls %+v", ids(page.Users), hr.calls)
		}
	})
}

func TestSearchFallbackScan(t *testing.T) {
	ctx := context.Background()
	b, hr := legacyHR(t, func(s string) string {
		return mustReplace(t, s, "maxScan: 5000 }\n\n  # UpdateEmployee", "maxScan: 25 }\n\n  # UpdateEmployee")
	})
	seed(hr, 20)
	page, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `title eq "a" and userName sw "user1"`), StartIndex: 2, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	// user10, 12, 14, 16, 18 have title "a" and start with user1.
	if !reflect.DeepEqual(ids(page.Users), []string{"E00012", "E00014"}) || page.Total != 5 {
		t.Errorf("got %v total %d", ids(page.Users), page.Total)
	}
	seed(hr, 26)
	_, err = b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `title eq "a"`), StartIndex: 1, Count: 2})
	var be *backend.Error
	if !errors.As(err, &be) || be.Kind != backend.Invalid || !strings.Contains(be.Message, "limit of 25") {
		t.Errorf("over the bound: %v", err)
	}
	// Without a fallback block, an unsupported filter is refused with the supported shapes.
	b2, _ := legacyHR(t, func(s string) string {
		return mustReplace(t, s, "  fallback: { maxScan: 5000 }\n\n  # UpdateEmployee", "\n  # UpdateEmployee")
	})
	_, err = b2.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `title eq "a"`), StartIndex: 1, Count: 2})
	if !errors.As(err, &be) || be.Kind != backend.Invalid || !strings.Contains(be.Message, `"username eq"`) {
		t.Errorf("no fallback: %v", err)
	}
}

// errBackend is a resilience layer's answer, which must pass through unchanged.
var errBackend = &backend.Error{Kind: backend.Unavailable, Message: "circuit open", RetryAfter: 5 * time.Second}

func TestFaultsAndCallErrors(t *testing.T) {
	cases := []struct {
		name    string
		err     error
		kind    backend.Kind
		message string
	}{
		{"fixed message", &hrFault{"HR-DUPLICATE", "secret internal text"}, backend.Conflict, "LegacyHR already has a record with this name"},
		{"exposeDetail", &hrFault{"HR-INVALID", "Login is too long"}, backend.Invalid, "Login is too long"},
		{"unavailable", &hrFault{"HR-AUTH", "bad password for svc"}, backend.Unavailable, "LegacyHR refused the bridge's service account"},
		{"no rule", &hrFault{"HR-INTERNAL", "NullPointerException at x.y"}, backend.Failed, "the legacy application failed"},
		{"wrapped fault", fmt.Errorf("call: %w", &hrFault{"HR-NOT-FOUND", "gone"}), backend.NotFound, "LegacyHR has no such record"},
		{"deadline", fmt.Errorf("post: %w", context.DeadlineExceeded), backend.Timeout, "the legacy application did not answer in time"},
		{"transport", errors.New("dial tcp 127.0.0.1:1: connection refused"), backend.Unavailable, "the legacy application could not be reached"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, hr := legacyHR(t, nil)
			hr.fail = func(string) error { return tc.err }
			_, err := b.GetUser(context.Background(), "E1")
			var be *backend.Error
			if !errors.As(err, &be) {
				t.Fatalf("err = %v, not a *backend.Error", err)
			}
			if be.Kind != tc.kind || be.Message != tc.message {
				t.Errorf("got %s %q, want %s %q", be.Kind, be.Message, tc.kind, tc.message)
			}
			if !errors.Is(err, tc.err) && !errors.Is(be.Err, tc.err) {
				t.Errorf("cause lost: %v", be.Err)
			}
			if strings.Contains(be.Message, "raw fault string") {
				t.Errorf("fault string leaked: %q", be.Message)
			}
		})
	}
	t.Run("backend error passes through", func(t *testing.T) {
		b, hr := legacyHR(t, nil)
		hr.fail = func(string) error { return errBackend }
		_, err := b.GetUser(context.Background(), "E1")
		if err != error(errBackend) {
			t.Errorf("err = %v, want the same *backend.Error", err)
		}
	})
	t.Run("canceled passes on", func(t *testing.T) {
		b, _ := legacyHR(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := b.GetUser(ctx, "E1")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v", err)
		}
		var be *backend.Error
		if errors.As(err, &be) {
			t.Errorf("canceled became %v", be)
		}
	})
	t.Run("exposeDetail with a message prefixes it", func(t *testing.T) {
		b, hr := legacyHR(t, func(s string) string {
			return mustReplace(t, s, "{ detailCode: HR-INVALID, kind: invalid, exposeDetail: true }",
				`{ detailCode: HR-INVALID, kind: invalid, message: "LegacyHR refused the values", exposeDetail: true }`)
		})
		hr.fail = func(string) error { return &hrFault{"HR-INVALID", "Login is too long"} }
		_, err := b.GetUser(context.Background(), "E1")
		var be *backend.Error
		if !errors.As(err, &be) || be.Message != "LegacyHR refused the values: Login is too long" {
			t.Errorf("err = %v", err)
		}
	})
}

func TestCapabilities(t *testing.T) {
	b, _ := legacyHR(t, nil)
	got := b.Capabilities()
	want := backend.Capabilities{
		CreateUser: true, GetUser: true, ListUsers: true, ReplaceUser: true, Activation: true, SetPassword: true, DeleteUser: true,
		IncrementalImport: true,
		FilterUsers:       []string{"username eq", "username eq or", "emails.value eq", "emails.value eq or", "meta.lastmodified gt", "id eq", "id eq or"},
		UserAttributes: []string{"userName", "name.givenName", "name.familyName", "name.middleName", "displayName", "title", "emails",
			"phoneNumbers", "active", "custom.departmentName", "enterprise.department", "custom.isAdmin", "enterprise.employeeNumber"},
		CreateGroup: true, GetGroup: true, ListGroups: true, UpdateGroup: true, DeleteGroup: true,
		ScanUsers: 5000, ScanGroups: 5000, // fallback.maxScan
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("capabilities =\n%+v\nwant\n%+v", got, want)
	}
	// Fewer blocks, fewer capabilities.
	b, _ = legacyHR(t, func(s string) string {
		s = mustReplace(t, s, `    - { shape: "meta.lastModified gt", call: FindEmployees, request: { ModifiedSince: parseTime(value) },
        paging: *pages, items: resp.Employees, total: resp.TotalCount }
`, "")
		s = mustReplace(t, s, "    Enabled: user.active                   # always sent, also when false (Enabled is *bool)\n", "    Enabled: current?.Enabled ?? true\n")
		s = mustReplace(t, s, "  setPassword: { call: SetPassword, request: { EmployeeID: id, NewPassword: password } }\n", "")
		s = s[:strings.Index(s, "\ngroups:")] + "\n"
		return s
	})
	got = b.Capabilities()
	if got.IncrementalImport || got.Activation || got.SetPassword || got.CreateGroup || got.GetGroup || got.UpdateGroup || !got.ReplaceUser {
		t.Errorf("reduced capabilities = %+v", got)
	}
	if err := b.SetPassword(context.Background(), "E1", "x"); backend.KindOf(err) != backend.Unsupported {
		t.Errorf("SetPassword without block: %v", err)
	}
	if _, err := b.GetGroup(context.Background(), "R1"); backend.KindOf(err) != backend.Unsupported {
		t.Errorf("GetGroup without groups: %v", err)
	}
}

func TestGroups(t *testing.T) {
	ctx := context.Background()
	b, hr := legacyHR(t, nil)
	seed(hr, 3)
	g, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "Admins", Description: "all admins",
		Members: []backend.Member{{Value: "E00001"}, {Value: "E-UNKNOWN"}, {Value: "E00002"}}})
	if err != nil {
		t.Fatal(err)
	}
	if g.ID == "" || g.DisplayName != "Admins" || g.Description != "all admins" {
		t.Errorf("group = %+v", g)
	}
	if !reflect.DeepEqual(g.Members, []backend.Member{{Value: "E00001", Display: "user1"}, {Value: "E00002", Display: "user2"}}) {
		t.Errorf("members = %+v (the unknown one must be skipped)", g.Members)
	}
	if len(hr.callsOf("AddRoleMember")) != 3 {
		t.Errorf("AddRoleMember calls = %d", len(hr.callsOf("AddRoleMember")))
	}
	if _, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "admins"}); backend.KindOf(err) != backend.Conflict {
		t.Errorf("duplicate: %v", err)
	}

	name := "Administrators"
	got, err := b.UpdateGroup(ctx, g.ID, backend.GroupChange{DisplayName: &name, Add: []string{"E00003", "E-NOPE"}, Remove: []string{"E00001", "E00099"}})
	if err != nil {
		t.Fatal(err)
	}
	ren := hr.callsOf("UpdateRole")
	if len(ren) != 1 || ren[0].(*UpdateRole).Name != "Administrators" || ren[0].(*UpdateRole).Description != "all admins" {
		t.Errorf("rename requests = %+v (description must be kept)", ren)
	}
	if got.DisplayName != "Administrators" || !reflect.DeepEqual(got.Members, []backend.Member{{Value: "E00002", Display: "user2"}, {Value: "E00003", Display: "user3"}}) {
		t.Errorf("after update = %+v", got)
	}
	// Only membership: no rename call.
	if _, err := b.UpdateGroup(ctx, g.ID, backend.GroupChange{Add: []string{"E00001"}}); err != nil {
		t.Fatal(err)
	}
	if len(hr.callsOf("UpdateRole")) != 1 {
		t.Error("a membership-only change must not rename")
	}
	if _, err := b.UpdateGroup(ctx, "R404", backend.GroupChange{Add: []string{"E00001"}}); !backend.IsNotFound(err) {
		t.Errorf("update unknown group: %v", err)
	}

	page, err := b.ListGroups(ctx, backend.Query{StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 || page.Groups[0].ID != g.ID {
		t.Errorf("list: %v %+v", err, page)
	}
	page, err = b.ListGroups(ctx, backend.Query{Filter: mustFilter(t, `displayName eq "administrators"`), StartIndex: 1, Count: 10})
	if err != nil || page.Total != 1 {
		t.Errorf("filtered list: %v %+v", err, page)
	}
	if err := b.DeleteGroup(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetGroup(ctx, g.ID); !backend.IsNotFound(err) {
		t.Errorf("after delete: %v", err)
	}

	t.Run("unknownMembers fail", func(t *testing.T) {
		b, hr := legacyHR(t, func(s string) string { return mustReplace(t, s, "unknownMembers: skip", "unknownMembers: fail") })
		seed(hr, 1)
		_, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "X", Members: []backend.Member{{Value: "E-UNKNOWN"}}})
		if !backend.IsNotFound(err) {
			t.Errorf("err = %v", err)
		}
		// The half-made group is undone, so that the client's retry does not run into a 409.
		if page, err := b.ListGroups(ctx, backend.Query{StartIndex: 1, Count: 10}); err != nil || page.Total != 0 {
			t.Errorf("groups left after a failed create: %v %+v", err, page)
		}
		if _, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "X"}); err != nil {
			t.Errorf("retry of the create: %v", err)
		}
	})
}

func TestRequestValueErrorsAreInvalid(t *testing.T) {
	b, hr := legacyHR(t, nil)
	_, err := b.CreateUser(context.Background(), &backend.User{UserName: "x", Custom: map[string]any{"isAdmin": "maybe"}})
	var be *backend.Error
	if !errors.As(err, &be) || be.Kind != backend.Invalid || !strings.Contains(be.Message, "IsAdmin") {
		t.Errorf("err = %v", err)
	}
	if len(hr.callsOf("CreateEmployee")) != 0 {
		t.Error("nothing may be sent when the record cannot be built")
	}
}
