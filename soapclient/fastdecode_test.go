package soapclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// bodyClient is a soap.HTTPClient that answers every request with one body, so that gowsdl's own
// call path decodes it.
type bodyClient struct {
	body []byte
	ct   string
}

func (c bodyClient) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {c.ct}},
		Body: io.NopCloser(bytes.NewReader(c.body)), Request: r}, nil
}

// gowsdlDecode decodes body into a new t the way a generated method does, through gowsdl's own
// call: the reference fastDecode must agree with.
func gowsdlDecode(body []byte, t reflect.Type) (any, error) {
	c := soap.NewClient("http://127.0.0.1:1/unused", soap.WithHTTPClient(bodyClient{body: body, ct: "text/xml; charset=utf-8"}))
	resp := reflect.New(t).Interface()
	if err := c.CallContext(context.Background(), "''", &struct{}{}, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

type fuzzInner struct {
	S  string            `xml:"s"`
	I  int32             `xml:"i,omitempty"`
	U  *uint8            `xml:"u"`
	F  float64           `xml:"f"`
	B  *bool             `xml:"b"`
	L  []string          `xml:"l"`
	N  []*fuzzInner      `xml:"n"`
	D  soap.XSDDate      `xml:"d"`
	T  soap.XSDDateTime  `xml:"t"`
	PT *soap.XSDDateTime `xml:"pt"`
}

type fuzzNamed struct {
	XMLName xml.Name `xml:"urn:t item"`
	V       string   `xml:"v"`
}

type fuzzResp struct {
	XMLName  xml.Name     `xml:"urn:t R"`
	A        string       `xml:"urn:t a"`
	A2       string       `xml:"urn:u a2,omitempty"`
	In       *fuzzInner   `xml:"in"`
	Ins      []fuzzInner  `xml:"ins"`
	Items    []*fuzzNamed `xml:"item"`
	Untagged string
	Skipped  string `xml:"-"`
	hidden   string //nolint:unused // an unexported field encoding/xml ignores
}

var fastTypes = []reflect.Type{
	reflect.TypeFor[fuzzResp](),
	reflect.TypeFor[legacyhr.FindEmployeesResponse](),
	reflect.TypeFor[legacyhr.GetEmployeeResponse](),
	reflect.TypeFor[legacyhr.ListRolesResponse](),
}

const (
	envOpen  = `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>`
	envClose = `</soap:Body></soap:Envelope>`
)

var fastSeeds = []string{
	envOpen + `<FindEmployeesResponse xmlns="urn:legacyhr:directory:1"><Employees><EmployeeID>E000001</EmployeeID><Login>ada@example.com</Login><GivenName>Ada</GivenName><FamilyName>Lovelace &amp; Co</FamilyName><IsAdmin>false</IsAdmin><Enabled>true</Enabled><CreatedAt>2026-12-01T10:00:00Z</CreatedAt><ModifiedAt>2026-12-01T10:00:00.123+02:00</ModifiedAt></Employees><Employees><EmployeeID>E000002</EmployeeID><Login>bob</Login></Employees><TotalCount>2</TotalCount></FindEmployeesResponse>` + envClose,
	envOpen + `<hr:GetEmployeeResponse xmlns:hr="urn:legacyhr:directory:1"><hr:Employee><hr:EmployeeID>E1</hr:EmployeeID><hr:DisplayName>José Ñ 日本</hr:DisplayName><hr:Enabled>1</hr:Enabled><hr:CreatedAt></hr:CreatedAt><hr:ModifiedAt>2026-12-01</hr:ModifiedAt></hr:Employee></hr:GetEmployeeResponse>` + envClose,
	envOpen + `<ListRolesResponse xmlns="urn:legacyhr:directory:1"><Roles><RoleID>R1</RoleID><Name>ops</Name><Members><EmployeeID>E1</EmployeeID></Members><Members><Login>x</Login></Members></Roles><TotalCount>1</TotalCount></ListRolesResponse>` + envClose,
	envOpen + `<R xmlns="urn:t" xmlns:u="urn:u"><a>one</a><u:a2>two</u:a2><in><s> spaced &lt;x&gt; </s><i> 42 </i><u>7</u><f>1.5e3</f><b>true</b><l>x</l><l></l><l/><n><s>nested</s><n><i>-3</i></n></n><d>2026-12-08</d><t>2026-12-08T01:02:03</t><pt>2026-12-08T01:02:03-05:00</pt></in><ins><s>a</s></ins><ins><s>b</s><unknown><deep>x</deep></unknown></ins><item><v>1</v></item><Untagged>u</Untagged><Skipped>no</Skipped><hidden>no</hidden></R>` + envClose,
	envOpen + `<R xmlns="urn:t"><a>line1` + "\r\n" + `line2` + "\r" + `end</a><in><s>text<child>dropped</child>kept</s></in></R>` + envClose,
	// Each of these must give up: a Header, a comment, CDATA, a numeric reference, the wrong
	// namespace, two children, a fault, a bad number, a foreign encoding, a mismatched end tag.
	`<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header><x/></soap:Header><soap:Body><R xmlns="urn:t"/></soap:Body></soap:Envelope>`,
	envOpen + `<R xmlns="urn:t"><!-- c --><a>x</a></R>` + envClose,
	envOpen + `<R xmlns="urn:t"><a><![CDATA[<x>]]></a></R>` + envClose,
	envOpen + `<R xmlns="urn:t"><a>&#65;</a></R>` + envClose,
	envOpen + `<R xmlns="urn:other"><a>x</a></R>` + envClose,
	envOpen + `<R xmlns="urn:t"/><R xmlns="urn:t"/>` + envClose,
	envOpen + `<soap:Fault><faultcode>soap:Server</faultcode><faultstring>x</faultstring></soap:Fault>` + envClose,
	envOpen + `<R xmlns="urn:t"><in><i>x</i></in></R>` + envClose,
	`<?xml version="1.0" encoding="ISO-8859-1"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><R xmlns="urn:t"/></soap:Body></soap:Envelope>`,
	envOpen + `<R xmlns="urn:t"><a>x</b></R>` + envClose,
}

// TestFastDecodeAgreesWithGowsdl: on the seeds, whatever fastDecode accepts decodes to exactly
// what gowsdl's own call path produces; and it does accept the everyday replies.
func TestFastDecodeAgreesWithGowsdl(t *testing.T) {
	accepted := map[int]bool{}
	for i, s := range fastSeeds {
		for _, typ := range fastTypes {
			if checkFastDecode(t, []byte(s), typ) {
				accepted[i] = true
			}
		}
	}
	for i := range 5 {
		if !accepted[i] {
			t.Errorf("seed %d: no type took the fast path:\n%s", i, fastSeeds[i])
		}
	}
	for i := 5; i < len(fastSeeds); i++ {
		if accepted[i] {
			t.Errorf("seed %d: the fast path accepted what it must leave to gowsdl:\n%s", i, fastSeeds[i])
		}
	}
}

// checkFastDecode fails t when fastDecode accepts body for typ and gowsdl's decode disagrees.
func checkFastDecode(t *testing.T, body []byte, typ reflect.Type) bool {
	t.Helper()
	fast, ok := fastDecode(body, planFor(typ))
	if !ok {
		return false
	}
	slow, err := gowsdlDecode(body, typ)
	if err != nil {
		t.Fatalf("%v: fast path accepted a reply gowsdl refuses (%v):\n%q", typ, err, body)
	}
	if !reflect.DeepEqual(fast.Interface(), slow) {
		t.Fatalf("%v: fast path and gowsdl disagree on\n%q\nfast: %+v\ngowsdl: %+v", typ, body, fast.Elem().Interface(), reflect.ValueOf(slow).Elem().Interface())
	}
	return true
}

// FuzzFastDecode is the differential check of the fast reply decoder against gowsdl's decode
// through encoding/xml: an accepted reply must decode to a deeply equal value.
func FuzzFastDecode(f *testing.F) {
	for _, s := range fastSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, typ := range fastTypes {
			checkFastDecode(t, body, typ)
		}
	})
}

// TestPlanFor: types encoding/xml decodes by rules the fast path does not copy are left to it.
func TestPlanFor(t *testing.T) {
	type withAttr struct {
		ID string `xml:"id,attr"`
	}
	type withAny struct {
		Rest []string `xml:",any"`
	}
	type withInner struct {
		Raw string `xml:",innerxml"`
	}
	type withChardata struct {
		Text string `xml:",chardata"`
	}
	type withPath struct {
		V string `xml:"a>b"`
	}
	type withBytes struct {
		B []byte `xml:"b"`
	}
	type withIface struct {
		V any `xml:"v"`
	}
	type withTime struct {
		T soap.XSDTime `xml:"t"`
	}
	type embedded struct{ fuzzInner }
	type withNamedField struct {
		N fuzzNamed `xml:"n"`
	}
	type dup struct {
		X string // named by the field: X
		Y string `xml:"X"`
	}
	for _, typ := range []reflect.Type{
		reflect.TypeFor[withAttr](), reflect.TypeFor[withAny](), reflect.TypeFor[withInner](),
		reflect.TypeFor[withChardata](), reflect.TypeFor[withPath](), reflect.TypeFor[withBytes](),
		reflect.TypeFor[withIface](), reflect.TypeFor[withTime](), reflect.TypeFor[embedded](),
		reflect.TypeFor[withNamedField](), reflect.TypeFor[dup](), reflect.TypeFor[string](),
	} {
		if planFor(typ) != nil {
			t.Errorf("%v: planned for the fast path", typ)
		}
	}
	for _, typ := range fastTypes {
		if planFor(typ) == nil {
			t.Errorf("%v: not planned for the fast path", typ)
		}
	}
}

// TestFastDecodeThroughClient: a generated client's call against a reply the fast path takes
// returns the decoded value (not gowsdl's empty one), and a reply it leaves alone still decodes.
func TestFastDecodeThroughClient(t *testing.T) {
	for _, body := range []string{fastSeeds[0], strings.Replace(fastSeeds[0], `<EmployeeID>E000001</EmployeeID>`, `<!-- c --><EmployeeID>E000001</EmployeeID>`, 1)} {
		srv := newFake(t, fixed(200, body, "Content-Type", "text/xml; charset=utf-8"))
		c := newTestClient(t, srv.URL, nil)
		before := fastDecodes.Load()
		got, err := c.Invoke(context.Background(), "FindEmployees", &legacyhr.FindEmployees{Login: "ada"})
		if err != nil {
			t.Fatal(err)
		}
		resp := got.(*legacyhr.FindEmployeesResponse)
		if len(resp.Employees) != 2 || resp.Employees[0].FamilyName != "Lovelace & Co" || resp.TotalCount != 2 || resp.Employees[0].Enabled == nil || !*resp.Employees[0].Enabled {
			t.Fatalf("decoded %+v", resp)
		}
		fast := fastDecodes.Load() > before
		if want := !strings.Contains(body, "<!--"); fast != want {
			t.Errorf("fast path taken %v, want %v", fast, want)
		}
	}
}

// BenchmarkReplyDecode: one import page of 100 employees and one existence-check reply, decoded by
// the fast path and by gowsdl's, side by side (compare the pairs, with -benchmem). gowsdl's side is
// its whole call against the canned reply, so it includes writing the small request too.
func BenchmarkReplyDecode(b *testing.B) {
	var page strings.Builder
	page.WriteString(envOpen + `<ListEmployeesResponse xmlns="urn:legacyhr:directory:1">`)
	for i := range 100 {
		page.WriteString(`<Employees><EmployeeID>E` + strings.Repeat("0", 5) + string(rune('0'+i%10)) + `</EmployeeID><Login>user` + string(rune('a'+i%26)) + `@example.com</Login><GivenName>Given</GivenName><FamilyName>Family</FamilyName><DisplayName>Given Family</DisplayName><Email>user@example.com</Email><Department>Ops</Department><Title>Engineer</Title><IsAdmin>false</IsAdmin><Enabled>true</Enabled><CreatedAt>2026-12-01T10:00:00Z</CreatedAt><ModifiedAt>2026-12-01T10:00:00Z</ModifiedAt></Employees>`)
	}
	page.WriteString(`<TotalCount>100</TotalCount></ListEmployeesResponse>` + envClose)
	cases := []struct {
		name string
		body []byte
		typ  reflect.Type
	}{
		{"exists", []byte(fastSeeds[0]), reflect.TypeFor[legacyhr.FindEmployeesResponse]()},
		{"page100", []byte(page.String()), reflect.TypeFor[legacyhr.ListEmployeesResponse]()},
	}
	for _, c := range cases {
		if _, ok := fastDecode(c.body, planFor(c.typ)); !ok {
			b.Fatalf("%s: fast path refused", c.name)
		}
		b.Run(c.name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				fastDecode(c.body, planFor(c.typ))
			}
		})
		b.Run(c.name+"/gowsdl", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gowsdlDecode(c.body, c.typ); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
