package legacysim

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testUser = "okta-svc"
	testPass = "legacy-Pa55"
)

// clock is a settable time source, so that ModifiedAt assertions do not depend on the wall clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

type sim struct {
	*Server
	ts    *httptest.Server
	clock *clock
	url   string // the SOAP endpoint
}

func newSim(t *testing.T, mutate ...func(*Options)) *sim {
	t.Helper()
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	opts := Options{Username: testUser, Password: testPass, Now: c.Now}
	for _, m := range mutate {
		m(&opts)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	// Cleanups run last-in first-out: the Server closes first, which releases hung requests, so
	// that the httptest server's Close does not wait for them.
	t.Cleanup(ts.Close)
	t.Cleanup(func() { s.Close() })
	return &sim{Server: s, ts: ts, clock: c, url: ts.URL + SOAPPath}
}

// wsseText is a PasswordText UsernameToken header, the way hand-written clients send it.
func wsseText(user, pass string) string {
	return `<soap:Header><wsse:Security xmlns:wsse="` + nsWSSE + `"><wsse:UsernameToken>` +
		`<wsse:Username>` + user + `</wsse:Username><wsse:Password Type="` + PasswordTextType + `">` +
		pass + `</wsse:Password></wsse:UsernameToken></wsse:Security></soap:Header>`
}

// envelopeWith wraps a body element (and an optional header) in a SOAP 1.1 envelope.
func envelopeWith(header, body string) string {
	return `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + nsSOAP + `">` +
		header + `<soap:Body>` + body + `</soap:Body></soap:Envelope>`
}

// opXML builds an operation element the way gowsdl does: xmlns on the element, children unprefixed.
func opXML(op, inner string) string {
	return `<` + op + ` xmlns="` + Namespace + `">` + inner + `</` + op + `>`
}

type result struct {
	status      int
	contentType string
	body        string
}

func post(t *testing.T, url, action, body string) result {
	t.Helper()
	return postCtx(t, context.Background(), url, action, body)
}

func postCtx(t *testing.T, ctx context.Context, url, action, body string) result {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	if action != "-" { // "-" means: send no SOAPAction header at all
		req.Header.Set("SOAPAction", action)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{status: resp.StatusCode, contentType: resp.Header.Get("Content-Type"), body: string(b)}
}

// call sends an authenticated operation the way gowsdl v0.5.0 does (with the SOAPAction header set to two single quotes).
func (s *sim) call(t *testing.T, op, inner string) result {
	t.Helper()
	return post(t, s.url, "''", envelopeWith(wsseText(testUser, testPass), opXML(op, inner)))
}

// Response decoding for assertions. Every element is matched with its namespace, so a response
// whose children were not qualified would fail the tests.

type respEnvelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Fault *struct {
			Code   string `xml:"faultcode"`
			String string `xml:"faultstring"`
			Detail struct {
				HRFault *struct {
					Code    string `xml:"urn:legacyhr:directory:1 Code"`
					Message string `xml:"urn:legacyhr:directory:1 Message"`
				} `xml:"urn:legacyhr:directory:1 HRFault"`
			} `xml:"detail"`
		} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Fault"`
		Content []byte `xml:",innerxml"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type tEmployee struct {
	EmployeeID     string  `xml:"urn:legacyhr:directory:1 EmployeeID"`
	Login          string  `xml:"urn:legacyhr:directory:1 Login"`
	GivenName      string  `xml:"urn:legacyhr:directory:1 GivenName"`
	FamilyName     string  `xml:"urn:legacyhr:directory:1 FamilyName"`
	MiddleName     string  `xml:"urn:legacyhr:directory:1 MiddleName"`
	DisplayName    string  `xml:"urn:legacyhr:directory:1 DisplayName"`
	Email          string  `xml:"urn:legacyhr:directory:1 Email"`
	SecondaryEmail string  `xml:"urn:legacyhr:directory:1 SecondaryEmail"`
	Phone          string  `xml:"urn:legacyhr:directory:1 Phone"`
	Department     string  `xml:"urn:legacyhr:directory:1 Department"`
	Title          string  `xml:"urn:legacyhr:directory:1 Title"`
	EmployeeNumber string  `xml:"urn:legacyhr:directory:1 EmployeeNumber"`
	IsAdmin        *bool   `xml:"urn:legacyhr:directory:1 IsAdmin"`
	Enabled        *bool   `xml:"urn:legacyhr:directory:1 Enabled"`
	CreatedAt      string  `xml:"urn:legacyhr:directory:1 CreatedAt"`
	ModifiedAt     string  `xml:"urn:legacyhr:directory:1 ModifiedAt"`
	Unknown        []xName `xml:",any"`
}

type xName struct{ XMLName xml.Name }

type tRole struct {
	RoleID      string `xml:"urn:legacyhr:directory:1 RoleID"`
	Name        string `xml:"urn:legacyhr:directory:1 Name"`
	Description string `xml:"urn:legacyhr:directory:1 Description"`
	Members     []struct {
		EmployeeID string `xml:"urn:legacyhr:directory:1 EmployeeID"`
		Login      string `xml:"urn:legacyhr:directory:1 Login"`
	} `xml:"urn:legacyhr:directory:1 Members"`
	ModifiedAt string `xml:"urn:legacyhr:directory:1 ModifiedAt"`
}

// tResp is any of the service's responses.
type tResp struct {
	XMLName    xml.Name
	Employee   *tEmployee  `xml:"urn:legacyhr:directory:1 Employee"`
	Employees  []tEmployee `xml:"urn:legacyhr:directory:1 Employees"`
	Role       *tRole      `xml:"urn:legacyhr:directory:1 Role"`
	Roles      []tRole     `xml:"urn:legacyhr:directory:1 Roles"`
	TotalCount *int        `xml:"urn:legacyhr:directory:1 TotalCount"`
}

// ok asserts a successful response to op and decodes it.
func (r result) ok(t *testing.T, op string) tResp {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("%s: HTTP %d, want 200; body:\n%s", op, r.status, r.body)
	}
	if r.contentType != "text/xml; charset=utf-8" {
		t.Fatalf("%s: Content-Type %q", op, r.contentType)
	}
	var env respEnvelope
	if err := xml.Unmarshal([]byte(r.body), &env); err != nil {
		t.Fatalf("%s: response does not parse: %v\n%s", op, err, r.body)
	}
	if env.Body.Fault != nil {
		t.Fatalf("%s: unexpected fault %+v", op, env.Body.Fault)
	}
	var resp tResp
	if err := xml.Unmarshal(env.Body.Content, &resp); err != nil {
		t.Fatalf("%s: body does not parse: %v\n%s", op, err, r.body)
	}
	if resp.XMLName != (xml.Name{Space: Namespace, Local: op + "Response"}) {
		t.Fatalf("%s: response element %v", op, resp.XMLName)
	}
	if resp.Employee != nil && len(resp.Employee.Unknown) > 0 {
		t.Fatalf("%s: unqualified or unknown elements in Employee: %v", op, resp.Employee.Unknown)
	}
	return resp
}

// fault asserts a SOAP fault with HTTP 500 and the given detail code, and returns its message.
func (r result) fault(t *testing.T, code string) string {
	t.Helper()
	if r.status != http.StatusInternalServerError {
		t.Fatalf("want HTTP 500 fault %s, got HTTP %d:\n%s", code, r.status, r.body)
	}
	if r.contentType != "text/xml; charset=utf-8" {
		t.Fatalf("fault Content-Type %q", r.contentType)
	}
	var env respEnvelope
	if err := xml.Unmarshal([]byte(r.body), &env); err != nil {
		t.Fatalf("fault does not parse: %v\n%s", err, r.body)
	}
	f := env.Body.Fault
	if f == nil || f.Detail.HRFault == nil {
		t.Fatalf("no Fault with an HRFault detail:\n%s", r.body)
	}
	if f.Detail.HRFault.Code != code {
		t.Fatalf("fault code %s, want %s (%s)", f.Detail.HRFault.Code, code, f.Detail.HRFault.Message)
	}
	wantSOAP := "soap:Client"
	if code == CodeInternal {
		wantSOAP = "soap:Server"
	}
	if f.Code != wantSOAP && f.Code != "soap:VersionMismatch" {
		t.Fatalf("faultcode %s, want %s", f.Code, wantSOAP)
	}
	if f.String == "" || f.Detail.HRFault.Message == "" {
		t.Fatalf("fault without faultstring or message:\n%s", r.body)
	}
	return f.Detail.HRFault.Message
}

// employeeXML renders an Employee element's children from name/value pairs, in schema order.
func employeeXML(fields ...string) string {
	var b strings.Builder
	b.WriteString("<Employee>")
	for i := 0; i+1 < len(fields); i += 2 {
		fmt.Fprintf(&b, "<%s>%s</%s>", fields[i], fields[i+1], fields[i])
	}
	b.WriteString("</Employee>")
	return b.String()
}

func (s *sim) create(t *testing.T, login string, extra ...string) tEmployee {
	t.Helper()
	fields := append([]string{"Login", login}, extra...)
	fields = append(fields, "Enabled", "true")
	return *s.call(t, "CreateEmployee", employeeXML(fields...)).ok(t, "CreateEmployee").Employee
}

func (s *sim) get(t *testing.T, id string) tEmployee {
	t.Helper()
	return *s.call(t, "GetEmployee", "<EmployeeID>"+id+"</EmployeeID>").ok(t, "GetEmployee").Employee
}

func (s *sim) admin(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.ts.URL+AdminPrefix+path, rd)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}
