package wso2sim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient"
	ws "github.com/scimbridge/scimbridge/soapclient/wso2userstore"
)

func setup(t *testing.T) (*Server, *httptest.Server, *soapclient.Client) {
	t.Helper()
	s, err := New(Options{Username: "admin", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c, err := soapclient.New("wso2userstore", soapclient.Config{Endpoint: srv.URL + SOAPPath,
		BasicAuth: &soapclient.BasicAuthConfig{Username: "admin", Password: "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return s, srv, c
}

func sp(s string) *string { return &s }

// Through the generated client: a void write, a read, and a fault whose text carries the
// meaning, as WSO2 answers.
func TestSOAPRoundTrip(t *testing.T) {
	s, _, c := setup(t)
	ctx := context.Background()
	add := &ws.AddUser{UserName: sp("Alice"), Credential: sp("Secret-1"),
		Claims: []*ws.ClaimValue{{ClaimURI: sp("http://wso2.org/claims/givenname"), Value: sp("Al")}}}
	if _, err := c.Invoke(ctx, "addUser", add); err != nil {
		t.Fatalf("addUser: %v", err)
	}
	resp, err := c.Invoke(ctx, "getUserClaimValues", &ws.GetUserClaimValues{UserName: sp("ALICE")})
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]string{}
	for _, cl := range resp.(*ws.GetUserClaimValuesResponse).Return_ {
		claims[*cl.ClaimUri] = *cl.Value
	}
	if claims["http://wso2.org/claims/givenname"] != "Al" || claims[ClaimUsername] != "Alice" {
		t.Errorf("claims = %v", claims)
	}
	_, err = c.Invoke(ctx, "addUser", &ws.AddUser{UserName: sp("alice"), Credential: sp("Secret-1")})
	var f *soapclient.Fault
	if !errors.As(err, &f) || f.FaultCode() != "soapenv:Server" || !strings.Contains(f.FaultString(), "UserAlreadyExisting") {
		t.Fatalf("duplicate addUser: %v", err)
	}
	if len(s.Users()) != 1 {
		t.Errorf("users = %+v", s.Users())
	}
	if _, err := c.Invoke(ctx, "updateUserListOfRole", &ws.UpdateUserListOfRole{RoleName: sp("admin"), NewUsers: []*string{sp("ghost")}}); err == nil {
		t.Error("adding an unknown user to a role was accepted")
	}
	list, err := c.Invoke(ctx, "listUsers", &ws.ListUsers{Filter: sp("al*")})
	if err != nil || len(list.(*ws.ListUsersResponse).Return_) != 1 {
		t.Errorf("listUsers al*: %v, %v", list, err)
	}
}

func TestBasicAuthRequired(t *testing.T) {
	_, srv, _ := setup(t)
	c, err := soapclient.New("wso2userstore", soapclient.Config{Endpoint: srv.URL + SOAPPath})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Invoke(context.Background(), "getRoleNames", &ws.GetRoleNames{})
	var he *soapclient.HTTPStatusError
	if !errors.As(err, &he) || he.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without credentials: %v, want HTTP 401", err)
	}
}

func TestMalformedAndUnknown(t *testing.T) {
	_, srv, _ := setup(t)
	for _, body := range []string{"not xml", `<Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><nope xmlns="http://service.ws.um.carbon.wso2.org"/></Body></Envelope>`} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+SOAPPath, strings.NewReader(body))
		req.SetBasicAuth("admin", "pw")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("%q: status %d, want a 500 fault", body, resp.StatusCode)
		}
	}
}

func TestAdminAPI(t *testing.T) {
	s, srv, _ := setup(t)
	resp, err := http.Post(srv.URL+AdminPrefix+"seed", "application/json", strings.NewReader(`{"users": 3, "prefix": "x"}`))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("seed: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, err = http.Get(srv.URL + AdminPrefix + "users")
	if err != nil {
		t.Fatal(err)
	}
	var users []UserView
	if err := json.NewDecoder(resp.Body).Decode(&users); err != nil || len(users) != 3 || users[0].Name != "x0001" {
		t.Fatalf("users = %+v, %v", users, err)
	}
	resp.Body.Close()
	resp, err = http.Post(srv.URL+AdminPrefix+"seed", "application/json", strings.NewReader(`{"users": 0}`))
	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("seed 0: %v %v", resp, err)
	}
	resp.Body.Close()
	resp, _ = http.Post(srv.URL+AdminPrefix+"reset", "application/json", nil)
	resp.Body.Close()
	if len(s.Users()) != 0 || len(s.Roles()) != 1 {
		t.Errorf("after reset: %d users, %d roles", len(s.Users()), len(s.Roles()))
	}
}
