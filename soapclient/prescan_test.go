package soapclient

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// prescanBodies are replies for the differential check of prescan against inspect: faults of
// both SOAP versions, DOCTYPEs, comments and CDATA that mention a Fault, declarations, multi-refs,
// whitespace and a BOM.
var prescanBodies = []string{
	``,
	`   `,
	`not xml`,
	string(legacyHRReply("FindEmployees", 1)),
	string(legacyHRReply("ListEmployees", 3)),
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body/></soap:Envelope>`,
	`<s:Envelope xmlns:s="` + nsSOAP11 + `"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>dup</faultstring><detail><hr:HRFault xmlns:hr="urn:legacyhr:directory:1"><hr:Code>HR-DUPLICATE</hr:Code></hr:HRFault></detail></s:Fault></s:Body></s:Envelope>`,
	`<Envelope xmlns="` + nsSOAP11 + `"><Body><Fault><faultcode>Server</faultcode></Fault></Body></Envelope>`,
	`<env:Envelope xmlns:env="` + nsSOAP12 + `"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">bad</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
	`<env:Envelope xmlns:env="` + nsSOAP12 + `"><env:Body><r xmlns="urn:x"><v>1</v></r></env:Body></env:Envelope>`,
	// The SOAP 1.2 namespace spelled with a character reference: inspect sees 1.2, the rewrite
	// (which looks for it literally) leaves the body as it is, and so must the fast path.
	`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap&#45;envelope"><env:Body><r/></env:Body></env:Envelope>`,
	`<!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body/></soap:Envelope>`,
	`<?xml version="1.0"?><!doctype x><soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body/></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><!-- Fault --><r/></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><!-- x --><soap:Fault><faultstring>after a comment</faultstring></soap:Fault></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><r><![CDATA[<soap:Fault/>]]></r></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><r>Fault &amp; more</r></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Header><Fault/></soap:Header><soap:Body><r/></soap:Body></soap:Envelope>`,
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><soap:Envelope xmlns:soap=\"" + nsSOAP11 + "\"><soap:Body><r>\xe9</r></soap:Body></soap:Envelope>",
	`<?xml version='1.0' encoding='UTF-8'?>` + "\n\t" + `<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><r/></soap:Body></soap:Envelope>`,
	"\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"" + nsSOAP11 + "\"><soap:Body><soap:Fault><faultstring>bom</faultstring></soap:Fault></soap:Body></soap:Envelope>",
	"\r\n <soap:Envelope xmlns:soap=\"" + nsSOAP11 + "\"><soap:Body><r/></soap:Body></soap:Envelope>",
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><r><a href="#id0"/></r><multiRef id="id0">v</multiRef></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Body><r><a xsi:nil="true"/></r></soap:Body></soap:Envelope>`,
	`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><soap:Fault>`,
	`<html><body>Service Unavailable!</body></html>`,
	`href="#`, `href='#`, `nil="true"`, `#href="#`, `=nil="true"`, `href=""#`, `nil="true`, `nil=="true"`,
}

// checkPrescan fails when prescan is sure about body but the transport, running inspect, would
// have acted differently: reported a fault or a DOCTYPE, or rewritten a SOAP 1.2 envelope.
func checkPrescan(t *testing.T, body []byte) {
	t.Helper()
	fast, sure := prescan(body)
	if !sure {
		return
	}
	if fast != (inspection{}) {
		t.Fatalf("prescan is sure but reports %+v", fast)
	}
	full := inspect(body)
	if full.fault != nil || full.doctype {
		t.Fatalf("prescan is sure about %q, inspect found fault=%v doctype=%v", body, full.fault, full.doctype)
	}
	if full.ns == nsSOAP12 && !bytes.Equal(rewriteEnvelopeNS(body, nsSOAP12, nsSOAP11), body) {
		t.Fatalf("prescan is sure about %q, but it is a SOAP 1.2 envelope the transport rewrites", body)
	}
}

func TestPrescanAgreesWithInspect(t *testing.T) {
	for _, b := range prescanBodies {
		checkPrescan(t, []byte(b))
	}
	// The fast path must actually be taken for the replies it is for.
	for _, b := range [][]byte{legacyHRReply("FindEmployees", 1), legacyHRReply("ListEmployees", 200), []byte(prescanBodies[5])} {
		if _, sure := prescan(b); !sure {
			t.Errorf("prescan is not sure about a plain reply: %.80q", b)
		}
	}
	// And never for anything that carries a fault or a DOCTYPE.
	for _, b := range prescanBodies {
		if in := inspect([]byte(b)); in.fault != nil || in.doctype {
			if _, sure := prescan([]byte(b)); sure {
				t.Errorf("prescan is sure about %.80q", b)
			}
		}
	}
}

// TestRepairFaultWith200 pins that a Fault sent with 200, which the fast path must not let
// through as a success, is still the typed error.
func TestRepairFaultWith200(t *testing.T) {
	tr := &Transport{maxBody: DefaultMaxResponseBytes}
	for _, b := range []string{prescanBodies[6], prescanBodies[8], prescanBodies[14]} {
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml; charset=utf-8"}},
			Body: io.NopCloser(strings.NewReader(b)), ContentLength: int64(len(b))}
		if _, err := tr.repair(resp, nil); err == nil {
			t.Errorf("a fault with status 200 passed as a reply: %.80q", b)
		} else if _, ok := err.(*Fault); !ok {
			t.Errorf("got %T (%v), want *Fault", err, err)
		}
	}
}

// FuzzPrescan checks the transport's byte-level shortcut against the full inspection on arbitrary
// replies: whenever prescan is sure, inspect must agree.
func FuzzPrescan(f *testing.F) {
	for _, b := range prescanBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkPrescan(t, body)
		want := bytes.Contains(body, []byte(`href="#`)) || bytes.Contains(body, []byte(`href='#`)) || bytes.Contains(body, []byte(`nil="true"`))
		if hasHref(body) != want {
			t.Fatalf("hasHref(%q) = %v, want %v", body, !want, want)
		}
		// Inside a SOAP envelope too, where a fuzzed fragment can become the Body's first child.
		for _, ns := range []string{nsSOAP11, nsSOAP12} {
			var b strings.Builder
			b.WriteString(`<s:Envelope xmlns:s="` + ns + `"><s:Body>`)
			b.Write(body)
			b.WriteString(`</s:Body></s:Envelope>`)
			checkPrescan(t, []byte(b.String()))
		}
	})
}

// TestReadAllMatchesIOReadAll: the presized read returns what io.ReadAll returns, whatever the
// Content-Length claims (servers lie; the HTTP client enforces the real length).
func TestReadAllMatchesIOReadAll(t *testing.T) {
	body := legacyHRReply("ListEmployees", 20)
	for _, size := range []int64{-1, 0, 1, 511, 512, int64(len(body)) - 1, int64(len(body)), int64(len(body)) + 1, 4 << 20} {
		got, err := readAll(io.LimitReader(bytes.NewReader(body), 1<<20), size)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("size %d: %d bytes, %v", size, len(got), err)
		}
		if size >= 0 && size < maxPresize && cap(got) < int(size)+1 {
			t.Fatalf("size %d: capacity %d", size, cap(got))
		}
	}
	_, err := readAll(io.MultiReader(bytes.NewReader(body), iotestErr{}), int64(len(body)))
	if err != errBroken {
		t.Fatalf("error %v, want %v", err, errBroken)
	}
}

var errBroken = errors.New("broken")

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errBroken }
