package wsdlgen

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces the pipeline reads.
const (
	nsWSDL   = "http://schemas.xmlsoap.org/wsdl/"
	nsSOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
	nsSOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
	nsXSD    = "http://www.w3.org/2001/XMLSchema"
	nsXMLNS  = "http://www.w3.org/2000/xmlns/"
)

// node is one element of a WSDL or XSD document, kept with its raw prefixes so that the
// document can be written back for gowsdl exactly as it was, apart from the pipeline's edits.
// encoding/xml's own encoder rewrites prefixes, which would break the QName values (type="ax:T")
// that refer to them.
type node struct {
	prefix, local string
	attrs         []xml.Attr // Name.Space holds the raw prefix ("xmlns" for declarations)
	kids          []any      // *node or string (character data, already unescaped)
	parent        *node
	file          string // the file the element was read from, for messages
	line          int
}

// maxDepth bounds element nesting; real WSDLs stay far below it, and it keeps a hostile file
// from exhausting the stack of the recursive walks.
const maxDepth = 256

// parseXML reads a whole document into a tree. DTDs are refused: a WSDL needs none, and entity
// expansion is a classic way to make a parser blow up.
func parseXML(data []byte, file string) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var root, cur *node
	depth := 0
	for {
		line, _ := d.InputPos()
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not well-formed XML: %w", file, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > maxDepth {
				return nil, fmt.Errorf("%s:%d: elements nested deeper than %d", file, line, maxDepth)
			}
			n := &node{prefix: t.Name.Space, local: t.Name.Local, attrs: t.Attr, parent: cur, file: file, line: line}
			if cur == nil {
				if root != nil {
					return nil, fmt.Errorf("%s:%d: more than one root element", file, line)
				}
				root = n
			} else {
				cur.kids = append(cur.kids, n)
			}
			cur = n
		case xml.EndElement:
			depth--
			if cur == nil {
				return nil, fmt.Errorf("%s:%d: unexpected end element", file, line)
			}
			cur = cur.parent
		case xml.CharData:
			if cur != nil {
				cur.kids = append(cur.kids, string(t))
			}
		case xml.Directive:
			if bytes.HasPrefix(bytes.ToUpper(bytes.TrimSpace(t)), []byte("DOCTYPE")) {
				return nil, fmt.Errorf("%s:%d: DOCTYPE declarations are not allowed in a WSDL", file, line)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("%s: no root element", file)
	}
	if cur != nil {
		return nil, fmt.Errorf("%s: unexpected end of file inside <%s>", file, cur.qname())
	}
	return root, nil
}

func (n *node) qname() string {
	if n.prefix == "" {
		return n.local
	}
	return n.prefix + ":" + n.local
}

// where is "file:line" for messages.
func (n *node) where() string { return fmt.Sprintf("%s:%d", n.file, n.line) }

// lookupPrefix resolves a namespace prefix ("" for the default namespace) in scope at n.
func (n *node) lookupPrefix(prefix string) (string, bool) {
	switch prefix {
	case "xml":
		return "http://www.w3.org/XML/1998/namespace", true
	case "xmlns":
		return nsXMLNS, true
	}
	for e := n; e != nil; e = e.parent {
		for _, a := range e.attrs {
			if prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns" {
				return a.Value, true
			}
			if prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == prefix {
				return a.Value, true
			}
		}
	}
	return "", prefix == ""
}

// ns is the namespace of the element itself.
func (n *node) ns() string {
	s, _ := n.lookupPrefix(n.prefix)
	return s
}

func (n *node) is(ns, local string) bool { return n.local == local && n.ns() == ns }

// attr returns the value of an unprefixed attribute.
func (n *node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func (n *node) attrOr(name, def string) string {
	if v, ok := n.attr(name); ok {
		return v
	}
	return def
}

func (n *node) setAttr(name, value string) {
	for i, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == name {
			n.attrs[i].Value = value
			return
		}
	}
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Local: name}, Value: value})
}

func (n *node) delAttr(name string) {
	out := n.attrs[:0]
	for _, a := range n.attrs {
		if !(a.Name.Space == "" && a.Name.Local == name) {
			out = append(out, a)
		}
	}
	n.attrs = out
}

// resolveQName splits a QName attribute value ("ax:Tenant") into namespace and local name, in
// the scope of n. An unknown prefix gives ok=false.
func (n *node) resolveQName(v string) (ns, local string, ok bool) {
	prefix, local, found := strings.Cut(strings.TrimSpace(v), ":")
	if !found {
		prefix, local = "", prefix
	}
	ns, ok = n.lookupPrefix(prefix)
	return ns, local, ok
}

// elems returns the element children of n.
func (n *node) elems() []*node {
	var out []*node
	for _, k := range n.kids {
		if e, ok := k.(*node); ok {
			out = append(out, e)
		}
	}
	return out
}

// children returns the element children in namespace ns with local name local.
func (n *node) children(ns, local string) []*node {
	var out []*node
	for _, e := range n.elems() {
		if e.is(ns, local) {
			out = append(out, e)
		}
	}
	return out
}

// walk calls f for n and every descendant, in document order; f returning false skips the
// subtree.
func (n *node) walk(f func(*node) bool) {
	if !f(n) {
		return
	}
	for _, e := range n.elems() {
		e.walk(f)
	}
}

// remove drops child c from n.
func (n *node) remove(c *node) {
	out := n.kids[:0]
	for _, k := range n.kids {
		if k != c {
			out = append(out, k)
		}
	}
	n.kids = out
}

// scopeDecls returns every namespace declaration in scope at n (innermost wins), as attributes.
// A subtree moved to another document gets them, so its QName values keep their meaning.
func (n *node) scopeDecls() []xml.Attr {
	seen := map[string]bool{}
	var out []xml.Attr
	for e := n; e != nil; e = e.parent {
		for _, a := range e.attrs {
			key := ""
			switch {
			case a.Name.Space == "xmlns":
				key = a.Name.Local
			case a.Name.Space == "" && a.Name.Local == "xmlns":
				key = ""
			default:
				continue
			}
			if !seen[key] {
				seen[key] = true
				out = append(out, a)
			}
		}
	}
	return out
}

// adopt moves n under parent, declaring on n every namespace that was in scope where it came
// from, so that the prefixes it and its subtree use resolve as before.
func adopt(parent, n *node) {
	decls := n.scopeDecls()
	var own []xml.Attr
	for _, a := range n.attrs {
		if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
			own = append(own, a)
		}
	}
	n.attrs = append(decls, own...)
	n.parent = parent
	parent.kids = append(parent.kids, n)
}

// write serialises the tree with its original prefixes.
func (n *node) write(w *bytes.Buffer) {
	w.WriteByte('<')
	w.WriteString(n.qname())
	for _, a := range n.attrs {
		w.WriteByte(' ')
		if a.Name.Space != "" {
			w.WriteString(a.Name.Space)
			w.WriteByte(':')
		}
		w.WriteString(a.Name.Local)
		w.WriteString(`="`)
		xmlEscape(w, a.Value, true)
		w.WriteByte('"')
	}
	if len(n.kids) == 0 {
		w.WriteString("/>")
		return
	}
	w.WriteByte('>')
	for _, k := range n.kids {
		switch k := k.(type) {
		case *node:
			k.write(w)
		case string:
			xmlEscape(w, k, false)
		}
	}
	w.WriteString("</")
	w.WriteString(n.qname())
	w.WriteByte('>')
}

func xmlEscape(w *bytes.Buffer, s string, attr bool) {
	for _, r := range s {
		switch {
		case r == '<':
			w.WriteString("&lt;")
		case r == '>':
			w.WriteString("&gt;")
		case r == '&':
			w.WriteString("&amp;")
		case r == '"' && attr:
			w.WriteString("&quot;")
		case (r == '\n' || r == '\t' || r == '\r') && attr:
			fmt.Fprintf(w, "&#%d;", r)
		case r == '\r':
			w.WriteString("&#13;")
		default:
			w.WriteRune(r)
		}
	}
}

// document renders a full document with an XML declaration.
func (n *node) document() []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	n.write(&b)
	b.WriteByte('\n')
	return b.Bytes()
}
