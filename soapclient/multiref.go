package soapclient

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// SOAP 1.1 section 5 encoding (rpc/encoded, Axis 1 and .NET remoting style) may send a value
// once, as a top-level "multi-ref" element with an id, and point at it from anywhere with
// href="#id":
//
//	<soap:Body>
//	  <ns1:getUserResponse><getUserReturn href="#id0"/></ns1:getUserResponse>
//	  <multiRef id="id0" xsi:type="ns2:RemoteUser"><name>jdoe</name></multiRef>
//	</soap:Body>
//
// The transport resolves such replies before any decoder sees them: each href element gets the
// referenced element's attributes and content, and the top-level multi-ref elements go, so that
// the decoders (gowsdl's, the runtime client's) read an ordinary tree.

// ErrMultiRef: an encoded reply whose references cannot be resolved (unknown id, a cycle, or an
// expansion beyond the limits).
var ErrMultiRef = errors.New("soapclient: unresolvable multi-ref in the reply")

// Bounds on resolution: a reply of a few KB must not expand to gigabytes through references that
// use one another several times.
const (
	maxMultiRefDepth = 64
	maxMultiRefNodes = 200_000
)

// xnode is an element read raw: prefixes and attributes exactly as written.
type xnode struct {
	name  xml.Name // raw: Space is the prefix
	attrs []xml.Attr
	kids  []any // *xnode or string (character data, unescaped)
}

func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// hasHref is the cheap test the transport runs on every reply: references to resolve, or nil
// values to drop. It reports whether body contains href="#, href='# or nil="true", found from
// their rare bytes ('#', '=') with vectorised byte searches: searching for the strings themselves
// stops at every 'h' or 'n' of the reply's element names.
func hasHref(body []byte) bool {
	return containsAround(body, '#', "href=\"", "") || containsAround(body, '#', "href='", "") ||
		containsAround(body, '=', "nil", `"true"`)
}

// containsAround reports whether body contains before+string(c)+after.
func containsAround(body []byte, c byte, before, after string) bool {
	for i := len(before); i < len(body); {
		j := bytes.IndexByte(body[i:], c)
		if j < 0 {
			return false
		}
		i += j
		if string(body[i-len(before):i]) == before && bytes.HasPrefix(body[i+1:], []byte(after)) {
			return true
		}
		i++
	}
	return false
}

// isNil reports an element marked xsi:nil="true". Such an element is dropped from the resolved
// reply: encoding/xml knows no xsi:nil and would decode it as an empty value, whereas left out
// it is the nil pointer it means (JIRA's getUser answers an unknown user with a nil return).
func (n *xnode) isNil() bool {
	for _, a := range n.attrs {
		if a.Name.Local == "nil" && a.Name.Space != "" && a.Name.Space != "xmlns" && (a.Value == "true" || a.Value == "1") {
			return true
		}
	}
	return false
}

// resolveMultiRefs returns body with every href="#id" in its SOAP Body resolved.
func resolveMultiRefs(body []byte) ([]byte, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	d.Strict = true
	var root *xnode
	var stack []*xnode
	var prolog bytes.Buffer
	for {
		tok, err := d.RawToken()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, fmt.Errorf("%w: %v", ErrMultiRef, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name, attrs: append([]xml.Attr(nil), t.Attr...)}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root == nil {
				root = n
			}
			stack = append(stack, n)
			if len(stack) > 10_000 {
				return nil, fmt.Errorf("%w: nested too deeply", ErrMultiRef)
			}
		case xml.EndElement:
			if len(stack) == 0 {
				return nil, fmt.Errorf("%w: unbalanced end element", ErrMultiRef)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, string(t))
			}
		case xml.ProcInst:
			if root == nil && t.Target == "xml" {
				prolog.WriteString("<?xml " + string(t.Inst) + "?>")
			}
		}
	}
	if root == nil || len(stack) != 0 {
		return nil, fmt.Errorf("%w: not a complete document", ErrMultiRef)
	}
	var bodyEl *xnode
	for _, k := range root.kids {
		if e, ok := k.(*xnode); ok && e.name.Local == "Body" {
			bodyEl = e
		}
	}
	if bodyEl == nil {
		return body, nil
	}
	ids := map[string]*xnode{}
	var collect func(n *xnode)
	collect = func(n *xnode) {
		if id, ok := n.attr("id"); ok {
			if _, dup := ids[id]; !dup {
				ids[id] = n
			}
		}
		for _, k := range n.kids {
			if e, ok := k.(*xnode); ok {
				collect(e)
			}
		}
	}
	collect(bodyEl)
	r := &resolver{ids: ids, visiting: map[string]bool{}}
	var kept []any
	for _, k := range bodyEl.kids {
		e, ok := k.(*xnode)
		if !ok {
			kept = append(kept, k)
			continue
		}
		if _, isRef := e.attr("id"); isRef {
			continue // a multi-ref target: inlined where it is used
		}
		re, err := r.resolve(e, 0)
		if err != nil {
			return nil, err
		}
		kept = append(kept, re)
	}
	bodyEl.kids = kept
	var out bytes.Buffer
	out.Write(prolog.Bytes())
	writeXNode(&out, root)
	return out.Bytes(), nil
}

type resolver struct {
	ids      map[string]*xnode
	visiting map[string]bool
	nodes    int
}

// resolve returns a copy of n with its references (and its descendants') inlined.
func (r *resolver) resolve(n *xnode, depth int) (*xnode, error) {
	r.nodes++
	if r.nodes > maxMultiRefNodes || depth > maxMultiRefDepth {
		return nil, fmt.Errorf("%w: the references expand beyond %d elements or %d levels", ErrMultiRef, maxMultiRefNodes, maxMultiRefDepth)
	}
	out := &xnode{name: n.name}
	src := n
	if href, ok := n.attr("href"); ok && strings.HasPrefix(href, "#") {
		id := href[1:]
		t := r.ids[id]
		if t == nil {
			return nil, fmt.Errorf("%w: href %q names no element", ErrMultiRef, truncate(href, 60))
		}
		if r.visiting[id] {
			return nil, fmt.Errorf("%w: reference cycle through %q", ErrMultiRef, truncate(id, 60))
		}
		r.visiting[id] = true
		defer delete(r.visiting, id)
		for _, a := range n.attrs {
			if !(a.Name.Space == "" && a.Name.Local == "href") {
				out.attrs = append(out.attrs, a)
			}
		}
		have := map[xml.Name]bool{}
		for _, a := range out.attrs {
			have[a.Name] = true
		}
		for _, a := range t.attrs {
			if have[a.Name] || (a.Name.Space == "" && a.Name.Local == "id") || (a.Name.Local == "root" && a.Name.Space != "") {
				continue
			}
			out.attrs = append(out.attrs, a)
		}
		src = t
	} else {
		out.attrs = n.attrs
	}
	for _, k := range src.kids {
		switch v := k.(type) {
		case string:
			out.kids = append(out.kids, v)
		case *xnode:
			if v.isNil() {
				continue
			}
			c, err := r.resolve(v, depth+1)
			if err != nil {
				return nil, err
			}
			out.kids = append(out.kids, c)
		}
	}
	return out, nil
}

func rawName(n xml.Name) string {
	if n.Space == "" {
		return n.Local
	}
	return n.Space + ":" + n.Local
}

func writeXNode(b *bytes.Buffer, n *xnode) {
	b.WriteString("<" + rawName(n.name))
	for _, a := range n.attrs {
		b.WriteString(" " + rawName(a.Name) + `="`)
		_ = xml.EscapeText(b, []byte(a.Value))
		b.WriteString(`"`)
	}
	if len(n.kids) == 0 {
		b.WriteString("/>")
		return
	}
	b.WriteString(">")
	for _, k := range n.kids {
		switch v := k.(type) {
		case string:
			_ = xml.EscapeText(b, []byte(v))
		case *xnode:
			writeXNode(b, v)
		}
	}
	b.WriteString("</" + rawName(n.name) + ">")
}
