package legacysim

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"
)

// decodeFunc decodes the operation element into v, refuses unknown elements, and checks that the
// rest of the envelope is well-formed, all before the operation may touch the store.
type decodeFunc func(v unknownChecker) error

type unknownChecker interface{ unknownErr(where string) error }

type handler func(s *Server, ctx context.Context, op string, decode decodeFunc) (any, error)

type operation struct {
	h     handler
	write bool // writes are serialised so that check-then-write sequences are atomic
}

// operations is the dispatch table, keyed by the local name of the Body's first child.
var operations = map[string]operation{
	"CreateEmployee":   {(*Server).opCreateEmployee, true},
	"GetEmployee":      {(*Server).opGetEmployee, false},
	"UpdateEmployee":   {(*Server).opUpdateEmployee, true},
	"EnableEmployee":   {(*Server).opSetEnabled, true},
	"DisableEmployee":  {(*Server).opSetEnabled, true},
	"SetPassword":      {(*Server).opSetPassword, true},
	"DeleteEmployee":   {(*Server).opDeleteEmployee, true},
	"ListEmployees":    {(*Server).opListEmployees, false},
	"FindEmployees":    {(*Server).opFindEmployees, false},
	"CreateRole":       {(*Server).opCreateRole, true},
	"GetRole":          {(*Server).opGetRole, false},
	"UpdateRole":       {(*Server).opUpdateRole, true},
	"DeleteRole":       {(*Server).opDeleteRole, true},
	"ListRoles":        {(*Server).opListRoles, false},
	"AddRoleMember":    {(*Server).opChangeMember, true},
	"RemoveRoleMember": {(*Server).opChangeMember, true},
}

// Operations returns the names of all operations the service implements, sorted.
func Operations() []string {
	return slices.Sorted(maps.Keys(operations))
}

// storeErr turns a store error into a fault; what is neither "not found" nor "duplicate" is the
// system's own failure.
func storeErr(err error, what string) error {
	switch {
	case errors.Is(err, ErrNotFound):
		return faultf(CodeNotFound, "%s does not exist", what)
	case errors.Is(err, ErrDuplicate):
		return faultf(CodeDuplicate, "%s already exists", what)
	case err != nil:
		var f *Fault
		if errors.As(err, &f) {
			return f
		}
		return &internalError{err}
	}
	return nil
}

// internalError is a store failure: logged in full, reported to the client as HR-INTERNAL without
// details.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// MinPasswordLength is the password policy's minimum length, in characters.
const MinPasswordLength = 8

func checkPasswordPolicy(p string) error {
	if utf8.RuneCountInString(p) < MinPasswordLength {
		return faultf(CodePasswordPolicy, "the password must be at least %d characters long", MinPasswordLength)
	}
	return nil
}

func checkEmail(name, v string) error {
	if v == "" {
		return nil
	}
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 || strings.ContainsAny(v, " \t\r\n<>") {
		return invalidf("%s: %q is not an e-mail address", name, truncate(v, 80))
	}
	return nil
}

// employeeFromRequest validates the Employee element of CreateEmployee and UpdateEmployee. Every
// optional element that is absent becomes empty: that is how UpdateEmployee clears fields.
func employeeFromRequest(in *employeeIn) (Employee, error) {
	if in == nil {
		return Employee{}, invalidf("Employee is required")
	}
	if err := in.unknownErr("Employee"); err != nil {
		return Employee{}, err
	}
	login, err := required("Login", in.Login)
	if err != nil {
		return Employee{}, err
	}
	if in.Enabled == nil {
		return Employee{}, invalidf("Enabled is required")
	}
	present, enabled, err := in.Enabled.value("Enabled")
	if err != nil {
		return Employee{}, err
	}
	if !present {
		return Employee{}, invalidf("Enabled is required and must not be nil")
	}
	_, isAdmin, err := in.IsAdmin.value("IsAdmin")
	if err != nil {
		return Employee{}, err
	}
	if err := checkEmail("Email", in.Email); err != nil {
		return Employee{}, err
	}
	if err := checkEmail("SecondaryEmail", in.SecondaryEmail); err != nil {
		return Employee{}, err
	}
	return Employee{
		Login: login, GivenName: in.GivenName, FamilyName: in.FamilyName, MiddleName: in.MiddleName,
		DisplayName: in.DisplayName, Email: in.Email, SecondaryEmail: in.SecondaryEmail,
		Phone: in.Phone, Department: in.Department, Title: in.Title,
		EmployeeNumber: in.EmployeeNumber, IsAdmin: isAdmin, Enabled: enabled,
	}, nil
}

// sameRecord reports whether two employees differ in nothing a client can set.
func sameRecord(a, b Employee) bool {
	a.ID, a.CreatedAt, a.ModifiedAt, a.HasPassword, a.PasswordChanges = b.ID, b.CreatedAt, b.ModifiedAt, b.HasPassword, b.PasswordChanges
	return a == b
}

func (s *Server) opCreateEmployee(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req createEmployeeReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	e, err := employeeFromRequest(req.Employee)
	if err != nil {
		return nil, err
	}
	var initial *PasswordHash
	if req.InitialPassword != nil {
		if err := checkPasswordPolicy(*req.InitialPassword); err != nil {
			return nil, err
		}
		h := NewPasswordHash(*req.InitialPassword)
		initial = &h
	}
	now := s.nowMS()
	e.CreatedAt, e.ModifiedAt = now, now
	created, err := s.store.CreateEmployee(ctx, e, initial)
	if errors.Is(err, ErrDuplicate) {
		return nil, faultf(CodeDuplicate, "an employee with login %q already exists", e.Login)
	}
	if err != nil {
		return nil, storeErr(err, "employee")
	}
	return &employeeResp{XMLName: respName(op), Employee: toEmployeeOut(created)}, nil
}

func (s *Server) opGetEmployee(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req employeeIDReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("EmployeeID", req.EmployeeID)
	if err != nil {
		return nil, err
	}
	e, err := s.store.GetEmployee(ctx, id)
	if err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	return &employeeResp{XMLName: respName(op), Employee: toEmployeeOut(e)}, nil
}

func (s *Server) opUpdateEmployee(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req employeeOnlyReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	if req.Employee == nil {
		return nil, invalidf("Employee is required")
	}
	id, err := required("EmployeeID", req.Employee.EmployeeID)
	if err != nil {
		return nil, err
	}
	e, err := employeeFromRequest(req.Employee)
	if err != nil {
		return nil, err
	}
	old, err := s.store.GetEmployee(ctx, id)
	if err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	if sameRecord(e, old) {
		return &employeeResp{XMLName: respName(op), Employee: toEmployeeOut(old)}, nil
	}
	e.ID, e.ModifiedAt = id, s.nowMS()
	updated, err := s.store.ReplaceEmployee(ctx, e)
	if errors.Is(err, ErrDuplicate) {
		return nil, faultf(CodeDuplicate, "an employee with login %q already exists", e.Login)
	}
	if err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	return &employeeResp{XMLName: respName(op), Employee: toEmployeeOut(updated)}, nil
}

func (s *Server) opSetEnabled(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req employeeIDReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("EmployeeID", req.EmployeeID)
	if err != nil {
		return nil, err
	}
	e, err := s.store.GetEmployee(ctx, id)
	if err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	if want := op == "EnableEmployee"; e.Enabled != want {
		e.Enabled, e.ModifiedAt = want, s.nowMS()
		if e, err = s.store.ReplaceEmployee(ctx, e); err != nil {
			return nil, storeErr(err, "employee "+id)
		}
	}
	return &employeeResp{XMLName: respName(op), Employee: toEmployeeOut(e)}, nil
}

func (s *Server) opSetPassword(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req setPasswordReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("EmployeeID", req.EmployeeID)
	if err != nil {
		return nil, err
	}
	if req.NewPassword == nil {
		return nil, invalidf("NewPassword is required")
	}
	history, err := s.store.PasswordHistory(ctx, id)
	if err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	if err := checkPasswordPolicy(*req.NewPassword); err != nil {
		return nil, err
	}
	for _, h := range history {
		if h.Matches(*req.NewPassword) {
			return nil, faultf(CodePasswordPolicy, "the password must differ from the last %d passwords", PasswordHistoryDepth)
		}
	}
	if err := s.store.SetPassword(ctx, id, NewPasswordHash(*req.NewPassword)); err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	return &emptyResp{XMLName: respName(op)}, nil
}

func (s *Server) opDeleteEmployee(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req employeeIDReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("EmployeeID", req.EmployeeID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteEmployee(ctx, id, s.nowMS()); err != nil {
		return nil, storeErr(err, "employee "+id)
	}
	return &emptyResp{XMLName: respName(op)}, nil
}

func (s *Server) opListEmployees(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req pageReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	offset, limit, err := paging(req.PageNumber, req.PageSize)
	if err != nil {
		return nil, err
	}
	return s.findEmployees(ctx, op, EmployeeQuery{Offset: offset, Limit: limit})
}

func (s *Server) findEmployees(ctx context.Context, op string, q EmployeeQuery) (any, error) {
	es, total, err := s.store.FindEmployees(ctx, q)
	if err != nil {
		return nil, storeErr(err, "employee")
	}
	resp := &employeesResp{XMLName: respName(op), TotalCount: total}
	for _, e := range es {
		resp.Employees = append(resp.Employees, toEmployeeOut(e))
	}
	return resp, nil
}

// optional returns the value of an optional criterion; an empty element counts as absent.
func optional(v *string) string {
	if v == nil {
		return ""
	}
	return strings.TrimSpace(*v)
}

func (s *Server) opFindEmployees(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req findEmployeesReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	offset, limit, err := paging(req.PageNumber, req.PageSize)
	if err != nil {
		return nil, err
	}
	q := EmployeeQuery{Login: optional(req.Login), Email: optional(req.Email), Offset: offset, Limit: limit}
	if since := optional(req.ModifiedSince); since != "" {
		if q.ModifiedSince, err = parseDateTime("ModifiedSince", since); err != nil {
			return nil, err
		}
	}
	return s.findEmployees(ctx, op, q)
}

func (s *Server) opCreateRole(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req createRoleReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	name, err := required("Name", req.Name)
	if err != nil {
		return nil, err
	}
	r, err := s.store.CreateRole(ctx, Role{Name: name, Description: req.Description, ModifiedAt: s.nowMS()})
	if errors.Is(err, ErrDuplicate) {
		return nil, faultf(CodeDuplicate, "a role named %q already exists", name)
	}
	if err != nil {
		return nil, storeErr(err, "role")
	}
	return &roleResp{XMLName: respName(op), Role: toRoleOut(r)}, nil
}

func (s *Server) opGetRole(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req roleIDReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("RoleID", req.RoleID)
	if err != nil {
		return nil, err
	}
	r, err := s.store.GetRole(ctx, id)
	if err != nil {
		return nil, storeErr(err, "role "+id)
	}
	return &roleResp{XMLName: respName(op), Role: toRoleOut(r)}, nil
}

// opUpdateRole sets Name and Description; like UpdateEmployee, an absent Description clears it.
func (s *Server) opUpdateRole(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req updateRoleReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("RoleID", req.RoleID)
	if err != nil {
		return nil, err
	}
	name, err := required("Name", req.Name)
	if err != nil {
		return nil, err
	}
	old, err := s.store.GetRole(ctx, id)
	if err != nil {
		return nil, storeErr(err, "role "+id)
	}
	if old.Name == name && old.Description == req.Description {
		return &roleResp{XMLName: respName(op), Role: toRoleOut(old)}, nil
	}
	r, err := s.store.UpdateRole(ctx, Role{ID: id, Name: name, Description: req.Description, ModifiedAt: s.nowMS()})
	if errors.Is(err, ErrDuplicate) {
		return nil, faultf(CodeDuplicate, "a role named %q already exists", name)
	}
	if err != nil {
		return nil, storeErr(err, "role "+id)
	}
	return &roleResp{XMLName: respName(op), Role: toRoleOut(r)}, nil
}

func (s *Server) opDeleteRole(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req roleIDReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	id, err := required("RoleID", req.RoleID)
	if err != nil {
		return nil, err
	}
	if err := s.store.DeleteRole(ctx, id, s.nowMS()); err != nil {
		return nil, storeErr(err, "role "+id)
	}
	return &emptyResp{XMLName: respName(op)}, nil
}

func (s *Server) opListRoles(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req pageReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	offset, limit, err := paging(req.PageNumber, req.PageSize)
	if err != nil {
		return nil, err
	}
	rs, total, err := s.store.ListRoles(ctx, offset, limit)
	if err != nil {
		return nil, storeErr(err, "role")
	}
	resp := &rolesResp{XMLName: respName(op), TotalCount: total}
	for _, r := range rs {
		resp.Roles = append(resp.Roles, toRoleOut(r))
	}
	return resp, nil
}

func (s *Server) opChangeMember(ctx context.Context, op string, decode decodeFunc) (any, error) {
	var req memberReq
	if err := decode(&req); err != nil {
		return nil, err
	}
	roleID, err := required("RoleID", req.RoleID)
	if err != nil {
		return nil, err
	}
	empID, err := required("EmployeeID", req.EmployeeID)
	if err != nil {
		return nil, err
	}
	change := s.store.AddRoleMember
	if op == "RemoveRoleMember" {
		change = s.store.RemoveRoleMember
	}
	if _, err := change(ctx, roleID, empID, s.nowMS()); err != nil {
		return nil, storeErr(err, "role "+roleID+" or employee "+empID)
	}
	return &emptyResp{XMLName: respName(op)}, nil
}
