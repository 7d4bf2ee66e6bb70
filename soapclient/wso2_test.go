package soapclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wso2userstore"
)

const wso2NS = "http://service.ws.um.carbon.wso2.org"

// wso2Fake answers like an Axis2 RemoteUserStoreManagerService: it dispatches on the body's first
// element, replies 202 without a body to addUser (one-way in Axis2), an empty response element
// to deleteUser, and a typed UserStoreException fault with HTTP 500 to deleteUser of "ghost".
func wso2Fake(w http.ResponseWriter, _ *http.Request, body []byte) {
	var env struct {
		Body struct {
			Inner []byte `xml:",innerxml"`
		} `xml:"Body"`
	}
	_ = xml.Unmarshal(body, &env)
	d := xml.NewDecoder(bytes.NewReader(env.Body.Inner))
	var op xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			http.Error(w, "no body element", 400)
			return
		}
		if se, ok := tok.(xml.StartElement); ok {
			op = se
			break
		}
	}
	reply := func(status int, s string) {
		w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>` + s + `</soapenv:Body></soapenv:Envelope>`))
	}
	switch op.Name.Local {
	case "addUser":
		w.WriteHeader(http.StatusAccepted)
	case "isExistingUser":
		reply(200, `<ns:isExistingUserResponse xmlns:ns="`+wso2NS+`"><ns:return>false</ns:return></ns:isExistingUserResponse>`)
	case "deleteUser":
		if bytes.Contains(env.Body.Inner, []byte(">ghost<")) {
			reply(500, `<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>User ghost does not exist</faultstring><detail><ns:RemoteUserStoreManagerServiceUserStoreException xmlns:ns="`+wso2NS+`"><ns:UserStoreException xmlns:ax="http://api.user.carbon.wso2.org/xsd"/></ns:RemoteUserStoreManagerServiceUserStoreException></detail></soapenv:Fault>`)
			return
		}
		reply(200, `<ns:deleteUserResponse xmlns:ns="`+wso2NS+`"/>`)
	case "getUserClaimValues":
		reply(200, `<ns:getUserClaimValuesResponse xmlns:ns="`+wso2NS+`" xmlns:ax="http://api.user.carbon.wso2.org/xsd">`+
			`<ns:return><ax:claimUri>http://wso2.org/claims/givenname</ax:claimUri><ax:required>false</ax:required><ax:value>Jane</ax:value></ns:return>`+
			`<ns:return><ax:claimUri>http://wso2.org/claims/lastname</ax:claimUri><ax:displayOrder>0</ax:displayOrder><ax:value>Doe</ax:value></ns:return>`+
			`</ns:getUserClaimValuesResponse>`)
	default:
		http.Error(w, "unexpected "+op.Name.Local, 400)
	}
}

func newWSO2Client(t *testing.T, endpoint string) *Client {
	t.Helper()
	c, err := New("wso2userstore", Config{Endpoint: endpoint, Timeout: 5e9, BasicAuth: &BasicAuthConfig{Username: "admin", Password: "admin"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// The generated WSO2 client, with no hand edits, round-trips through Invoke: a one-way void op,
// a boolean response that is false, a void op whose reply has a body element, an array of a type
// of another namespace, and a typed fault detail.
func TestWSO2RoundTrip(t *testing.T) {
	srv := newFake(t, wso2Fake)
	c := newWSO2Client(t, srv.URL)
	ctx := context.Background()

	resp, err := c.Invoke(ctx, "addUser", &wso2userstore.AddUser{
		UserName: ptr("jdoe"), Credential: ptr("Secret1!"), RoleList: []*string{ptr("Internal/everyone")},
		Claims:                []*wso2userstore.ClaimValue{{ClaimURI: ptr("http://wso2.org/claims/givenname"), Value: ptr("Jane")}},
		RequirePasswordChange: ptr(false),
	})
	if _, ok := resp.(*soapreg.Void); err != nil || !ok {
		t.Fatalf("addUser: %T, %v", resp, err)
	}
	golden(t, "wso2-addUser.golden", wire(srv.last(t)))

	resp, err = c.Invoke(ctx, "isExistingUser", &wso2userstore.IsExistingUser{UserName: ptr("jdoe")})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.(*wso2userstore.IsExistingUserResponse); r.Return_ == nil || *r.Return_ {
		t.Errorf("isExistingUser = %v, want a non-nil false", r.Return_)
	}
	golden(t, "wso2-isExistingUser.golden", wire(srv.last(t)))

	if _, err := c.Invoke(ctx, "deleteUser", &wso2userstore.DeleteUser{UserName: ptr("jdoe")}); err != nil {
		t.Fatalf("deleteUser with a response element: %v", err)
	}

	resp, err = c.Invoke(ctx, "getUserClaimValues", &wso2userstore.GetUserClaimValues{UserName: ptr("jdoe")})
	if err != nil {
		t.Fatal(err)
	}
	claims := resp.(*wso2userstore.GetUserClaimValuesResponse).Return_
	if len(claims) != 2 || claims[0].Value == nil || *claims[0].Value != "Jane" || claims[0].Required == nil || *claims[0].Required ||
		claims[1].DisplayOrder == nil || *claims[1].DisplayOrder != 0 || *claims[1].ClaimUri != "http://wso2.org/claims/lastname" {
		t.Errorf("claims not decoded: %+v", claims)
	}

	_, err = c.Invoke(ctx, "deleteUser", &wso2userstore.DeleteUser{UserName: ptr("ghost")})
	var f *Fault
	if !errors.As(err, &f) || f.HTTPStatus != 500 || f.FaultString() != "User ghost does not exist" || f.Detail.Element != "RemoteUserStoreManagerServiceUserStoreException" {
		t.Fatalf("fault: %v", err)
	}
	var detail wso2userstore.RemoteUserStoreManagerServiceUserStoreException
	if err := f.DetailAs(&detail); err != nil || detail.UserStoreException == nil {
		t.Errorf("typed detail: %+v, %v", detail, err)
	}
	if err := f.DetailAs(&wso2userstore.AddUser{}); err == nil {
		t.Error("detail decoded into the wrong element type")
	}
}

// Every WSO2 operation is in the catalog under its WSDL name, with the SOAP 1.1 binding's action
// (the WSDL lists its SOAP 1.2 binding first, whose actions gowsdl would have read as empty), and
// void operations answer *soapreg.Void.
func TestWSO2Catalog(t *testing.T) {
	c := newWSO2Client(t, "http://127.0.0.1:1/")
	if n := len(c.Operations()); n != 32 {
		t.Errorf("%d operations, want 32", n)
	}
	for op, void := range map[string]bool{"addUser": true, "deleteUser": true, "updateCredentialByAdmin": true, "isExistingUser": false, "listUsers": false} {
		info, ok := c.Lookup(op)
		if !ok || info.SOAPAction != "urn:"+op || (info.Response == reflect.TypeFor[soapreg.Void]()) != void {
			t.Errorf("Lookup(%s) = %+v, %v", op, info, ok)
		}
	}
	if _, ok := c.Lookup("AddUser"); ok {
		t.Error("Go method name in the catalog")
	}
}

// listUsers with maxItemLimit 0 must send the 0 (minOccurs=0 int made a pointer), and the
// children of a type from another namespace carry that namespace.
func TestWSO2GoldenListUsers(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<ns:listUsersResponse xmlns:ns="`+wso2NS+`"><ns:return>a</ns:return><ns:return>b</ns:return></ns:listUsersResponse>`), "Content-Type", "text/xml"))
	c := newWSO2Client(t, srv.URL)
	resp, err := c.Invoke(context.Background(), "listUsers", &wso2userstore.ListUsers{Filter: ptr("*"), MaxItemLimit: ptr(int32(0))})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.(*wso2userstore.ListUsersResponse).Return_; len(r) != 2 || *r[1] != "b" {
		t.Errorf("listUsers = %v", r)
	}
	got := srv.last(t)
	if !strings.Contains(string(got.Body), ">0</maxItemLimit>") {
		t.Errorf("maxItemLimit 0 not sent: %s", got.Body)
	}
	golden(t, "wso2-listUsers.golden", wire(got))
}

// The request XML of addUser, checked namespace-aware (a byte golden would not tell a wrong
// default namespace from a right one at a glance): every element where the schema puts it.
func TestWSO2RequestNamespaces(t *testing.T) {
	srv := newFake(t, fixed(202, ""))
	c := newWSO2Client(t, srv.URL)
	if _, err := c.Invoke(context.Background(), "addUser", &wso2userstore.AddUser{
		UserName:              ptr("jdoe"),
		Claims:                []*wso2userstore.ClaimValue{{ClaimURI: ptr("u"), Value: ptr("v")}},
		RequirePasswordChange: ptr(false),
	}); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	d := xml.NewDecoder(bytes.NewReader(srv.last(t).Body))
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			got[se.Name.Local] = se.Name.Space
		}
	}
	common := "http://common.mgt.user.carbon.wso2.org/xsd"
	for el, ns := range map[string]string{"addUser": wso2NS, "userName": wso2NS, "claims": wso2NS, "claimURI": common, "value": common, "requirePasswordChange": wso2NS} {
		if got[el] != ns {
			t.Errorf("<%s> in namespace %q, want %q", el, got[el], ns)
		}
	}
	if r := srv.last(t); r.Header.Get("SOAPAction") != `"urn:addUser"` {
		t.Errorf("SOAPAction = %q", r.Header.Get("SOAPAction"))
	}
}
