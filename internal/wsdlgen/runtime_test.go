package wsdlgen

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wso2userstore"
)

// TestRuntimeTypesEqualGenerated: the runtime model of each shipped WSDL has the generated
// client's operations, in order, with the same SOAPAction, and request and response types equal
// field by field (Go name, XML name with namespace, type), nested types included.
func TestRuntimeTypesEqualGenerated(t *testing.T) {
	for _, tc := range []struct {
		wsdl string
		reg  *soapreg.Client
	}{
		{"../../wsdl/legacyhr.wsdl", &legacyhr.Registry},
		{"../../wsdl/corpus/wso2-remote-userstore/RemoteUserStoreManagerService.wsdl", &wso2userstore.Registry},
	} {
		t.Run(tc.reg.Package, func(t *testing.T) {
			m, err := Load(Options{WSDL: tc.wsdl})
			if err != nil {
				t.Fatal(err)
			}
			if m.Binding != tc.reg.Binding {
				t.Errorf("binding %s, generated from %s", m.Binding, tc.reg.Binding)
			}
			if len(m.Operations) != len(tc.reg.Operations) {
				t.Fatalf("%d operations, generated %d", len(m.Operations), len(tc.reg.Operations))
			}
			for i, gen := range tc.reg.Operations {
				rt := m.Operations[i]
				if rt.Name != gen.Name || rt.SOAPAction != gen.SOAPAction {
					t.Errorf("operation %d: %s %q, generated %s %q", i, rt.Name, rt.SOAPAction, gen.Name, gen.SOAPAction)
				}
				for _, pair := range [][2]reflect.Type{{rt.Request, gen.Request}, {rt.Response, gen.Response}} {
					if a, b := xmlNameTag(pair[0]), xmlNameTag(pair[1]); a != b {
						t.Errorf("%s: element %q, generated %q", gen.Name, a, b)
					}
					got, want := Shape(pair[0]), Shape(pair[1])
					if !slices.Equal(got, want) {
						t.Errorf("%s: runtime type\n%s\ngenerated\n%s", gen.Name, strings.Join(got, "\n"), strings.Join(want, "\n"))
					}
				}
			}
		})
	}
}

func xmlNameTag(t reflect.Type) string {
	if f, ok := t.FieldByName("XMLName"); ok {
		return f.Tag.Get("xml")
	}
	return ""
}
