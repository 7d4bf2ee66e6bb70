package mapping

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strings"

	"github.com/antchfx/xmlquery"
	"github.com/antchfx/xpath"
	"github.com/expr-lang/expr/ast"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// XPath 1.0 over XML content (XMLContent, XML documents inside strings, and the records xpath
// itself returns), through antchfx/xpath and xmlquery. Paths are string literals, compiled
// when the mapping is checked; evaluation is bounded in input size, nodes and results. Name
// tests without a prefix match any namespace, so `//User` finds <User xmlns="http://tempuri.org/">.

// Bounds on what one XPath call may work on.
const (
	maxXPathInput   = 8 << 20 // bytes of XML parsed per call
	maxXPathNodes   = 200_000 // nodes of a parsed document
	maxXPathResults = 10_000  // nodes one call may return
	maxRecordDepth  = 8       // nesting of child-element records
)

// xpathFuncs are the functions whose second argument is an XPath, checked at compile time.
var xpathFuncs = map[string]bool{"xpath": true, "xpathOne": true, "xpathString": true, "xpathCount": true, "xpathBool": true, "xpathNumber": true}

func xpathFunctions() map[string]Function {
	return map[string]Function{
		"xpath": {Fn: func(a ...any) (any, error) { return xpathList(a[0], a[1]) }, Types: []any{new(func(any, string) []any)},
			Doc: "the nodes an XPath selects in XML content, as a list: elements become records (attributes and child elements by name, `_text`, `_xml`), attributes and text their string; no content gives an empty list"},
		"xpathOne": {Fn: func(a ...any) (any, error) {
			l, err := xpathList(a[0], a[1])
			if err != nil || len(l) == 0 {
				return nil, err
			}
			return l[0], nil
		}, Types: []any{new(func(any, string) any)},
			Doc: "the first node an XPath selects (a record or a string), nil when none"},
		"xpathString": {Fn: xpathString, Types: []any{new(func(any, string) any)},
			Doc: "the XPath's string value (`string(...)` of the first node); nil when it selects no node or there is no content"},
		"xpathCount": {Fn: func(a ...any) (any, error) {
			l, err := xpathNodes(a[0], a[1])
			return len(l), err
		}, Types: []any{new(func(any, string) int)},
			Doc: "how many nodes an XPath selects; 0 without content"},
		"xpathBool": {Fn: xpathBool, Types: []any{new(func(any, string) bool)},
			Doc: "the XPath's boolean value (`boolean(...)`: a node-set is true when not empty); false without content"},
		"xpathNumber": {Fn: xpathNumber, Types: []any{new(func(any, string) any)},
			Doc: "the XPath's number value (`number(...)`); nil without content or when it is not a number"},
		"xmlElement": {Fn: xmlElement, Types: []any{new(func(string, any, any) XMLContent)},
			Doc: "builds request XML content: `xmlElement(\"User\", {\"LoginName\": user.userName}, children)`; attribute values and text are escaped, nil attributes left out, children a string (text), XML content or a list of them"},
		"xmlEscape": {Fn: func(a ...any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			s, ok := scalarString(plain(a[0]))
			if !ok {
				return nil, fmt.Errorf("xmlEscape: expected a string, got %s", describe(a[0]))
			}
			return EscapeXML(s), nil
		}, Types: []any{new(func(any) any)},
			Doc: "escapes a value for use as XML text or attribute value (`&`, `<`, `>`, quotes); nil stays nil"},
	}
}

// compileXPath compiles an XPath; the error names what is wrong for a mapping author.
func compileXPath(src string) (*xpath.Expr, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("empty XPath")
	}
	e, err := xpath.Compile(src)
	if err != nil {
		return nil, fmt.Errorf("XPath %q: %v", src, err)
	}
	return e, nil
}

// checkXPaths finds the XPath function calls of a compiled expression and compiles their paths:
// a path must be a string literal, so that every one is checked before serving.
func checkXPaths(node ast.Node) []string {
	var v xpathVisitor
	ast.Walk(&node, &v)
	return v.problems
}

type xpathVisitor struct{ problems []string }

func (v *xpathVisitor) Visit(n *ast.Node) {
	call, ok := (*n).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok || !xpathFuncs[id.Value] || len(call.Arguments) != 2 {
		return
	}
	s, ok := call.Arguments[1].(*ast.StringNode)
	if !ok {
		v.problems = append(v.problems, fmt.Sprintf("%s: the XPath must be a string literal, so that it is checked at start-up", id.Value))
		return
	}
	if _, err := compileXPath(s.Value); err != nil {
		v.problems = append(v.problems, fmt.Sprintf("%s: %v", id.Value, err))
	}
}

// xmlSource returns the XML text of a value the XPath functions accept; ok is false for "no
// content" (nil, an empty string or XMLContent).
func xmlSource(v any) (string, bool, error) {
	v = plain(v)
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case XMLContent:
		return x.XML, strings.TrimSpace(x.XML) != "", nil
	case *XMLContent:
		if x == nil {
			return "", false, nil
		}
		return x.XML, strings.TrimSpace(x.XML) != "", nil
	case string:
		return x, strings.TrimSpace(x) != "", nil
	case map[string]any: // a record xpath returned
		if c, ok := x["_xml"].(XMLContent); ok {
			return c.XML, c.XML != "", nil
		}
		return "", false, errors.New("the record holds no XML (only records xpath returned do)")
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer && rv.IsNil() {
		return "", false, nil
	}
	return "", false, fmt.Errorf("expected XML content, got %s", describe(v))
}

// parseXML parses content within the bounds.
func parseXML(src string) (*xmlquery.Node, error) {
	if len(src) > maxXPathInput {
		return nil, fmt.Errorf("the XML content is larger than %d bytes", maxXPathInput)
	}
	if strings.Contains(src, "<!DOCTYPE") || strings.Contains(src, "<!ENTITY") {
		return nil, errors.New("the XML content holds a DOCTYPE, which is not read")
	}
	doc, err := xmlquery.Parse(strings.NewReader(src))
	if err != nil {
		return nil, fmt.Errorf("the content is not well-formed XML: %v", err)
	}
	n := 0
	var count func(*xmlquery.Node) bool
	count = func(x *xmlquery.Node) bool {
		for c := x.FirstChild; c != nil; c = c.NextSibling {
			n += 1 + len(c.Attr)
			if n > maxXPathNodes || !count(c) {
				return false
			}
		}
		return true
	}
	if !count(doc) {
		return nil, fmt.Errorf("the XML content has more than %d nodes", maxXPathNodes)
	}
	return doc, nil
}

// evaluate runs path over content; doc is nil when there is no content.
func evaluate(content, path any) (any, *xmlquery.Node, error) {
	p, ok := path.(string)
	if !ok {
		return nil, nil, fmt.Errorf("the XPath must be a string, got %s", describe(path))
	}
	src, ok, err := xmlSource(content)
	if err != nil || !ok {
		return nil, nil, err
	}
	e, err := compileXPath(p)
	if err != nil {
		return nil, nil, err
	}
	doc, err := parseXML(src)
	if err != nil {
		return nil, nil, err
	}
	// A compiled Expr keeps iteration state, so each call compiles its own (the path was
	// already checked at start-up; compiling is microseconds).
	return e.Evaluate(xmlquery.CreateXPathNavigator(doc)), doc, nil
}

// xpathNodes gives the value of each node path selects: an element a record (nodeRecord),
// anything else (attribute, text) its string value.
func xpathNodes(content, path any) ([]any, error) {
	v, doc, err := evaluate(content, path)
	if err != nil || doc == nil {
		return nil, err
	}
	it, ok := v.(*xpath.NodeIterator)
	if !ok {
		return nil, fmt.Errorf("the XPath %q gives a %s, not nodes", path, xpathType(v))
	}
	var out []any
	for it.MoveNext() {
		if len(out) == maxXPathResults {
			return nil, fmt.Errorf("the XPath %q selects more than %d nodes", path, maxXPathResults)
		}
		nav := it.Current()
		if nav.NodeType() == xpath.ElementNode {
			if n, ok := nav.(*xmlquery.NodeNavigator); ok {
				out = append(out, nodeRecord(n.Current(), 0))
				continue
			}
		}
		out = append(out, nav.Value())
	}
	return out, nil
}

func xpathType(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	}
	return fmt.Sprintf("%T", v)
}

func xpathList(content, path any) ([]any, error) {
	l, err := xpathNodes(content, path)
	if l == nil && err == nil {
		l = []any{}
	}
	return l, err
}

// nodeRecord makes an element addressable: each attribute by its local name (and as "@name"),
// each child element by its local name (the first of that name; its text when it has no child
// elements, else a record), "_name" its local name, "_text" its text, "_xml" the element as XML
// content for further XPath. An attribute wins over a child element of the same name.
func nodeRecord(n *xmlquery.Node, depth int) map[string]any {
	m := make(map[string]any, len(n.Attr)*2+4)
	for _, a := range n.Attr {
		if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" && a.Name.Space == "" {
			continue
		}
		m[a.Name.Local] = a.Value
		m["@"+a.Name.Local] = a.Value
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != xmlquery.ElementNode {
			continue
		}
		if _, taken := m[c.Data]; taken {
			continue
		}
		if hasElementChild(c) && depth < maxRecordDepth {
			m[c.Data] = nodeRecord(c, depth+1)
		} else {
			m[c.Data] = c.InnerText()
		}
	}
	m["_name"] = n.Data
	m["_text"] = n.InnerText()
	m["_xml"] = XMLContent{XML: n.OutputXML(true)}
	return m
}

func hasElementChild(n *xmlquery.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == xmlquery.ElementNode {
			return true
		}
	}
	return false
}

func xpathString(a ...any) (any, error) {
	v, doc, err := evaluate(a[0], a[1])
	if err != nil || doc == nil {
		return nil, err
	}
	switch x := v.(type) {
	case *xpath.NodeIterator:
		if !x.MoveNext() {
			return nil, nil
		}
		return x.Current().Value(), nil
	case float64:
		return xpathNumberString(x), nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case string:
		return x, nil
	}
	return nil, fmt.Errorf("the XPath gives %T", v)
}

func xpathNumberString(f float64) string {
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprintf("%g", f)
}

func xpathBool(a ...any) (any, error) {
	v, doc, err := evaluate(a[0], a[1])
	if err != nil || doc == nil {
		return false, err
	}
	switch x := v.(type) {
	case *xpath.NodeIterator:
		return x.MoveNext(), nil
	case float64:
		return x != 0 && x == x, nil
	case bool:
		return x, nil
	case string:
		return x != "", nil
	}
	return false, fmt.Errorf("the XPath gives %T", v)
}

func xpathNumber(a ...any) (any, error) {
	v, err := xpathString(a...)
	if err != nil || v == nil {
		return nil, err
	}
	var f float64
	if _, err := fmt.Sscan(strings.TrimSpace(v.(string)), &f); err != nil {
		return nil, nil
	}
	return f, nil
}

// xmlName is an XML element or attribute name without a prefix (a conservative subset: ASCII
// letters, digits, '_', '-', '.').
var xmlName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

// xmlElement builds one element as XMLContent; every value is escaped, so no value can add
// markup, close the element or end a CDATA section.
func xmlElement(a ...any) (any, error) {
	name, _ := a[0].(string)
	if !xmlName.MatchString(name) {
		return nil, fmt.Errorf("xmlElement: %q is not an XML name", name)
	}
	var b strings.Builder
	b.WriteString("<" + name)
	if a[1] != nil {
		attrs, ok := plain(a[1]).(map[string]any)
		if !ok {
			return nil, fmt.Errorf("xmlElement: attributes must be a map, got %s", describe(a[1]))
		}
		for _, k := range sortedKeys(attrs) {
			v := attrs[k]
			if isNil(v) {
				continue
			}
			if !xmlName.MatchString(k) {
				return nil, fmt.Errorf("xmlElement: attribute %q is not an XML name", k)
			}
			s, ok := scalarString(plain(v))
			if !ok {
				return nil, fmt.Errorf("xmlElement: attribute %s: expected a scalar, got %s", k, describe(v))
			}
			b.WriteString(" " + k + `="` + EscapeXML(s) + `"`)
		}
	}
	b.WriteString(">")
	if err := writeContent(&b, a[2], 0); err != nil {
		return nil, fmt.Errorf("xmlElement %s: %w", name, err)
	}
	b.WriteString("</" + name + ">")
	return XMLContent{XML: b.String()}, nil
}

func writeContent(b *strings.Builder, v any, depth int) error {
	if depth > xmlcontent.MaxDepth {
		return errors.New("content nested too deeply")
	}
	switch x := plain(v).(type) {
	case nil:
		return nil
	case XMLContent:
		if _, err := xmlcontent.Tokens(x.XML); err != nil { // only well-formed content is embedded
			return err
		}
		if err := xmlcontent.CheckPrefixes(x.XML); err != nil { // and only what reads back as XML
			return err
		}
		b.WriteString(x.XML)
		return nil
	case []any:
		for _, e := range x {
			if err := writeContent(b, e, depth+1); err != nil {
				return err
			}
		}
		return nil
	default:
		s, ok := scalarString(x)
		if !ok {
			return fmt.Errorf("expected text, XML content or a list, got %s", describe(v))
		}
		b.WriteString(EscapeXML(s))
		return nil
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
