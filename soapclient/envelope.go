package soapclient

import (
	"bytes"
	"encoding/xml"
	"strings"
)

const (
	nsSOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSOAP12 = "http://www.w3.org/2003/05/soap-envelope"
)

// emptyEnvelope replaces an empty 2xx body. gowsdl decodes an empty <Body/> into a zero response,
// whereas an empty body makes it fail with EOF or "mime: no media type".
var emptyEnvelope = []byte(`<soap:Envelope xmlns:soap="` + nsSOAP11 + `"><soap:Body/></soap:Envelope>`)

// inspection is what the transport needs to know about a reply body before gowsdl sees it.
type inspection struct {
	soap    bool   // the root element is a SOAP Envelope
	ns      string // its namespace: nsSOAP11 or nsSOAP12
	doctype bool   // a DOCTYPE precedes the root element
	fault   *Fault // the Body's first child is a Fault
}

// prescan decides, from the bytes alone, the common case in which inspect has nothing to report
// that the transport acts on: no Fault (a Fault element's local name appears literally, since XML
// names cannot be escaped), no DOCTYPE (every directive starts with "<!"; so do comments and
// CDATA, which take the full path too), and no SOAP 1.2 namespace to rewrite (the rewrite looks
// for the namespace literally, so a body without it is left as it is either way). sure is false
// whenever any of those could be present; the caller then runs inspect. It looks for any '!'
// rather than "<!": one vectorised byte search, where '<' recurs every few bytes of XML.
func prescan(body []byte) (in inspection, sure bool) {
	if bytes.IndexByte(body, '!') >= 0 || bytes.Contains(body, []byte("Fault")) || bytes.Contains(body, []byte(nsSOAP12)) {
		return inspection{}, false
	}
	return inspection{}, true
}

// inspect reads a reply body up to the first child of soap:Body (the whole fault, if it is one).
// It never fails: a body that is not well-formed XML is simply "not SOAP", and the caller decides
// what that means for its status code. Every loop consumes tokens of a size-capped body, so it
// ends.
func inspect(body []byte) inspection {
	var in inspection
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var root xml.StartElement
prolog:
	for {
		tok, err := d.Token()
		if err != nil {
			return in
		}
		switch t := tok.(type) {
		case xml.Directive:
			if isDoctype(t) {
				in.doctype = true
				return in
			}
		case xml.StartElement:
			root = t
			break prolog
		}
	}
	if root.Name.Local != "Envelope" || (root.Name.Space != nsSOAP11 && root.Name.Space != nsSOAP12) {
		return in
	}
	in.soap = true
	in.ns = root.Name.Space
	for {
		tok, err := d.Token()
		if err != nil {
			return in
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return in // end of Envelope without a Body
		case xml.StartElement:
			if t.Name.Local != "Body" || t.Name.Space != root.Name.Space {
				if d.Skip() != nil { // Header, or anything else before the Body
					return in
				}
				continue
			}
			in.fault = firstBodyFault(d, root.Name.Space, append(nsDecls(root.Attr), nsDecls(t.Attr)...))
			return in
		}
	}
}

func isDoctype(d xml.Directive) bool {
	return len(d) >= 7 && strings.EqualFold(string(d[:7]), "DOCTYPE")
}

// firstBodyFault decodes the Body's first child if it is a Fault of the envelope's SOAP version.
func firstBodyFault(d *xml.Decoder, ns string, decls []xml.Attr) *Fault {
	for {
		tok, err := d.Token()
		if err != nil {
			return nil
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil // empty Body
		case xml.StartElement:
			if t.Name.Local != "Fault" || t.Name.Space != ns {
				return nil
			}
			var n node
			if err := d.DecodeElement(&n, &t); err != nil {
				return nil
			}
			var f *Fault
			if ns == nsSOAP12 {
				f = fault12(&n)
			} else {
				f = fault11(&n)
			}
			if det := n.child("detail", "Detail"); det != nil {
				decls = append(append(decls, nsDecls(t.Attr)...), nsDecls(det.Attrs)...)
				f.Detail.decls, f.Detail.inner = decls, det.Inner
			}
			return f
		}
	}
}

// node is any XML element, kept generically so faults of any schema can be read.
type node struct {
	XMLName xml.Name
	Text    string     `xml:",chardata"`
	Inner   string     `xml:",innerxml"`
	Nodes   []node     `xml:",any"`
	Attrs   []xml.Attr `xml:",any,attr"`
}

// nsDecls keeps the namespace declarations among attrs, so a fault detail read out of its
// envelope can be decoded with its prefixes still bound.
func nsDecls(attrs []xml.Attr) []xml.Attr {
	var out []xml.Attr
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			out = append(out, a)
		}
	}
	return out
}

// child returns the first child whose local name equals one of names, ignoring case and namespace
// (fault children are unqualified in SOAP 1.1 but some servers qualify them anyway).
func (n *node) child(names ...string) *node {
	for i := range n.Nodes {
		for _, name := range names {
			if strings.EqualFold(n.Nodes[i].XMLName.Local, name) {
				return &n.Nodes[i]
			}
		}
	}
	return nil
}

func (n *node) text() string {
	if n == nil {
		return ""
	}
	return truncate(strings.TrimSpace(n.Text), maxFaultText)
}

func fault11(n *node) *Fault {
	f := &Fault{
		Code:   n.child("faultcode").text(),
		String: n.child("faultstring").text(),
		Actor:  n.child("faultactor").text(),
	}
	f.Detail = parseDetail(n.child("detail"))
	return f
}

// fault12 reads a SOAP 1.2 fault (SOAP 1.2 Part 1 §5.4) into the same Fault a 1.1 fault gives,
// so that the mapping's fault rules read both alike: Code/Value is the fault code as sent (e.g.
// "env:Sender"), the first Reason/Text in English (else the first) is the fault string, and
// Detail is read like 1.1's detail. The innermost Subcode/Value, where the application names its
// error, becomes the detail code when the detail itself names none.
func fault12(n *node) *Fault {
	f := &Fault{Actor: n.child("Role").text()}
	var subcode string
	if c := n.child("Code"); c != nil {
		f.Code = c.child("Value").text()
		// Subcodes nest (Subcode/Subcode/…); the depth is bounded by the capped body.
		for sc := c.child("Subcode"); sc != nil; sc = sc.child("Subcode") {
			if v := sc.child("Value").text(); v != "" {
				subcode = v
			}
		}
	}
	if r := n.child("Reason"); r != nil {
		f.String = reasonText(r)
	}
	f.Detail = parseDetail(n.child("Detail"))
	if f.Detail.Code == "" {
		f.Detail.Code = subcode
	}
	return f
}

// reasonText picks the English Reason/Text, else the first one.
func reasonText(r *node) string {
	first := ""
	for i := range r.Nodes {
		t := &r.Nodes[i]
		if !strings.EqualFold(t.XMLName.Local, "Text") {
			continue
		}
		for _, a := range t.Attrs {
			if a.Name.Local == "lang" && strings.HasPrefix(strings.ToLower(a.Value), "en") {
				return t.text()
			}
		}
		if first == "" {
			first = t.text()
		}
	}
	return first
}

var (
	detailCodeNames    = []string{"Code", "errorCode", "faultCode"}
	detailMessageNames = []string{"Message", "errorMessage", "faultMessage"}
)

func parseDetail(d *node) FaultDetail {
	if d == nil {
		return FaultDetail{}
	}
	fd := FaultDetail{Raw: truncate(strings.TrimSpace(d.Inner), maxFaultDetail)}
	if len(d.Nodes) == 0 {
		return fd
	}
	first := &d.Nodes[0]
	fd.Element = first.XMLName.Local
	fd.Code = first.child(detailCodeNames...).text()
	fd.Message = first.child(detailMessageNames...).text()
	if fd.Code == "" && fd.Message == "" {
		fd.Code = d.child(detailCodeNames...).text()
		fd.Message = d.child(detailMessageNames...).text()
	}
	return fd
}
