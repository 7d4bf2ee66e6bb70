package legacysim

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func post12(t *testing.T, url, contentType, body string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
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

func envelope12(header, body string) string {
	return `<env:Envelope xmlns:env="` + nsSOAP12 + `">` + strings.ReplaceAll(header, "soap:Header", "env:Header") +
		`<env:Body>` + body + `</env:Body></env:Envelope>`
}

// The SOAP 1.2 variant answers 1.2 requests in 1.2, insists on the action parameter, refuses 1.1,
// and sends its faults as 1.2 faults with the HR code as Subcode and in the detail.
func TestSOAP12Endpoint(t *testing.T) {
	s := newSim(t, func(o *Options) { o.SOAP12 = true })
	hdr := wsseText(testUser, testPass)
	ct := func(op string) string {
		return `application/soap+xml; charset=utf-8; action="` + Namespace + `/` + op + `"`
	}

	r := post12(t, s.url, ct("GetEmployee"), envelope12(hdr, opXML("GetEmployee", "<EmployeeID>nobody</EmployeeID>")))
	if r.status != 400 || !strings.HasPrefix(r.contentType, "application/soap+xml") ||
		!strings.Contains(r.body, `<env:Value>env:Sender</env:Value>`) || !strings.Contains(r.body, `hr:HR-NOT-FOUND`) ||
		!strings.Contains(r.body, `<hr:Code>HR-NOT-FOUND</hr:Code>`) {
		t.Errorf("not-found fault: %d %s %s", r.status, r.contentType, r.body)
	}

	r = post12(t, s.url, ct("ListEmployees"), envelope12(hdr, opXML("ListEmployees", "<PageNumber>1</PageNumber><PageSize>10</PageSize>")))
	if r.status != 200 || !strings.Contains(r.body, `<env:Envelope xmlns:env="`+nsSOAP12+`">`) {
		t.Errorf("list: %d %s", r.status, r.body)
	}

	r = post12(t, s.url, ct("GetEmployee"), envelope12(hdr, opXML("ListEmployees", "")))
	if r.status != 400 || !strings.Contains(r.body, "action parameter") {
		t.Errorf("wrong action accepted: %d %s", r.status, r.body)
	}

	r = post(t, s.url, `"`+Namespace+`/ListEmployees"`, envelopeWith(hdr, opXML("ListEmployees", "")))
	if !strings.Contains(r.body, "env:VersionMismatch") {
		t.Errorf("SOAP 1.1 accepted by the 1.2 endpoint: %d %s", r.status, r.body)
	}
}
