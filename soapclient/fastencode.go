package soapclient

import (
	"reflect"
	"strconv"
	"unicode/utf8"

	"github.com/hooklift/gowsdl/soap"
)

// The fast request encoder: the other half of fastdecode.go. gowsdl writes every request with
// encoding/xml's reflection-driven printer, then builds the HTTP request from a URL it parses
// again on every call. For a document/literal request of plain elements, with no SOAP header or
// only the WS-Security one, appendEnvelope writes the very bytes gowsdl's encoder would write
// (TestFastEncodeMatchesGowsdl and FuzzFastEncode compare them), and Client.call sends them itself
// (see exchange in client.go). Any type it is not sure of — attributes, character data fields,
// Marshalers other than gowsdl's XSD dates at their zero value, another header — leaves the call
// to gowsdl as before.

// appendEnvelope appends the envelope gowsdl's encoder writes for req with the given headers
// (nil, or one *wsseSecurity); ok is false when gowsdl must write it instead.
func appendEnvelope(b []byte, req any, wsse *wsseSecurity) ([]byte, bool) {
	rv := reflect.ValueOf(req)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return b, false
	}
	p := encPlanFor(rv.Type().Elem())
	if p == nil {
		return b, false
	}
	b = append(b, `<soap:Envelope xmlns:soap="`+soap.XmlNsSoapEnv+`">`...)
	if wsse != nil {
		b = appendWSSE(append(b, "<soap:Header>"...), wsse)
		b = append(b, "</soap:Header>"...)
	}
	b = append(b, "<soap:Body>"...)
	b = appendStart(b, p.nameLocal, p.nameSpace)
	b, ok := appendFields(b, p, rv.Elem())
	if !ok {
		return b, false
	}
	b = append(append(append(b, "</"...), p.nameLocal...), '>')
	return append(b, "</soap:Body></soap:Envelope>"...), true
}

// appendStart writes a start tag as encoding/xml's printer does: the local name, and the
// namespace, when there is one, as a default namespace declaration.
func appendStart(b []byte, local, space string) []byte {
	b = append(append(b, '<'), local...)
	if space != "" {
		b = appendEscaped(append(b, ` xmlns="`...), space)
		b = append(b, '"')
	}
	return append(b, '>')
}

func appendFields(b []byte, p *plan, v reflect.Value) ([]byte, bool) {
	for i := range p.fields {
		f := &p.fields[i]
		var ok bool
		if b, ok = appendValue(b, f, f.p, v.Field(f.index)); !ok {
			return b, false
		}
	}
	return b, true
}

// appendValue is encoding/xml's marshalValue for the plans this file makes: omitempty is tested
// on every value, slice elements included; nil pointers write nothing; a slice writes one element
// per item.
func appendValue(b []byte, f *fieldPlan, p *plan, v reflect.Value) ([]byte, bool) {
	if f.omitempty && isEmptyValue(v) {
		return b, true
	}
	return appendDrilled(b, f, p, v)
}

// appendDrilled is the rest of marshalValue, after its omitempty test: a pointer is followed
// without testing again (a pointer to false is written), a slice's items are tested each.
func appendDrilled(b []byte, f *fieldPlan, p *plan, v reflect.Value) ([]byte, bool) {
	switch p.kind {
	case pPtr:
		if v.IsNil() {
			return b, true
		}
		return appendDrilled(b, f, p.elem, v.Elem())
	case pSlice:
		for i := range v.Len() {
			var ok bool
			if b, ok = appendValue(b, f, p.elem, v.Index(i)); !ok {
				return b, false
			}
		}
		return b, true
	case pDateTime, pDate:
		// gowsdl's MarshalXML writes nothing for a zero time; any other value is gowsdl's to write.
		return b, v.IsZero()
	}
	b = appendStart(b, f.local, f.space)
	switch p.kind {
	case pStruct:
		var ok bool
		if b, ok = appendFields(b, p, v); !ok {
			return b, false
		}
	case pString:
		b = appendEscaped(b, v.String())
	case pInt:
		b = strconv.AppendInt(b, v.Int(), 10)
	case pUint:
		b = strconv.AppendUint(b, v.Uint(), 10)
	case pFloat:
		b = strconv.AppendFloat(b, v.Float(), 'g', -1, v.Type().Bits())
	case pBool:
		b = strconv.AppendBool(b, v.Bool())
	default:
		return b, false
	}
	return append(append(append(b, "</"...), f.local...), '>'), true
}

// isEmptyValue is encoding/xml's, for omitempty.
func isEmptyValue(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64,
		reflect.Interface, reflect.Pointer:
		return v.IsZero()
	}
	return false
}

// appendWSSE writes the Security header as encoding/xml writes a *wsseSecurity (wsse.go's tags).
func appendWSSE(b []byte, h *wsseSecurity) []byte {
	b = appendEscaped(append(b, `<wsse:Security xmlns:wsse="`...), h.NSWSSE)
	if h.NSWSU != "" {
		b = appendEscaped(append(b, `" xmlns:wsu="`...), h.NSWSU)
	}
	b = appendEscaped(append(b, `" soap:mustUnderstand="`...), h.MustUnderstand)
	b = appendEscaped(append(b, `"><wsse:UsernameToken><wsse:Username>`...), h.Token.Username)
	b = appendEscaped(append(b, `</wsse:Username><wsse:Password Type="`...), h.Token.Password.Type)
	b = appendEscaped(append(b, `">`...), h.Token.Password.Value)
	b = append(b, `</wsse:Password>`...)
	if n := h.Token.Nonce; n != nil {
		b = appendEscaped(append(b, `<wsse:Nonce EncodingType="`...), n.EncodingType)
		b = appendEscaped(append(b, `">`...), n.Value)
		b = append(b, `</wsse:Nonce>`...)
	}
	if h.Token.Created != "" {
		b = appendEscaped(append(b, `<wsu:Created>`...), h.Token.Created)
		b = append(b, `</wsu:Created>`...)
	}
	return append(b, `</wsse:UsernameToken></wsse:Security>`...)
}

// appendEscaped is encoding/xml's EscapeString (and EscapeText): the same references for the
// same characters, U+FFFD for what XML cannot hold.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf && c >= 0x20 && c != '"' && c != '\'' && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		i += width
		var esc string
		switch r {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			if !isInCharacterRange(r) || (r == utf8.RuneError && width == 1) {
				esc = "\uFFFD"
				break
			}
			continue
		}
		b = append(append(b, s[last:i-width]...), esc...)
		last = i
	}
	return append(b, s[last:]...)
}
