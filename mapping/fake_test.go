package mapping

import (
	"context"
	"encoding/xml"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hooklift/gowsdl/soap"
)

// The types below mirror what gowsdl generates from wsdl/legacyhr.wsdl (same shapes: XMLName,
// nested record pointers, *bool, int32, []*T, soap.XSDDateTime), so that the engine is tested
// against the real kind of types without importing generated code.

type Employee struct {
	EmployeeID, Login, GivenName, FamilyName, MiddleName, DisplayName string
	Email, SecondaryEmail, Phone, Department, Title, EmployeeNumber   string
	IsAdmin, Enabled                                                  *bool
	CreatedAt, ModifiedAt                                             soap.XSDDateTime
}

type RoleMember struct{ EmployeeID, Login string }

type Role struct {
	RoleID, Name, Description string
	Members                   []*RoleMember
	ModifiedAt                soap.XSDDateTime
}

type CreateEmployee struct {
	XMLName         xml.Name `xml:"urn:legacyhr:directory:1 CreateEmployee"`
	Employee        *Employee
	InitialPassword string
}
type CreateEmployeeResponse struct{ Employee *Employee }
type GetEmployee struct{ EmployeeID string }
type GetEmployeeResponse struct{ Employee *Employee }
type UpdateEmployee struct{ Employee *Employee }
type UpdateEmployeeResponse struct{ Employee *Employee }
type EnableEmployee struct{ EmployeeID string }
type EnableEmployeeResponse struct{ Employee *Employee }
type DisableEmployee struct{ EmployeeID string }
type DisableEmployeeResponse struct{ Employee *Employee }
type SetPassword struct{ EmployeeID, NewPassword string }
type SetPasswordResponse struct{}
type DeleteEmployee struct{ EmployeeID string }
type DeleteEmployeeResponse struct{}
type ListEmployees struct{ PageNumber, PageSize int32 }
type ListEmployeesResponse struct {
	Employees  []*Employee
	TotalCount int32
}
type FindEmployees struct {
	Login, Email         string
	ModifiedSince        soap.XSDDateTime
	PageNumber, PageSize int32
}
type FindEmployeesResponse ListEmployeesResponse
type CreateRole struct{ Name, Description string }
type CreateRoleResponse struct{ Role *Role }
type GetRole struct{ RoleID string }
type GetRoleResponse struct{ Role *Role }
type UpdateRole struct{ RoleID, Name, Description string }
type UpdateRoleResponse struct{ Role *Role }
type DeleteRole struct{ RoleID string }
type DeleteRoleResponse struct{}
type ListRoles struct{ PageNumber, PageSize int32 }
type ListRolesResponse struct {
	Roles      []*Role
	TotalCount int32
}
type AddRoleMember struct{ RoleID, EmployeeID string }
type AddRoleMemberResponse struct{}
type RemoveRoleMember struct{ RoleID, EmployeeID string }
type RemoveRoleMemberResponse struct{}

var fakeOps = map[string][2]any{
	"CreateEmployee":   {CreateEmployee{}, CreateEmployeeResponse{}},
	"GetEmployee":      {GetEmployee{}, GetEmployeeResponse{}},
	"UpdateEmployee":   {UpdateEmployee{}, UpdateEmployeeResponse{}},
	"EnableEmployee":   {EnableEmployee{}, EnableEmployeeResponse{}},
	"DisableEmployee":  {DisableEmployee{}, DisableEmployeeResponse{}},
	"SetPassword":      {SetPassword{}, SetPasswordResponse{}},
	"DeleteEmployee":   {DeleteEmployee{}, DeleteEmployeeResponse{}},
	"ListEmployees":    {ListEmployees{}, ListEmployeesResponse{}},
	"FindEmployees":    {FindEmployees{}, FindEmployeesResponse{}},
	"CreateRole":       {CreateRole{}, CreateRoleResponse{}},
	"GetRole":          {GetRole{}, GetRoleResponse{}},
	"UpdateRole":       {UpdateRole{}, UpdateRoleResponse{}},
	"DeleteRole":       {DeleteRole{}, DeleteRoleResponse{}},
	"ListRoles":        {ListRoles{}, ListRolesResponse{}},
	"AddRoleMember":    {AddRoleMember{}, AddRoleMemberResponse{}},
	"RemoveRoleMember": {RemoveRoleMember{}, RemoveRoleMemberResponse{}},
}

type fakeCatalog struct{}

func (fakeCatalog) Operations() []string {
	var names []string
	for n := range fakeOps {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (fakeCatalog) Operation(name string) (OperationInfo, bool) {
	t, ok := fakeOps[name]
	if !ok {
		return OperationInfo{}, false
	}
	return OperationInfo{Name: name, Request: reflect.TypeOf(t[0]), Response: reflect.TypeOf(t[1])}, true
}

// hrFault is a LegacyHR business fault as the soapclient layer would surface it.
type hrFault struct{ code, msg string }

func (f *hrFault) Error() string         { return "soap fault: " + f.code + ": " + f.msg }
func (f *hrFault) FaultCode() string     { return "soap:Server" }
func (f *hrFault) FaultString() string   { return "raw fault string " + f.msg }
func (f *hrFault) DetailCode() string    { return f.code }
func (f *hrFault) DetailMessage() string { return f.msg }

// call is one recorded Invoke.
type call struct {
	op  string
	req any
}

// fakeHR is an in-memory LegacyHR behind the Invoker seam: it behaves like the WSDL says
// (whole-record update, Enabled required, page-number paging ordered by id, case-insensitive
// Login/Email lookups, ModifiedSince strictly after) and records every call.
type fakeHR struct {
	mu        sync.Mutex
	emps      map[string]*Employee
	roles     map[string]*Role
	passwords map[string][]string
	nextID    int
	clock     time.Time
	calls     []call
	// fail, when set, answers every call instead of the store.
	fail func(op string) error
}

func newFakeHR() *fakeHR {
	return &fakeHR{emps: map[string]*Employee{}, roles: map[string]*Role{}, passwords: map[string][]string{},
		clock: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (f *fakeHR) tick() soap.XSDDateTime {
	f.clock = f.clock.Add(time.Second)
	return soap.CreateXsdDateTime(f.clock, true)
}

func (f *fakeHR) id(prefix string) string {
	f.nextID++
	return fmt.Sprintf("%s%05d", prefix, f.nextID)
}

func (f *fakeHR) callsOf(op string) []any {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []any
	for _, c := range f.calls {
		if c.op == op {
			out = append(out, c.req)
		}
	}
	return out
}

func (f *fakeHR) resetCalls() {
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

func cloneEmp(e *Employee) *Employee {
	c := *e
	return &c
}

func cloneRole(r *Role) *Role {
	c := *r
	c.Members = append([]*RoleMember(nil), r.Members...)
	return &c
}

func notFound() error { return &hrFault{"HR-NOT-FOUND", "no such record"} }

func page[T any](all []T, pn, ps int32) ([]T, error) {
	if pn < 1 || ps < 1 || ps > 200 {
		return nil, &hrFault{"HR-INVALID", fmt.Sprintf("bad page %d/%d", pn, ps)}
	}
	start := int(pn-1) * int(ps)
	if start >= len(all) {
		return nil, nil
	}
	return all[start:min(len(all), start+int(ps))], nil
}

func (f *fakeHR) sortedEmps(keep func(*Employee) bool) []*Employee {
	var out []*Employee
	for _, e := range f.emps {
		if keep(e) {
			out = append(out, cloneEmp(e))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].EmployeeID < out[j].EmployeeID })
	return out
}

func (f *fakeHR) loginTaken(login, except string) bool {
	for _, e := range f.emps {
		if strings.EqualFold(e.Login, login) && e.EmployeeID != except {
			return true
		}
	}
	return false
}

func (f *fakeHR) Invoke(ctx context.Context, op string, req any) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{op, req})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.fail != nil {
		if err := f.fail(op); err != nil {
			return nil, err
		}
	}
	switch r := req.(type) {
	case *CreateEmployee:
		if r.Employee == nil || r.Employee.Login == "" || r.Employee.Enabled == nil {
			return nil, &hrFault{"HR-INVALID", "Login and Enabled are required"}
		}
		if f.loginTaken(r.Employee.Login, "") {
			return nil, &hrFault{"HR-DUPLICATE", "login " + r.Employee.Login + " exists"}
		}
		e := cloneEmp(r.Employee)
		e.EmployeeID = f.id("E")
		e.CreatedAt = f.tick()
		e.ModifiedAt = e.CreatedAt
		f.emps[e.EmployeeID] = e
		if r.InitialPassword != "" {
			f.passwords[e.EmployeeID] = []string{r.InitialPassword}
		}
		return &CreateEmployeeResponse{Employee: cloneEmp(e)}, nil
	case *GetEmployee:
		e, ok := f.emps[r.EmployeeID]
		if !ok {
			return nil, notFound()
		}
		return &GetEmployeeResponse{Employee: cloneEmp(e)}, nil
	case *UpdateEmployee:
		if r.Employee == nil || r.Employee.Enabled == nil || r.Employee.Login == "" {
			return nil, &hrFault{"HR-INVALID", "Login and Enabled are required"}
		}
		old, ok := f.emps[r.Employee.EmployeeID]
		if !ok {
			return nil, notFound()
		}
		if f.loginTaken(r.Employee.Login, old.EmployeeID) {
			return nil, &hrFault{"HR-DUPLICATE", "login exists"}
		}
		e := cloneEmp(r.Employee)
		e.CreatedAt = old.CreatedAt
		e.ModifiedAt = f.tick()
		f.emps[e.EmployeeID] = e
		return &UpdateEmployeeResponse{Employee: cloneEmp(e)}, nil
	case *EnableEmployee, *DisableEmployee:
		id := reflect.ValueOf(r).Elem().Field(0).String()
		e, ok := f.emps[id]
		if !ok {
			return nil, notFound()
		}
		v := op == "EnableEmployee"
		e.Enabled = &v
		e.ModifiedAt = f.tick()
		if v {
			return &EnableEmployeeResponse{Employee: cloneEmp(e)}, nil
		}
		return &DisableEmployeeResponse{Employee: cloneEmp(e)}, nil
	case *SetPassword:
		if _, ok := f.emps[r.EmployeeID]; !ok {
			return nil, notFound()
		}
		for _, p := range f.passwords[r.EmployeeID] {
			if p == r.NewPassword {
				return nil, &hrFault{"HR-PASSWORD-POLICY", "the password was used recently"}
			}
		}
		f.passwords[r.EmployeeID] = append(f.passwords[r.EmployeeID], r.NewPassword)
		return &SetPasswordResponse{}, nil
	case *DeleteEmployee:
		if _, ok := f.emps[r.EmployeeID]; !ok {
			return nil, notFound()
		}
		delete(f.emps, r.EmployeeID)
		return &DeleteEmployeeResponse{}, nil
	case *ListEmployees:
		all := f.sortedEmps(func(*Employee) bool { return true })
		p, err := page(all, r.PageNumber, r.PageSize)
		if err != nil {
			return nil, err
		}
		return &ListEmployeesResponse{Employees: p, TotalCount: int32(len(all))}, nil
	case *FindEmployees:
		since := r.ModifiedSince.ToGoTime()
		all := f.sortedEmps(func(e *Employee) bool {
			if r.Login != "" && !strings.EqualFold(e.Login, r.Login) {
				return false
			}
			if r.Email != "" && !strings.EqualFold(e.Email, r.Email) && !strings.EqualFold(e.SecondaryEmail, r.Email) {
				return false
			}
			if r.ModifiedSince != (soap.XSDDateTime{}) && !e.ModifiedAt.ToGoTime().After(since) {
				return false
			}
			return true
		})
		p, err := page(all, r.PageNumber, r.PageSize)
		if err != nil {
			return nil, err
		}
		return &FindEmployeesResponse{Employees: p, TotalCount: int32(len(all))}, nil
	case *CreateRole:
		if r.Name == "" {
			return nil, &hrFault{"HR-INVALID", "Name is required"}
		}
		for _, x := range f.roles {
			if strings.EqualFold(x.Name, r.Name) {
				return nil, &hrFault{"HR-DUPLICATE", "role exists"}
			}
		}
		ro := &Role{RoleID: f.id("R"), Name: r.Name, Description: r.Description, ModifiedAt: f.tick()}
		f.roles[ro.RoleID] = ro
		return &CreateRoleResponse{Role: cloneRole(ro)}, nil
	case *GetRole:
		ro, ok := f.roles[r.RoleID]
		if !ok {
			return nil, notFound()
		}
		return &GetRoleResponse{Role: cloneRole(ro)}, nil
	case *UpdateRole:
		ro, ok := f.roles[r.RoleID]
		if !ok {
			return nil, notFound()
		}
		for _, x := range f.roles {
			if x.RoleID != r.RoleID && strings.EqualFold(x.Name, r.Name) {
				return nil, &hrFault{"HR-DUPLICATE", "role exists"}
			}
		}
		ro.Name, ro.Description, ro.ModifiedAt = r.Name, r.Description, f.tick()
		return &UpdateRoleResponse{Role: cloneRole(ro)}, nil
	case *DeleteRole:
		if _, ok := f.roles[r.RoleID]; !ok {
			return nil, notFound()
		}
		delete(f.roles, r.RoleID)
		return &DeleteRoleResponse{}, nil
	case *ListRoles:
		var all []*Role
		for _, ro := range f.roles {
			all = append(all, cloneRole(ro))
		}
		sort.Slice(all, func(i, j int) bool { return all[i].RoleID < all[j].RoleID })
		p, err := page(all, r.PageNumber, r.PageSize)
		if err != nil {
			return nil, err
		}
		return &ListRolesResponse{Roles: p, TotalCount: int32(len(all))}, nil
	case *AddRoleMember:
		ro, ok := f.roles[r.RoleID]
		e, ok2 := f.emps[r.EmployeeID]
		if !ok || !ok2 {
			return nil, notFound()
		}
		for _, m := range ro.Members {
			if m.EmployeeID == r.EmployeeID {
				return &AddRoleMemberResponse{}, nil
			}
		}
		ro.Members = append(ro.Members, &RoleMember{EmployeeID: e.EmployeeID, Login: e.Login})
		ro.ModifiedAt = f.tick()
		return &AddRoleMemberResponse{}, nil
	case *RemoveRoleMember:
		ro, ok := f.roles[r.RoleID]
		if !ok {
			return nil, notFound()
		}
		kept := ro.Members[:0:0]
		for _, m := range ro.Members {
			if m.EmployeeID != r.EmployeeID {
				kept = append(kept, m)
			}
		}
		ro.Members = kept
		ro.ModifiedAt = f.tick()
		return &RemoveRoleMemberResponse{}, nil
	}
	return nil, fmt.Errorf("fakeHR: unexpected request %T for %s", req, op)
}

func soapTime(t time.Time) soap.XSDDateTime { return soap.CreateXsdDateTime(t, true) }
