package asmxsim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzServeSOAP sends arbitrary bodies and SOAPActions to the simulator: it never panics, and
// answers a well-formed SOAP envelope (a result or a fault) to every POST it reads.
func FuzzServeSOAP(f *testing.F) {
	env := func(body string) string {
		return `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>` + body + `</soap:Body></soap:Envelope>`
	}
	f.Add("AddUser", env(`<AddUser xmlns="`+Namespace+`"><userLoginName>a&lt;b</userLoginName><userName>]]&gt;</userName></AddUser>`))
	f.Add("GetUserCollectionFromSite", env(`<GetUserCollectionFromSite xmlns="`+Namespace+`"/>`))
	f.Add("AddUserToGroup", env(`<AddUserToGroup xmlns="`+Namespace+`"><groupName>g</groupName><userLoginName>x</userLoginName></AddUserToGroup>`))
	f.Fuzz(func(t *testing.T, op, body string) {
		s, err := New(Options{})
		if err != nil {
			t.Fatal(err)
		}
		// A user and a group to act on, so that writes reach the store.
		for _, seed := range []struct{ op, body string }{
			{"AddUser", `<AddUser xmlns="` + Namespace + `"><userLoginName>x</userLoginName></AddUser>`},
			{"AddGroup", `<AddGroup xmlns="` + Namespace + `"><groupName>g</groupName></AddGroup>`},
		} {
			serve(s, seed.op, env(seed.body))
		}
		rec := serve(s, op, body)
		if rec.Code != http.StatusOK && rec.Code != http.StatusInternalServerError {
			t.Fatalf("status %d", rec.Code)
		}
		if err := xml.Unmarshal(rec.Body.Bytes(), new(struct {
			XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
		})); err != nil {
			t.Fatalf("answer is not a SOAP envelope: %v\n%s", err, rec.Body.String())
		}
		// Whatever was stored must list as well-formed XML.
		rec = serve(s, "GetUserCollectionFromSite", env(`<GetUserCollectionFromSite xmlns="`+Namespace+`"/>`))
		if err := xml.Unmarshal(rec.Body.Bytes(), new(struct{})); err != nil || rec.Code != http.StatusOK {
			t.Fatalf("listing after %q: %d %v\n%s", op, rec.Code, err, rec.Body.String())
		}
	})
}

func serve(s *Server, op, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, SOAPPath, bytes.NewReader([]byte(body)))
	req.Header.Set("SOAPAction", `"`+Namespace+strings.TrimSpace(op)+`"`)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec
}
