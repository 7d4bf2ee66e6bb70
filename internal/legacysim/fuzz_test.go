package legacysim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// wellFormed reports whether b parses as XML to the end with at least one element: the reference
// check of the fuzz target, since the service must never answer 200 to anything that does not.
func wellFormed(b []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(b))
	dec.CharsetReader = charsetReader
	elements := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return elements > 0
		}
		if err != nil {
			return false
		}
		if _, ok := tok.(xml.StartElement); ok {
			elements++
		}
	}
}

// FuzzServeSOAP feeds arbitrary bodies to the SOAP endpoint. It must never panic, must answer every
// request with 200 or a 500 SOAP fault carrying an HRFault, and must never answer 200 to a body
// that is not well-formed XML.
func FuzzServeSOAP(f *testing.F) {
	for _, name := range []string{"create_employee.request.xml", "get_employee_prefixed.request.xml", "get_employee_digest.request.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	s, err := New(Options{Username: testUser, Password: testPass, Now: func() time.Time { return t0 }})
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SeedEmployees(f.Context(), SeedRequest{Employees: 2, Prefix: "fz"}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, SOAPPath, bytes.NewReader(body))
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			if !wellFormed(body) {
				t.Fatalf("HTTP 200 for a body that is not well-formed XML: %q", body)
			}
			var env respEnvelope
			if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Body.Fault != nil {
				t.Fatalf("HTTP 200 without a proper response: %v\n%s", err, rec.Body.Bytes())
			}
		case http.StatusInternalServerError:
			var env respEnvelope
			if err := xml.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Body.Fault == nil || env.Body.Fault.Detail.HRFault == nil {
				t.Fatalf("HTTP 500 without an HRFault: %v\n%s", err, rec.Body.Bytes())
			}
		default:
			t.Fatalf("unexpected HTTP %d for %q", rec.Code, body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "text/xml; charset=utf-8" {
			t.Fatalf("Content-Type %q", ct)
		}
	})
}
