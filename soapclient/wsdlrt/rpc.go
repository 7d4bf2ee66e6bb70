package wsdlrt

import (
	"context"
	"encoding"
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/internal/wsdlgen"
)

// rpc style (WSDL 1.1 §3.5, SOAP 1.1 §7): the Body's child is a wrapper element named after the
// operation, in the namespace of the binding's soap:body, with one unqualified child per message
// part. With use="encoded" (SOAP 1.1 §5) every value carries its xsi:type and arrays are
// soapenc:Array with soapenc:arrayType. Replies are read by the same decoder as document/literal:
// the wrapper <opResponse> is the response type's element, and multi-ref values (href/id) are
// resolved by the transport before decoding (soapclient/multiref.go).

func init() {
	RegisterStyle("rpc/literal", rpcStyle(false))
	RegisterStyle("rpc/encoded", rpcStyle(true))
}

const (
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
	nsXSD     = "http://www.w3.org/2001/XMLSchema"
	nsSOAPEnc = wsdlgen.NSSOAPEnc
)

func rpcStyle(encoded bool) Style {
	return func(op wsdlgen.ModelOperation) (Call, error) {
		if op.Namespace == "" && op.Request != voidType {
			// WSDL 1.1 requires the namespace attribute on an rpc soap:body; without it the
			// wrapper would be unqualified, which servers refuse.
			return nil, fmt.Errorf("rpc operation %s: its soap:body has no namespace attribute (WSDL 1.1 §3.5 requires one)", op.Name)
		}
		return func(ctx context.Context, c *soap.Client, req any) (any, error) {
			resp := reflect.New(op.Response).Interface()
			body := &rpcBody{op: op, req: req, encoded: encoded}
			if err := c.CallContext(ctx, op.SOAPAction, body, &rpcResponse{v: resp}); err != nil {
				return nil, err
			}
			return resp, nil
		}, nil
	}
}

// rpcResponse decodes the reply's wrapper element whatever its namespace: servers answer in the
// input's namespace, in the output soap:body's (JIRA's WSDL names two different ones), or in none.
type rpcResponse struct{ v any }

func (r *rpcResponse) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	if f, ok := reflect.TypeOf(r.v).Elem().FieldByName("XMLName"); ok {
		space, local, found := strings.Cut(f.Tag.Get("xml"), " ")
		if !found {
			space, local = "", space
		}
		start.Name = xml.Name{Space: space, Local: local}
	}
	return d.DecodeElement(r.v, &start)
}

// rpcBody writes the wrapper element and its parts.
type rpcBody struct {
	op      wsdlgen.ModelOperation
	req     any
	encoded bool
}

// MarshalXML writes <ns1:op xmlns:ns1="…"> with prefixed name, so that the parts inside are
// unqualified as rpc requires (a default namespace declaration would pull them into the
// operation's namespace). encoding/xml writes names and attributes given with a prefix as they
// are.
func (b *rpcBody) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	start := xml.StartElement{Name: xml.Name{Local: "rpc:" + b.op.Name}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:rpc"}, Value: b.op.Namespace}}}
	if b.encoded {
		start.Attr = append(start.Attr,
			xml.Attr{Name: xml.Name{Local: "xmlns:xsi"}, Value: nsXSI},
			xml.Attr{Name: xml.Name{Local: "xmlns:xsd"}, Value: nsXSD},
			xml.Attr{Name: xml.Name{Local: "xmlns:soapenc"}, Value: nsSOAPEnc},
			xml.Attr{Name: xml.Name{Local: "soap:encodingStyle"}, Value: nsSOAPEnc})
	}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	v := reflect.ValueOf(b.req)
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() == reflect.Struct && b.op.Request != voidType {
		for i, part := range b.op.InParts {
			f, ok := partField(v, part.Name, i)
			if !ok {
				return fmt.Errorf("rpc %s: part %s has no field in the request", b.op.Name, part.Name)
			}
			if err := b.part(e, part.Name, f); err != nil {
				return err
			}
		}
	}
	return e.EncodeToken(start.End())
}

// partField finds the request field of part name (its xml tag), or the i-th field after XMLName.
func partField(v reflect.Value, name string, i int) (reflect.Value, bool) {
	t := v.Type()
	for j := 0; j < t.NumField(); j++ {
		tag, _, _ := strings.Cut(t.Field(j).Tag.Get("xml"), ",")
		if tag == name {
			return v.Field(j), true
		}
	}
	return reflect.Value{}, false
}

func (b *rpcBody) part(e *xml.Encoder, name string, v reflect.Value) error {
	if !b.encoded {
		if v.Kind() == reflect.Pointer && v.IsNil() {
			return nil
		}
		return e.EncodeElement(v.Interface(), xml.StartElement{Name: xml.Name{Local: name}})
	}
	enc := &encoder{e: e, names: b.op.TypeNames}
	return enc.value(name, v, true, 0)
}

// encoder writes encoded (SOAP 1.1 §5) values. names are the XSD names of struct types (see
// wsdlgen.ModelOperation.TypeNames); n numbers the namespace prefixes it declares.
type encoder struct {
	e     *xml.Encoder
	names map[reflect.Type]xml.Name
	n     int
}

// typeRef returns "nsN:Local" for t's XSD name and the declaration of nsN, which goes on the
// same element (as Axis does), so the reference never depends on an outer declaration.
func (c *encoder) typeRef(t reflect.Type) (string, xml.Attr, bool) {
	qn, ok := c.names[t]
	if !ok || qn.Space == "" {
		return "", xml.Attr{}, false
	}
	c.n++
	prefix := "ns" + strconv.Itoa(c.n)
	return prefix + ":" + qn.Local, xml.Attr{Name: xml.Name{Local: "xmlns:" + prefix}, Value: qn.Space}, true
}

// value writes v as an encoded element: simple values with their xsi:type, structs with their
// XSD type as xsi:type and their fields in order, soapenc:Array types (struct{ Item []T }) as
// arrays with soapenc:arrayType. A nil top-level part is sent as xsi:nil (rpc parameters are
// positional for many servers); nil fields inside a struct are left out. A struct whose XSD type
// is unknown (see TypeNames) goes without xsi:type rather than with a wrong one.
func (c *encoder) value(name string, v reflect.Value, top bool, depth int) error {
	e := c.e
	if depth > 32 {
		return fmt.Errorf("rpc/encoded: value nested more than 32 levels deep at <%s>", name)
	}
	start := xml.StartElement{Name: xml.Name{Local: name}}
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			if !top {
				return nil
			}
			start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xsi:nil"}, Value: "true"})
			if err := e.EncodeToken(start); err != nil {
				return err
			}
			return e.EncodeToken(start.End())
		}
		v = v.Elem()
	}
	if text, xsdType, ok := simpleText(v); ok {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: xsdType})
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		if err := e.EncodeToken(xml.CharData(text)); err != nil {
			return err
		}
		return e.EncodeToken(start.End())
	}
	switch v.Kind() {
	case reflect.Struct:
		if items, ok := arrayItems(v); ok {
			return c.array(start, items, depth)
		}
		if ref, decl, ok := c.typeRef(v.Type()); ok {
			start.Attr = append(start.Attr, decl, xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: ref})
		}
		if err := e.EncodeToken(start); err != nil {
			return err
		}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("xml")
			if f.Name == "XMLName" || tag == "-" || !f.IsExported() {
				continue
			}
			n, opts, _ := strings.Cut(tag, ",")
			if strings.Contains(opts, "attr") || strings.Contains(opts, "any") || strings.Contains(opts, "chardata") || strings.Contains(opts, "innerxml") {
				continue
			}
			if i := strings.LastIndexByte(n, ' '); i >= 0 {
				n = n[i+1:] // encoded accessors are unqualified
			}
			if n == "" {
				n = f.Name
			}
			if err := c.value(n, v.Field(i), false, depth+1); err != nil {
				return err
			}
		}
		return e.EncodeToken(start.End())
	case reflect.Slice:
		return c.array(start, v, depth)
	}
	return fmt.Errorf("rpc/encoded: cannot encode a %s at <%s>", v.Type(), name)
}

// arrayItems returns the Item slice of a soapenc:Array type (see wsdlgen.ArrayItemField).
func arrayItems(v reflect.Value) (reflect.Value, bool) {
	t := v.Type()
	if t.NumField() != 1 || t.Field(0).Name != wsdlgen.ArrayItemField || t.Field(0).Type.Kind() != reflect.Slice {
		return reflect.Value{}, false
	}
	return v.Field(0), true
}

func (c *encoder) array(start xml.StartElement, items reflect.Value, depth int) error {
	e := c.e
	itemType := "xsd:anyType"
	et := items.Type().Elem()
	for et.Kind() == reflect.Pointer {
		et = et.Elem()
	}
	if _, xt, ok := simpleText(reflect.Zero(et)); ok {
		itemType = xt
	} else if ref, decl, ok := c.typeRef(et); ok {
		itemType = ref
		start.Attr = append(start.Attr, decl)
	}
	start.Attr = append(start.Attr,
		xml.Attr{Name: xml.Name{Local: "xsi:type"}, Value: "soapenc:Array"},
		xml.Attr{Name: xml.Name{Local: "soapenc:arrayType"}, Value: itemType + "[" + strconv.Itoa(items.Len()) + "]"})
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	for i := 0; i < items.Len(); i++ {
		if err := c.value("item", items.Index(i), true, depth+1); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// simpleText renders a simple value and names its XSD type.
func simpleText(v reflect.Value) (string, string, bool) {
	if v.CanInterface() {
		if m, ok := v.Interface().(encoding.TextMarshaler); ok && v.Kind() == reflect.Struct {
			b, err := m.MarshalText()
			if err != nil {
				return "", "", false
			}
			xt := "xsd:string"
			switch n := strings.ToLower(v.Type().Name()); {
			case strings.Contains(n, "datetime"):
				xt = "xsd:dateTime"
			case strings.Contains(n, "date"):
				xt = "xsd:date"
			case strings.Contains(n, "time"):
				xt = "xsd:time"
			}
			return string(b), xt, true
		}
	}
	switch v.Kind() {
	case reflect.String:
		return v.String(), "xsd:string", true
	case reflect.Bool:
		return strconv.FormatBool(v.Bool()), "xsd:boolean", true
	case reflect.Int8:
		return strconv.FormatInt(v.Int(), 10), "xsd:byte", true
	case reflect.Int16:
		return strconv.FormatInt(v.Int(), 10), "xsd:short", true
	case reflect.Int32:
		return strconv.FormatInt(v.Int(), 10), "xsd:int", true
	case reflect.Int, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10), "xsd:long", true
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint, reflect.Uint64:
		return strconv.FormatUint(v.Uint(), 10), "xsd:unsignedLong", true
	case reflect.Float32:
		return strconv.FormatFloat(v.Float(), 'g', -1, 32), "xsd:float", true
	case reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64), "xsd:double", true
	}
	return "", "", false
}
