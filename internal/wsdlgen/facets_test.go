package wsdlgen

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// limitedLegacyHR is LegacyHR's WSDL with length facets: Login through a named type whose base
// carries the facet, GivenName inline, CreateRole's Name inline.
func limitedLegacyHR(t *testing.T) string {
	t.Helper()
	s := read(t, filepath.Join(repoRoot, "wsdl", "legacyhr.wsdl"))
	for _, r := range [][2]string{
		{`<xs:element name="Login" type="xs:string"/>`, `<xs:element name="Login" type="tns:LoginName"/>`},
		{`<xs:element name="GivenName" type="xs:string" minOccurs="0"/>`, `<xs:element name="GivenName" minOccurs="0"><xs:simpleType><xs:restriction base="xs:string"><xs:maxLength value="5"/></xs:restriction></xs:simpleType></xs:element>`},
		{`            <xs:element name="Name" type="xs:string"/>`, `<xs:element name="Name"><xs:simpleType><xs:restriction base="xs:string"><xs:length value="12"/></xs:restriction></xs:simpleType></xs:element>`},
		{`<!-- ===== records ===== -->`, `<xs:simpleType name="ShortText"><xs:restriction base="xs:string"><xs:maxLength value="20"/></xs:restriction></xs:simpleType>
      <xs:simpleType name="LoginName"><xs:restriction base="tns:ShortText"><xs:pattern value="[^ ]*"/></xs:restriction></xs:simpleType>`},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("legacyhr.wsdl has no %q any more", r[0])
		}
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	p := filepath.Join(t.TempDir(), "legacyhr.wsdl")
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMaxLengthFacets: the generated client and the runtime model note the same xs:maxLength
// (through named types and their bases, inline, xs:length) on the same fields.
func TestMaxLengthFacets(t *testing.T) {
	wsdl := limitedLegacyHR(t)
	r, out, err := generate(t, wsdl, "limited")
	if err != nil {
		t.Fatalf("%v\n%s", err, r)
	}
	src := read(t, filepath.Join(out, "limited.go"))
	for _, want := range []string{
		"Login *LoginName `xml:\"Login,omitempty\" json:\"Login,omitempty\" xsd:\"maxLength=20\"`",
		"GivenName string `xml:\"GivenName,omitempty\" json:\"GivenName,omitempty\" xsd:\"maxLength=5\"`",
		"Name string `xml:\"Name,omitempty\" json:\"Name,omitempty\" xsd:\"maxLength=12\"`",
	} {
		if !strings.Contains(src, want) {
			t.Errorf("generated source lacks %s\n%s", want, grepLines(src, "Login"))
		}
	}
	if got := r.ChangesOf(KindFacet); len(got) != 1 {
		t.Errorf("facet changes: %q", got)
	}
	if strings.Contains(src, `FamilyName string `+"`"+`xml:"FamilyName,omitempty" json:"FamilyName,omitempty" xsd:`) {
		t.Error("a field without a facet got a maxLength")
	}

	m, err := Load(Options{WSDL: wsdl})
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, op := range m.Operations {
		if op.Name != "CreateEmployee" && op.Name != "CreateRole" {
			continue
		}
		collect(op.Request, notes, map[reflect.Type]bool{})
	}
	for field, want := range map[string]string{"Login": "maxLength=20", "GivenName": "optional,maxLength=5", "Name": "maxLength=12", "FamilyName": "optional"} {
		if notes[field] != want {
			t.Errorf("runtime %s: xsd tag %q, want %q", field, notes[field], want)
		}
	}
}

// collect reads the xsd tags of every field under t, by field name.
func collect(t reflect.Type, into map[string]string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		into[f.Name] = f.Tag.Get(TagXSD)
		collect(f.Type, into, seen)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
