package soapclient

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzInspect feeds arbitrary reply bodies (what a legacy app, or anything impersonating it, may
// send) to the transport's envelope inspection and the charset transcoder: they must never panic,
// a fault they extract must render as one bounded line, and transcoding must yield UTF-8.
func FuzzInspect(f *testing.F) {
	seeds := []string{
		``,
		`not xml`,
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body/></soap:Envelope>`,
		`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>dup</faultstring><detail><hr:HRFault xmlns:hr="urn:legacyhr:directory:1"><hr:Code>HR-DUPLICATE</hr:Code><hr:Message>exists</hr:Message></hr:HRFault></detail></s:Fault></s:Body></s:Envelope>`,
		`<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><env:Fault><env:Code><env:Value>env:Sender</env:Value></env:Code><env:Reason><env:Text xml:lang="en">bad</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>`,
		`<!DOCTYPE x [<!ENTITY a "b">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>`,
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><x/></soap:Header><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>` + strings.Repeat("long ", 400) + `</faultstring><detail><code>42</code></detail></soap:Fault></soap:Body></soap:Envelope>`,
		`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><detail><a><b><c><Code>deep</Code></c></b></a></detail>`,
	}
	for _, s := range seeds {
		f.Add([]byte(s), "text/xml; charset=utf-8")
	}
	f.Add([]byte("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>"), "text/xml")
	f.Add([]byte("<a>\x80\x9f</a>"), "text/xml; charset=windows-1252")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		in := inspect(body)
		if in.fault != nil {
			msg := in.fault.Error()
			if strings.ContainsAny(msg, "\n\r") || len(msg) > 1024 {
				t.Fatalf("fault message is not one bounded line (%d bytes): %q", len(msg), msg)
			}
		}
		out, _, err := toUTF8(contentType, body)
		if err == nil && !utf8.Valid(out) && utf8.Valid(body) {
			t.Fatalf("transcoding valid UTF-8 produced invalid UTF-8")
		}
	})
}
