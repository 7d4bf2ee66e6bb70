package wsdlgen

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// maxFiles bounds how many files one WSDL may pull in through imports and includes.
const maxFiles = 500

// prepared is the single, self-contained WSDL handed to gowsdl, with what the later steps need.
type prepared struct {
	doc      []byte
	binding  string
	portType string
	ops      []bindingOp // the chosen binding's operations, in document order
	schemas  []*node     // the schemas as given to gowsdl
	endpoint string      // soap:address of the chosen binding's first port
	soap12   bool        // the binding was a SOAP 1.2 binding (adoptSOAP12)
}

// nsMIME is WSDL 1.1's MIME binding (SOAP with attachments).
const nsMIME = "http://schemas.xmlsoap.org/wsdl/mime/"

// attachmentsAt returns the mime:multipartRelated element of a binding operation's input or
// output, nil when it has none.
func attachmentsAt(op *node) *node {
	for _, dir := range []string{"input", "output"} {
		for _, io := range op.children(nsWSDL, dir) {
			if m := io.children(nsMIME, "multipartRelated"); len(m) > 0 {
				return m[0]
			}
		}
	}
	return nil
}

func hasSOAP11Binding(defs *node) bool {
	for _, b := range defs.children(nsWSDL, "binding") {
		if len(b.children(nsSOAP11, "binding")) > 0 {
			return true
		}
	}
	return false
}

type bindingOp struct {
	name, action string
	void         bool // no output message, or one without parts
	noInput      bool // input message without parts
	// style and use are "document"/"literal" for every operation gen accepts; the runtime client
	// (Options.Runtime) also keeps operations of other styles, for the encoders that speak them.
	style, use string
	ptOp, bOp  *node // the portType's and the binding's operation
}

type loader struct {
	dir    string // directory of the main WSDL; files are named relative to it in messages
	files  map[string]bool
	report *Report
	// fetch reads a remote document; set only when the main WSDL itself is a URL (the runtime
	// client's backend.wsdl), whose relative imports are then read from the same server.
	fetch func(url string) ([]byte, error)
}

func (l *loader) rel(path string) string {
	if r, err := filepath.Rel(l.dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

// load reads and parses a file referenced by location from the element ref (nil for the main
// WSDL). Only local files are read: a remote location is refused, since generation must not
// depend on the network.
func (l *loader) load(location string, ref *node) (*node, string, error) {
	path := location
	if l.fetch != nil {
		return l.loadRemote(location, ref)
	}
	if ref != nil {
		if isRemote(location) {
			return nil, "", refuse("%s: %s refers to the remote location %s: scimbridge gen never downloads schemas (generation must be reproducible offline). Download it next to the WSDL and change the location to the relative file name", ref.where(), ref.qname(), location)
		}
		path = filepath.Join(filepath.Dir(filepath.Join(l.dir, ref.file)), filepath.FromSlash(strings.TrimPrefix(location, "file://")))
	}
	if len(l.files) >= maxFiles {
		return nil, "", refuse("%s: more than %d files imported", ref.where(), maxFiles)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if ref != nil && errors.Is(err, fs.ErrNotExist) {
			return nil, "", refuse("%s: %s refers to %s, which does not exist (looked for %s)", ref.where(), ref.qname(), location, l.rel(path))
		}
		return nil, "", err
	}
	abs, _ := filepath.Abs(path)
	root, err := parseXML(data, l.rel(path))
	if err != nil {
		return nil, "", refuse("%v", err)
	}
	return root, abs, nil
}

// loadRemote is load for a WSDL read from a URL: locations are resolved against the referring
// document's URL, and only documents of the same scheme and host are read (a WSDL served by the
// application describes itself; a reference elsewhere is refused rather than followed).
func (l *loader) loadRemote(location string, ref *node) (*node, string, error) {
	target, err := url.Parse(location)
	if err != nil {
		if ref == nil {
			return nil, "", fmt.Errorf("%q is not a URL: %w", location, err)
		}
		return nil, "", refuse("%s: %s: location %q is not a URL: %v", ref.where(), ref.qname(), location, err)
	}
	if ref != nil {
		base, err := url.Parse(ref.file)
		if err != nil {
			return nil, "", refuse("%s: %v", ref.where(), err)
		}
		target = base.ResolveReference(target)
		if target.Scheme != base.Scheme || target.Host != base.Host {
			return nil, "", refuse("%s: %s refers to %s, on another server than the WSDL: only documents of the WSDL's own server are read. Way forward: save the WSDL and its imports as files side by side and set backend.wsdl to the file", ref.where(), ref.qname(), target.Redacted())
		}
	}
	if len(l.files) >= maxFiles {
		return nil, "", refuse("%s: more than %d files imported", ref.where(), maxFiles)
	}
	name := target.Redacted()
	data, err := l.fetch(target.String())
	if err != nil {
		if ref != nil {
			return nil, "", refuse("%s: %s refers to %s: %v", ref.where(), ref.qname(), name, err)
		}
		return nil, "", err
	}
	root, err := parseXML(data, name)
	if err != nil {
		return nil, "", refuse("%v", err)
	}
	return root, name, nil
}

func isRemote(loc string) bool {
	l := strings.ToLower(loc)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "ftp://")
}

// preflight turns the WSDL at path into one document gowsdl v0.5.0 handles correctly, or refuses
// it with the reason. See the package doc for the steps.
func preflight(path string, opts Options, r *Report) (*prepared, error) {
	l := &loader{dir: filepath.Dir(path), files: map[string]bool{}, report: r}
	if isRemote(path) && opts.Fetch != nil {
		l.fetch = opts.Fetch
	}
	defs, abs, err := l.load(path, nil)
	if err != nil {
		return nil, err
	}
	if l.fetch == nil {
		defs.file = filepath.Base(path)
	}
	l.files[abs] = true
	if !defs.is(nsWSDL, "definitions") {
		return nil, refuse("%s: the root element is <%s>, not a WSDL 1.1 <definitions> (WSDL 2.0 is not supported)", defs.file, defs.qname())
	}
	if err := l.inlineWSDLImports(defs, abs); err != nil {
		return nil, err
	}
	types := ensureTypes(defs)
	if err := l.inlineSchemas(types); err != nil {
		return nil, err
	}
	p, err := chooseBinding(defs, opts, r)
	if err != nil {
		return nil, err
	}
	schemas := types.children(nsXSD, "schema")
	dedupeTypes(schemas, r)
	mapBuiltins(schemas, r)
	pointerize(schemas, r)
	if opts.Runtime {
		markOpenContent(schemas)
	}
	warnUnsupported(schemas, r, opts.Runtime)
	p.schemas = schemas
	p.doc = defs.document()
	return p, nil
}

// inlineWSDLImports replaces every wsdl:import by the content of the imported file: a WSDL's
// children (types, messages, portTypes, bindings, services), or an XSD (as a schema in types).
// gowsdl v0.5.0 parses wsdl:import but never follows it.
func (l *loader) inlineWSDLImports(defs *node, abs string) error {
	for _, imp := range defs.children(nsWSDL, "import") {
		defs.remove(imp)
		loc, ok := imp.attr("location")
		if !ok || loc == "" {
			return refuse("%s: wsdl:import of namespace %q has no location", imp.where(), imp.attrOr("namespace", ""))
		}
		root, path, err := l.load(loc, imp)
		if err != nil {
			return err
		}
		if l.files[path] {
			continue // already inlined (diamond or cycle)
		}
		l.files[path] = true
		l.report.change(KindImport, "inlined wsdl:import %s (from %s)", root.file, imp.where())
		switch {
		case root.is(nsWSDL, "definitions"):
			if err := l.inlineWSDLImports(root, path); err != nil {
				return err
			}
			types := ensureTypes(defs)
			for _, e := range root.elems() {
				if e.is(nsWSDL, "types") {
					for _, s := range e.elems() {
						adopt(types, s)
					}
					continue
				}
				adopt(defs, e)
			}
		case root.is(nsXSD, "schema"):
			adopt(ensureTypes(defs), root)
		default:
			return refuse("%s: wsdl:import of %s: it is neither a WSDL nor an XSD (root <%s>)", imp.where(), loc, root.qname())
		}
	}
	return nil
}

// ensureTypes returns defs' wsdl:types, creating it (first, as WSDL 1.1 orders it) if needed.
func ensureTypes(defs *node) *node {
	if t := defs.children(nsWSDL, "types"); len(t) > 0 {
		return t[0]
	}
	t := &node{prefix: defs.prefix, local: "types", parent: defs, file: defs.file, line: defs.line}
	defs.kids = append([]any{t}, defs.kids...)
	return t
}

// inlineSchemas follows xs:include and xs:import schemaLocations from local files only and puts
// everything into types, so gowsdl reads nothing from disk or network by itself. The loop runs
// over a growing list of schemas; it ends because every file is added at most once and there are
// at most maxFiles of them.
func (l *loader) inlineSchemas(types *node) error {
	for i := 0; i < len(types.elems()); i++ {
		s := types.elems()[i]
		if !s.is(nsXSD, "schema") {
			continue
		}
		if err := l.inlineIncludes(s, map[*node]bool{}); err != nil {
			return err
		}
		for _, imp := range s.children(nsXSD, "import") {
			loc, ok := imp.attr("schemaLocation")
			if !ok {
				continue
			}
			imp.delAttr("schemaLocation")
			root, path, err := l.load(loc, imp)
			if err != nil {
				return err
			}
			if !root.is(nsXSD, "schema") {
				return refuse("%s: xs:import of %s: its root is <%s>, not an XML schema", imp.where(), loc, root.qname())
			}
			if want := imp.attrOr("namespace", ""); want != root.attrOr("targetNamespace", "") {
				return refuse("%s: xs:import of namespace %q, but %s has targetNamespace %q", imp.where(), want, loc, root.attrOr("targetNamespace", ""))
			}
			if l.files[path] {
				continue
			}
			l.files[path] = true
			l.report.change(KindImport, "inlined xs:import %s (from %s)", root.file, imp.where())
			adopt(types, root)
		}
	}
	// An import without schemaLocation must name a namespace defined in the WSDL itself.
	defined := map[string]bool{nsXSD: true, "http://schemas.xmlsoap.org/soap/encoding/": true, "http://www.w3.org/XML/1998/namespace": true}
	for _, s := range types.children(nsXSD, "schema") {
		defined[s.attrOr("targetNamespace", "")] = true
	}
	for _, s := range types.children(nsXSD, "schema") {
		for _, imp := range s.children(nsXSD, "import") {
			if ns := imp.attrOr("namespace", ""); !defined[ns] {
				l.report.warn("%s: xs:import of namespace %s has no schemaLocation and no schema in the WSDL defines it; its types are unknown to gowsdl", imp.where(), ns)
			}
		}
	}
	return nil
}

// inlineIncludes replaces each xs:include of s by the included schema's children (an include
// shares the including schema's namespace, or adopts it if it has none).
func (l *loader) inlineIncludes(s *node, stack map[*node]bool) error {
	for _, inc := range s.children(nsXSD, "include") {
		s.remove(inc)
		loc, ok := inc.attr("schemaLocation")
		if !ok {
			return refuse("%s: xs:include without schemaLocation", inc.where())
		}
		root, path, err := l.load(loc, inc)
		if err != nil {
			return err
		}
		if !root.is(nsXSD, "schema") {
			return refuse("%s: xs:include of %s: its root is <%s>, not an XML schema", inc.where(), loc, root.qname())
		}
		if tns, ok := root.attr("targetNamespace"); ok && tns != s.attrOr("targetNamespace", "") {
			return refuse("%s: xs:include of %s, whose targetNamespace %q differs from the including schema's %q (use xs:import)", inc.where(), loc, tns, s.attrOr("targetNamespace", ""))
		}
		if l.files[path] {
			continue
		}
		l.files[path] = true
		l.report.change(KindImport, "inlined xs:include %s (from %s)", root.file, inc.where())
		if err := l.inlineIncludes(root, stack); err != nil {
			return err
		}
		for _, e := range root.elems() {
			if e.is(nsXSD, "annotation") {
				continue
			}
			adopt(s, e)
		}
	}
	return nil
}

// wsdlMessage finds a message by the QName in an input/output message attribute.
func wsdlMessage(defs *node, ref *node, qname string) *node {
	_, local, _ := ref.resolveQName(qname)
	for _, m := range defs.children(nsWSDL, "message") {
		if m.attrOr("name", "") == local {
			return m
		}
	}
	return nil
}

// chooseBinding picks the SOAP 1.1 binding, checks that every one of its operations is
// document/literal with single-element messages, and drops every other binding, portType and
// service port, so gowsdl (which reads the first binding of a portType, whatever its SOAP
// version) sees only the chosen one.
func chooseBinding(defs *node, opts Options, r *Report) (*prepared, error) {
	file := defs.file
	var soap11, others []*node
	soap12 := false
	if opts.Runtime && !hasSOAP11Binding(defs) && len(adoptSOAP12(defs)) > 0 {
		soap12 = true // read as SOAP 1.1 bindings, sent as SOAP 1.2 (soap12binding.go)
		r.warn("the WSDL offers SOAP 1.2 bindings only: the client sends SOAP 1.2 envelopes (application/soap+xml)")
	}
	for _, b := range defs.children(nsWSDL, "binding") {
		if len(b.children(nsSOAP11, "binding")) > 0 {
			soap11 = append(soap11, b)
		} else {
			others = append(others, b)
		}
	}
	var chosen *node
	switch {
	case opts.Binding != "":
		for _, b := range soap11 {
			if b.attrOr("name", "") == opts.Binding {
				chosen = b
			}
		}
		if chosen == nil {
			return nil, refuse("%s: no SOAP 1.1 binding named %s (SOAP 1.1 bindings: %s)", file, opts.Binding, names(soap11))
		}
	case len(soap11) == 0:
		if len(others) > 0 {
			return nil, refuse("%s: no SOAP 1.1 binding (bindings: %s): gowsdl v0.5.0's runtime speaks SOAP 1.1 only. Way forward: connect it with the runtime client instead (backend.wsdl, which sends SOAP 1.2), or ask the vendor whether the service accepts SOAP 1.1 (most SOAP 1.2 stacks do) and add a SOAP 1.1 binding to the WSDL", file, names(others))
		}
		return nil, refuse("%s: the WSDL has no binding", file)
	case len(soap11) > 1:
		pt := map[string]bool{}
		for _, b := range soap11 {
			pt[b.attrOr("type", "")] = true
		}
		if len(pt) > 1 {
			return nil, refuse("%s: %d SOAP 1.1 bindings (%s) for different portTypes; a client has one portType. Way forward: pass --binding NAME, one generated package per binding", file, len(soap11), names(soap11))
		}
		chosen = soap11[0]
		r.warn("%d SOAP 1.1 bindings for the same portType (%s); using the first, %s", len(soap11), names(soap11), chosen.attrOr("name", ""))
	default:
		chosen = soap11[0]
	}
	r.Binding = chosen.attrOr("name", "")
	_, ptLocal, _ := chosen.resolveQName(chosen.attrOr("type", ""))
	r.PortType = ptLocal

	// Drop what gowsdl must not see.
	for _, b := range defs.children(nsWSDL, "binding") {
		if b != chosen {
			defs.remove(b)
			r.change(KindBinding, "dropped binding %s (%s): the client uses %s", b.attrOr("name", ""), bindingKind(b), r.Binding)
		}
	}
	for _, pt := range defs.children(nsWSDL, "portType") {
		if pt.attrOr("name", "") != ptLocal {
			defs.remove(pt)
			r.change(KindBinding, "dropped portType %s: no SOAP 1.1 binding of it is used", pt.attrOr("name", ""))
		}
	}
	endpoint := ""
	for _, svc := range defs.children(nsWSDL, "service") {
		for _, port := range svc.children(nsWSDL, "port") {
			if _, local, _ := port.resolveQName(port.attrOr("binding", "")); local != r.Binding {
				svc.remove(port)
				continue
			}
			for _, a := range port.children(nsSOAP11, "address") {
				if endpoint == "" {
					endpoint = a.attrOr("location", "")
				}
			}
		}
	}

	// Styles, per operation: soap:operation@style, else soap:binding@style, else document;
	// soap:body@use, else literal.
	defStyle := chosen.children(nsSOAP11, "binding")[0].attrOr("style", "document")
	type group struct{ ops []string }
	bad := map[string]*group{}
	var badOrder []string
	p := &prepared{binding: r.Binding, portType: ptLocal, endpoint: endpoint, soap12: soap12}
	var portType *node
	for _, pt := range defs.children(nsWSDL, "portType") {
		portType = pt
	}
	if portType == nil {
		return nil, refuse("%s: binding %s refers to portType %s, which the WSDL does not define", file, r.Binding, ptLocal)
	}
	for _, op := range chosen.children(nsWSDL, "operation") {
		name := op.attrOr("name", "")
		if at := attachmentsAt(op); at != nil {
			// SOAP with attachments (a MIME multipart message) is sent by neither client. The
			// operation is left out rather than the whole service refused: identity operations
			// rarely carry attachments, and a mapping that names it is refused by check.
			r.warn("%s: operation %s uses SOAP with attachments (mime:multipartRelated), which the bridge does not send; it is left out of the client. Way forward: map the users and groups through the service's other operations, or ask the vendor for a variant without attachments", at.where(), name)
			chosen.remove(op)
			for _, o := range portType.children(nsWSDL, "operation") {
				if o.attrOr("name", "") == name {
					portType.remove(o)
				}
			}
			continue
		}
		style, action := defStyle, ""
		if so := op.children(nsSOAP11, "operation"); len(so) > 0 {
			style = so[0].attrOr("style", style)
			action = so[0].attrOr("soapAction", "")
		}
		use := "literal"
		for _, dir := range []string{"input", "output"} {
			for _, io := range op.children(nsWSDL, dir) {
				for _, body := range io.children(nsSOAP11, "body") {
					if u := body.attrOr("use", "literal"); u != "literal" {
						use = u
					}
				}
			}
		}
		if key := style + "/" + use; key != "document/literal" && !opts.Runtime {
			if bad[key] == nil {
				bad[key] = &group{}
				badOrder = append(badOrder, key)
			}
			bad[key].ops = append(bad[key].ops, name)
			continue
		}
		bo := bindingOp{name: name, action: action, style: style, use: use, bOp: op}
		var ptOp *node
		for _, o := range portType.children(nsWSDL, "operation") {
			if o.attrOr("name", "") == name {
				ptOp = o
			}
		}
		if ptOp == nil {
			return nil, refuse("%s: operation %s of binding %s is not in portType %s", op.where(), name, r.Binding, ptLocal)
		}
		bo.ptOp = ptOp
		for _, dir := range []string{"input", "output"} {
			ios := ptOp.children(nsWSDL, dir)
			if len(ios) == 0 {
				if dir == "output" {
					bo.void = true
				} else {
					bo.noInput = true
				}
				continue
			}
			msg := wsdlMessage(defs, ios[0], ios[0].attrOr("message", ""))
			if msg == nil {
				return nil, refuse("%s: operation %s: %s message %s is not defined", ios[0].where(), name, dir, ios[0].attrOr("message", ""))
			}
			parts := msg.children(nsWSDL, "part")
			switch {
			case len(parts) == 0:
				if dir == "output" {
					bo.void = true
				} else {
					bo.noInput = true
				}
			case style == "rpc":
				// rpc parts are the children of the operation's wrapper element: any number, each
				// with type= (or element=); the runtime client's rpc encoders read them.
			case len(parts) > 1:
				return nil, refuse("%s: operation %s: %s message %s has %d parts; gowsdl v0.5.0 sends only the first. Way forward: a document/literal-wrapped WSDL has exactly one part per message (SOAP headers as parts are not supported either)", msg.where(), name, dir, msg.attrOr("name", ""), len(parts))
			default:
				if _, ok := parts[0].attr("element"); !ok {
					return nil, refuse("%s: operation %s: part %s of message %s uses type= instead of element= (document/literal \"bare\" with a type); gowsdl v0.5.0 would send it without its element name. Way forward: declare a global element for it and refer to that", parts[0].where(), name, parts[0].attrOr("name", ""), msg.attrOr("name", ""))
				}
				if err := checkWrapperElement(defs, parts[0], name); err != nil {
					return nil, err
				}
			}
		}
		p.ops = append(p.ops, bo)
	}
	if len(badOrder) > 0 {
		var msgs []string
		for _, key := range badOrder {
			ops := bad[key].ops
			list := ops
			more := ""
			if len(list) > 6 {
				list, more = list[:6], ", …"
			}
			msgs = append(msgs, fmt.Sprintf("binding %s uses %s for %d operation%s (%s%s)", r.Binding, key, len(ops), plural(len(ops)), strings.Join(list, ", "), more))
		}
		return nil, refuse("%s: %s: gowsdl v0.5.0 and scimbridge gen support document/literal only. Way forward: %s", file, strings.Join(msgs, "; "), wayForward(badOrder))
	}
	if len(p.ops) == 0 {
		return nil, refuse("%s: binding %s has no operations", file, r.Binding)
	}
	return p, nil
}

func wayForward(styles []string) string {
	// The runtime client (backend.wsdl) speaks both rpc styles; only generation cannot.
	return "connect it without generating code: name the WSDL in backend.wsdl (the runtime client sends rpc/literal and rpc/encoded, with xsi:type, soapenc:Array and multi-ref replies; scimbridge wsdl inspect shows the operations and --skeleton writes a starter mapping)"
}

// checkWrapperElement refuses a part whose element is declared with type="…": gowsdl then uses
// the named type, which has no XMLName, as the request, and the call would go out without its
// element name.
func checkWrapperElement(defs, part *node, op string) error {
	ns, local, _ := part.resolveQName(part.attrOr("element", ""))
	for _, types := range defs.children(nsWSDL, "types") {
		for _, s := range types.children(nsXSD, "schema") {
			if s.attrOr("targetNamespace", "") != ns {
				continue
			}
			for _, e := range s.children(nsXSD, "element") {
				if e.attrOr("name", "") != local {
					continue
				}
				if t, ok := e.attr("type"); ok {
					return refuse("%s: operation %s: element %s is declared with type=%q; gowsdl v0.5.0 generates the type without the element name, so the call would send the wrong root element. Way forward: declare the element with an inline <xs:complexType> (the document/literal-wrapped convention)", e.where(), op, local, t)
				}
				return nil
			}
		}
	}
	return refuse("%s: operation %s: element %s of namespace %s is not declared in the WSDL's schemas", part.where(), op, local, ns)
}

func bindingKind(b *node) string {
	switch {
	case len(b.children(nsSOAP12, "binding")) > 0:
		return "SOAP 1.2"
	case len(b.children(nsSOAP11, "binding")) > 0:
		return "SOAP 1.1"
	case len(b.children("http://schemas.xmlsoap.org/wsdl/http/", "binding")) > 0:
		return "HTTP"
	}
	return "not SOAP"
}

func names(ns []*node) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.attrOr("name", "?"))
	}
	return strings.Join(out, ", ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// goName is how gowsdl names a type or method: the first letter upper-cased.
func goName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// typeDef is a global simple or complex type.
type typeDef struct {
	n        *node
	ns, name string
	schema   *node
}

// qnameAttrs are the attributes of schema elements that refer to a type by QName.
var qnameAttrs = []string{"type", "base", "itemType"}

// dedupeTypes fixes global types whose Go names collide (same name in two namespaces, or names
// differing only in the case of the first letter): gowsdl strips namespaces and would declare the
// type twice. An empty extension of a same-named type (Axis2 re-exports types like that) is
// removed and its references point to the base; any other duplicate is renamed. Type names do not
// travel on the wire in document/literal (only element names do), so both are safe.
func dedupeTypes(schemas []*node, r *Report) {
	var defs []typeDef
	for _, s := range schemas {
		tns := s.attrOr("targetNamespace", "")
		for _, e := range s.elems() {
			if (e.is(nsXSD, "complexType") || e.is(nsXSD, "simpleType")) && e.attrOr("name", "") != "" {
				defs = append(defs, typeDef{n: e, ns: tns, name: e.attrOr("name", ""), schema: s})
			}
		}
	}
	taken := map[string]bool{}
	for _, d := range defs {
		taken[goName(d.name)] = true
	}
	first := map[string]typeDef{}
	for _, d := range defs {
		key := goName(d.name)
		f, dup := first[key]
		if !dup {
			first[key] = d
			continue
		}
		if baseNS, ok := emptyExtensionOf(d.n, d.name); ok && baseNS == f.ns && f.name == d.name {
			d.schema.remove(d.n)
			n := rewriteRefs(schemas, d.ns, d.name, f.ns, f.name)
			r.change(KindRemoveType, "removed type %s of namespace %s: an empty extension of %s of %s (references changed: %d)", d.name, d.ns, f.name, f.ns, n)
			continue
		}
		newName := d.name
		for i := 2; i < 1000; i++ {
			newName = fmt.Sprintf("%s%d", d.name, i)
			if !taken[goName(newName)] {
				break
			}
		}
		taken[goName(newName)] = true
		d.n.setAttr("name", newName)
		n := rewriteRefs(schemas, d.ns, d.name, d.ns, newName)
		r.change(KindRenameType, "renamed type %s of namespace %s to %s (%s is taken by namespace %s; references changed: %d)", d.name, d.ns, newName, f.name, f.ns, n)
	}
}

// emptyExtensionOf reports whether a complexType only extends a type of the given name and adds
// nothing, and returns the base's namespace.
func emptyExtensionOf(t *node, name string) (string, bool) {
	if !t.is(nsXSD, "complexType") {
		return "", false
	}
	var ext *node
	for _, cc := range t.children(nsXSD, "complexContent") {
		for _, e := range cc.children(nsXSD, "extension") {
			ext = e
		}
	}
	if ext == nil {
		return "", false
	}
	ns, local, ok := ext.resolveQName(ext.attrOr("base", ""))
	if !ok || local != name {
		return "", false
	}
	adds := false
	ext.walk(func(n *node) bool {
		if n.ns() == nsXSD && slices.Contains([]string{"element", "attribute", "any", "anyAttribute", "group", "attributeGroup"}, n.local) {
			adds = true
		}
		return !adds
	})
	return ns, !adds
}

// rewriteRefs points every type reference to {fromNS}from at {toNS}to, and returns how many it
// changed. A prefix for toNS is declared on the referring element when none is in scope.
func rewriteRefs(schemas []*node, fromNS, from, toNS, to string) int {
	count := 0
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			for _, attr := range qnameAttrs {
				v, ok := n.attr(attr)
				if !ok {
					continue
				}
				ns, local, ok := n.resolveQName(v)
				if !ok || ns != fromNS || local != from {
					continue
				}
				n.setAttr(attr, qualify(n, toNS, to))
				count++
			}
			return true
		})
	}
	return count
}

// qualify writes {ns}local as a QName valid at n.
func qualify(n *node, ns, local string) string {
	for _, a := range n.scopeDecls() {
		if a.Value != ns {
			continue
		}
		prefix := ""
		if a.Name.Space == "xmlns" {
			prefix = a.Name.Local
		}
		if got, _ := n.lookupPrefix(prefix); got == ns {
			if prefix == "" {
				return local
			}
			return prefix + ":" + local
		}
	}
	n.attrs = append(n.attrs, xml.Attr{Name: xml.Name{Space: "xmlns", Local: "wsdlgen"}, Value: ns})
	return "wsdlgen:" + local
}

// unmapped are XSD built-ins gowsdl v0.5.0 has no Go type for (they become undefined identifiers
// and compile errors), with the built-in it does know that keeps the value intact on the wire.
var unmapped = map[string]string{
	"QName": "string", "NOTATION": "string", "duration": "string", "anySimpleType": "string",
	"normalizedString": "string", "language": "string", "Name": "string", "NMTOKEN": "string",
	"NMTOKENS": "string", "ID": "string", "IDREF": "string", "IDREFS": "string", "ENTITY": "string",
	"ENTITIES": "string", "gYear": "string", "gYearMonth": "string", "gMonth": "string",
	"gMonthDay": "string", "gDay": "string", "dateTimeStamp": "string",
	"nonNegativeInteger": "unsignedLong", "positiveInteger": "unsignedLong",
	"nonPositiveInteger": "long", "negativeInteger": "long",
}

func mapBuiltins(schemas []*node, r *Report) {
	counts := map[string]int{}
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			for _, attr := range qnameAttrs {
				v, ok := n.attr(attr)
				if !ok {
					continue
				}
				ns, local, ok := n.resolveQName(v)
				if !ok || ns != nsXSD || unmapped[local] == "" {
					continue
				}
				prefix, _, _ := strings.Cut(v, ":")
				if !strings.Contains(v, ":") {
					prefix = ""
				}
				to := unmapped[local]
				if prefix != "" {
					to = prefix + ":" + to
				}
				n.setAttr(attr, to)
				counts[local]++
			}
			return true
		})
	}
	for _, k := range slices.Sorted(mapsKeys(counts)) {
		r.change(KindBuiltin, "xs:%s → xs:%s in %d place%s (gowsdl v0.5.0 has no Go type for xs:%s)", k, unmapped[k], counts[k], plural(counts[k]), k)
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var numeric = map[string]bool{
	"int": true, "integer": true, "long": true, "short": true, "byte": true, "float": true,
	"double": true, "decimal": true, "unsignedInt": true, "unsignedShort": true,
	"unsignedByte": true, "unsignedLong": true,
}

// pointerize makes gowsdl generate pointers where a zero value must be sendable: every local
// xs:boolean element, and every numeric one that may be absent (minOccurs="0"). gowsdl makes a
// basic type a pointer only when the element is nillable, and tags every field omitempty, so
// false and 0 would otherwise never be sent. Declaring them nillable changes nothing on the wire
// (the client never sends xsi:nil; a nil pointer is simply left out).
func pointerize(schemas []*node, r *Report) {
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			if !n.is(nsXSD, "element") || n.parent == s {
				return true
			}
			ns, local, ok := n.resolveQName(n.attrOr("type", ""))
			if !ok || ns != nsXSD || n.attrOr("nillable", "false") == "true" {
				return true
			}
			why := ""
			switch {
			case local == "boolean":
				why = "*bool, so false is sent"
			case numeric[local] && n.attrOr("minOccurs", "1") == "0":
				why = "a pointer, so 0 is sent and an absent value is told apart"
			default:
				return true
			}
			n.setAttr("nillable", "true")
			r.change(KindPointer, "element %s in %s (xs:%s) made nillable: gowsdl then generates %s", n.attrOr("name", "?"), container(n), local, why)
			return true
		})
	}
}

// container names the nearest named ancestor (type or element) of n, for messages.
func container(n *node) string {
	for e := n.parent; e != nil; e = e.parent {
		if name, ok := e.attr("name"); ok && e.ns() == nsXSD {
			return e.local + " " + name
		}
	}
	return "schema"
}

// warnUnsupported lists what gowsdl v0.5.0 drops silently.
// The runtime client keeps xs:any as XML, so it is not warned about there.
func warnUnsupported(schemas []*node, r *Report, runtime bool) {
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			if n.ns() != nsXSD {
				return true
			}
			switch n.local {
			case "any":
				if runtime {
					return true
				}
				r.warn("%s: xs:any in %s: gowsdl v0.5.0 drops it inside an inline type (or makes it Items []string at the top level); that content is not available to the mapping", n.where(), container(n))
			case "group":
				if ref, ok := n.attr("ref"); ok {
					r.warn("%s: xs:group ref=%q in %s: gowsdl v0.5.0 does not expand groups; the group's elements are missing from the Go type", n.where(), ref, container(n))
				}
			case "attributeGroup":
				if ref, ok := n.attr("ref"); ok {
					r.warn("%s: xs:attributeGroup ref=%q in %s: gowsdl v0.5.0 ignores attribute groups; those attributes are missing from the Go type", n.where(), ref, container(n))
				}
			}
			return true
		})
	}
}

// markOpenContent prepares the schemas for the runtime client, which keeps as XML what gowsdl's
// model drops: a complex type with xs:any anywhere in its content model (gowsdl's model only sees
// one directly in its sequence) or with xs:anyAttribute is marked mixed="true", the one flag of
// the model that says "more than the declared elements". xs:group and xs:attributeGroup
// references are still not expanded; the runtime warns about them as gen does.
func markOpenContent(schemas []*node) {
	for _, s := range schemas {
		s.walk(func(n *node) bool {
			if !n.is(nsXSD, "complexType") {
				return true
			}
			open := false
			var visit func(c *node)
			visit = func(c *node) {
				for _, k := range c.elems() {
					if k.ns() != nsXSD || k.local == "complexType" || k.local == "element" {
						continue // nested types are marked on their own
					}
					if k.local == "any" || k.local == "anyAttribute" {
						open = true
					}
					visit(k)
				}
			}
			visit(n)
			if open {
				n.setAttr("mixed", "true")
			}
			return true
		})
	}
}
