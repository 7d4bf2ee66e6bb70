package soapclient

import (
	"context"
	"encoding/xml"
	"errors"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// Unreadable replies carry the client's own MalformedReplyError (the engine answers them apart
// from unreachable applications); faults and HTTP errors do not.
func TestMalformedReplyIsOwnError(t *testing.T) {
	doctype := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>` + envelope(`<GetEmployeeResponse xmlns="` + tns + `"/>`)[len(`<?xml version="1.0" encoding="UTF-8"?>`):]
	cases := []struct {
		name, body string
		status     int
		malformed  bool
	}{
		{"not xml", "this is not XML <", 200, true},
		{"cut short", envelope(`<GetEmployeeResponse xmlns="` + tns + `"><Employee><Login>a`)[:60], 200, true},
		{"doctype", doctype, 200, true},
		{"fault", envelope(`<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring></soap:Fault>`), 500, false},
		{"http error", "<html>bad gateway</html>", 502, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, fixed(tc.status, tc.body, "Content-Type", "text/xml"))
			c := newTestClient(t, srv.URL, nil)
			_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
			if err == nil {
				t.Fatal("no error")
			}
			var me interface{ MalformedReply() bool }
			if got := errors.As(err, &me) && me.MalformedReply(); got != tc.malformed {
				t.Fatalf("malformed = %v for %v, want %v", got, err, tc.malformed)
			}
			if tc.name == "doctype" && !errors.Is(err, ErrDoctype) {
				t.Errorf("the cause is lost: %v", err)
			}
		})
	}
}

// DetailXML gives the whole detail as one element that parses on its own: prefixes the server
// declared on the envelope are declared on <detail>.
func TestFaultDetailXML(t *testing.T) {
	body := `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" xmlns:e="urn:errors">` +
		`<soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>boom</faultstring>` +
		`<detail><e:Error><e:Number>1001</e:Number><e:Text>a &amp; b</e:Text></e:Error></detail></soap:Fault></soap:Body></soap:Envelope>`
	srv := newFake(t, fixed(500, body, "Content-Type", "text/xml"))
	c := newTestClient(t, srv.URL, nil)
	_, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	var f *Fault
	if !errors.As(err, &f) {
		t.Fatalf("err = %v, want a fault", err)
	}
	x := f.DetailXML()
	var v struct {
		Number string `xml:"urn:errors Error>Number"`
		Text   string `xml:"urn:errors Error>Text"`
	}
	if err := xml.Unmarshal([]byte(x), &v); err != nil || v.Number != "1001" || v.Text != "a & b" {
		t.Fatalf("DetailXML %s: %+v, %v", x, v, err)
	}
	if (&Fault{}).DetailXML() != "" {
		t.Error("a fault without detail has DetailXML")
	}
}
