package jirasim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

var wsdlPath = filepath.Join("..", "..", "wsdl", "corpus", "jira-soap-v2", "jirasoapservice-v2.wsdl")

// The runtime client, from JIRA's own WSDL, with a session login configured (token as the first
// parameter, "session timed out" meaning expired), drives the simulator through users, groups
// and memberships while its tokens expire every 3 calls.
func TestThroughRuntimeClientWithSessions(t *testing.T) {
	sim, err := New(Options{Username: "svc", Password: "pw", ExpireEvery: 3})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	defer ts.Close()
	c, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: wsdlPath, Name: "jira"}, soapclient.Config{Endpoint: ts.URL,
		Session: &soapclient.SessionConfig{Login: "login", Request: map[string]string{"in0": "svc", "in1": "pw"}, Token: "loginReturn",
			Parameter: "in0", Logout: "logout", Expired: []soapclient.ExpiredFault{{FaultString: "session timed out"}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	call := func(op, js string) string {
		t.Helper()
		info, _ := c.Lookup(op)
		req := reflect.New(info.Request).Interface()
		if err := json.Unmarshal([]byte(js), req); err != nil {
			t.Fatal(err)
		}
		resp, err := c.Invoke(context.Background(), op, req)
		if err != nil {
			t.Fatalf("%s: %v", op, err)
		}
		b, _ := json.Marshal(resp)
		return string(b)
	}
	if got := call("createUser", `{"in1":"ann","in2":"Secret1!","in3":"Ann Example","in4":"ann@example.com"}`); !strings.Contains(got, `"name":"ann"`) {
		t.Fatalf("createUser: %s", got)
	}
	call("createUser", `{"in1":"bob","in2":"Secret1!","in3":"Bob","in4":"bob@example.com"}`)
	if got := call("getUser", `{"in1":"ann"}`); !strings.Contains(got, `"fullname":"Ann Example","name":"ann"`) {
		t.Fatalf("getUser: %s", got)
	}
	if got := call("getUser", `{"in1":"nobody"}`); strings.Contains(got, "getUserReturn") {
		t.Fatalf("getUser unknown: %s", got)
	}
	call("createGroup", `{"in1":"devs","in2":{"name":"ann"}}`)
	call("addUserToGroup", `{"in1":{"name":"devs"},"in2":{"name":"bob"}}`)
	if got := call("getGroup", `{"in1":"devs"}`); !strings.Contains(got, `"item":[{"email":"ann@example.com","fullname":"Ann Example","name":"ann"},{"email":"bob@example.com","fullname":"Bob","name":"bob"}]`) {
		t.Fatalf("getGroup: %s", got)
	}
	call("removeUserFromGroup", `{"in1":{"name":"devs"},"in2":{"name":"ann"}}`)
	call("updateGroup", `{"in1":{"name":"devs","users":{"item":[{"name":"ann"}]}}}`)
	if got := call("getGroup", `{"in1":"devs"}`); !strings.Contains(got, `"item":[{"email":"ann@example.com"`) || strings.Contains(got, "bob") {
		t.Fatalf("getGroup after update: %s", got)
	}
	call("deleteGroup", `{"in1":"devs","in2":""}`)
	call("deleteUser", `{"in1":"bob"}`)

	// A duplicate is a RemoteValidationException fault.
	info, _ := c.Lookup("createUser")
	req := reflect.New(info.Request).Interface()
	_ = json.Unmarshal([]byte(`{"in1":"ann","in2":"x","in3":"x","in4":"x@example.com"}`), req)
	_, err = c.Invoke(context.Background(), "createUser", req)
	var f *soapclient.Fault
	if !errors.As(err, &f) || !strings.Contains(f.String, "RemoteValidationException: user ann already exists") || f.Detail.Element != "com.atlassian.jira.rpc.exception.RemoteValidationException" {
		t.Fatalf("duplicate: %v", err)
	}
	st := sim.Stats()
	if st.Expired == 0 || st.Logins != st.Expired+1 {
		t.Fatalf("stats %+v: every expiry should cost exactly one login", st)
	}
}
