package wsdlrt

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient"
)

const soap12OnlyWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap12="http://schemas.xmlsoap.org/wsdl/soap12/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:t" targetNamespace="urn:t">
  <types><xs:schema targetNamespace="urn:t" elementFormDefault="qualified">
    <xs:element name="Get"><xs:complexType><xs:sequence><xs:element name="id" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
    <xs:element name="GetResponse"><xs:complexType><xs:sequence><xs:element name="name" type="xs:string"/></xs:sequence></xs:complexType></xs:element>
  </xs:schema></types>
  <message name="GetIn"><part name="p" element="tns:Get"/></message>
  <message name="GetOut"><part name="p" element="tns:GetResponse"/></message>
  <portType name="P"><operation name="Get"><input message="tns:GetIn"/><output message="tns:GetOut"/></operation></portType>
  <binding name="B12" type="tns:P"><soap12:binding transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Get"><soap12:operation soapAction="urn:t/Get"/><input><soap12:body use="literal"/></input><output><soap12:body use="literal"/></output></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B12"><soap12:address location="http://127.0.0.1:1/"/></port></service>
</definitions>`

// A WSDL that offers only a SOAP 1.2 binding (WCF's wsHttpBinding-style services): the runtime
// client reads it and speaks SOAP 1.2 (content type with the action, 1.2 envelope).
func TestSOAP12OnlyWSDL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s12.wsdl")
	if err := os.WriteFile(path, []byte(soap12OnlyWSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	ts := rec.serve(t, func(string) string {
		return `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><GetResponse xmlns="urn:t"><name>Ann</name></GetResponse></e:Body></e:Envelope>`
	})
	c, _, err := New(context.Background(), Options{WSDL: path}, soapclient.Config{Endpoint: ts.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.Invoke(context.Background(), "Get", request(t, c, "Get", `{"id":"1"}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := jsonOf(t, resp); !strings.Contains(got, `"name":"Ann"`) {
		t.Errorf("response %s", got)
	}
	if req := rec.last(); !strings.Contains(req, `xmlns:soap="http://www.w3.org/2003/05/soap-envelope"`) {
		t.Errorf("not a SOAP 1.2 envelope:\n%s", req)
	}
	if rec.acts[0] != "" {
		t.Errorf("SOAPAction header sent with SOAP 1.2: %q", rec.acts[0])
	}
}

// An operation with SOAP attachments (mime:multipartRelated) is left out with a warning that
// names its file:line and a way forward; the rest of the service works.
func TestAttachmentOperationLeftOut(t *testing.T) {
	wsdl := strings.Replace(rpcLiteralWSDL, `<portType name="P">`, `<portType name="P"><operation name="Upload"><input message="tns:FindIn"/></operation>`, 1)
	wsdl = strings.Replace(wsdl, `xmlns:tns="urn:dir"`, `xmlns:tns="urn:dir" xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/"`, 1)
	wsdl = strings.Replace(wsdl, `<operation name="Find"><soap:operation`, `<operation name="Upload"><soap:operation soapAction=""/>
      <input><mime:multipartRelated><mime:part><soap:body use="literal" namespace="urn:dir"/></mime:part><mime:part><mime:content part="file" type="application/octet-stream"/></mime:part></mime:multipartRelated></input></operation>
    <operation name="Find"><soap:operation`, 1)
	path := filepath.Join(t.TempDir(), "att.wsdl")
	if err := os.WriteFile(path, []byte(wsdl), 0o644); err != nil {
		t.Fatal(err)
	}
	m, err := Load(context.Background(), Options{WSDL: path}, soapclient.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Operations) != 1 || m.Operations[0].Name != "Find" {
		t.Fatalf("operations: %+v", m.Operations)
	}
	found := false
	for _, w := range m.Report.Warnings {
		if strings.Contains(w, "att.wsdl:") && strings.Contains(w, "Upload uses SOAP with attachments") && strings.Contains(w, "Way forward") {
			found = true
		}
	}
	if !found {
		t.Errorf("warnings: %q", m.Report.Warnings)
	}
}
