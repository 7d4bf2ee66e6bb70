package legacysim

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
)

// The rpc/literal variant of the endpoint (Options.RPCLiteral), described by wsdl/legacyhr-rpc.wsdl.
//
// rpc style (WSDL 1.1 §3.5): the Body's child is a wrapper named after the operation in the
// binding's namespace, and each message part is an unqualified child of it; the schema of that
// WSDL keeps elementFormDefault="unqualified", so the fields inside a part are unqualified too.
// The operations are the same as the document/literal ones (whose wrapped elements have the same
// names and children, only qualified), so a request is read by renaming its unqualified elements
// into Namespace on the way to the usual decoder, and an answer is the usual answer with its
// wrapper prefixed and everything inside it unqualified. A request whose parts are qualified is
// document/literal-shaped and is refused: a client that sends it has not spoken rpc/literal.

// RPCWSDLFile is the contract of the rpc/literal variant, in package wsdl.
const RPCWSDLFile = "legacyhr-rpc.wsdl"

// rpcReader passes the tokens inside the operation wrapper, starting with the wrapper itself,
// with unqualified element names moved into Namespace. It stops (io.EOF) after the wrapper's end
// tag, so that envelope.finish reads the rest of the document from the original decoder.
type rpcReader struct {
	d     *xml.Decoder
	start *xml.StartElement // the wrapper, replayed first
	depth int               // 1 inside the wrapper, 2 inside a part, …
	done  bool
}

func (r *rpcReader) Token() (xml.Token, error) {
	if r.start != nil {
		t := *r.start
		r.start, r.depth = nil, 1
		t.Attr = noNamespaceDecls(t.Attr)
		return t, nil
	}
	if r.done {
		return nil, io.EOF
	}
	tok, err := r.d.Token()
	if err != nil {
		return nil, err
	}
	switch t := xml.CopyToken(tok).(type) {
	case xml.StartElement:
		if t.Name.Space != "" {
			return nil, invalidf("element %s inside the rpc/literal operation wrapper is namespace-qualified: "+
				"rpc parts and their fields are unqualified here (wsdl/legacyhr-rpc.wsdl); this looks like a document/literal request", qname(t.Name))
		}
		r.depth++
		t.Name.Space = Namespace
		t.Attr = noNamespaceDecls(t.Attr)
		return t, nil
	case xml.EndElement:
		r.depth--
		if r.depth == 0 {
			r.done = true
			return t, nil
		}
		t.Name.Space = Namespace
		return t, nil
	default:
		return t, nil
	}
}

// noNamespaceDecls drops xmlns attributes: names arrive resolved, and a declaration passed on
// would make the second decoder resolve them again.
func noNamespaceDecls(attrs []xml.Attr) []xml.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// rpcEnvelope turns env, positioned after the wrapper's start tag, into one whose decoder reads
// the wrapper in rpc/literal form.
func rpcEnvelope(env *envelope) error {
	r := &rpcReader{d: env.dec, start: &env.op}
	dec := xml.NewTokenDecoder(r)
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	env.rest, env.dec, env.op = env.dec, dec, tok.(xml.StartElement)
	return nil
}

// Lists are one part each in rpc (a part cannot repeat), wrapped as the WSDL's EmployeeList and
// RoleList types.
type rpcEmployeeList struct {
	Employee []employeeOut `xml:"Employee"`
}

type rpcRoleList struct {
	Role []roleOut `xml:"Role"`
}

// rpcBody marshals resp as an rpc/literal answer: <hr:OpResponse xmlns:hr="…"> with unqualified
// parts inside. The answer types carry no namespace below XMLName, so once the wrapper is written
// with a prefix instead of a default namespace, everything inside it is unqualified.
func rpcBody(resp any) ([]byte, error) {
	var name xml.Name
	var parts []part
	switch r := resp.(type) {
	case *employeesResp:
		name, parts = r.XMLName, []part{{"Employees", rpcEmployeeList{r.Employees}}, {"TotalCount", r.TotalCount}}
	case *rolesResp:
		name, parts = r.XMLName, []part{{"Roles", rpcRoleList{r.Roles}}, {"TotalCount", r.TotalCount}}
	case *employeeResp:
		name, parts = r.XMLName, []part{{"Employee", r.Employee}}
	case *roleResp:
		name, parts = r.XMLName, []part{{"Role", r.Role}}
	case *emptyResp:
		name = r.XMLName // an output message without parts
	default:
		return nil, fmt.Errorf("rpc/literal: no wrapper for answer type %T", resp)
	}
	var b bytes.Buffer
	e := xml.NewEncoder(&b)
	start := xml.StartElement{Name: xml.Name{Local: "hr:" + name.Local}, Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns:hr"}, Value: name.Space}}}
	if err := e.EncodeToken(start); err != nil {
		return nil, err
	}
	for _, p := range parts {
		if err := e.EncodeElement(p.v, xml.StartElement{Name: xml.Name{Local: p.name}}); err != nil {
			return nil, err
		}
	}
	if err := e.EncodeToken(start.End()); err != nil {
		return nil, err
	}
	if err := e.Flush(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

type part struct {
	name string
	v    any
}
