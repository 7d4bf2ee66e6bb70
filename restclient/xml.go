package restclient

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// XML bodies (docs/mapping.md, "XML bodies"). A body is encoded with encoding/xml as the
// operation's root element; a reply is read with encoding/xml, which never expands entities: a
// DOCTYPE is refused outright, and an entity reference other than the five predefined ones is a
// syntax error (Strict mode, no Entity map). The reply is already capped by MaxResponseBytes;
// nesting is capped here.

// maxXMLDepth bounds the element nesting of an XML reply.
const maxXMLDepth = xmlcontent.MaxDepth

// encodeXML renders an XML request body: the root element with the body's attributes and
// children, or its text for a scalar body; a nil body is an empty root element.
func encodeXML(f *XMLForm, body reflect.Value) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	start := xml.StartElement{Name: xml.Name{Local: f.Body}}
	if f.Namespace != "" {
		start.Attr = []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: f.Namespace}}
	}
	enc := xml.NewEncoder(&b)
	if body.IsNil() {
		if err := enc.EncodeToken(start); err != nil {
			return nil, err
		}
		if err := enc.EncodeToken(start.End()); err != nil {
			return nil, err
		}
	} else if err := enc.EncodeElement(body.Interface(), start); err != nil {
		return nil, err
	}
	if err := enc.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// decodeXML reads an XML reply into dst (a pointer): the root element must be f.Response when
// the operation names one. Elements that are empty and carry no attribute count as absent, so
// that <last_login_on/> leaves a time nil instead of failing, as null does in JSON.
func decodeXML(f *XMLForm, body []byte, dst any) error {
	raw := newXMLDecoder(body)
	d := xml.NewTokenDecoder(&emptyDropper{d: raw})
	for {
		tok, err := d.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errors.New("not XML: no root element")
			}
			return fmt.Errorf("not XML: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if f.Response != "" && t.Name.Local != f.Response {
				return fmt.Errorf("the root element is <%s>, not <%s>", t.Name.Local, f.Response)
			}
			if err := d.DecodeElement(dst, &t); err != nil {
				if se := (*xml.SyntaxError)(nil); errors.As(err, &se) {
					return fmt.Errorf("not XML: %w", err)
				}
				return fmt.Errorf("not the expected XML: %w", err)
			}
			// Only space, comments and processing instructions may follow the root.
			for {
				tok, err := d.Token()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					return fmt.Errorf("not XML: %w", err)
				}
				if cd, ok := tok.(xml.CharData); (ok && len(bytes.TrimSpace(cd)) > 0) || isElement(tok) {
					return errors.New("not XML: content after the root element")
				}
			}
		case xml.CharData:
			if len(bytes.TrimSpace(t)) > 0 {
				return errors.New("not XML: text before the root element")
			}
		}
	}
}

func isElement(tok xml.Token) bool {
	_, ok := tok.(xml.StartElement)
	return ok
}

// newXMLDecoder is the one way this package reads server XML: strict, no entity map (so no
// entity but the predefined five), no character set conversion (UTF-8 only).
func newXMLDecoder(body []byte) *xml.Decoder {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	return d
}

// emptyDropper passes tokens through, refusing a DOCTYPE and deep nesting, and leaves out
// elements below the root that have neither attributes nor content.
type emptyDropper struct {
	d       *xml.Decoder
	depth   int
	pending []xml.Token
}

func (e *emptyDropper) Token() (xml.Token, error) {
	if len(e.pending) > 0 {
		t := e.pending[0]
		e.pending = e.pending[1:]
		return t, nil
	}
	for {
		tok, err := e.next()
		if err != nil {
			return nil, err
		}
		s, ok := tok.(xml.StartElement)
		if !ok || e.depth == 1 || len(s.Attr) > 0 {
			return tok, nil
		}
		// Look ahead: space only, then the end tag, is an empty element.
		var held []xml.Token
		for {
			t, err := e.next()
			if err != nil {
				return nil, err
			}
			switch x := t.(type) {
			case xml.CharData:
				if len(bytes.TrimSpace(x)) == 0 {
					held = append(held, t)
					continue
				}
			case xml.Comment, xml.ProcInst:
				continue // nothing a member reads
			}
			if _, ok := t.(xml.EndElement); ok {
				held = nil
				break // dropped; go on with the token after it
			}
			e.pending = append(held, t)
			return s, nil
		}
	}
}

func (e *emptyDropper) next() (xml.Token, error) {
	tok, err := e.d.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case xml.Directive:
		return nil, fmt.Errorf("a DOCTYPE or other directive (<!%s>), which is not read", oneLine(string(t[:min(len(t), 40)]), 40))
	case xml.StartElement:
		e.depth++
		if e.depth > maxXMLDepth {
			return nil, fmt.Errorf("elements nest more than %d deep", maxXMLDepth)
		}
		return t.Copy(), nil
	case xml.EndElement:
		e.depth--
	}
	return xml.CopyToken(tok), nil
}

// Places XML error bodies commonly keep their message and code, tried after the definition's
// (rest.errors.xml): Rails and Redmine answer <errors><error>…</error></errors>.
var (
	defaultXMLMessagePaths = []string{"/errors/error", "//message", "//error_description", "//detail", "//title", "//error", "//faultstring"}
	defaultXMLCodePaths    = []string{"//code", "//error_code", "//errorCode", "/*/@code"}
)

// maxXMLErrorBody bounds the part of an error body that is parsed as XML.
const maxXMLErrorBody = 64 << 10

// xmlErrorText reads the message and code of an XML error body by XPath; ok is false when the
// body is not XML or no path matches (the caller falls back to the text without markup).
func xmlErrorText(body []byte, msgPaths, codePaths []string) (code, msg string, ok bool) {
	if len(body) > maxXMLErrorBody {
		return "", "", false
	}
	// Well-formed under the strict reader first: xmlquery is then only asked to read what
	// encoding/xml already accepted (no entities, no DOCTYPE).
	if err := decodeXML(&XMLForm{}, body, new(xmlcontent.Content)); err != nil {
		return "", "", false
	}
	doc, err := xmlquery.Parse(bytes.NewReader(body))
	if err != nil {
		return "", "", false
	}
	first := func(paths []string) string {
		for _, p := range paths {
			if s := xpathText(doc, p); s != "" {
				return s
			}
		}
		return ""
	}
	msg = first(append(slices.Clip(msgPaths), defaultXMLMessagePaths...))
	code = first(append(slices.Clip(codePaths), defaultXMLCodePaths...))
	if code == msg {
		code = ""
	}
	if msg == "" && code == "" {
		return "", "", false
	}
	return oneLine(code, 256), oneLine(msg, maxErrorText), true
}

// xpathText is the text an XPath selects: the nodes' texts joined with "; ", or a string,
// number or boolean result.
func xpathText(doc *xmlquery.Node, src string) string {
	// A compiled expression keeps iteration state, so each use compiles its own (paths were
	// checked when the definition was read).
	e, err := xpath.Compile(src)
	if err != nil {
		return ""
	}
	switch v := e.Evaluate(xmlquery.CreateXPathNavigator(doc)).(type) {
	case string:
		return strings.TrimSpace(v)
	case float64, bool:
		return fmt.Sprint(v)
	case *xpath.NodeIterator:
		var parts []string
		for i := 0; v.MoveNext() && i < 100; i++ {
			if s := strings.TrimSpace(v.Current().Value()); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ""
}
