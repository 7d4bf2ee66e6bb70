package soapclient

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// legacyHRReply is a LegacyHR reply as internal/legacysim writes it: op's response element with
// n employees, in a SOAP 1.1 envelope after an XML declaration.
func legacyHRReply(op string, n int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body><` + op + `Response xmlns="urn:legacyhr:directory:1">`)
	for i := range n {
		fmt.Fprintf(&b, `<Employees><EmployeeID>E%06d</EmployeeID><Login>user%03d@example.com</Login><GivenName>Ann</GivenName>`+
			`<FamilyName>Smith</FamilyName><Email>user%03d@example.com</Email><Department>Sales</Department><Title>Clerk</Title>`+
			`<IsAdmin>false</IsAdmin><Enabled>true</Enabled><CreatedAt>2026-03-01T09:00:00.000Z</CreatedAt>`+
			`<ModifiedAt>2026-03-01T09:00:00.000Z</ModifiedAt></Employees>`, i+1, i, i)
	}
	fmt.Fprintf(&b, `<TotalCount>%d</TotalCount></%sResponse></soap:Body></soap:Envelope>`, n, op)
	return []byte(b.String())
}

// BenchmarkRepair measures the transport's check of a successful reply (read, charset, envelope
// inspection) before gowsdl decodes it: docs/benchmarks.md, "SOAP reply check and audit line".
func BenchmarkRepair(b *testing.B) {
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"FindEmployees-1", legacyHRReply("FindEmployees", 1)},
		{"ListEmployees-200", legacyHRReply("ListEmployees", 200)},
	} {
		b.Run(c.name, func(b *testing.B) {
			t := &Transport{maxBody: DefaultMaxResponseBytes}
			rd := bytes.NewReader(c.body)
			b.SetBytes(int64(len(c.body)))
			b.ReportAllocs()
			for b.Loop() {
				rd.Reset(c.body)
				resp := &http.Response{
					StatusCode:    http.StatusOK,
					Header:        http.Header{"Content-Type": {"text/xml; charset=utf-8"}},
					Body:          io.NopCloser(rd),
					ContentLength: int64(len(c.body)),
				}
				if _, err := t.repair(resp, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
