package wsdlrt

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// FuzzRuntimeDecode feeds outside XML (what an application answers) to the runtime types of
// the ASMX-shaped WSDL, whose results are open content, and of LegacyHR's (both editions; seed
// 38 is the rpc edition's ListEmployees): decoding never panics, and every piece of content kept
// as XML is itself well-formed XML that encodes back into a request without error.
func FuzzRuntimeDecode(f *testing.F) {
	var types []reflect.Type
	for _, w := range []string{"../../wsdl/asmx-directory.wsdl", "../../wsdl/legacyhr.wsdl", "../../wsdl/legacyhr-rpc.wsdl"} {
		m, err := wsdlgen.Load(wsdlgen.Options{WSDL: w})
		if err != nil {
			f.Fatal(err)
		}
		for _, op := range m.Operations {
			types = append(types, op.Response)
		}
	}
	f.Add(0, []byte(`<GetUserInfoResponse xmlns="http://scimbridge.example/asmx/directory/"><GetUserInfoResult><GetUserInfo><User LoginName="a&amp;b" Email="x"/></GetUserInfo></GetUserInfoResult></GetUserInfoResponse>`))
	f.Add(0, []byte(`<GetUserCollectionFromSiteResponse xmlns="http://scimbridge.example/asmx/directory/"><GetUserCollectionFromSiteResult>text <x:Users xmlns:x="urn:x" xml:lang="en" x:a="1"><!-- c --><User/></x:Users> more</GetUserCollectionFromSiteResult></GetUserCollectionFromSiteResponse>`))
	f.Add(3, []byte(`<GetEmployeeResponse xmlns="urn:legacyhr:directory:1"><Employee><EmployeeID>1</EmployeeID><Enabled>true</Enabled></Employee></GetEmployeeResponse>`))
	f.Add(38, []byte(`<hr:ListEmployeesResponse xmlns:hr="urn:legacyhr:directory:1"><Employees><Employee><EmployeeID>1</EmployeeID></Employee><Employee/></Employees><TotalCount>2</TotalCount></hr:ListEmployeesResponse>`))
	f.Fuzz(func(t *testing.T, which int, data []byte) {
		if which < 0 {
			which = -which
		}
		typ := types[which%len(types)]
		v := reflect.New(typ)
		if err := xml.Unmarshal(data, v.Interface()); err != nil {
			return
		}
		walkXML(t, v.Elem(), 0)
	})
}

// walkXML checks every XMLContent in v.
func walkXML(t *testing.T, v reflect.Value, depth int) {
	if depth > 32 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			walkXML(t, v.Elem(), depth+1)
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return
		}
		for i := 0; i < v.Len(); i++ {
			walkXML(t, v.Index(i), depth+1)
		}
	case reflect.Struct:
		if c, ok := v.Interface().(xmlcontent.Content); ok {
			if c.XML != "" {
				wellFormed(t, c.XML)
				var b bytes.Buffer
				if err := xml.NewEncoder(&b).Encode(struct {
					XMLName xml.Name `xml:"Req"`
					C       xmlcontent.Content
				}{C: c}); err != nil {
					t.Fatalf("kept XML %q does not encode back: %v", c.XML, err)
				}
				wellFormed(t, b.String())
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkXML(t, v.Field(i), depth+1)
			}
		}
	}
}

func wellFormed(t *testing.T, s string) {
	d := xml.NewDecoder(strings.NewReader(s))
	roots := 0
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, s)
		}
		switch tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
			}
			depth++
		case xml.EndElement:
			depth--
		}
	}
	if roots != 1 {
		t.Fatalf("%d root elements in %s", roots, s)
	}
}
