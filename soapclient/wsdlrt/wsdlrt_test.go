package wsdlrt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
	"github.com/scimbridge/scimbridge/soapclient"
)

const testWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" xmlns:ty="urn:types" targetNamespace="urn:t">
  <types>
    <xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
      <xs:import namespace="urn:types" schemaLocation="IMPORT"/>
      <xs:element name="Get"><xs:complexType><xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
      <xs:element name="GetResponse"><xs:complexType><xs:sequence><xs:element name="user" type="ty:User"/></xs:sequence></xs:complexType></xs:element>
    </xs:schema>
  </types>
  <message name="GetIn"><part name="p" element="tns:Get"/></message>
  <message name="GetOut"><part name="p" element="tns:GetResponse"/></message>
  <portType name="P"><operation name="Get"><input message="tns:GetIn"/><output message="tns:GetOut"/></operation></portType>
  <binding name="B" type="tns:P"><soap:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Get"><soap:operation soapAction="urn:t/Get"/><input><soap:body use="literal"/></input><output><soap:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="ENDPOINT"/></port></service>
</definitions>`

const testXSD = `<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:types">
  <xs:complexType name="User"><xs:sequence><xs:element name="login" type="xs:string"/><xs:any minOccurs="0" maxOccurs="unbounded"/></xs:sequence><xs:anyAttribute/></xs:complexType>
</xs:schema>`

// server serves the WSDL at /svc?wsdl (Basic auth required), its XSD at /xsd/types.xsd, and
// answers Get.
func server(t *testing.T, importLoc string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "svc" || p != "pw" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/svc":
			w.Write([]byte(strings.NewReplacer("IMPORT", importLoc, "ENDPOINT", srv.URL+"/svc").Replace(testWSDL)))
		case r.Method == http.MethodGet && r.URL.Path == "/xsd/types.xsd":
			w.Write([]byte(testXSD))
		case r.Method == http.MethodPost && r.URL.Path == "/svc":
			w.Header().Set("Content-Type", "text/xml")
			w.Write([]byte(`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><GetResponse xmlns="urn:t"><user extra="1"><login>ann</login><photo type="png">AAA</photo></user></GetResponse></s:Body></s:Envelope>`))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

var basic = soapclient.Config{BasicAuth: &soapclient.BasicAuthConfig{Username: "svc", Password: "pw"}}

// A WSDL read from the application's URL, with its XSD imported relatively from the same server
// and the backend's credentials: the endpoint comes from soap:address, open content is kept, and
// the saved copy loads again as a file.
func TestWSDLFromURL(t *testing.T) {
	srv := server(t, "xsd/types.xsd")
	save := filepath.Join(t.TempDir(), "saved.wsdl")
	c, reg, err := New(context.Background(), Options{WSDL: srv.URL + "/svc?wsdl", SaveTo: save}, basic)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	info, _ := c.Lookup("Get")
	if info.SOAPAction != "urn:t/Get" || len(reg.Operations) != 1 {
		t.Fatalf("catalog %+v", reg)
	}
	req := newOf(info.Request)
	resp, err := c.Invoke(context.Background(), "Get", req)
	if err != nil {
		t.Fatal(err)
	}
	got := wsdlgen.Shape(info.Response)
	want := []string{"User *struct `urn:t user,omitempty`", "  Login string `login,omitempty`", "  Any []XML `,any`"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("shape\n%s", strings.Join(got, "\n"))
	}
	s := stringify(resp)
	if !strings.Contains(s, "ann") || !strings.Contains(s, `\u003cphoto xmlns=\"urn:t\" type=\"png\"\u003eAAA\u003c/photo\u003e`) {
		t.Errorf("response %s", s)
	}
	if _, err := os.Stat(save); err != nil {
		t.Fatal(err)
	}
	m, err := wsdlgen.Load(wsdlgen.Options{WSDL: save})
	if err != nil || len(m.Operations) != 1 {
		t.Fatalf("the saved WSDL does not load again: %v", err)
	}
}

// An import on another server is refused with the referring line and a way forward; wrong
// credentials fail clearly.
func TestWSDLFromURLRefusals(t *testing.T) {
	srv := server(t, "http://elsewhere.example/types.xsd")
	_, _, err := New(context.Background(), Options{WSDL: srv.URL + "/svc?wsdl"}, basic)
	var refused *wsdlgen.RefusedError
	if !errors.As(err, &refused) || !strings.Contains(err.Error(), "svc?wsdl:6:") || !strings.Contains(err.Error(), "Way forward") {
		t.Errorf("import from another server: %v", err)
	}
	srv = server(t, "xsd/types.xsd")
	_, _, err = New(context.Background(), Options{WSDL: srv.URL + "/svc?wsdl"}, soapclient.Config{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 401") {
		t.Errorf("without credentials: %v", err)
	}
	if _, err := Load(context.Background(), Options{WSDL: "../../wsdl/legacyhr.wsdl", SaveTo: "x"}, soapclient.Config{}); err == nil {
		t.Error("saving a file WSDL was accepted")
	}
}

func newOf(t reflect.Type) any { return reflect.New(t).Interface() }

func stringify(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(err)
	}
	return string(b)
}
