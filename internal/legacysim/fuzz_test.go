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

// FuzzServeSOAP feeds arbitrary bodies to the SOAP endpoint, in its document/literal and its
// rpc/literal variant. Neither may ever panic; each must answer every request with 200 or a 500
// SOAP fault carrying an HRFault, and never 200 to a body that is not well-formed XML.
func FuzzServeSOAP(f *testing.F) {
	for _, name := range []string{"create_employee.request.xml", "get_employee_prefixed.request.xml", "get_employee_digest.request.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	// The rpc/literal variant reads the same bodies through its own token reader.
	f.Add([]byte(envelopeWith(wsseText(testUser, testPass), `<r:UpdateEmployee xmlns:r="`+Namespace+`"><Employee><EmployeeID>fz-1</EmployeeID><Login>a</Login><IsAdmin xsi:nil="true" xmlns:xsi="`+nsXSI+`"/></Employee></r:UpdateEmployee>`)))
	var servers []*Server
	for _, rpc := range []bool{false, true} {
		s, err := New(Options{Username: testUser, Password: testPass, Now: func() time.Time { return t0 }, RPCLiteral: rpc})
		if err != nil {
			f.Fatal(err)
		}
		defer s.Close()
		if _, err := s.SeedEmployees(f.Context(), SeedRequest{Employees: 2, Prefix: "fz"}); err != nil {
			f.Fatal(err)
		}
		servers = append(servers, s)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, s := range servers {
			serveOnce(t, s, body)
		}
	})
}

// serveOnce sends body to s and holds the answer to the fuzz target's rules.
func serveOnce(t *testing.T, s *Server, body []byte) {
	t.Helper()
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
}
