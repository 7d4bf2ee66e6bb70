package legacysim

import (
	"context"
	"fmt"
)

// demoEmployee is one employee of the demo data set, with its initial password.
type demoEmployee struct {
	e        Employee
	password string
}

// The demo data: a small company that looks lived-in, with one disabled leaver and one employee
// without a phone or title, so that the bridge's handling of empty fields shows up in the demo.
var demoEmployees = []demoEmployee{
	{Employee{Login: "amelia.hart", GivenName: "Amelia", FamilyName: "Hart", DisplayName: "Amelia Hart",
		Email: "amelia.hart@example.com", Phone: "+1 415 555 0101", Department: "Engineering",
		Title: "Engineering Manager", EmployeeNumber: "1001", IsAdmin: true, Enabled: true}, "Hart-2009-spring"},
	{Employee{Login: "bruno.diaz", GivenName: "Bruno", FamilyName: "Diaz", MiddleName: "Luis",
		DisplayName: "Bruno Diaz", Email: "bruno.diaz@example.com", SecondaryEmail: "bruno@diaz.example.net",
		Phone: "+1 415 555 0102", Department: "Engineering", Title: "Software Engineer",
		EmployeeNumber: "1002", Enabled: true}, "Diaz-2009-summer"},
	{Employee{Login: "chen.wei", GivenName: "Wei", FamilyName: "Chen", DisplayName: "Wei Chen",
		Email: "wei.chen@example.com", Phone: "+1 415 555 0103", Department: "Finance",
		Title: "Controller", EmployeeNumber: "1003", Enabled: true}, "Chen-2009-autumn"},
	{Employee{Login: "dora.okafor", GivenName: "Dora", FamilyName: "Okafor", DisplayName: "Dora Okafor",
		Email: "dora.okafor@example.com", Department: "Sales", EmployeeNumber: "1004",
		Enabled: true}, "Okafor-2009-winter"},
	{Employee{Login: "erik.lund", GivenName: "Erik", FamilyName: "Lund", DisplayName: "Erik Lund",
		Email: "erik.lund@example.com", Phone: "+46 8 555 0105", Department: "Sales",
		Title: "Account Executive", EmployeeNumber: "1005", Enabled: false}, "Lund-2008-leaver"},
}

var demoRoles = []struct {
	r       Role
	members []string // logins
}{
	{Role{Name: "Engineering", Description: "Everyone who builds the product"}, []string{"amelia.hart", "bruno.diaz"}},
	{Role{Name: "Finance Approvers", Description: "May approve purchase orders"}, []string{"chen.wei", "amelia.hart"}},
	{Role{Name: "Sales"}, []string{"dora.okafor", "erik.lund"}},
}

// seedDemo fills an empty store with the demo data; a store that holds anything is left alone, so
// that a demo restarted on its SQLite file keeps what the bridge did to it.
func (s *Server) seedDemo(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if _, n, err := s.store.FindEmployees(ctx, EmployeeQuery{Limit: 1}); err != nil || n > 0 {
		return err
	}
	if _, n, err := s.store.ListRoles(ctx, 0, 1); err != nil || n > 0 {
		return err
	}
	ids := map[string]string{}
	for _, d := range demoEmployees {
		e := d.e
		e.CreatedAt, e.ModifiedAt = s.nowMS(), s.nowMS()
		h := NewPasswordHash(d.password)
		created, err := s.store.CreateEmployee(ctx, e, &h)
		if err != nil {
			return fmt.Errorf("employee %s: %w", e.Login, err)
		}
		ids[e.Login] = created.ID
	}
	for _, d := range demoRoles {
		r := d.r
		r.ModifiedAt = s.nowMS()
		created, err := s.store.CreateRole(ctx, r)
		if err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
		for _, login := range d.members {
			if _, err := s.store.AddRoleMember(ctx, created.ID, ids[login], s.nowMS()); err != nil {
				return fmt.Errorf("role %s member %s: %w", r.Name, login, err)
			}
		}
	}
	return nil
}
