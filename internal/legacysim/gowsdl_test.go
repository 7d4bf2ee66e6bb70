package legacysim

import (
	"context"
	"encoding/xml"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/hooklift/gowsdl/soap"
)

// These tests drive the simulator with the gowsdl v0.5.0 runtime (github.com/hooklift/gowsdl/soap),
// the client library the bridge uses, so that its quirks (WS-Security header shape, SOAPAction
// of two single quotes, faults with HTTP 500 surfacing as *soap.HTTPError, booleans as pointers) are
// proven against this server. The request and response types are written here in the shape gowsdl
// generates (XMLName with the namespace, children without one, omitempty everywhere); no generated
// package is imported, so the simulator stays an independent implementation of the WSDL.

type gwEmployee struct {
	EmployeeID string `xml:"EmployeeID,omitempty"`
	Login      string `xml:"Login,omitempty"`
	GivenName  string `xml:"GivenName,omitempty"`
	Email      string `xml:"Email,omitempty"`
	IsAdmin    *bool  `xml:"IsAdmin,omitempty"`
	Enabled    *bool  `xml:"Enabled,omitempty"`
	ModifiedAt string `xml:"ModifiedAt,omitempty"`
}

type gwCreateEmployee struct {
	XMLName         xml.Name    `xml:"urn:legacyhr:directory:1 CreateEmployee"`
	Employee        *gwEmployee `xml:"Employee,omitempty"`
	InitialPassword string      `xml:"InitialPassword,omitempty"`
}

type gwEmployeeResponse struct {
	XMLName  xml.Name
	Employee *gwEmployee `xml:"Employee,omitempty"`
}

type gwDisableEmployee struct {
	XMLName    xml.Name `xml:"urn:legacyhr:directory:1 DisableEmployee"`
	EmployeeID string   `xml:"EmployeeID,omitempty"`
}

type gwSetPassword struct {
	XMLName     xml.Name `xml:"urn:legacyhr:directory:1 SetPassword"`
	EmployeeID  string   `xml:"EmployeeID,omitempty"`
	NewPassword string   `xml:"NewPassword,omitempty"`
}

type gwSetPasswordResponse struct {
	XMLName xml.Name `xml:"urn:legacyhr:directory:1 SetPasswordResponse"`
}

func gowsdlClient(url, user, pass string) *soap.Client {
	c := soap.NewClient(url, soap.WithHTTPClient(http.DefaultClient))
	c.AddHeader(soap.NewWSSSecurityHeader(user, pass, "", "1"))
	return c
}

func TestGowsdlRuntimeInterop(t *testing.T) {
	s := newSim(t)
	c := gowsdlClient(s.url, testUser, testPass)
	ctx := context.Background()
	f, tr := false, true

	var created gwEmployeeResponse
	err := c.CallContext(ctx, "''", &gwCreateEmployee{
		Employee:        &gwEmployee{Login: "gw.user", GivenName: "Go", Email: "gw@example.com", IsAdmin: &f, Enabled: &tr},
		InitialPassword: "initial-pass",
	}, &created)
	if err != nil {
		t.Fatal(err)
	}
	if created.Employee == nil || created.Employee.EmployeeID != "E000001" || created.Employee.Enabled == nil || !*created.Employee.Enabled {
		t.Fatalf("created %+v", created.Employee)
	}

	var disabled gwEmployeeResponse
	if err := c.CallContext(ctx, "''", &gwDisableEmployee{EmployeeID: "E000001"}, &disabled); err != nil {
		t.Fatal(err)
	}
	if disabled.Employee.Enabled == nil || *disabled.Employee.Enabled {
		t.Fatalf("disabled %+v", disabled.Employee)
	}

	// A void operation: the empty response element decodes into a pointer struct.
	if err := c.CallContext(ctx, "''", &gwSetPassword{EmployeeID: "E000001", NewPassword: "second-pass"}, &gwSetPasswordResponse{}); err != nil {
		t.Fatal(err)
	}

	// Faults come with HTTP 500, which gowsdl v0.5.0 reports as *soap.HTTPError with the raw body.
	err = c.CallContext(ctx, "''", &gwSetPassword{EmployeeID: "E000001", NewPassword: "second-pass"}, &gwSetPasswordResponse{})
	var httpErr *soap.HTTPError
	if !errors.As(err, &httpErr) || httpErr.StatusCode != 500 || !strings.Contains(string(httpErr.ResponseBody), "<hr:Code>HR-PASSWORD-POLICY</hr:Code>") {
		t.Fatalf("want an HTTP 500 HR-PASSWORD-POLICY fault, got %v", err)
	}

	bad := gowsdlClient(s.url, testUser, "wrong")
	err = bad.CallContext(ctx, "''", &gwDisableEmployee{EmployeeID: "E000001"}, &gwEmployeeResponse{})
	if !errors.As(err, &httpErr) || !strings.Contains(string(httpErr.ResponseBody), "HR-AUTH") {
		t.Fatalf("want HR-AUTH, got %v", err)
	}

	if a := s.Calls().Operations["CreateEmployee"].LastSOAPAction; a == nil || *a != "''" {
		t.Fatalf("recorded SOAPAction %v", a)
	}
}
