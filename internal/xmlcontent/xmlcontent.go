package xmlcontent

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Content is content a WSDL leaves open (xs:any, mixed content, xs:anyAttribute, an element
// without a type), kept as XML instead of being dropped: the runtime WSDL client (docs/wsdl.md)
// gives such elements this type, and the mapping reads them with XPath.
//
// XML is one element, the one carrying the open content, with its attributes and everything
// inside it, as a standalone fragment: every namespace it uses is declared on it, so it parses
// on its own (the XPath context node is this element). A response element decodes into it
// whatever the WSDL said about its content.
//
// In a request, XML is either that element itself (its root has the field's element name) or the
// content to put inside the field's element. It must be well-formed; it is re-encoded token by
// token, so markup in it cannot break out of the element. Build it with Escape (or the
// mapping's XML functions) from untrusted values.
type Content struct {
	XML string
}

// MaxDepth bounds the nesting the encoder (and the mapping's XML builders) accept in request content.
const MaxDepth = 256

// xmlNS is the namespace of the reserved prefix xml (xml:lang, xml:space).
const xmlNS = "http://www.w3.org/XML/1998/namespace"

// UnmarshalXML keeps the element as XML (see the type's doc).
func (x *Content) UnmarshalXML(d *xml.Decoder, start xml.StartElement) error {
	var b strings.Builder
	if err := writeElement(&b, d, start); err != nil {
		return err
	}
	x.XML = b.String()
	return nil
}

// writeElement serialises start and the rest of its element from d, with namespaces resolved by
// the decoder: an element declares its namespace as the default one when it differs from its
// parent's; a namespaced attribute gets a prefix declared on its element.
func writeElement(b *strings.Builder, d *xml.Decoder, start xml.StartElement) error {
	// stack holds the default namespace in effect at each open element ("" at the top, so the
	// root always declares its own).
	stack := []string{"\x00"}
	open := func(t xml.StartElement) {
		parent := stack[len(stack)-1]
		b.WriteByte('<')
		b.WriteString(t.Name.Local)
		if t.Name.Space != parent {
			b.WriteString(` xmlns="`)
			escapeAttr(b, t.Name.Space)
			b.WriteByte('"')
		}
		n := 0
		for _, a := range t.Attr {
			if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
				continue // declarations are rewritten as needed
			}
			b.WriteByte(' ')
			switch a.Name.Space {
			case "":
			case xmlNS, "xml":
				b.WriteString("xml:")
			default:
				n++
				p := "a" + strconv.Itoa(n)
				b.WriteString("xmlns:" + p + `="`)
				escapeAttr(b, a.Name.Space)
				b.WriteString(`" ` + p + ":")
			}
			b.WriteString(a.Name.Local)
			b.WriteString(`="`)
			escapeAttr(b, a.Value)
			b.WriteByte('"')
		}
		b.WriteByte('>')
		stack = append(stack, t.Name.Space)
	}
	open(start)
	for len(stack) > 1 {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			open(t)
		case xml.EndElement:
			b.WriteString("</" + t.Name.Local + ">")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			var buf bytes.Buffer
			_ = xml.EscapeText(&buf, t)
			b.Write(buf.Bytes())
		case xml.Comment:
			if !bytes.Contains(t, []byte("--")) {
				b.WriteString("<!--" + string(t) + "-->")
			}
		}
	}
	return nil
}

func escapeAttr(b *strings.Builder, s string) {
	var buf bytes.Buffer
	_ = xml.EscapeText(&buf, []byte(s))
	b.Write(buf.Bytes())
}

// Escape escapes s for use as text or as an attribute value inside Content.
func Escape(s string) string {
	var b strings.Builder
	escapeAttr(&b, s)
	return b.String()
}

// MarshalXML writes the content into a request (see the type's doc). Empty content writes
// nothing, like an unset field.
func (x Content) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if strings.TrimSpace(x.XML) == "" {
		return nil
	}
	toks, err := Tokens(x.XML)
	if err != nil {
		return fmt.Errorf("XML content for <%s>: %w", start.Name.Local, err)
	}
	// The content is the element itself when it is a single element of the field's name.
	whole := false
	if len(toks) > 0 {
		if s, ok := toks[0].(xml.StartElement); ok && s.Name.Local == start.Name.Local {
			whole = true
			depth := 0
			for i, t := range toks {
				switch t.(type) {
				case xml.StartElement:
					depth++
				case xml.EndElement:
					depth--
					if depth == 0 && i != len(toks)-1 {
						whole = false
					}
				}
			}
		}
	}
	if !whole && start.Name.Local != "" {
		if err := e.EncodeToken(start); err != nil {
			return err
		}
	}
	for _, t := range toks {
		if err := e.EncodeToken(t); err != nil {
			return err
		}
	}
	if !whole && start.Name.Local != "" {
		return e.EncodeToken(start.End())
	}
	return nil
}

// Tokens parses s as a well-formed XML fragment (elements, text and comments; no
// DOCTYPE, no processing instructions), with namespace declarations dropped from the attributes:
// the encoder declares what each name needs.
func Tokens(s string) ([]xml.Token, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	d.Strict = true
	var out []xml.Token
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				return nil, fmt.Errorf("nested deeper than %d elements", MaxDepth)
			}
			var attrs []xml.Attr
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				attrs = append(attrs, a)
			}
			t.Attr = attrs
			out = append(out, t)
		case xml.EndElement:
			depth--
			out = append(out, t)
		case xml.CharData:
			out = append(out, t.Copy())
		case xml.Comment:
			// dropped: nothing a service needs, and "--" would break the encoder
		case xml.ProcInst:
			if t.Target != "xml" {
				return nil, errors.New("processing instructions are not allowed")
			}
		case xml.Directive:
			return nil, errors.New("DOCTYPE and other directives are not allowed")
		}
	}
	return out, nil
}

// CheckPrefixes reports the first namespace prefix s uses on an element or attribute without
// declaring it (xml and xmlns are predeclared). encoding/xml's strict decoder accepts such
// content, but a namespace-aware reader (the XPath functions' parser) refuses it, so content
// that will be read back as XML must pass this too.
func CheckPrefixes(s string) error {
	d := xml.NewDecoder(strings.NewReader(s))
	var scopes []map[string]bool
	declared := func(p string) bool {
		if p == "" || p == "xml" || p == "xmlns" {
			return true
		}
		for i := len(scopes) - 1; i >= 0; i-- {
			if scopes[i][p] {
				return true
			}
		}
		return false
	}
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("not well-formed: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			scope := map[string]bool{}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" {
					scope[a.Name.Local] = true
				}
			}
			scopes = append(scopes, scope)
			if !declared(t.Name.Space) {
				return fmt.Errorf("element %s:%s uses the undeclared namespace prefix %q", t.Name.Space, t.Name.Local, t.Name.Space)
			}
			for _, a := range t.Attr {
				if !declared(a.Name.Space) {
					return fmt.Errorf("attribute %s:%s uses the undeclared namespace prefix %q", a.Name.Space, a.Name.Local, a.Name.Space)
				}
			}
		case xml.EndElement:
			if len(scopes) > 0 {
				scopes = scopes[:len(scopes)-1]
			}
		}
	}
}
