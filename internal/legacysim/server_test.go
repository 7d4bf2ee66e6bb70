package legacysim

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden response files in testdata")

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Fatalf("%s differs:\n got %s\nwant %s", name, got, want)
	}
}

// The exact bytes gowsdl v0.5.0 sends (WS-Security header from soap.NewWSSSecurityHeader,
// SOAPAction of two single quotes) must work, and the exact response is pinned so that wire changes are deliberate.
func TestGoldenCreateEmployee(t *testing.T) {
	s := newSim(t)
	r := post(t, s.url, "''", readTestdata(t, "create_employee.request.xml"))
	e := r.ok(t, "CreateEmployee").Employee
	if e.EmployeeID != "E000001" || e.Login != "jane.doe" || e.Department != "R&D" {
		t.Fatalf("created %+v", e)
	}
	golden(t, "create_employee.response.xml", r.body)

	st := s.Calls().Operations["CreateEmployee"]
	if st.Calls != 1 || st.LastSOAPAction == nil || *st.LastSOAPAction != "''" {
		t.Fatalf("call stats %+v", st)
	}
	got, _ := s.Store().GetEmployee(context.Background(), "E000001")
	if !got.HasPassword || got.PasswordChanges != 0 {
		t.Fatalf("initial password: %+v", got)
	}

	dup := post(t, s.url, "", readTestdata(t, "create_employee.request.xml"))
	dup.fault(t, CodeDuplicate)
	golden(t, "create_employee_duplicate.response.xml", dup.body)
}

func TestPrefixedAndDigestRequests(t *testing.T) {
	s := newSim(t)
	s.create(t, "first")
	for _, name := range []string{"get_employee_prefixed.request.xml", "get_employee_digest.request.xml"} {
		t.Run(name, func(t *testing.T) {
			r := post(t, s.url, "-", readTestdata(t, name))
			if e := r.ok(t, "GetEmployee").Employee; e.Login != "first" {
				t.Fatalf("got %+v", e)
			}
		})
	}
	if st := s.Calls().Operations["GetEmployee"]; st.LastSOAPAction != nil {
		t.Fatalf("no SOAPAction was sent, stats say %q", *st.LastSOAPAction)
	}
	// The same digest with another password must fail.
	wrong := strings.Replace(readTestdata(t, "get_employee_digest.request.xml"), "E3HT21qzCkPLcQuMPnY3", "E3HT21qzCkPLcQuMPnY4", 1)
	post(t, s.url, "", wrong).fault(t, CodeAuth)
}

func TestEveryOperation(t *testing.T) {
	s := newSim(t)
	a := s.create(t, "alice", "GivenName", "Alice", "Email", "alice@example.com")
	b := s.create(t, "bob")
	if a.EmployeeID != "E000001" || b.EmployeeID != "E000002" || *a.Enabled != true || *a.IsAdmin {
		t.Fatalf("created %+v %+v", a, b)
	}
	if a.CreatedAt != "2026-03-01T09:00:00.000Z" || a.ModifiedAt != a.CreatedAt {
		t.Fatalf("timestamps %s %s", a.CreatedAt, a.ModifiedAt)
	}
	if g := s.get(t, a.EmployeeID); !reflect.DeepEqual(g, a) {
		t.Fatalf("get\n got %+v\nwant %+v", g, a)
	}

	up := s.call(t, "UpdateEmployee", employeeXML("EmployeeID", a.EmployeeID, "Login", "Alice.L",
		"Title", "CTO", "IsAdmin", "true", "Enabled", "true")).ok(t, "UpdateEmployee").Employee
	if up.Login != "Alice.L" || up.Title != "CTO" || !*up.IsAdmin || up.GivenName != "" {
		t.Fatalf("updated %+v", up)
	}

	dis := s.call(t, "DisableEmployee", "<EmployeeID>E000001</EmployeeID>").ok(t, "DisableEmployee").Employee
	if *dis.Enabled {
		t.Fatal("DisableEmployee left Enabled true")
	}
	en := s.call(t, "EnableEmployee", "<EmployeeID>E000001</EmployeeID>").ok(t, "EnableEmployee").Employee
	if !*en.Enabled {
		t.Fatal("EnableEmployee left Enabled false")
	}

	r := s.call(t, "SetPassword", "<EmployeeID>E000002</EmployeeID><NewPassword>N3w-password</NewPassword>")
	r.ok(t, "SetPassword")
	if !strings.Contains(r.body, `<SetPasswordResponse xmlns="urn:legacyhr:directory:1"></SetPasswordResponse>`) {
		t.Fatalf("empty response element expected:\n%s", r.body)
	}

	list := s.call(t, "ListEmployees", "<PageNumber>1</PageNumber><PageSize>10</PageSize>").ok(t, "ListEmployees")
	if *list.TotalCount != 2 || len(list.Employees) != 2 || list.Employees[0].EmployeeID != "E000001" {
		t.Fatalf("list %+v", list)
	}
	find := s.call(t, "FindEmployees", "<Login>ALICE.l</Login><PageNumber>1</PageNumber><PageSize>10</PageSize>").ok(t, "FindEmployees")
	if *find.TotalCount != 1 || find.Employees[0].EmployeeID != "E000001" {
		t.Fatalf("find %+v", find)
	}

	role := s.call(t, "CreateRole", "<Name>Admins</Name><Description>all of them</Description>").ok(t, "CreateRole").Role
	if role.RoleID != "R00001" || role.Description != "all of them" || len(role.Members) != 0 {
		t.Fatalf("role %+v", role)
	}
	s.call(t, "AddRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000002</EmployeeID>").ok(t, "AddRoleMember")
	s.call(t, "AddRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "AddRoleMember")
	s.call(t, "AddRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "AddRoleMember")
	got := s.call(t, "GetRole", "<RoleID>R00001</RoleID>").ok(t, "GetRole").Role
	if len(got.Members) != 2 || got.Members[0].EmployeeID != "E000001" || got.Members[0].Login != "Alice.L" ||
		got.Members[1].EmployeeID != "E000002" {
		t.Fatalf("members %+v", got.Members)
	}
	ren := s.call(t, "UpdateRole", "<RoleID>R00001</RoleID><Name>Administrators</Name>").ok(t, "UpdateRole").Role
	if ren.Name != "Administrators" || ren.Description != "" || len(ren.Members) != 2 {
		t.Fatalf("renamed %+v", ren)
	}
	s.call(t, "RemoveRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000002</EmployeeID>").ok(t, "RemoveRoleMember")
	s.call(t, "RemoveRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000002</EmployeeID>").ok(t, "RemoveRoleMember")
	s.call(t, "CreateRole", "<Name>Second</Name>").ok(t, "CreateRole")
	roles := s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>").ok(t, "ListRoles")
	if *roles.TotalCount != 2 || len(roles.Roles) != 1 || roles.Roles[0].RoleID != "R00001" || len(roles.Roles[0].Members) != 1 {
		t.Fatalf("roles %+v", roles)
	}
	s.call(t, "DeleteEmployee", "<EmployeeID>E000001</EmployeeID>").ok(t, "DeleteEmployee")
	if got := s.call(t, "GetRole", "<RoleID>R00001</RoleID>").ok(t, "GetRole").Role; len(got.Members) != 0 {
		t.Fatalf("deleted employee still a member: %+v", got.Members)
	}
	s.call(t, "GetEmployee", "<EmployeeID>E000001</EmployeeID>").fault(t, CodeNotFound)
	s.call(t, "DeleteRole", "<RoleID>R00001</RoleID>").ok(t, "DeleteRole")
	s.call(t, "GetRole", "<RoleID>R00001</RoleID>").fault(t, CodeNotFound)

	calls := s.Calls()
	for _, op := range Operations() {
		if calls.Operations[op].Calls == 0 {
			t.Errorf("operation %s was not exercised", op)
		}
	}
}

func TestFaults(t *testing.T) {
	s := newSim(t)
	s.create(t, "taken", "Email", "taken@example.com")
	s.call(t, "CreateRole", "<Name>Admins</Name>").ok(t, "CreateRole")
	auth := wsseText(testUser, testPass)
	page := "<PageNumber>1</PageNumber><PageSize>10</PageSize>"
	cases := []struct {
		name, body, code string
	}{
		{"no header", envelopeWith("", opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")), CodeAuth},
		{"wrong password", envelopeWith(wsseText(testUser, "nope"), opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")), CodeAuth},
		{"wrong user", envelopeWith(wsseText("someone", testPass), opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")), CodeAuth},
		{"unsupported password type", envelopeWith(strings.Replace(auth, "#PasswordText", "#Kerberos", 1), opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")), CodeAuth},
		{"duplicate login other case", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "TAKEN", "Enabled", "true"))), CodeDuplicate},
		{"duplicate role name", envelopeWith(auth, opXML("CreateRole", "<Name>admins</Name>")), CodeDuplicate},
		{"unknown employee", envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>E999999</EmployeeID>")), CodeNotFound},
		{"update unknown employee", envelopeWith(auth, opXML("UpdateEmployee", employeeXML("EmployeeID", "E999999", "Login", "x", "Enabled", "true"))), CodeNotFound},
		{"member of unknown role", envelopeWith(auth, opXML("AddRoleMember", "<RoleID>R99999</RoleID><EmployeeID>E000001</EmployeeID>")), CodeNotFound},
		{"unknown member", envelopeWith(auth, opXML("RemoveRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E999999</EmployeeID>")), CodeNotFound},
		{"password of unknown", envelopeWith(auth, opXML("SetPassword", "<EmployeeID>E999999</EmployeeID><NewPassword>long-enough</NewPassword>")), CodeNotFound},
		{"login missing", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Enabled", "true"))), CodeInvalid},
		{"login blank", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "  ", "Enabled", "true"))), CodeInvalid},
		{"enabled missing", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x"))), CodeInvalid},
		{"enabled nil", envelopeWith(auth, opXML("CreateEmployee", `<Employee><Login>x</Login><Enabled xmlns:xsi="`+nsXSI+`" xsi:nil="true"/></Employee>`)), CodeInvalid},
		{"enabled not boolean", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "Enabled", "yes"))), CodeInvalid},
		{"update enabled missing", envelopeWith(auth, opXML("UpdateEmployee", employeeXML("EmployeeID", "E000001", "Login", "taken"))), CodeInvalid},
		{"update id missing", envelopeWith(auth, opXML("UpdateEmployee", employeeXML("Login", "taken", "Enabled", "true"))), CodeInvalid},
		{"bad email", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "Email", "not-an-address", "Enabled", "true"))), CodeInvalid},
		{"bad secondary email", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "SecondaryEmail", "x@", "Enabled", "true"))), CodeInvalid},
		{"employee missing", envelopeWith(auth, opXML("CreateEmployee", "")), CodeInvalid},
		{"unknown child element", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "Enabled", "true", "Nickname", "x"))), CodeInvalid},
		{"unqualified child", envelopeWith(auth, `<hr:GetEmployee xmlns:hr="`+Namespace+`"><EmployeeID>E000001</EmployeeID></hr:GetEmployee>`), CodeInvalid},
		{"operation in another namespace", envelopeWith(auth, `<GetEmployee xmlns="urn:other"><EmployeeID>E000001</EmployeeID></GetEmployee>`), CodeInvalid},
		{"unknown operation", envelopeWith(auth, opXML("DropDatabase", "")), CodeInvalid},
		{"page size 0", envelopeWith(auth, opXML("ListEmployees", "<PageNumber>1</PageNumber><PageSize>0</PageSize>")), CodeInvalid},
		{"page size 201", envelopeWith(auth, opXML("ListEmployees", "<PageNumber>1</PageNumber><PageSize>201</PageSize>")), CodeInvalid},
		{"page number 0", envelopeWith(auth, opXML("ListRoles", "<PageNumber>0</PageNumber><PageSize>10</PageSize>")), CodeInvalid},
		{"page number missing", envelopeWith(auth, opXML("ListEmployees", "<PageSize>10</PageSize>")), CodeInvalid},
		{"page size not a number", envelopeWith(auth, opXML("FindEmployees", "<PageNumber>1</PageNumber><PageSize>ten</PageSize>")), CodeInvalid},
		{"modified since not a date", envelopeWith(auth, opXML("FindEmployees", "<ModifiedSince>yesterday</ModifiedSince>"+page)), CodeInvalid},
		{"role name missing", envelopeWith(auth, opXML("CreateRole", "<Description>x</Description>")), CodeInvalid},
		{"new password missing", envelopeWith(auth, opXML("SetPassword", "<EmployeeID>E000001</EmployeeID>")), CodeInvalid},
		{"malformed XML", `<soap:Envelope xmlns:soap="` + nsSOAP + `"><soap:Body><GetEmployee>`, CodeInvalid},
		{"not XML", `hello`, CodeInvalid},
		{"empty body", ``, CodeInvalid},
		{"not an envelope", `<GetEmployee xmlns="` + Namespace + `"/>`, CodeInvalid},
		{"SOAP 1.2", `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body/></e:Envelope>`, CodeInvalid},
		{"empty Body", envelopeWith(auth, ""), CodeInvalid},
		{"DTD", `<!DOCTYPE x [<!ENTITY a "b">]>` + envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>&a;</EmployeeID>")), CodeInvalid},
		{"two operations", envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")+opXML("DeleteEmployee", "<EmployeeID>E000001</EmployeeID>")), CodeInvalid},
		{"truncated after the operation", strings.TrimSuffix(envelopeWith(auth, opXML("DeleteEmployee", "<EmployeeID>E000001</EmployeeID>")), "</soap:Body></soap:Envelope>"), CodeInvalid},
		{"trailing garbage", envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")) + "<x/>", CodeInvalid},
		{"latin-1", strings.Replace(envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>E000001</EmployeeID>")), "utf-8", "ISO-8859-1", 1), CodeInvalid},
		{"short initial password", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "Enabled", "true")+"<InitialPassword>short</InitialPassword>")), CodePasswordPolicy},
		{"empty initial password", envelopeWith(auth, opXML("CreateEmployee", employeeXML("Login", "x", "Enabled", "true")+"<InitialPassword></InitialPassword>")), CodePasswordPolicy},
		{"short new password", envelopeWith(auth, opXML("SetPassword", "<EmployeeID>E000001</EmployeeID><NewPassword>1234567</NewPassword>")), CodePasswordPolicy},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			post(t, s.url, "''", c.body).fault(t, c.code)
		})
	}
	// None of the refused creates may have left a record behind, and the refused second operation
	// must not have run.
	if _, total, _ := s.Store().FindEmployees(context.Background(), EmployeeQuery{}); total != 1 {
		t.Fatalf("%d employees after the fault cases, want 1", total)
	}

	t.Run("body too large", func(t *testing.T) {
		big := envelopeWith(auth, opXML("GetEmployee", "<EmployeeID>"+strings.Repeat("x", MaxRequestBytes)+"</EmployeeID>"))
		post(t, s.url, "", big).fault(t, CodeInvalid)
	})
	t.Run("internal", func(t *testing.T) {
		s.Knobs().Set(KnobSettings{FaultProbability: 1})
		defer s.Knobs().Reset()
		s.call(t, "GetEmployee", "<EmployeeID>E000001</EmployeeID>").fault(t, CodeInternal)
	})
}

func TestUpdateReplacesWholeRecord(t *testing.T) {
	s := newSim(t)
	full := []string{"GivenName", "Jane", "FamilyName", "Doe", "MiddleName", "Q", "DisplayName", "Jane Doe",
		"Email", "jane@example.com", "SecondaryEmail", "jd@home.example", "Phone", "+1 555", "Department", "Ops",
		"Title", "Lead", "EmployeeNumber", "7", "IsAdmin", "true"}
	e := s.create(t, "jane", full...)
	if e.Phone != "+1 555" || !*e.IsAdmin {
		t.Fatalf("created %+v", e)
	}
	// The read-merge-write trap: an update that sends only what changed wipes the rest.
	upp := s.call(t, "UpdateEmployee", employeeXML("EmployeeID", e.EmployeeID, "Login", "jane", "Title", "Director",
		"Enabled", "false", "CreatedAt", "1999-01-01T00:00:00Z", "ModifiedAt", "1999-01-01T00:00:00Z")).ok(t, "UpdateEmployee").Employee
	up := *upp
	want := tEmployee{EmployeeID: e.EmployeeID, Login: "jane", Title: "Director", IsAdmin: up.IsAdmin, Enabled: up.Enabled,
		CreatedAt: e.CreatedAt, ModifiedAt: up.ModifiedAt}
	if !reflect.DeepEqual(up, want) || *up.IsAdmin || *up.Enabled {
		t.Fatalf("after partial update\n got %+v\nwant %+v", up, want)
	}
	if g := s.get(t, e.EmployeeID); !reflect.DeepEqual(g, up) {
		t.Fatalf("stored %+v", g)
	}
	// A nil IsAdmin is allowed (false); a nil Enabled is not.
	nilIsAdmin := `<Employee xmlns:xsi="` + nsXSI + `"><EmployeeID>` + e.EmployeeID + `</EmployeeID><Login>jane</Login>` +
		`<IsAdmin xsi:nil="true"/><Enabled>1</Enabled></Employee>`
	if r := s.call(t, "UpdateEmployee", nilIsAdmin).ok(t, "UpdateEmployee"); *r.Employee.IsAdmin || !*r.Employee.Enabled {
		t.Fatalf("nil IsAdmin: %+v", r.Employee)
	}
	nilEnabled := `<Employee xmlns:xsi="` + nsXSI + `"><EmployeeID>` + e.EmployeeID + `</EmployeeID><Login>jane</Login>` +
		`<Enabled xsi:nil="true"></Enabled></Employee>`
	if msg := s.call(t, "UpdateEmployee", nilEnabled).fault(t, CodeInvalid); !strings.Contains(msg, "nil") {
		t.Fatalf("nil Enabled: %q", msg)
	}
	// Login can change, but not to one that is taken.
	s.create(t, "other")
	s.call(t, "UpdateEmployee", employeeXML("EmployeeID", e.EmployeeID, "Login", "OTHER", "Enabled", "true")).fault(t, CodeDuplicate)
	if r := s.call(t, "UpdateEmployee", employeeXML("EmployeeID", e.EmployeeID, "Login", "JANE", "Enabled", "true")).ok(t, "UpdateEmployee"); r.Employee.Login != "JANE" {
		t.Fatalf("own login in another case should be allowed: %+v", r.Employee)
	}
}

func TestPasswordHistory(t *testing.T) {
	s := newSim(t)
	s.call(t, "CreateEmployee", employeeXML("Login", "pw", "Enabled", "true")+"<InitialPassword>password-0</InitialPassword>").ok(t, "CreateEmployee")
	set := func(p string) result {
		return s.call(t, "SetPassword", "<EmployeeID>E000001</EmployeeID><NewPassword>"+p+"</NewPassword>")
	}
	set("password-0").fault(t, CodePasswordPolicy) // the current one
	for _, p := range []string{"password-1", "password-2", "password-3"} {
		set(p).ok(t, "SetPassword")
	}
	for _, p := range []string{"password-3", "password-2", "password-1"} { // each of the last 3
		set(p).fault(t, CodePasswordPolicy)
	}
	set("password-0").ok(t, "SetPassword") // the 4th-last is allowed again
	set("password-1").ok(t, "SetPassword") // now 5th-last... (history: 1, 0, 3)
	set("password-3").fault(t, CodePasswordPolicy)
	e, _ := s.Store().GetEmployee(context.Background(), "E000001")
	if e.PasswordChanges != 5 {
		t.Fatalf("passwordChanges = %d, want 5 (refusals do not count)", e.PasswordChanges)
	}
}

func TestPagingEdges(t *testing.T) {
	s := newSim(t)
	if _, err := s.SeedEmployees(context.Background(), SeedRequest{Employees: 250, Prefix: "load"}); err != nil {
		t.Fatal(err)
	}
	list := func(page, size int) tResp {
		return s.call(t, "ListEmployees", fmt.Sprintf("<PageNumber>%d</PageNumber><PageSize>%d</PageSize>", page, size)).ok(t, "ListEmployees")
	}
	var seen []string
	for page := 1; page <= 3; page++ {
		r := list(page, 100)
		if *r.TotalCount != 250 {
			t.Fatalf("page %d total %d", page, *r.TotalCount)
		}
		for _, e := range r.Employees {
			seen = append(seen, e.EmployeeID)
		}
	}
	if len(seen) != 250 || seen[0] != "E000001" || seen[249] != "E000250" {
		t.Fatalf("walked %d employees, first %s", len(seen), seen[0])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Fatalf("order broken at %d: %s after %s", i, seen[i], seen[i-1])
		}
	}
	if r := list(2, 200); len(r.Employees) != 50 || *r.TotalCount != 250 {
		t.Fatalf("short last page: %d", len(r.Employees))
	}
	if r := list(4, 100); len(r.Employees) != 0 || *r.TotalCount != 250 {
		t.Fatalf("page past the end: %d employees, total %d", len(r.Employees), *r.TotalCount)
	}
	if r := list(2147483647, 200); len(r.Employees) != 0 || *r.TotalCount != 250 {
		t.Fatalf("huge page number: %d", len(r.Employees))
	}
	if r := list(1, 200); len(r.Employees) != 200 {
		t.Fatalf("max page size: %d", len(r.Employees))
	}
	// Stable under deletes: the page boundaries move, the order does not.
	s.call(t, "DeleteEmployee", "<EmployeeID>E000002</EmployeeID>").ok(t, "DeleteEmployee")
	if r := list(1, 2); r.Employees[1].EmployeeID != "E000003" || *r.TotalCount != 249 {
		t.Fatalf("after delete: %s total %d", r.Employees[1].EmployeeID, *r.TotalCount)
	}
	f := s.call(t, "FindEmployees", "<Email>LOAD0100@example.com</Email><PageNumber>1</PageNumber><PageSize>5</PageSize>").ok(t, "FindEmployees")
	if *f.TotalCount != 1 || f.Employees[0].Login != "load0100" {
		t.Fatalf("find by email: %+v", f)
	}
	f = s.call(t, "FindEmployees", "<Login>nobody</Login><PageNumber>1</PageNumber><PageSize>5</PageSize>").ok(t, "FindEmployees")
	if *f.TotalCount != 0 || len(f.Employees) != 0 {
		t.Fatalf("find nobody: %+v", f)
	}
}

func TestModifiedAt(t *testing.T) {
	s := newSim(t)
	e := s.create(t, "m")
	r := s.call(t, "CreateRole", "<Name>R</Name>").ok(t, "CreateRole").Role
	step := func() string {
		s.clock.Advance(1500 * time.Microsecond) // sub-millisecond part is dropped: stored at ms precision
		return s.clock.Now().UTC().Truncate(time.Millisecond).Format(timeLayout)
	}
	check := func(what, want string) {
		t.Helper()
		if got := s.get(t, e.EmployeeID).ModifiedAt; got != want {
			t.Fatalf("%s: ModifiedAt %s, want %s", what, got, want)
		}
	}
	last := e.ModifiedAt

	step()
	s.call(t, "UpdateEmployee", employeeXML("EmployeeID", e.EmployeeID, "Login", "m", "Enabled", "true")).ok(t, "UpdateEmployee")
	check("unchanged update", last)

	last = step()
	s.call(t, "UpdateEmployee", employeeXML("EmployeeID", e.EmployeeID, "Login", "m", "Title", "T", "Enabled", "true")).ok(t, "UpdateEmployee")
	check("update", last)

	step()
	s.call(t, "SetPassword", "<EmployeeID>E000001</EmployeeID><NewPassword>long-password</NewPassword>").ok(t, "SetPassword")
	check("password change", last)

	step()
	s.call(t, "EnableEmployee", "<EmployeeID>E000001</EmployeeID>").ok(t, "EnableEmployee")
	check("enable when enabled", last)

	last = step()
	s.call(t, "DisableEmployee", "<EmployeeID>E000001</EmployeeID>").ok(t, "DisableEmployee")
	check("disable", last)

	last = step()
	s.call(t, "AddRoleMember", "<RoleID>"+r.RoleID+"</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "AddRoleMember")
	check("role membership", last)
	if got := s.call(t, "GetRole", "<RoleID>"+r.RoleID+"</RoleID>").ok(t, "GetRole").Role.ModifiedAt; got != last {
		t.Fatalf("role ModifiedAt %s, want %s", got, last)
	}

	step()
	s.call(t, "AddRoleMember", "<RoleID>"+r.RoleID+"</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "AddRoleMember")
	check("repeated add", last)

	last = step()
	s.call(t, "RemoveRoleMember", "<RoleID>"+r.RoleID+"</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "RemoveRoleMember")
	check("role removal", last)

	// FindEmployees ModifiedSince is strictly after.
	step()
	s.create(t, "untouched")
	find := func(since string) int {
		return *s.call(t, "FindEmployees", "<ModifiedSince>"+since+"</ModifiedSince><PageNumber>1</PageNumber><PageSize>10</PageSize>").ok(t, "FindEmployees").TotalCount
	}
	if n := find(last); n != 1 { // "untouched" was created later; "m" at exactly `last` is excluded
		t.Fatalf("since %s: %d", last, n)
	}
	if n := find("2026-03-01T08:00:00Z"); n != 2 {
		t.Fatalf("since an hour before: %d", n)
	}
	if n := find("2026-03-01T10:00:00+02:00"); n != 2 { // 08:00 UTC
		t.Fatalf("since with an offset: %d", n)
	}
}

func TestConcurrentCreatesSameLogin(t *testing.T) {
	s := newSim(t)
	const n = 12
	results := make([]result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i] = s.call(t, "CreateEmployee", employeeXML("Login", []string{"same", "SAME", "Same"}[i%3], "Enabled", "true"))
		})
	}
	wg.Wait()
	won := 0
	for _, r := range results {
		if r.status == http.StatusOK {
			won++
		} else {
			r.fault(t, CodeDuplicate)
		}
	}
	if won != 1 {
		t.Fatalf("%d creates won, want exactly 1", won)
	}
}

func TestWSDL(t *testing.T) {
	s := newSim(t)
	for _, q := range []string{"?wsdl", "?WSDL"} {
		resp, err := http.Get(s.url + q)
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		_, _ = fmt.Fprint(&b, readAll(t, resp))
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/xml") {
			t.Fatalf("%s: %d %s", q, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !strings.Contains(b.String(), `<soap:address location="`+s.url+`"/>`) {
			t.Fatalf("%s: soap:address not rewritten to %s", q, s.url)
		}
		if !strings.Contains(b.String(), `targetNamespace="urn:legacyhr:directory:1"`) {
			t.Fatal("not the WSDL")
		}
	}
	req, _ := http.NewRequest(http.MethodGet, s.url+"?wsdl", nil)
	req.Host = `legacy.example:8443`
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); !strings.Contains(body, `location="http://legacy.example:8443/soap"`) {
		t.Fatal("the address does not follow the Host header")
	}
	resp, err = http.Get(s.url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET without ?wsdl: %d", resp.StatusCode)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

func TestSQLitePersistenceThroughServer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "demo.db")
	s := newSim(t, func(o *Options) { o.DBPath = path; o.Seed = true })
	all := s.call(t, "ListEmployees", "<PageNumber>1</PageNumber><PageSize>50</PageSize>").ok(t, "ListEmployees")
	if *all.TotalCount != len(demoEmployees) {
		t.Fatalf("demo seed: %d employees", *all.TotalCount)
	}
	e := s.create(t, "persisted", "Email", "p@example.com")
	s.call(t, "SetPassword", "<EmployeeID>"+e.EmployeeID+"</EmployeeID><NewPassword>persisted-1</NewPassword>").ok(t, "SetPassword")
	s.ts.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s2 := newSim(t, func(o *Options) { o.DBPath = path; o.Seed = true })
	if got := s2.get(t, e.EmployeeID); !reflect.DeepEqual(got, e) {
		t.Fatalf("after restart\n got %+v\nwant %+v", got, e)
	}
	all = s2.call(t, "ListEmployees", "<PageNumber>1</PageNumber><PageSize>50</PageSize>").ok(t, "ListEmployees")
	if *all.TotalCount != len(demoEmployees)+1 {
		t.Fatalf("seeding again on a non-empty store: %d employees", *all.TotalCount)
	}
	// The password history survived too.
	s2.call(t, "SetPassword", "<EmployeeID>"+e.EmployeeID+"</EmployeeID><NewPassword>persisted-1</NewPassword>").fault(t, CodePasswordPolicy)
}

func TestDemoSeed(t *testing.T) {
	s := newSim(t, func(o *Options) { o.Seed = true })
	roles := s.call(t, "ListRoles", "<PageNumber>1</PageNumber><PageSize>10</PageSize>").ok(t, "ListRoles")
	if *roles.TotalCount != 3 {
		t.Fatalf("%d roles", *roles.TotalCount)
	}
	for _, r := range roles.Roles {
		if len(r.Members) == 0 {
			t.Errorf("role %s has no members", r.Name)
		}
	}
	es, _, _ := s.Store().FindEmployees(context.Background(), EmployeeQuery{})
	disabled := 0
	for _, e := range es {
		if !e.HasPassword {
			t.Errorf("%s has no initial password", e.Login)
		}
		if !e.Enabled {
			disabled++
		}
	}
	if disabled == 0 {
		t.Error("the demo data should include a disabled employee")
	}
}

func TestAdminAPI(t *testing.T) {
	s := newSim(t)
	s.call(t, "CreateEmployee", employeeXML("Login", "adm", "Enabled", "true")+"<InitialPassword>secret-password</InitialPassword>").ok(t, "CreateEmployee")
	s.call(t, "SetPassword", "<EmployeeID>E000001</EmployeeID><NewPassword>other-password</NewPassword>").ok(t, "SetPassword")

	code, body := s.admin(t, http.MethodGet, "employees", nil)
	if code != 200 || strings.Contains(string(body), "password\"") || strings.Contains(string(body), "secret-password") ||
		strings.Contains(strings.ToLower(string(body)), "hash") || strings.Contains(strings.ToLower(string(body)), "salt") {
		t.Fatalf("employees: %d %s", code, body)
	}
	var es []Employee
	if err := json.Unmarshal(body, &es); err != nil || len(es) != 1 || es[0].PasswordChanges != 1 || !es[0].HasPassword || es[0].Login != "adm" {
		t.Fatalf("employees: %v %s", err, body)
	}
	if code, _ := s.admin(t, http.MethodGet, "employees/E000001", nil); code != 200 {
		t.Fatalf("one employee: %d", code)
	}
	if code, _ := s.admin(t, http.MethodGet, "employees/E999999", nil); code != 404 {
		t.Fatalf("unknown employee: %d", code)
	}
	s.call(t, "CreateRole", "<Name>G</Name>").ok(t, "CreateRole")
	s.call(t, "AddRoleMember", "<RoleID>R00001</RoleID><EmployeeID>E000001</EmployeeID>").ok(t, "AddRoleMember")
	code, body = s.admin(t, http.MethodGet, "roles", nil)
	var rs []Role
	if err := json.Unmarshal(body, &rs); code != 200 || err != nil || len(rs) != 1 || len(rs[0].Members) != 1 || rs[0].Members[0].Login != "adm" {
		t.Fatalf("roles: %d %s", code, body)
	}

	code, body = s.admin(t, http.MethodGet, "calls", nil)
	var calls CallStats
	if err := json.Unmarshal(body, &calls); code != 200 || err != nil || calls.Operations["SetPassword"].Calls != 1 {
		t.Fatalf("calls: %d %s", code, body)
	}

	code, body = s.admin(t, http.MethodPost, "seed", SeedRequest{Employees: 3, Prefix: "bulk"})
	var seeded SeedResult
	if err := json.Unmarshal(body, &seeded); code != 201 || err != nil || seeded != (SeedResult{3, "E000002", "E000004"}) {
		t.Fatalf("seed: %d %s", code, body)
	}
	if code, _ := s.admin(t, http.MethodPost, "seed", SeedRequest{Employees: 5, Prefix: "bulk"}); code != 409 {
		t.Fatalf("seed over taken logins: %d", code)
	}
	if code, _ := s.admin(t, http.MethodPost, "seed", SeedRequest{Employees: MaxSeed + 1}); code != 400 {
		t.Fatalf("seed too many: %d", code)
	}
	if code, _ := s.admin(t, http.MethodPost, "seed", map[string]any{"employees": 1, "prefix": "a b"}); code != 400 {
		t.Fatalf("seed bad prefix: %d", code)
	}
	if got := s.get(t, "E000003"); got.Login != "bulk0002" || got.Email != "bulk0002@example.com" {
		t.Fatalf("seeded employee %+v", got)
	}

	code, body = s.admin(t, http.MethodPut, "knobs", KnobSettings{LatencyMillis: 5, UnavailableNext: 2})
	if code != 200 || s.Knobs().Get().UnavailableNext != 2 {
		t.Fatalf("knobs PUT: %d %s", code, body)
	}
	if code, _ := s.admin(t, http.MethodPut, "knobs", map[string]any{"latencyMilis": 5}); code != 400 {
		t.Fatalf("knobs with a typo: %d", code)
	}
	if code, _ := s.admin(t, http.MethodPut, "knobs", KnobSettings{FaultProbability: 2}); code != 400 {
		t.Fatalf("knobs out of range: %d", code)
	}
	code, body = s.admin(t, http.MethodGet, "knobs", nil)
	var k KnobSettings
	if err := json.Unmarshal(body, &k); code != 200 || err != nil || k.LatencyMillis != 5 {
		t.Fatalf("knobs GET: %d %s", code, body)
	}
	s.Knobs().Reset()

	if code, _ := s.admin(t, http.MethodPost, "reset", nil); code != 200 {
		t.Fatalf("reset: %d", code)
	}
	if _, total, _ := s.Store().FindEmployees(context.Background(), EmployeeQuery{}); total != 0 {
		t.Fatalf("after reset: %d", total)
	}
	if len(s.Calls().Operations) != 0 {
		t.Fatal("reset should clear the call statistics")
	}
	if code, _ := s.admin(t, http.MethodGet, "nothing", nil); code != 404 {
		t.Fatalf("unknown admin path: %d", code)
	}
}

func TestListenAndServe(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	urls := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		errc <- ListenAndServe(ctx, "127.0.0.1:0", Options{Username: testUser, Password: testPass},
			func(u string) { urls <- u })
	}()
	var url string
	select {
	case url = <-urls:
	case err := <-errc:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not ready in time")
	}
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, SOAPPath) {
		t.Fatalf("endpoint %q", url)
	}
	r := post(t, url, "", envelopeWith(wsseText(testUser, testPass), opXML("ListRoles", "<PageNumber>1</PageNumber><PageSize>1</PageSize>")))
	r.ok(t, "ListRoles")
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("did not stop")
	}
	if _, err := New(Options{}); err == nil {
		t.Fatal("New without credentials should fail")
	}
}

func TestSOAP12AndRPCLiteralAreExclusive(t *testing.T) {
	_, err := New(Options{Username: testUser, Password: testPass, SOAP12: true, RPCLiteral: true})
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("New with SOAP12 and RPCLiteral: %v, want a refusal", err)
	}
}
