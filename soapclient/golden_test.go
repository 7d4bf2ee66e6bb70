package soapclient

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

func ptr[T any](v T) *T { return &v }

// wire is what a golden file holds: the headers that matter, then the body as sent.
func wire(r capturedRequest) []byte {
	return fmt.Appendf(nil, "SOAPAction: %s\nContent-Type: %s\n\n%s\n", r.Header.Get("SOAPAction"), r.Header.Get("Content-Type"), r.Body)
}

// Fix 5. Enabled=false must be on the wire for UpdateEmployee: the record is replaced, so a
// missing Enabled would not disable anyone. This works only because legacyhr.wsdl declares the
// booleans nillable, so gowsdl generates *bool; a plain bool field would be omitempty and the
// golden file (and the Contains check) would fail. A generic fix for other WSDLs belongs to the
// generator pipeline.
func TestGoldenUpdateEmployeeSendsFalse(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<UpdateEmployeeResponse xmlns="`+tns+`"><Employee><Login>jdoe</Login><Enabled>false</Enabled></Employee></UpdateEmployeeResponse>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	req := &legacyhr.UpdateEmployee{Employee: &legacyhr.Employee{
		EmployeeID: "E1", Login: "jdoe", GivenName: "Jane", FamilyName: "Doe",
		Enabled: ptr(false), IsAdmin: ptr(false),
	}}
	resp, err := c.Invoke(context.Background(), "UpdateEmployee", req)
	if err != nil {
		t.Fatal(err)
	}
	if e := resp.(*legacyhr.UpdateEmployeeResponse).Employee; e == nil || e.Enabled == nil || *e.Enabled {
		t.Errorf("response Enabled not decoded as false: %+v", e)
	}
	got := srv.last(t)
	if !bytes.Contains(got.Body, []byte("<Enabled>false</Enabled>")) || !bytes.Contains(got.Body, []byte("<IsAdmin>false</IsAdmin>")) {
		t.Errorf("false booleans missing from the request: %s", got.Body)
	}
	golden(t, "UpdateEmployee.golden", wire(got))
}

func TestGoldenListEmployees(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<ListEmployeesResponse xmlns="`+tns+`"><Employees><EmployeeID>E1</EmployeeID><Login>a</Login></Employees><Employees><EmployeeID>E2</EmployeeID><Login>b</Login></Employees><TotalCount>2</TotalCount></ListEmployeesResponse>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	resp, err := c.Invoke(context.Background(), "ListEmployees", &legacyhr.ListEmployees{PageNumber: 1, PageSize: 200})
	if err != nil {
		t.Fatal(err)
	}
	if r := resp.(*legacyhr.ListEmployeesResponse); r.TotalCount != 2 || len(r.Employees) != 2 || r.Employees[1].Login != "b" {
		t.Errorf("resp = %+v", r)
	}
	golden(t, "ListEmployees.golden", wire(srv.last(t)))
}

func TestGoldenWSSEText(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<CreateEmployeeResponse xmlns="`+tns+`"><Employee><EmployeeID>E9</EmployeeID></Employee></CreateEmployeeResponse>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.WSSE = &WSSEConfig{Username: "svc", Password: "s3cret&<"} })
	_, err := c.Invoke(context.Background(), "CreateEmployee", &legacyhr.CreateEmployee{
		Employee: &legacyhr.Employee{Login: "jdoe", Enabled: ptr(true)}, InitialPassword: "Init1!",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.last(t)
	golden(t, "CreateEmployee-wsse-text.golden", wire(got))
	checkSecurityHeader(t, got.Body, "svc", "s3cret&<", false)
}

func TestGoldenWSSEDigest(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.WSSE = &WSSEConfig{Username: "svc", Password: "pw", Digest: true} })
	c.now = func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 123e6, time.FixedZone("X", 3600)) }
	c.random = bytes.NewReader(bytes.Repeat([]byte{0xAB}, 16))
	if _, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "E1"}); err != nil {
		t.Fatal(err)
	}
	got := srv.last(t)
	golden(t, "GetEmployee-wsse-digest.golden", wire(got))
	checkSecurityHeader(t, got.Body, "svc", "pw", true)
}

// The digest header must change per call (replay protection on the server).
func TestWSSEDigestFreshPerCall(t *testing.T) {
	srv := newFake(t, fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"/>`), "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.WSSE = &WSSEConfig{Username: "svc", Password: "pw", Digest: true} })
	seen := map[string]bool{}
	for range 3 {
		if _, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "E1"}); err != nil {
			t.Fatal(err)
		}
		sec := checkSecurityHeader(t, srv.last(t).Body, "svc", "pw", true)
		if seen[sec.Nonce] {
			t.Errorf("nonce %s reused", sec.Nonce)
		}
		seen[sec.Nonce] = true
	}
}

type parsedSecurity struct {
	MustUnderstand     string
	Username, Password string
	PasswordType       string
	Nonce, Created     string
}

// checkSecurityHeader parses the header namespace-aware, as a server would, and checks that the
// password (or digest) verifies. It catches prefixes that do not resolve, which a string
// comparison would not.
func checkSecurityHeader(t *testing.T, body []byte, user, password string, digest bool) parsedSecurity {
	t.Helper()
	var env struct {
		Header struct {
			Security struct {
				MustUnderstand string `xml:"http://schemas.xmlsoap.org/soap/envelope/ mustUnderstand,attr"`
				Token          struct {
					Username string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Username"`
					Password struct {
						Type  string `xml:"Type,attr"`
						Value string `xml:",chardata"`
					} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Password"`
					Nonce   string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Nonce"`
					Created string `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
				} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd UsernameToken"`
			} `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Header"`
	}
	if err := xml.Unmarshal(body, &env); err != nil {
		t.Fatalf("request does not parse: %v", err)
	}
	s := env.Header.Security
	p := parsedSecurity{s.MustUnderstand, s.Token.Username, s.Token.Password.Value, s.Token.Password.Type, s.Token.Nonce, s.Token.Created}
	if p.MustUnderstand != "1" || p.Username != user {
		t.Errorf("security header = %+v", p)
	}
	if !digest {
		if p.Password != password || !strings.HasSuffix(p.PasswordType, "#PasswordText") || p.Nonce != "" {
			t.Errorf("text token = %+v", p)
		}
		return p
	}
	nonce, err := base64.StdEncoding.DecodeString(p.Nonce)
	if err != nil || len(nonce) != 16 {
		t.Fatalf("nonce %q: %v", p.Nonce, err)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", p.Created); err != nil {
		t.Errorf("Created %q is not UTC with milliseconds: %v", p.Created, err)
	}
	sum := sha1.Sum(append(append(nonce, p.Created...), password...))
	if p.Password != base64.StdEncoding.EncodeToString(sum[:]) || !strings.HasSuffix(p.PasswordType, "#PasswordDigest") {
		t.Errorf("digest does not verify: %+v", p)
	}
	if strings.Contains(string(body), ">"+password+"<") {
		t.Error("clear-text password sent in digest mode")
	}
	return p
}
