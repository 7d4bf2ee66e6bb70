package restclient

import (
	"fmt"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/antchfx/xpath"
	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/internal/diag"
)

// Definition is the catalog of one REST backend: its operations, each with the Go types of its
// request and response built at start-up. It comes from the mapping file's rest: block (Parse)
// or from an OpenAPI 3 document (LoadOpenAPI), and is what New serves.
type Definition struct {
	ops   map[string]*Operation
	names []string // sorted
	// errMessage and errCode are dotted member paths read from a JSON error body; empty means
	// the common names (see errorText).
	errMessage, errCode []string
	// errXMLMessage and errXMLCode are XPaths read from an XML error body (rest.errors.xml),
	// checked when the definition is read; empty means the common places (see xmlErrorText).
	errXMLMessage, errXMLCode []string
	// Skipped lists the operations of an OpenAPI document the client cannot call, with why.
	Skipped map[string]string
	// uncallable holds the same by operationId, as problems at their place in the document.
	uncallable map[string]Problem
}

// Uncallable reports why the OpenAPI document's operation name cannot be called, as a problem
// at its place in the document; ok is false for a callable or unknown name.
func (d *Definition) Uncallable(name string) (Problem, bool) {
	p, ok := d.uncallable[name]
	return p, ok
}

// Operation is one declared REST call.
type Operation struct {
	Name   string
	Method string
	// Path is the template, e.g. /users/{id}.json; it may carry a fixed query (?include=users).
	Path string
	// Request is a struct with one field per path, query and header parameter (GoName of its
	// name) and, when the operation sends one, Body (a pointer to the body's struct).
	Request reflect.Type
	// Response is a struct with the body's members (an object body), or Items (a list body) or
	// Value (a scalar body), and Header (a struct of the declared response headers).
	Response reflect.Type
	// Follow, when set, makes one Invoke read every page (Link: rel="next" or a cursor).
	Follow *Follow
	// XML, when set, makes the operation speak XML: the body is sent as an XML document and the
	// reply read as one; nil means JSON.
	XML *XMLForm

	params      []param
	body        int // field index of Body in Request; -1 without a body
	respHeaders []param
	respField   string // "" (object body), "Items" or "Value"
}

// Follow makes one Invoke of a list operation read every page, for applications that page by
// Link: rel="next" or by an opaque cursor, which the mapping engine's offset and page-number
// paging cannot address: the items of every page are concatenated into the first response's
// list member, up to Max items (more is an error, never a silent truncation).
type Follow struct {
	// Link: follow the Link header's rel="next" URL (same origin only).
	Link bool
	// Cursor is the response member holding the next cursor; Param the query parameter that
	// carries it. An empty or absent cursor ends the listing.
	Cursor, Param string
	// Items is the response member holding each page's items.
	Items string
	Max   int
}

// XMLForm is how an XML operation's documents look: the root element of the body it sends
// (required with a body; the body's type is the root's attributes and children, or its text)
// and of the reply (checked when given), and the namespace of the body's root, declared as the
// default namespace so that its children are in it too. Replies are matched by local names,
// whatever their namespaces.
type XMLForm struct {
	Body, Response string
	Namespace      string
}

type param struct {
	name  string
	in    string // path, query, header
	field int
	kind  string // string, int, number, bool, time, list (query only)
}

// Operations returns the operation names, sorted.
func (d *Definition) Operations() []string { return slices.Clone(d.names) }

// Lookup returns the operation called name.
func (d *Definition) Lookup(name string) (*Operation, bool) {
	o, ok := d.ops[name]
	return o, ok
}

var (
	pathParamRE = regexp.MustCompile(`\{([^{}/?]*)\}`)
	validName   = regexp.MustCompile(`^[A-Za-z0-9_.\-$@ ]{1,100}$`)
	methods     = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodHead}
)

// maxRestNodes bounds the values one rest: block may decode to, aliases counted each time.
const maxRestNodes = 20000

// Parse reads the rest: block of a mapping file (a YAML node kept with its positions) and builds
// the definition. file names the mapping file in problems; every problem is reported at once.
func Parse(file string, n *yaml.Node) (*Definition, error) {
	ps := &problems{diag.Collector{File: file}}
	p := &parser{ps: ps, named: map[string]*yaml.Node{}, built: map[string]*typeDesc{}}
	d := &Definition{ops: map[string]*Operation{}}
	if n == nil {
		ps.add(0, 0, "rest: no operations declared")
		return nil, ps.err()
	}
	top := p.mapping(n, "rest", []string{"types", "errors", "operations"})
	if tn := top["types"]; tn != nil {
		for _, kv := range p.pairs(tn, "rest.types") {
			if !validName.MatchString(kv[0].Value) || strings.HasPrefix(kv[0].Value, "[]") || slices.Contains(scalarKinds, kv[0].Value) {
				ps.add(kv[0].Line, kv[0].Column, "rest.types.%s: not a usable type name", kv[0].Value)
				continue
			}
			p.named[kv[0].Value] = kv[1]
		}
		for _, kv := range p.pairs(tn, "rest.types") {
			if p.named[kv[0].Value] != nil {
				p.named1(kv[0].Value, kv[0], "rest.types", 0)
			}
		}
	}
	if en := top["errors"]; en != nil {
		m := p.mapping(en, "rest.errors", []string{"message", "code", "xml"})
		d.errMessage = p.paths(m["message"], "rest.errors.message")
		d.errCode = p.paths(m["code"], "rest.errors.code")
		if xn := m["xml"]; xn != nil {
			xm := p.mapping(xn, "rest.errors.xml", []string{"message", "code"})
			d.errXMLMessage = p.xpaths(xm["message"], "rest.errors.xml.message")
			d.errXMLCode = p.xpaths(xm["code"], "rest.errors.xml.code")
		}
	}
	on := top["operations"]
	if on == nil {
		ps.add(n.Line, n.Column, "rest.operations: required (the calls the mapping may name)")
	} else {
		for _, kv := range p.pairs(on, "rest.operations") {
			name := kv[0].Value
			if !validName.MatchString(name) {
				ps.add(kv[0].Line, kv[0].Column, "rest.operations: %q is not a usable operation name", name)
				continue
			}
			if op := p.operation(name, kv[1]); op != nil {
				d.ops[name] = op
				d.names = append(d.names, name)
			}
		}
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	slices.Sort(d.names)
	return d, nil
}

type parser struct {
	ps    *problems
	named map[string]*yaml.Node
	built map[string]*typeDesc
	busy  []string // named types being built, for cycles
	nodes int
}

func (p *parser) count(n *yaml.Node) bool {
	p.nodes++
	if p.nodes == maxRestNodes+1 {
		p.ps.add(n.Line, n.Column, "rest: the block expands to more than %d values (aliases used too often)", maxRestNodes)
	}
	return p.nodes <= maxRestNodes
}

func deAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 10; i++ {
		n = n.Alias
	}
	return n
}

// pairs returns the key/value nodes of a mapping, reporting duplicates.
func (p *parser) pairs(n *yaml.Node, what string) [][2]*yaml.Node {
	n = deAlias(n)
	if n == nil || !p.count(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.ps.add(n.Line, n.Column, "%s: expected a mapping", what)
		return nil
	}
	var out [][2]*yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deAlias(n.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			p.ps.add(k.Line, k.Column, "%s: keys must be names", what)
			continue
		}
		if seen[k.Value] {
			p.ps.add(k.Line, k.Column, "%s.%s: duplicate key", what, k.Value)
			continue
		}
		seen[k.Value] = true
		out = append(out, [2]*yaml.Node{k, v})
	}
	return out
}

// mapping reads a block with a fixed set of keys.
func (p *parser) mapping(n *yaml.Node, what string, keys []string) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for _, kv := range p.pairs(n, what) {
		if !slices.Contains(keys, kv[0].Value) {
			p.ps.add(kv[0].Line, kv[0].Column, "%s.%s: unknown key%s", what, kv[0].Value, didYouMean(kv[0].Value, keys))
			continue
		}
		if kv[1].Kind == yaml.ScalarNode && kv[1].Tag == "!!null" {
			continue
		}
		out[kv[0].Value] = kv[1]
	}
	return out
}

func (p *parser) scalar(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		p.ps.add(n.Line, n.Column, "%s: expected a string", what)
		return ""
	}
	return n.Value
}

// paths reads a dotted member path (or a list of them, tried in order).
func (p *parser) paths(n *yaml.Node, what string) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		var out []string
		for _, c := range n.Content {
			out = append(out, p.scalar(deAlias(c), what))
		}
		return out
	}
	return []string{p.scalar(n, what)}
}

// xpaths reads an XPath (or a list of them, tried in order) and compiles each, so that a bad
// one is reported where it is written.
func (p *parser) xpaths(n *yaml.Node, what string) []string {
	if n == nil {
		return nil
	}
	items := []*yaml.Node{n}
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	}
	var out []string
	for _, c := range items {
		c = deAlias(c)
		src := p.scalar(c, what)
		if src == "" {
			continue
		}
		if _, err := xpath.Compile(src); err != nil {
			p.ps.add(c.Line, c.Column, "%s: XPath %q: %v", what, src, err)
			continue
		}
		out = append(out, src)
	}
	return out
}

// typeOf reads a type: a scalar kind, a named type, "[]T", or a mapping (an inline object).
func (p *parser) typeOf(n *yaml.Node, what string, depth int) *typeDesc {
	n = deAlias(n)
	if n == nil || !p.count(n) {
		return &typeDesc{kind: "any"}
	}
	if depth > maxTypeDepth {
		p.ps.add(n.Line, n.Column, "%s: types nest more than %d levels deep", what, maxTypeDepth)
		return &typeDesc{kind: "any"}
	}
	if n.Kind == yaml.MappingNode {
		t := &typeDesc{kind: "object"}
		seen := map[string]string{}
		for _, kv := range p.pairs(n, what) {
			name := kv[0].Value
			if !validName.MatchString(name) {
				p.ps.add(kv[0].Line, kv[0].Column, "%s: %q is not a usable member name", what, name)
				continue
			}
			if other, dup := seen[GoName(name)]; dup {
				p.ps.add(kv[0].Line, kv[0].Column, "%s: members %q and %q both become the Go field %s", what, other, name, GoName(name))
				continue
			}
			seen[GoName(name)] = name
			t.fields = append(t.fields, fieldDesc{json: name, t: p.typeOf(kv[1], what+"."+name, depth+1), at: at(kv[0])})
		}
		return t
	}
	s := strings.TrimSpace(p.scalar(n, what))
	if s == "" {
		if n.Kind == yaml.ScalarNode {
			p.ps.add(n.Line, n.Column, "%s: expected a type (one of %s, a name from rest.types, []T, or a mapping of members)", what, strings.Join(scalarKinds, ", "))
		}
		return &typeDesc{kind: "any"}
	}
	return p.named1(s, n, what, depth)
}

func (p *parser) named1(s string, n *yaml.Node, what string, depth int) *typeDesc {
	if elem, ok := strings.CutPrefix(s, "[]"); ok {
		return &typeDesc{kind: "list", elem: p.named1(strings.TrimSpace(elem), n, what, depth+1)}
	}
	if slices.Contains(scalarKinds, s) {
		return &typeDesc{kind: s}
	}
	if t, ok := p.built[s]; ok {
		return t
	}
	def, ok := p.named[s]
	if !ok {
		names := append(slices.Clone(scalarKinds), keys(p.named)...)
		p.ps.add(n.Line, n.Column, "%s: unknown type %q%s", what, s, didYouMean(s, names))
		return &typeDesc{kind: "any"}
	}
	if slices.Contains(p.busy, s) {
		p.ps.add(n.Line, n.Column, "%s: type %s refers to itself (%s), which a Go struct cannot hold", what, s, strings.Join(append(p.busy, s), " → "))
		return &typeDesc{kind: "any"}
	}
	p.busy = append(p.busy, s)
	t := p.typeOf(def, "rest.types."+s, depth+1)
	p.busy = p.busy[:len(p.busy)-1]
	t.name = s
	p.built[s] = t
	return t
}

func keys(m map[string]*yaml.Node) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

var opKeys = []string{"method", "path", "query", "headers", "body", "response", "responseHeaders", "follow", "xml"}

func (p *parser) operation(name string, n *yaml.Node) *Operation {
	what := "rest.operations." + name
	m := p.mapping(n, what, opKeys)
	before := len(p.ps.List)
	d := opDesc{name: name, what: what, at: at(n)}
	d.method = strings.ToUpper(p.scalar(m["method"], what+".method"))
	if m["method"] == nil {
		d.method = ""
	} else {
		d.methodAt = at(m["method"])
	}
	d.path = p.scalar(m["path"], what+".path")
	d.pathAt = d.at
	if m["path"] != nil {
		d.pathAt = at(m["path"])
	}
	for _, in := range []string{"query", "headers"} {
		for _, kv := range p.pairs(m[in], what+"."+in) {
			t := p.typeOf(kv[1], what+"."+in+"."+kv[0].Value, 0)
			d.params = append(d.params, paramDesc{name: kv[0].Value, in: strings.TrimSuffix(in, "s"), t: t, at: at(kv[0]), typeAt: at(kv[1])})
		}
	}
	if bn := m["body"]; bn != nil {
		d.body = p.typeOf(bn, what+".body", 0)
		d.bodyAt = at(bn)
	}
	if rn := m["response"]; rn != nil {
		d.response = p.typeOf(rn, what+".response", 0)
		d.responseAt = at(rn)
	}
	if xn := m["xml"]; xn != nil {
		xm := p.mapping(xn, what+".xml", []string{"body", "response", "namespace"})
		d.xml = &XMLForm{Body: p.scalar(xm["body"], what+".xml.body"), Response: p.scalar(xm["response"], what+".xml.response"),
			Namespace: p.scalar(xm["namespace"], what+".xml.namespace")}
		d.xmlAt = at(xn)
	} else if n := deAlias(n); n != nil {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "xml" { // xml: with no value (or ~): XML without bodies
				d.xml, d.xmlAt = &XMLForm{}, at(n.Content[i])
			}
		}
	}
	for _, kv := range p.pairs(m["responseHeaders"], what+".responseHeaders") {
		t := p.typeOf(kv[1], what+".responseHeaders."+kv[0].Value, 0)
		d.respHeaders = append(d.respHeaders, paramDesc{name: kv[0].Value, in: "header", t: t, at: at(kv[0]), typeAt: at(kv[1])})
	}
	op := assemble(d, func(a pos, format string, args ...any) { p.ps.add(a.line, a.col, format, args...) })
	if op != nil && m["follow"] != nil {
		op.Follow = p.follow(m["follow"], what+".follow", op.Response)
	}
	if len(p.ps.List) > before {
		return nil
	}
	return op
}

func (p *parser) follow(n *yaml.Node, what string, respType reflect.Type) *Follow {
	m := p.mapping(n, what, []string{"link", "cursor", "param", "items", "max"})
	f := &Follow{}
	if v := m["link"]; v != nil {
		f.Link = v.Value == "next"
		if !f.Link {
			p.ps.add(v.Line, v.Column, "%s.link: the only relation followed is next", what)
		}
	}
	f.Cursor = p.scalar(m["cursor"], what+".cursor")
	f.Param = p.scalar(m["param"], what+".param")
	f.Items = p.scalar(m["items"], what+".items")
	if v := m["max"]; v != nil {
		if _, err := fmt.Sscan(v.Value, &f.Max); err != nil || f.Max <= 0 {
			p.ps.add(v.Line, v.Column, "%s.max: a positive number of items", what)
		}
	}
	if f.Link == (f.Cursor != "") {
		p.ps.add(n.Line, n.Column, "%s: give either link: next or cursor (with param)", what)
	}
	if (f.Cursor != "") != (f.Param != "") {
		p.ps.add(n.Line, n.Column, "%s: cursor and param go together", what)
	}
	if f.Max == 0 {
		p.ps.add(n.Line, n.Column, "%s: max: required (the most items one listing may hold)", what)
	}
	hasMember := func(json string, list bool) bool {
		for i := 0; i < respType.NumField(); i++ {
			sf := respType.Field(i)
			tag, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if tag == json && (!list || sf.Type.Kind() == reflect.Slice) {
				return true
			}
		}
		return false
	}
	at := func(k string) *yaml.Node {
		if v := m[k]; v != nil {
			return v
		}
		return n
	}
	if !hasMember(f.Items, true) {
		p.ps.add(at("items").Line, at("items").Column, "%s.items: %q is not a list member of the response", what, f.Items)
	}
	if f.Cursor != "" && !hasMember(f.Cursor, false) {
		p.ps.add(at("cursor").Line, at("cursor").Column, "%s.cursor: %q is not a member of the response", what, f.Cursor)
	}
	return f
}
