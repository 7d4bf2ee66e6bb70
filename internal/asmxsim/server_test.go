package asmxsim

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// client is the runtime WSDL client over the simulator's own ?wsdl, as backend.wsdl would build
// it from the URL.
func client(t *testing.T) *soapclient.Client {
	t.Helper()
	sim, err := New(Options{Username: "svc", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	cfg := soapclient.Config{BasicAuth: &soapclient.BasicAuthConfig{Username: "svc", Password: "pw"}}
	c, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: srv.URL + SOAPPath + "?wsdl"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// call fills the request's string fields by name and invokes op.
func call(t *testing.T, c *soapclient.Client, op string, fields map[string]any) (reflect.Value, error) {
	t.Helper()
	info, ok := c.Lookup(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	req := reflect.New(info.Request)
	for k, v := range fields {
		f := req.Elem().FieldByName(k)
		if !f.IsValid() {
			t.Fatalf("%s has no field %s", op, k)
		}
		if b, ok := v.(bool); ok {
			f.Set(reflect.ValueOf(&b))
			continue
		}
		f.SetString(v.(string))
	}
	resp, err := c.Invoke(context.Background(), op, req.Interface())
	if err != nil {
		return reflect.Value{}, err
	}
	return reflect.ValueOf(resp).Elem(), nil
}

func result(v reflect.Value, op string) string {
	return v.FieldByName(op + "Result").Interface().(xmlcontent.Content).XML
}

func TestUsersGroupsAndFaultsThroughTheRuntimeClient(t *testing.T) {
	c := client(t)
	nasty := `Ann <b>&"'</b> ]]> &amp;`
	if _, err := call(t, c, "AddUser", map[string]any{"UserLoginName": `CORP\ann`, "UserName": nasty, "UserEmail": "ann@example.com", "FirstName": "Ann", "LastName": "Lee"}); err != nil {
		t.Fatal(err)
	}
	// Adding it again changes nothing and is no error (the application does not refuse duplicates).
	if _, err := call(t, c, "AddUser", map[string]any{"UserLoginName": `corp\ANN`, "UserName": "other"}); err != nil {
		t.Fatal(err)
	}
	v, err := call(t, c, "GetUserInfo", map[string]any{"UserLoginName": `corp\ann`})
	if err != nil {
		t.Fatal(err)
	}
	got := result(v, "GetUserInfo")
	want := `<GetUserInfoResult xmlns="` + Namespace + `"><GetUserInfo><User LoginName="CORP\ann" Name="Ann &lt;b&gt;&amp;&#34;&#39;&lt;/b&gt; ]]&gt; &amp;amp;" FirstName="Ann" LastName="Lee" Email="ann@example.com" Active="true"></User></GetUserInfo></GetUserInfoResult>`
	if got != want {
		t.Errorf("GetUserInfoResult\n got %s\nwant %s", got, want)
	}
	if _, err := call(t, c, "SetUserActive", map[string]any{"UserLoginName": `corp\ann`, "Active": false}); err != nil {
		t.Fatal(err)
	}
	if _, err := call(t, c, "AddGroup", map[string]any{"GroupName": "Staff", "Description": "all"}); err != nil {
		t.Fatal(err)
	}
	if _, err := call(t, c, "AddUserToGroup", map[string]any{"GroupName": "staff", "UserLoginName": `corp\ann`}); err != nil {
		t.Fatal(err)
	}
	v, err = call(t, c, "GetUserCollectionFromGroup", map[string]any{"GroupName": "Staff"})
	if err != nil {
		t.Fatal(err)
	}
	if got := result(v, "GetUserCollectionFromGroup"); !strings.Contains(got, `<Users><User LoginName="CORP\ann"`) || !strings.Contains(got, `Active="false"`) {
		t.Errorf("members: %s", got)
	}
	v, err = call(t, c, "GetUserCollectionFromSite", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := result(v, "GetUserCollectionFromSite"); strings.Count(got, "<User ") != 1 {
		t.Errorf("users: %s", got)
	}

	// Faults: a generic faultstring, the message in the detail's errorstring.
	_, err = call(t, c, "GetUserInfo", map[string]any{"UserLoginName": "nobody"})
	var f *soapclient.Fault
	if !errors.As(err, &f) {
		t.Fatalf("unknown user: %v, want a fault", err)
	}
	if !strings.Contains(f.String, "SoapServerException") || !strings.Contains(f.Detail.Raw, ">User cannot be found.</errorstring>") || f.Detail.Code != codeNotFound {
		t.Errorf("fault %+v", f)
	}
	_, err = call(t, c, "AddGroup", map[string]any{"GroupName": "STAFF"})
	if !errors.As(err, &f) || !strings.Contains(f.Detail.Raw, msgInUse) {
		t.Errorf("duplicate group: %v", err)
	}
	_, err = call(t, c, "SetUserPassword", map[string]any{"UserLoginName": `corp\ann`, "Password": "short"})
	if !errors.As(err, &f) || !strings.Contains(f.Detail.Raw, msgPassword) {
		t.Errorf("short password: %v", err)
	}
	if _, err := call(t, c, "RemoveUserFromSite", map[string]any{"UserLoginName": `corp\ann`}); err != nil {
		t.Fatal(err)
	}
	v, _ = call(t, c, "GetUserCollectionFromGroup", map[string]any{"GroupName": "Staff"})
	if got := result(v, "GetUserCollectionFromGroup"); strings.Contains(got, "User ") {
		t.Errorf("a removed user is still a member: %s", got)
	}
}

func TestDispatchesOnSOAPActionAndAuth(t *testing.T) {
	sim, _ := New(Options{Username: "svc", Password: "pw"})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	body := `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetUserCollectionFromSite xmlns="` + Namespace + `"/></soap:Body></soap:Envelope>`
	for _, tc := range []struct {
		action, user string
		status       int
	}{
		{`"` + Namespace + `GetUserCollectionFromSite"`, "svc", 200},
		{`"` + Namespace + `GetUserInfo"`, "svc", 500},
		{`"` + Namespace + `GetUserCollectionFromSite"`, "intruder", 401},
	} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+SOAPPath, strings.NewReader(body))
		req.Header.Set("SOAPAction", tc.action)
		req.SetBasicAuth(tc.user, "pw")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("action %s user %s: %d, want %d", tc.action, tc.user, resp.StatusCode, tc.status)
		}
	}
}
