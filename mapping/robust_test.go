package mapping

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// hollowHR answers every call with one shape of empty answer, as a broken or unusual
// legacy application (or SOAP layer) might: no response at all, a typed nil pointer, a
// response whose record pointer and lists are nil, or lists holding nil elements.
type hollowHR struct{ mode string }

func (h hollowHR) Invoke(_ context.Context, op string, _ any) (any, error) {
	t := reflect.TypeOf(fakeOps[op][1])
	switch h.mode {
	case "untyped nil":
		return nil, nil
	case "typed nil":
		return reflect.Zero(reflect.PointerTo(t)).Interface(), nil
	case "zero":
		return reflect.New(t).Interface(), nil
	}
	// "nil elements": lists of one nil record, a role whose member list holds nil.
	switch op {
	case "ListEmployees", "FindEmployees":
		return &ListEmployeesResponse{Employees: []*Employee{nil}, TotalCount: 1}, nil
	case "ListRoles":
		return &ListRolesResponse{Roles: []*Role{nil}, TotalCount: 1}, nil
	case "GetRole", "CreateRole", "UpdateRole":
		r := &Role{RoleID: "r1", Name: "R", Members: []*RoleMember{nil}}
		v := reflect.New(t)
		v.Elem().Field(0).Set(reflect.ValueOf(r))
		return v.Interface(), nil
	}
	return reflect.New(t).Interface(), nil
}

// TestHollowAnswersNeverPanic drives every contract method through answers that hold no
// data. None may panic; a read of one record that finds none is NotFound, and anything
// else is a classified error or an empty result, never a raw one.
func TestHollowAnswersNeverPanic(t *testing.T) {
	eng := compileYAML(t, defaults.LegacyHR)
	ctx := context.Background()
	for _, mode := range []string{"untyped nil", "typed nil", "zero", "nil elements"} {
		t.Run(mode, func(t *testing.T) {
			b := eng.Backend(hollowHR{mode}, nil)
			calls := map[string]func() error{
				"GetUser":     func() error { _, err := b.GetUser(ctx, "e1"); return err },
				"CreateUser":  func() error { _, err := b.CreateUser(ctx, alice()); return err },
				"ReplaceUser": func() error { _, err := b.ReplaceUser(ctx, "e1", alice()); return err },
				"ListUsers": func() error {
					_, err := b.ListUsers(ctx, backend.Query{StartIndex: 1, Count: 10})
					return err
				},
				"ListUsers userName eq": func() error {
					_, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `userName eq "a"`), StartIndex: 1, Count: 10})
					return err
				},
				"ListUsers title eq (scan)": func() error {
					_, err := b.ListUsers(ctx, backend.Query{Filter: mustFilter(t, `title eq "a"`), StartIndex: 1, Count: 10})
					return err
				},
				"SetPassword": func() error { return b.SetPassword(ctx, "e1", "Secret-2") },
				"DeleteUser":  func() error { return b.DeleteUser(ctx, "e1") },
				"GetGroup":    func() error { _, err := b.GetGroup(ctx, "r1"); return err },
				"CreateGroup": func() error {
					_, err := b.CreateGroup(ctx, &backend.Group{DisplayName: "R", Members: []backend.Member{{Value: "e1"}}})
					return err
				},
				"UpdateGroup": func() error {
					n := "S"
					_, err := b.UpdateGroup(ctx, "r1", backend.GroupChange{DisplayName: &n, Add: []string{"e1"}, Remove: []string{"e2"}})
					return err
				},
				"ListGroups": func() error {
					_, err := b.ListGroups(ctx, backend.Query{StartIndex: 1, Count: 10})
					return err
				},
				"DeleteGroup": func() error { return b.DeleteGroup(ctx, "r1") },
			}
			for name, call := range calls {
				err := func() (err error) {
					defer func() {
						if r := recover(); r != nil {
							err = fmt.Errorf("panic: %v", r)
						}
					}()
					return call()
				}()
				if err != nil && !isBackendError(err) {
					t.Errorf("%s: unclassified error %T: %v", name, err, err)
				}
				t.Logf("%s: %v", name, err)
			}
			if mode != "nil elements" {
				if _, err := b.GetUser(ctx, "e1"); !backend.IsNotFound(err) {
					t.Errorf("GetUser on an answer without a record: %v, want NotFound", err)
				}
				if _, err := b.GetGroup(ctx, "r1"); !backend.IsNotFound(err) {
					t.Errorf("GetGroup on an answer without a record: %v, want NotFound", err)
				}
			}
		})
	}
}

func isBackendError(err error) bool {
	var be *backend.Error
	return errors.As(err, &be)
}
