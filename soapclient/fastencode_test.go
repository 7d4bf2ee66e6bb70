package soapclient

import (
	"bytes"
	"encoding/xml"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
	"github.com/scimbridge/scimbridge/soapclient/wso2userstore"
)

// gowsdlEncode writes the envelope as gowsdl's call does (soap.go: SOAPEnvelope through
// encoding/xml's Encoder): the reference appendEnvelope must match byte for byte.
func gowsdlEncode(t testing.TB, req any, wsse *wsseSecurity) []byte {
	t.Helper()
	env := soap.SOAPEnvelope{XmlNS: soap.XmlNsSoapEnv}
	if wsse != nil {
		env.Header = &soap.SOAPHeader{Headers: []any{wsse}}
	}
	env.Body.Content = req
	var buf bytes.Buffer
	enc := xml.NewEncoder(&buf)
	if err := enc.Encode(env); err != nil {
		t.Fatalf("gowsdl's encoding of %T: %v", req, err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type encInner struct {
	S  string   `xml:"s"`
	SO string   `xml:"so,omitempty"`
	I  int16    `xml:"i"`
	U  uint64   `xml:"u,omitempty"`
	F  float32  `xml:"f"`
	B  bool     `xml:"b,omitempty"`
	PB *bool    `xml:"pb,omitempty"`
	PS *string  `xml:"ps"`
	L  []string `xml:"l,omitempty"`
	LN []string `xml:"ln"`
}

type encReq struct {
	XMLName xml.Name          `xml:"urn:t R"`
	A       string            `xml:"urn:t a"`
	In      *encInner         `xml:"in,omitempty"`
	Ins     []*encInner       `xml:"ins"`
	Val     encInner          `xml:"val"`
	When    soap.XSDDateTime  `xml:"when,omitempty"`
	PWhen   *soap.XSDDateTime `xml:"pwhen"`
	Day     soap.XSDDate      `xml:"day"`
	Untag   int
	Skip    string `xml:"-"`
	hidden  string //nolint:unused // encoding/xml ignores it
}

// encCases builds requests of every shape the fast encoder takes, from a few fuzzed values.
func encCases(s1, s2 string, n int64, f float64, b bool) []any {
	e := &legacyhr.Employee{EmployeeID: s1, Login: s2, GivenName: s1 + s2, IsAdmin: &b, Enabled: &b}
	in := encInner{S: s1, SO: s2, I: int16(n), U: uint64(n), F: float32(f), B: b, PB: &b, PS: &s2, L: []string{s1, "", s2}, LN: []string{s2, ""}}
	return []any{
		&legacyhr.CreateEmployee{Employee: e, InitialPassword: s2},
		&legacyhr.UpdateEmployee{Employee: e},
		&legacyhr.FindEmployees{Login: s1, Email: s2, PageNumber: int32(n), PageSize: int32(n >> 8)},
		&legacyhr.GetEmployee{EmployeeID: s1},
		&wso2userstore.ListUsers{Filter: &s1, MaxItemLimit: new(int32(n))},
		&encReq{A: s1, In: &in, Ins: []*encInner{&in, nil, {}}, Val: in, Untag: int(n)},
		&encReq{},
	}
}

func wsseCases(user, password string) []*wsseSecurity {
	text, _ := newWSSEHeader(&WSSEConfig{Username: user, Password: password}, time.Time{}, nil)
	digest, _ := newWSSEHeader(&WSSEConfig{Username: user, Password: password, Digest: true},
		time.Date(2026, 12, 8, 1, 2, 3, 4e6, time.UTC), bytes.NewReader(bytes.Repeat([]byte{0xab}, 16)))
	return []*wsseSecurity{nil, text, digest}
}

// checkFastEncode fails t when appendEnvelope writes anything but gowsdl's bytes; it says
// whether the fast path took req.
func checkFastEncode(t *testing.T, req any, wsse *wsseSecurity) bool {
	t.Helper()
	got, ok := appendEnvelope(nil, req, wsse)
	if !ok {
		return false
	}
	if want := gowsdlEncode(t, req, wsse); !bytes.Equal(got, want) {
		t.Fatalf("%T: fast encoding differs from gowsdl's\nfast:   %s\ngowsdl: %s", req, got, want)
	}
	return true
}

func TestFastEncodeMatchesGowsdl(t *testing.T) {
	for _, v := range []struct {
		s1, s2 string
		n      int64
		f      float64
		b      bool
	}{
		{"E1", "ada@example.com", 42, 1.5, true},
		{"", "", 0, 0, false},
		{`<&>"'` + "\t\n\r\x00\xff\uFFFD\U0001F600", "é ü 日本", -7, math.Inf(-1), false},
		{"x", "y", math.MaxInt64, math.NaN(), true},
	} {
		for _, wsse := range wsseCases(v.s1, v.s2) {
			for _, req := range encCases(v.s1, v.s2, v.n, v.f, v.b) {
				if !checkFastEncode(t, req, wsse) {
					t.Errorf("%T: the fast encoder refused it", req)
				}
			}
		}
	}
	// Left to gowsdl: a non-zero XSD date (its MarshalXML), a type with attributes.
	if _, ok := appendEnvelope(nil, &encReq{When: soap.CreateXsdDateTime(time.Now(), true)}, nil); ok {
		t.Error("a non-zero XSDDateTime took the fast path")
	}
	type withAttr struct {
		XMLName xml.Name `xml:"urn:t R"`
		ID      string   `xml:"id,attr"`
	}
	if _, ok := appendEnvelope(nil, &withAttr{}, nil); ok {
		t.Error("a request with an attribute took the fast path")
	}
	if _, ok := appendEnvelope(nil, (*encReq)(nil), nil); ok {
		t.Error("a nil request took the fast path")
	}
}

// FuzzFastEncode: whatever the values, an envelope the fast encoder writes is gowsdl's.
func FuzzFastEncode(f *testing.F) {
	f.Add("E1", "ada@example.com", int64(42), 1.5, true)
	f.Add(`<&>"'`, "\t\n\r\x00\xff", int64(-1), math.Inf(1), false)
	f.Add(strings.Repeat("\u00e9", 5), "\U0001F600\uFFFE", int64(1<<40), -0.0, true)
	f.Fuzz(func(t *testing.T, s1, s2 string, n int64, fl float64, b bool) {
		for _, wsse := range wsseCases(s1, s2) {
			for _, req := range encCases(s1, s2, n, fl, b) {
				if !checkFastEncode(t, req, wsse) {
					t.Fatalf("%T: the fast encoder refused it", req)
				}
			}
		}
	})
}

// TestFastExchangeFallsBackToGowsdl: a reply the fast decoder leaves alone (a SOAP Header in
// it) is decoded by gowsdl from the reply already received, with no second request.
func TestFastExchangeFallsBackToGowsdl(t *testing.T) {
	body := strings.Replace(fastSeeds[0], `<soap:Body>`, `<soap:Header><x/></soap:Header><soap:Body>`, 1)
	srv := newFake(t, fixed(200, body, "Content-Type", "text/xml; charset=utf-8"))
	c := newTestClient(t, srv.URL, nil)
	got, err := c.Invoke(t.Context(), "FindEmployees", &legacyhr.FindEmployees{Login: "ada"})
	if err != nil {
		t.Fatal(err)
	}
	if resp := got.(*legacyhr.FindEmployeesResponse); len(resp.Employees) != 2 || resp.TotalCount != 2 {
		t.Fatalf("decoded %+v", resp)
	}
	srv.mu.Lock()
	n := len(srv.requests)
	srv.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d requests sent, want 1", n)
	}
	if !reflect.DeepEqual(srv.last(t).Body, gowsdlEncode(t, &legacyhr.FindEmployees{Login: "ada"}, nil)) {
		t.Errorf("request body %s", srv.last(t).Body)
	}
}

// Config.GowsdlOnly: the same call goes through gowsdl's writer and reader (the fast reader takes
// nothing) and the bytes on the wire are the same as with the fast paths on.
func TestGowsdlOnly(t *testing.T) {
	var bodies [][]byte
	for _, only := range []bool{false, true} {
		srv := newFake(t, fixed(200, fastSeeds[0], "Content-Type", "text/xml; charset=utf-8"))
		c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.GowsdlOnly = only })
		before := fastDecodes.Load()
		got, err := c.Invoke(t.Context(), "FindEmployees", &legacyhr.FindEmployees{Login: "ada", PageSize: 5})
		if err != nil {
			t.Fatal(err)
		}
		if resp := got.(*legacyhr.FindEmployeesResponse); len(resp.Employees) != 2 || resp.Employees[0].FamilyName != "Lovelace & Co" {
			t.Fatalf("GowsdlOnly %v: decoded %+v", only, resp)
		}
		if took := fastDecodes.Load() > before; took == only {
			t.Errorf("GowsdlOnly %v: fast reader took the reply: %v", only, took)
		}
		bodies = append(bodies, srv.last(t).Body)
	}
	if !bytes.Equal(bodies[0], bodies[1]) {
		t.Errorf("the wire differs:\nfast:   %s\ngowsdl: %s", bodies[0], bodies[1])
	}
}
