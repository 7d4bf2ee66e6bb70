package mapping_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
)

// countingInvoker counts the calls that reach the application.
type countingInvoker struct {
	inv   mapping.Invoker
	calls atomic.Int32
}

func (c *countingInvoker) Invoke(ctx context.Context, op string, req any) (any, error) {
	c.calls.Add(1)
	return c.inv.Invoke(ctx, op, req)
}

// limitedLegacyHRWSDL is LegacyHR's WSDL with length facets: Login through a named type whose
// base carries the facet, GivenName and DisplayName inline, CreateRole's and UpdateRole's Name.
func limitedLegacyHRWSDL(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../wsdl/legacyhr.wsdl")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	inline := func(name string, n string) string {
		return `<xs:element name="` + name + `" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="` + n + `"/></xs:restriction></xs:simpleType></xs:element>`
	}
	for _, r := range [][2]string{
		{`<xs:element name="Login" type="xs:string"/>`, `<xs:element name="Login" type="tns:LoginName"/>`},
		{`<xs:element name="GivenName" type="xs:string" minOccurs="0"/>`, inline("GivenName", "5")},
		{`<xs:element name="DisplayName" type="xs:string" minOccurs="0"/>`, inline("DisplayName", "10")},
		{`            <xs:element name="Name" type="xs:string"/>`, inline("Name", "12")},
		{`<!-- ===== records ===== -->`, `<xs:simpleType name="ShortText"><xs:restriction base="xs:string"><xs:maxLength value="20"/></xs:restriction></xs:simpleType>
      <xs:simpleType name="LoginName"><xs:restriction base="tns:ShortText"><xs:pattern value="[^ ]*"/></xs:restriction></xs:simpleType>`},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("legacyhr.wsdl has no %q any more", r[0])
		}
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	p := filepath.Join(t.TempDir(), "legacyhr-limited.wsdl")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMaxLengthFromXSDAndMapping: the runtime WSDL client's xs:maxLength facets and the mapping's
// maxLength give per-attribute limits (the smallest wins), and a value over a field's limit that
// no attribute limit covers (an expression) is refused by the engine before any call.
func TestMaxLengthFromXSDAndMapping(t *testing.T) {
	file := strings.Replace(string(defaults.LegacyHR), "\nusers:\n", "\nusers:\n  maxLength: { title: 8, name.givenName: 9 }\n", 1)
	file = strings.Replace(file, "    DisplayName: user.displayName\n", "    DisplayName: user.displayName + \"\"\n", 1)
	endpoint := serveLegacyHR(t)
	eng, client := engineOver(t, "legacyhr.mapping.yaml", []byte(file), limitedLegacyHRWSDL(t), soapclient.Config{
		Endpoint: endpoint, WSSE: &soapclient.WSSEConfig{Username: "svc", Password: "svc-pass"}})

	users, groups := eng.MaxLengths()
	for attr, want := range map[string]int{"userName": 20, "name.givenName": 5, "title": 8} {
		if got := users[attr].Limit; got != want {
			t.Errorf("users %s: limit %d (%q), want %d", attr, got, users[attr].Source, want)
		}
	}
	if src := users["userName"].Source; !strings.Contains(src, "schema, maxLength of Login") {
		t.Errorf("userName's limit source %q", src)
	}
	if src := users["title"].Source; src != "the mapping's maxLength" {
		t.Errorf("title's limit source %q", src)
	}
	if _, ok := users["displayName"]; ok {
		t.Errorf("displayName has a limit though its field is filled by an expression: %v", users["displayName"])
	}
	if got := groups["displayName"].Limit; got != 12 {
		t.Errorf("groups displayName: limit %d, want 12 (CreateRole.Name, UpdateRole.Name)", got)
	}

	inv := &countingInvoker{inv: client}
	b := eng.Backend(inv, testLog(t))
	_, err := b.CreateUser(context.Background(), &backend.User{UserName: "short@x", DisplayName: "eleven char", Active: true})
	var be *backend.Error
	if !errors.As(err, &be) || be.Kind != backend.Invalid ||
		!strings.Contains(be.Message, "the value for DisplayName is 11 characters long; the limit is 10") {
		t.Fatalf("an over-long DisplayName: %v", err)
	}
	_, err = b.CreateGroup(context.Background(), &backend.Group{DisplayName: "thirteen char"})
	if !errors.As(err, &be) || be.Kind != backend.Invalid || !strings.Contains(be.Message, "displayName is 13 characters long; the limit is 12") {
		t.Fatalf("an over-long group name: %v", err)
	}
	if n := inv.calls.Load(); n != 0 {
		t.Fatalf("the application was called %d times for refused values", n)
	}
	if _, err := b.CreateUser(context.Background(), &backend.User{UserName: "short@x", DisplayName: "ten chars.", Active: true}); err != nil {
		t.Fatalf("a user within the limits: %v", err)
	}
	if inv.calls.Load() == 0 {
		t.Fatal("the user within the limits never reached the application")
	}
}

// TestMaxLengthProblems: a maxLength block names known attributes with whole numbers; check says
// where it is wrong.
func TestMaxLengthProblems(t *testing.T) {
	file := strings.Replace(string(defaults.LegacyHR), "\nusers:\n", "\nusers:\n  maxLength: { usrName: 5, title: zero, custom.x: 0 }\n", 1)
	file = strings.Replace(file, "\ngroups:\n", "\ngroups:\n  maxLength: { members: 3 }\n", 1)
	spec, err := mapping.Parse("m.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	_, err = mapping.Compile(spec, catalog{soapClient(t)}, mapping.Options{})
	if err == nil {
		t.Fatal("no problems")
	}
	for _, want := range []string{
		`users.maxLength.usrName: "usrName" is not a string attribute the bridge checks (did you mean "userName"?)`,
		`users.maxLength.title: "zero" is not a whole number of characters between 1 and 1048576`,
		`users.maxLength.custom.x: "0" is not a whole number`,
		`groups.maxLength.members: "members" is not a string attribute the bridge checks`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("problems do not say %q:\n%v", want, err)
		}
	}
	if !strings.Contains(err.Error(), "m.yaml:") {
		t.Errorf("problems carry no position:\n%v", err)
	}
}

func soapClient(t *testing.T) *soapclient.Client {
	t.Helper()
	c, err := soapclient.New("legacyhr", soapclient.Config{Endpoint: "http://127.0.0.1:1/soap"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
