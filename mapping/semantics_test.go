package mapping

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// An ASMX-shaped application behind the seam: reads answer XML any-content (users as attributes),
// writes take flat parameters, the login name is the id, no paging, no duplicate check, faults
// carry their code in the detail.
type (
	GetUsers         struct{}
	GetUsersResponse struct{ GetUsersResult XMLContent }
	GetUser          struct{ LoginName string }
	GetUserResponse  struct{ GetUserResult *XMLContent }
	AddUser          struct{ LoginName, Email string }
	AddUserResponse  struct{}
	UpdateUser       struct{ LoginName, Email string }
	UpdateUserResp   struct{}
	SetUserXML       struct {
		LoginName string
		Data      *XMLContent
	}
	SetUserXMLResponse struct{}
)

var asmxOps = map[string][2]any{
	"GetUsers":   {GetUsers{}, GetUsersResponse{}},
	"GetUser":    {GetUser{}, GetUserResponse{}},
	"AddUser":    {AddUser{}, AddUserResponse{}},
	"UpdateUser": {UpdateUser{}, UpdateUserResp{}},
	"SetUserXML": {SetUserXML{}, SetUserXMLResponse{}},
}

type asmxCatalog struct{}

func (asmxCatalog) Operations() []string {
	var out []string
	for n := range asmxOps {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (asmxCatalog) Operation(name string) (OperationInfo, bool) {
	t, ok := asmxOps[name]
	if !ok {
		return OperationInfo{}, false
	}
	return OperationInfo{Name: name, Request: reflect.TypeOf(t[0]), Response: reflect.TypeOf(t[1])}, true
}

type asmxFault struct{ code string }

func (f *asmxFault) Error() string         { return "fault " + f.code }
func (f *asmxFault) FaultCode() string     { return "soap:Client" }
func (f *asmxFault) FaultString() string   { return "Server was unable to process request" }
func (f *asmxFault) DetailCode() string    { return f.code }
func (f *asmxFault) DetailMessage() string { return "" }

type fakeASMX struct {
	mu    sync.Mutex
	users map[string]string // login → email
	// vanish lists logins that GetUsers lists but GetUser no longer finds.
	vanish map[string]bool
	// emptyGet answers GetUser for unknown users with an empty result instead of a fault.
	emptyGet bool
	calls    []string
	lastXML  *XMLContent
}

func (f *fakeASMX) Invoke(_ context.Context, op string, req any) (any, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, op)
	switch r := req.(type) {
	case *GetUsers:
		var b strings.Builder
		b.WriteString(`<Users xmlns="http://tempuri.org/">`)
		logins := make([]string, 0, len(f.users))
		for l := range f.users {
			logins = append(logins, l)
		}
		sort.Strings(logins)
		for _, l := range logins {
			fmt.Fprintf(&b, `<User LoginName="%s" Email="%s"/>`, EscapeXML(l), EscapeXML(f.users[l]))
		}
		b.WriteString(`</Users>`)
		return &GetUsersResponse{GetUsersResult: XMLContent{XML: b.String()}}, nil
	case *GetUser:
		mail, ok := f.users[r.LoginName]
		if !ok || f.vanish[r.LoginName] {
			if f.emptyGet {
				return &GetUserResponse{}, nil
			}
			return nil, &asmxFault{"USER_NOT_FOUND"}
		}
		return &GetUserResponse{GetUserResult: &XMLContent{XML: fmt.Sprintf(`<User LoginName="%s"><Email>%s</Email></User>`, EscapeXML(r.LoginName), EscapeXML(mail))}}, nil
	case *AddUser:
		f.users[r.LoginName] = r.Email // no duplicate check: the application overwrites
		return &AddUserResponse{}, nil
	case *SetUserXML:
		f.lastXML = r.Data
		return &SetUserXMLResponse{}, nil
	case *UpdateUser:
		if _, ok := f.users[r.LoginName]; !ok {
			return nil, &asmxFault{"USER_NOT_FOUND"}
		}
		f.users[r.LoginName] = r.Email
		return &UpdateUserResp{}, nil
	}
	return nil, fmt.Errorf("unknown op %s", op)
}

const asmxMapping = `client: asmx
faults:
  - { detailCode: USER_NOT_FOUND, kind: notFound }
users:
  toSCIM:
    id: rec.LoginName
    userName: rec.LoginName
    emails.work: rec.Email
  get:
    call: GetUser
    request: { LoginName: id }
    result: xpathOne(resp.GetUserResult, "/User")
  list:
    call: GetUsers
    paging: { style: none, maxSize: 1000 }
    items: xpath(resp.GetUsersResult, "//User")
  search:
    - { shape: "userName eq", use: get }
  create:
    checkExisting: true
    call: AddUser
    request: { LoginName: user.userName, Email: primaryEmail(user) }
    id: user.userName
  replace:
    call: UpdateUser
    request: { LoginName: id, Email: primaryEmail(user) }
`

func asmx(t *testing.T, src string) (backend.Backend, *fakeASMX) {
	t.Helper()
	spec, err := Parse("asmx.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(spec, asmxCatalog{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeASMX{users: map[string]string{"ann": "ann@example.com", "bob": "bob@example.com"}, vanish: map[string]bool{}}
	return eng.Backend(f, nil), f
}

func userNameEq(v string) backend.Query {
	return backend.Query{Filter: filter.Compare{Path: filter.AttrPath{Name: "userName"}, Op: filter.Eq,
		Value: filter.Value{Kind: filter.String, Str: v}}, StartIndex: 1, Count: 10}
}

func TestASMXReadsThroughXPath(t *testing.T) {
	b, _ := asmx(t, asmxMapping)
	u, err := b.GetUser(context.Background(), "ann")
	if err != nil || u.UserName != "ann" || len(u.Emails) != 1 || u.Emails[0].Value != "ann@example.com" {
		t.Fatalf("GetUser = %+v, %v", u, err)
	}
	page, err := b.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 10})
	if err != nil || page.Total != 2 || len(page.Users) != 2 || page.Users[1].UserName != "bob" || page.Users[1].Emails[0].Value != "bob@example.com" {
		t.Fatalf("ListUsers = %+v, %v", page, err)
	}
	if _, err := b.GetUser(context.Background(), "zed"); !backend.IsNotFound(err) {
		t.Errorf("unknown user: %v, want notFound", err)
	}
}

// use: get answers userName eq when the id is the login name; an unknown user is an empty
// list (an existence check), never an error, whether the application faults or answers empty.
func TestUseGetForUserNameAndAbsence(t *testing.T) {
	for _, empty := range []bool{false, true} {
		b, f := asmx(t, asmxMapping)
		f.emptyGet = empty
		page, err := b.ListUsers(context.Background(), userNameEq("bob"))
		if err != nil || page.Total != 1 || len(page.Users) != 1 || page.Users[0].ID != "bob" {
			t.Fatalf("userName eq bob: %+v, %v", page, err)
		}
		page, err = b.ListUsers(context.Background(), userNameEq("nobody"))
		if err != nil || page.Total != 0 || len(page.Users) != 0 {
			t.Errorf("emptyGet=%v: userName eq nobody: %+v, %v; want an empty list", empty, page, err)
		}
	}
	// get is refused for an attribute that is not the id.
	src := strings.Replace(asmxMapping, `{ shape: "userName eq", use: get }`, `{ shape: "emails.value eq", use: get }`, 1)
	spec, _ := Parse("asmx.yaml", []byte(src))
	if _, err := Compile(spec, asmxCatalog{}, Options{}); err == nil || !strings.Contains(err.Error(), "exactly as id") {
		t.Errorf("use: get for emails: %v", err)
	}
}

// A fetch that drops vanished ids counts only what it returns.
func TestFetchTotalAgreesWithItems(t *testing.T) {
	src := strings.Replace(asmxMapping, `items: xpath(resp.GetUsersResult, "//User")`,
		`items: xpath(resp.GetUsersResult, "//User/@LoginName")
    fetch: get`, 1)
	b, f := asmx(t, src)
	f.users["cid"] = "cid@example.com"
	f.vanish["bob"] = true
	page, err := b.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 10})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != len(page.Users) || len(page.Users) != 2 {
		t.Errorf("total %d with %d users (%+v), want 2 and 2", page.Total, len(page.Users), page.Users)
	}
}

// Flat request parameters: create and replace without record:, built from user.
func TestFlatCreateAndReplace(t *testing.T) {
	b, f := asmx(t, asmxMapping)
	u := &backend.User{UserName: "cid", Emails: []backend.MultiValue{{Value: "cid@example.com", Primary: true}}}
	got, err := b.CreateUser(context.Background(), u)
	if err != nil || got.ID != "cid" || f.users["cid"] != "cid@example.com" {
		t.Fatalf("CreateUser = %+v, %v (%v)", got, err, f.users)
	}
	u.Emails[0].Value = "new@example.com"
	got, err = b.ReplaceUser(context.Background(), "cid", u)
	if err != nil || got.Emails[0].Value != "new@example.com" || f.users["cid"] != "new@example.com" {
		t.Fatalf("ReplaceUser = %+v, %v", got, err)
	}
}

// checkExisting: an application that accepts duplicates gets a look-up first; a duplicate is
// 409 and nothing is written.
func TestCheckExisting(t *testing.T) {
	b, f := asmx(t, asmxMapping)
	f.calls = nil
	_, err := b.CreateUser(context.Background(), &backend.User{UserName: "ann", Emails: []backend.MultiValue{{Value: "evil@example.com"}}})
	var be *backend.Error
	if !errors.As(err, &be) || be.Kind != backend.Conflict {
		t.Fatalf("duplicate create: %v, want conflict", err)
	}
	if f.users["ann"] != "ann@example.com" {
		t.Errorf("the duplicate overwrote the user: %v", f.users["ann"])
	}
	for _, c := range f.calls {
		if c == "AddUser" {
			t.Error("AddUser was called for a duplicate")
		}
	}
	// Without a way to look the user up, checkExisting is refused when the file is checked.
	src := strings.Replace(asmxMapping, "  search:\n    - { shape: \"userName eq\", use: get }\n", "", 1)
	spec, _ := Parse("asmx.yaml", []byte(src))
	if _, err := Compile(spec, asmxCatalog{}, Options{}); err == nil || !strings.Contains(err.Error(), "checkExisting: needs a search rule") {
		t.Errorf("checkExisting without a look-up: %v", err)
	}
}

// Request-side XML content is built from mapping values and sent as written: values with markup,
// ]]> or entity references stay text inside their element.
func TestRequestXMLContent(t *testing.T) {
	src := strings.Replace(asmxMapping, `  replace:
    call: UpdateUser
    request: { LoginName: id, Email: primaryEmail(user) }`, `  replace:
    call: SetUserXML
    request:
      LoginName: id
      Data: 'xmlElement("User", {"LoginName": id, "Email": primaryEmail(user)}, [xmlElement("Title", nil, user.title)])'`, 1)
	b, f := asmx(t, src)
	hostile := `</Title><Admin>yes</Admin>]]>&amp;`
	u := &backend.User{UserName: "ann", Title: hostile, Emails: []backend.MultiValue{{Value: `a"b@example.com`}}}
	if _, err := b.ReplaceUser(context.Background(), "ann", u); err != nil {
		t.Fatal(err)
	}
	if f.lastXML == nil {
		t.Fatal("no XML content sent")
	}
	for path, want := range map[string]any{"/User/Title": hostile, "/User/@Email": `a"b@example.com`, "count(//Admin)": "0"} {
		if got, err := xpathString(*f.lastXML, path); err != nil || got != want {
			t.Errorf("%s = %#v, %v; want %q (sent %s)", path, got, err, want, f.lastXML.XML)
		}
	}
}
