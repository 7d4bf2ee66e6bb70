package wsdlgen

import (
	"reflect"
	"strings"
)

// NSSOAPEnc is the SOAP 1.1 encoding namespace (soapenc:Array, soapenc:arrayType).
const NSSOAPEnc = "http://schemas.xmlsoap.org/soap/encoding/"

// ArrayItemField is the name of the one field of a soapenc:Array type: every child element of the
// array is an item, whatever its name (Axis writes <item>, others the element's type name).
const ArrayItemField = "Item"

// soapencArray recognises an rpc/encoded array type, which gowsdl's model cannot express:
//
//	<complexType name="ArrayOf_xsd_string"><complexContent>
//	  <restriction base="soapenc:Array"><attribute ref="soapenc:arrayType" wsdl:arrayType="xsd:string[]"/>
//	</restriction></complexContent></complexType>
//
// and builds struct{ Item []T `xml:",any"` } for it, T being the item type. ok is false for any
// other type.
func (b *typeBuilder) soapencArray(name string) (reflect.Type, bool) {
	def := b.defs[name]
	if def == nil {
		def = b.defs[goName(name)]
	}
	if def == nil || !def.is(nsXSD, "complexType") {
		return nil, false
	}
	for _, cc := range def.children(nsXSD, "complexContent") {
		for _, r := range cc.children(nsXSD, "restriction") {
			ns, local, ok := r.resolveQName(r.attrOr("base", ""))
			if !ok || ns != NSSOAPEnc || local != "Array" {
				continue
			}
			item := ""
			r.walk(func(n *node) bool {
				for _, a := range n.attrs {
					if a.Name.Local == "arrayType" && a.Name.Space != "" && a.Name.Space != "xmlns" {
						item = a.Value
					}
				}
				return item == ""
			})
			var it reflect.Type
			if item == "" {
				it = XMLContentType // an array of anything: each item kept as XML
			} else {
				base := item
				if i := strings.IndexByte(base, '['); i >= 0 {
					base = base[:i]
				}
				it = b.goType(base, false)
			}
			return reflect.StructOf([]reflect.StructField{{
				Name: ArrayItemField, Type: reflect.SliceOf(it),
				Tag: `xml:",any" json:"item,omitempty"`,
			}}), true
		}
	}
	return nil, false
}
