package soapclient

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// insistingServer answers like servers that implement SOAP 1.1 §6.1.1 to the letter (Axis 1,
// some WCF bindings): a SOAPAction that is not a quoted string is a Client fault.
func insistingServer(t *testing.T) *fake {
	return newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		a := r.Header.Get("SOAPAction")
		if a != `"`+tns+`/GetEmployee"` {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(500)
			_, _ = w.Write([]byte(envelope(`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>SOAPAction must be a quoted string, got ` + a + `</faultstring></soap:Fault>`)))
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(envelope(`<GetEmployeeResponse xmlns="` + tns + `"><Employee><EmployeeID>1</EmployeeID><Login>jdoe</Login></Employee></GetEmployeeResponse>`)))
	})
}

// gowsdl sends the WSDL's action bare; without quoteAction the insisting server faults.
func TestSOAPActionQuotedForInsistingServer(t *testing.T) {
	srv := insistingServer(t)
	c := newTestClient(t, srv.URL, nil)
	resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	if err != nil {
		t.Fatalf("insisting server refused the call: %v", err)
	}
	if e := resp.(*legacyhr.GetEmployeeResponse).Employee; e == nil || e.Login != "jdoe" {
		t.Fatalf("resp = %+v", resp)
	}
}

func TestQuoteAction(t *testing.T) {
	for in, want := range map[string]string{
		"":              `""`,
		"''":            `""`,
		"urn:a/b":       `"urn:a/b"`,
		`"urn:a/b"`:     `"urn:a/b"`,
		` urn:x `:       `"urn:x"`,
		`urn:with"quot`: `"urn:with\"quot"`,
		`urn:back\sl`:   `"urn:back\\sl"`,
	} {
		if got := quoteAction(in); got != want {
			t.Errorf("quoteAction(%q) = %s, want %s", in, got, want)
		}
	}
	for in, want := range map[string]string{
		`"urn:with\"quot"`: `urn:with"quot`,
		`"urn:back\\sl"`:   `urn:back\sl`,
		`"urn:plain"`:      `urn:plain`,
	} {
		if got := unquoteAction(in); got != want {
			t.Errorf("unquoteAction(%s) = %q, want %q", in, got, want)
		}
	}
}

const env12 = `<?xml version="1.0" encoding="UTF-8"?><env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body>`

// A SOAP 1.2 exchange through the generated (1.1-only) gowsdl code: the request goes out as a 1.2
// envelope with the action in the content type and no SOAPAction header, and a 1.2 reply decodes.
func TestSOAP12Exchange(t *testing.T) {
	var bad []string
	srv := newFake(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "application/soap+xml" || params["action"] != tns+"/GetEmployee" || params["charset"] != "utf-8" {
			bad = append(bad, "content type "+r.Header.Get("Content-Type"))
		}
		if _, ok := r.Header["Soapaction"]; ok {
			bad = append(bad, "a SOAPAction header was sent")
		}
		if !strings.Contains(string(body), `xmlns:soap="`+nsSOAP12+`"`) || strings.Contains(string(body), nsSOAP11) {
			bad = append(bad, "envelope not in the 1.2 namespace: "+string(body))
		}
		w.Header().Set("Content-Type", "application/soap+xml; charset=utf-8")
		_, _ = w.Write([]byte(env12 + `<GetEmployeeResponse xmlns="` + tns + `"><Employee><EmployeeID>1</EmployeeID><Login>jdoe</Login>` +
			`<Title>ns http://www.w3.org/2003/05/soap-envelope in text stays</Title></Employee></GetEmployeeResponse></env:Body></env:Envelope>`))
	})
	c, err := New("legacyhr", Config{Endpoint: srv.URL, SOAPVersion: SOAP12})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	e := resp.(*legacyhr.GetEmployeeResponse).Employee
	if e == nil || e.Login != "jdoe" || e.Title != "ns "+nsSOAP12+" in text stays" {
		t.Fatalf("employee = %+v", e)
	}
	for _, b := range bad {
		t.Error(b)
	}
}

// A 1.2 fault (HTTP 400 for Sender faults, SOAP 1.2 Part 2 §7.5.2) reaches the mapping's fault
// interface: Code/Value as the fault code, the English Reason, the detail's code, and the
// innermost Subcode when the detail names no code.
func TestSOAP12Faults(t *testing.T) {
	tests := []struct {
		name, fault, code, str, dcode, dmsg string
	}{
		{"detail code", `<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>hr:Dup</env:Value></env:Subcode></env:Code>` +
			`<env:Reason><env:Text xml:lang="de">Schon da</env:Text><env:Text xml:lang="en">Already there</env:Text></env:Reason>` +
			`<env:Detail><hr:HRFault xmlns:hr="` + tns + `"><hr:Code>HR-DUPLICATE</hr:Code><hr:Message>jdoe taken</hr:Message></hr:HRFault></env:Detail></env:Fault>`,
			"env:Sender", "Already there", "HR-DUPLICATE", "jdoe taken"},
		{"subcode only", `<env:Fault><env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>app:Outer</env:Value><env:Subcode><env:Value>app:Locked</env:Value></env:Subcode></env:Subcode></env:Code>` +
			`<env:Reason><env:Text xml:lang="fr">verrouillé</env:Text></env:Reason></env:Fault>`,
			"env:Receiver", "verrouillé", "app:Locked", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, fixed(400, env12+tc.fault+`</env:Body></env:Envelope>`, "Content-Type", "application/soap+xml"))
			c, err := New("legacyhr", Config{Endpoint: srv.URL, SOAPVersion: SOAP12})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "1"})
			var f interface {
				FaultCode() string
				FaultString() string
				DetailCode() string
				DetailMessage() string
			}
			if !errors.As(err, &f) {
				t.Fatalf("err = %T %v, want a fault", err, err)
			}
			if f.FaultCode() != tc.code || f.FaultString() != tc.str || f.DetailCode() != tc.dcode || f.DetailMessage() != tc.dmsg {
				t.Errorf("fault = %q %q %q %q", f.FaultCode(), f.FaultString(), f.DetailCode(), f.DetailMessage())
			}
		})
	}
}

func TestSOAPVersionValidated(t *testing.T) {
	if _, err := New("legacyhr", Config{Endpoint: "http://127.0.0.1:1/", SOAPVersion: "1.3"}); err == nil || !strings.Contains(err.Error(), "1.3") {
		t.Fatalf("err = %v", err)
	}
}

func TestRewriteEnvelopeNS(t *testing.T) {
	in := `<a:Envelope xmlns:a="` + nsSOAP11 + `"><a:Body><x attr="` + nsSOAP11 + `">` + nsSOAP11 + `</x><y xmlns='` + nsSOAP11 + `'/></a:Body></a:Envelope>`
	want := `<a:Envelope xmlns:a="` + nsSOAP12 + `"><a:Body><x attr="` + nsSOAP11 + `">` + nsSOAP11 + `</x><y xmlns='` + nsSOAP12 + `'/></a:Body></a:Envelope>`
	if got := string(rewriteEnvelopeNS([]byte(in), nsSOAP11, nsSOAP12)); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	broken := []byte(`<a xmlns="` + nsSOAP11 + `"><b>`)
	if got := rewriteEnvelopeNS(broken, nsSOAP11, nsSOAP12); len(got) == 0 {
		t.Error("broken input lost")
	}
}
