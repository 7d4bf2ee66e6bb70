package wsdlgen

import (
	"encoding/xml"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"

	"github.com/hooklift/gowsdl"
	"github.com/hooklift/gowsdl/soap"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
)

// Model is a WSDL read for the runtime client: the same pre-flight as `scimbridge gen`, then
// gowsdl's own WSDL/XSD model, from which Go types equal to the ones gowsdl would generate are
// built with reflect.StructOf. Nothing is compiled: a bridge binary connects a WSDL it has
// never seen.
type Model struct {
	WSDL     string // as given (file or URL)
	Binding  string // the SOAP binding chosen
	PortType string
	// Endpoint is the soap:address of the chosen binding's port ("" if the WSDL has none).
	Endpoint string
	// SOAPVersion is "1.2" when the WSDL offers SOAP 1.2 bindings only (the client must send 1.2
	// envelopes), else "" (SOAP 1.1, preferred when a WSDL offers both).
	SOAPVersion string
	Operations  []ModelOperation // in the binding's order
	Report      *Report
	// Document is the WSDL as read: one self-contained file (imports inlined, the chosen binding
	// only), which Load accepts again.
	Document []byte
}

// ModelOperation is one operation of a Model.
type ModelOperation struct {
	Name       string
	SOAPAction string
	// Style is "document" or "rpc"; Use is "literal" or "encoded". The runtime client picks its
	// encoder by Style+"/"+Use.
	Style, Use string
	// Namespace is the input soap:body namespace (rpc: the wrapper element's namespace).
	Namespace string
	// Request and Response are struct types (soapreg.Void when there is no message or no part):
	// for document/literal the message part's element, for rpc the operation's wrapper element
	// (the operation name, and the name plus "Response") with one field per part.
	Request, Response reflect.Type
	// Parts are the rpc parts of the request and response, in order (empty for document).
	InParts, OutParts []Part
	// TypeNames names the XSD complex type each built struct type came from (the same map for
	// every operation of a model), for rpc/encoded's xsi:type. A struct type two XSD types share
	// (identical fields) is left out: its name is not known.
	TypeNames map[reflect.Type]xml.Name
	Faults    []ModelFault
	// Where is the binding operation's file:line, for messages.
	Where string
}

// Part is one rpc message part: its name and XSD type (or element) as written in the WSDL.
type Part struct {
	Name, Type, Element string
}

// ModelFault is one wsdl:fault of an operation.
type ModelFault struct {
	Name    string
	Element string       // the detail element's name
	Type    reflect.Type // its struct type; nil when unknown
}

// Field tags the runtime types carry besides xml (the generated ones have xml and json): they
// tell `scimbridge wsdl inspect` what the Go type cannot.
const (
	TagXSD = "xsd" // "optional" (minOccurs=0 or attribute without use=required), "any" (kept as XML), "maxLength=N"
	// TagMaxLength starts the note of TagXSD that carries the xs:maxLength (or xs:length) facet
	// of an element's simple type, in characters (generated clients carry it too, facets.go);
	// the mapping refuses longer values before calling the application (docs/mapping.md#maxlength).
	TagMaxLength = "maxLength="
)

// XMLContentType is the Go type of content kept as XML.
var XMLContentType = reflect.TypeFor[xmlcontent.Content]()

// Load reads a WSDL for the runtime client. opts.WSDL is a file or, with opts.Fetch, a URL;
// opts.Binding selects a binding when there are several. A *RefusedError names the file, line
// and the way forward.
func Load(opts Options) (m *Model, err error) {
	r := &Report{WSDL: opts.WSDL}
	opts.Runtime = true
	p, err := preflight(opts.WSDL, opts, r)
	if err != nil {
		return nil, err
	}
	var w gowsdl.WSDL
	if err := xml.Unmarshal(p.doc, &w); err != nil {
		return nil, refuse("%s: gowsdl's WSDL model cannot read the prepared document: %v", opts.WSDL, err)
	}
	b := newTypeBuilder(&w, p, r)
	for _, bo := range p.ops {
		if bo.style == "rpc" {
			// An rpc wrapper is written with a prefix, not a default namespace, so fields of a
			// qualified schema cannot inherit their namespace from it: they carry it in their tags,
			// as in a WSDL with several namespaces.
			b.multiNS = true
		}
	}
	// reflect.StructOf panics on what it cannot build (a field name that is no identifier, say);
	// builder checks names first, but a WSDL must never crash a bridge.
	defer func() {
		if v := recover(); v != nil {
			m, err = nil, refuse("%s: cannot build Go types for this WSDL: %v", opts.WSDL, v)
		}
	}()
	m = &Model{WSDL: opts.WSDL, Binding: p.binding, PortType: p.portType, Endpoint: p.endpoint, Report: r, Document: p.doc}
	if p.soap12 {
		m.SOAPVersion = "1.2"
	}
	for _, bo := range p.ops {
		mo, err := b.operation(bo)
		if err != nil {
			return nil, err
		}
		m.Operations = append(m.Operations, mo)
	}
	names := b.typeNames()
	for i := range m.Operations {
		m.Operations[i].TypeNames = names
	}
	return m, nil
}

// typeNames maps each struct type built for a global complex type to the type's XSD name.
func (b *typeBuilder) typeNames() map[reflect.Type]xml.Name {
	names := map[reflect.Type]xml.Name{}
	shared := map[reflect.Type]bool{}
	for name, t := range b.types {
		ns, ok := b.typeNS[name]
		if !ok || t.Kind() != reflect.Struct || t == XMLContentType {
			continue // an element ("element X" keys), or not a struct of its own
		}
		if prev, dup := names[t]; dup && prev.Local != name {
			shared[t] = true
		}
		names[t] = xml.Name{Space: ns, Local: name}
	}
	for t := range shared {
		delete(names, t)
	}
	return names
}

// typeBuilder turns gowsdl's model into reflect types, following gowsdl v0.5.0's templates
// (types_tmpl.go) field by field, so that a mapping compiles against the runtime types exactly
// as against the generated ones. Where gowsdl drops content (xs:any, mixed, anyAttribute) the
// runtime keeps it as xmlcontent.Content.
type typeBuilder struct {
	p        *prepared
	r        *Report
	complex  map[string]*gowsdl.XSDComplexType
	typeNS   map[string]string // complex type name → its schema's target namespace
	simple   map[string]*gowsdl.XSDSimpleType
	elements map[string]*gowsdl.XSDElement
	elemNS   map[string]string
	messages map[string]*gowsdl.WSDLMessage
	defs     map[string]*node // Go type name → XSD definition, for namespaces of child elements
	multiNS  bool
	types    map[string]reflect.Type // built global complex types, by name
	building map[string]bool
}

func newTypeBuilder(w *gowsdl.WSDL, p *prepared, r *Report) *typeBuilder {
	b := &typeBuilder{p: p, r: r,
		complex: map[string]*gowsdl.XSDComplexType{}, typeNS: map[string]string{}, simple: map[string]*gowsdl.XSDSimpleType{},
		elements: map[string]*gowsdl.XSDElement{}, elemNS: map[string]string{},
		messages: map[string]*gowsdl.WSDLMessage{}, defs: map[string]*node{},
		types: map[string]reflect.Type{}, building: map[string]bool{},
	}
	nss := map[string]bool{}
	for _, s := range w.Types.Schemas {
		nss[s.TargetNamespace] = true
		for _, t := range s.ComplexTypes {
			if _, dup := b.complex[t.Name]; !dup {
				b.complex[t.Name] = t
				b.typeNS[t.Name] = s.TargetNamespace
			}
		}
		for _, t := range s.SimpleType {
			if _, dup := b.simple[t.Name]; !dup {
				b.simple[t.Name] = t
			}
		}
		for _, e := range s.Elements {
			if _, dup := b.elements[e.Name]; !dup {
				b.elements[e.Name] = e
				b.elemNS[e.Name] = s.TargetNamespace
			}
		}
	}
	b.multiNS = len(nss) > 1
	for _, m := range w.Messages {
		b.messages[m.Name] = m
	}
	for _, s := range p.schemas {
		for _, e := range s.elems() {
			if (e.is(nsXSD, "complexType") || e.is(nsXSD, "element")) && e.attrOr("name", "") != "" {
				if _, seen := b.defs[goName(e.attrOr("name", ""))]; !seen {
					b.defs[goName(e.attrOr("name", ""))] = e
				}
			}
		}
	}
	return b
}

func stripNS(q string) string {
	if i := strings.LastIndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// builtins is gowsdl's xsd2GoTypes, as reflect types. anyType is kept as XML (gowsdl's AnyType
// holds the same inner XML, without the element's own tag and namespaces).
var builtins = map[string]reflect.Type{
	"string": reflect.TypeFor[string](), "token": reflect.TypeFor[string](),
	"float": reflect.TypeFor[float32](), "double": reflect.TypeFor[float64](), "decimal": reflect.TypeFor[float64](),
	"integer": reflect.TypeFor[int32](), "int": reflect.TypeFor[int32](), "short": reflect.TypeFor[int16](),
	"byte": reflect.TypeFor[int8](), "long": reflect.TypeFor[int64](), "boolean": reflect.TypeFor[bool](),
	"datetime": reflect.TypeFor[soap.XSDDateTime](), "date": reflect.TypeFor[soap.XSDDate](), "time": reflect.TypeFor[soap.XSDTime](),
	"base64binary": reflect.TypeFor[[]byte](), "hexbinary": reflect.TypeFor[[]byte](),
	"unsignedint": reflect.TypeFor[uint32](), "unsignedshort": reflect.TypeFor[uint16](), "unsignedbyte": reflect.TypeFor[uint8](),
	"unsignedlong": reflect.TypeFor[uint64](), "anytype": XMLContentType,
	"ncname": reflect.TypeFor[string](), "anyuri": reflect.TypeFor[string](),
}

// goType is gowsdl's toGoType: a built-in is a value (a pointer when nillable); any named type
// is a pointer to it.
func (b *typeBuilder) goType(q string, nillable bool) reflect.Type {
	name := stripNS(q)
	if t, ok := builtins[strings.ToLower(name)]; ok {
		if nillable && t != XMLContentType {
			return reflect.PointerTo(t)
		}
		return t
	}
	return reflect.PointerTo(b.named(name))
}

// named is the type a name refers to: a global complex type, a simple type, or (for ref=) a
// global element. An unknown name (gowsdl would generate an undefined identifier) becomes a
// string, with a warning.
func (b *typeBuilder) named(name string) reflect.Type {
	if t, ok := b.types[name]; ok {
		return t
	}
	if ct, ok := b.complex[name]; ok {
		if b.building[name] {
			b.r.warn("complex type %s refers to itself; the inner occurrence is kept as XML (a Go type built at run time cannot be recursive)", name)
			return XMLContentType
		}
		b.building[name] = true
		var t reflect.Type
		if at, ok := b.soapencArray(name); ok {
			t = at // rpc/encoded array (soapenc.go)
		} else if ct.SimpleContent.Extension.Base != "" && b.goType(ct.SimpleContent.Extension.Base, false).Kind() == reflect.String {
			t = reflect.TypeFor[string]() // gowsdl: type T string
		} else {
			t = b.complexStruct(ct, name, true, "")
		}
		delete(b.building, name)
		b.types[name] = t
		return t
	}
	if st, ok := b.simple[name]; ok {
		return b.simpleType(st)
	}
	if e, ok := b.elements[name]; ok {
		return b.elementType(e)
	}
	b.r.warn("type %s is not defined in the WSDL's schemas; read as a string", name)
	return reflect.TypeFor[string]()
}

// maxLength is the smallest xs:maxLength or xs:length facet on the way from el's simple type
// (inline or named) down its restriction bases; 0 when there is none.
func (b *typeBuilder) maxLength(el *gowsdl.XSDElement) int {
	st := el.SimpleType
	if st == nil && el.Type != "" {
		st = b.simple[stripNS(el.Type)]
	}
	best := 0
	for depth := 0; st != nil && depth < 16; depth++ {
		for _, v := range []string{st.Restriction.MaxLength.Value, st.Restriction.Length.Value} {
			if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n > 0 && (best == 0 || n < best) {
				best = n
			}
		}
		if st.Restriction.Base == "" {
			break
		}
		st = b.simple[stripNS(st.Restriction.Base)]
	}
	return best
}

func (b *typeBuilder) simpleType(st *gowsdl.XSDSimpleType) reflect.Type {
	switch {
	case st.List.ItemType != "":
		return reflect.SliceOf(b.goType(st.List.ItemType, false))
	case st.Union.MemberTypes != "" || st.Union.SimpleType != nil:
		return reflect.TypeFor[string]()
	case st.Restriction.Base != "":
		t := b.goType(st.Restriction.Base, false)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		return t
	}
	return reflect.TypeFor[string]()
}

// elementType is the struct of a global element (with its XMLName), or the type it names.
func (b *typeBuilder) elementType(e *gowsdl.XSDElement) reflect.Type {
	if e.Type != "" {
		t := b.goType(e.Type, e.Nillable)
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		return t
	}
	if e.ComplexType == nil {
		return XMLContentType
	}
	key := "element " + e.Name
	if t, ok := b.types[key]; ok {
		return t
	}
	if b.building[key] {
		return XMLContentType
	}
	b.building[key] = true
	t := b.complexStruct(e.ComplexType, goName(e.Name), true, b.elemNS[e.Name]+" "+e.Name)
	delete(b.building, key)
	b.types[key] = t
	return t
}

// fieldSet collects the fields of one struct, keeping names unique and valid.
type fieldSet struct {
	fields []reflect.StructField
	names  map[string]bool
	b      *typeBuilder
	owner  string
}

func (fs *fieldSet) add(name string, t reflect.Type, tag string) {
	name = identifier(name)
	base := name
	for i := 2; fs.names[name]; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	if name != base {
		fs.b.r.warn("%s: two fields are named %s; the second is %s", fs.owner, base, name)
	}
	fs.names[name] = true
	fs.fields = append(fs.fields, reflect.StructField{Name: name, Type: t, Tag: reflect.StructTag(tag)})
}

// identifier makes s an exported Go identifier (gowsdl's normalize and makePublic; letters and
// digits kept, '.' becomes '_', anything else dropped).
func identifier(s string) string {
	var out []rune
	for _, r := range s {
		switch {
		case r == '.':
			out = append(out, '_')
		case unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_':
			out = append(out, r)
		}
	}
	if len(out) == 0 || !unicode.IsLetter(out[0]) {
		out = append([]rune{'X'}, out...)
	}
	out[0] = unicode.ToUpper(out[0])
	if !unicode.IsUpper(out[0]) { // a letter with no upper case (CJK): not exported
		out = append([]rune{'X'}, out...)
	}
	return string(out)
}

// reserved is gowsdl's replaceReservedWords (Go keywords get a trailing underscore), and with
// attr its replaceAttrReservedWords, which also renames "string".
func reserved(s string, attr bool) string {
	if goKeywords[s] || (attr && s == "string") {
		if s == "string" {
			return "astring"
		}
		return s + "_"
	}
	return s
}

var goKeywords = map[string]bool{
	"break": true, "default": true, "func": true, "interface": true, "select": true, "case": true,
	"defer": true, "go": true, "map": true, "struct": true, "chan": true, "else": true, "goto": true,
	"package": true, "switch": true, "const": true, "fallthrough": true, "if": true, "range": true,
	"type": true, "continue": true, "for": true, "import": true, "return": true, "var": true,
}

// hasOpenContent reports whether gowsdl would drop some of the type's content: xs:any anywhere
// in it, mixed content or xs:anyAttribute (pre-flight marks the last two as mixed).
func hasOpenContent(ct *gowsdl.XSDComplexType) bool {
	return ct.Mixed || len(ct.Any) > 0
}

func hasDeclaredChildren(ct *gowsdl.XSDComplexType) bool {
	ext := ct.ComplexContent.Extension
	return len(ct.Sequence)+len(ct.Choice)+len(ct.SequenceChoice)+len(ct.All)+len(ext.Sequence)+len(ext.Choice) > 0 || ext.Base != ""
}

// complexStruct builds the struct of a complex type. top is true for global types and global
// elements (gowsdl's top-level declarations, whose child elements carry their namespace when
// the WSDL has several); xmlName, when set, is the element's "namespace name" for XMLName.
func (b *typeBuilder) complexStruct(ct *gowsdl.XSDComplexType, goTypeName string, top bool, xmlName string) reflect.Type {
	if xmlName == "" && hasOpenContent(ct) && !hasDeclaredChildren(ct) {
		return XMLContentType // nothing but open content: the whole element is the XML
	}
	fs := &fieldSet{names: map[string]bool{}, b: b, owner: goTypeName}
	if xmlName != "" {
		fs.names["XMLName"] = true
		fs.fields = append(fs.fields, reflect.StructField{Name: "XMLName", Type: reflect.TypeFor[xml.Name](), Tag: reflect.StructTag(`xml:"` + xmlName + `"`)})
	}
	var def *node
	if top && b.multiNS {
		def = b.defs[goTypeName]
	}
	switch {
	case ct.ComplexContent.Extension.Base != "":
		ext := ct.ComplexContent.Extension
		// gowsdl embeds *Base; a type built at run time cannot embed an unnamed struct, so the
		// base's fields are copied in (the mapping reads them by the same names either way).
		if bt := b.goType(ext.Base, false); bt.Kind() == reflect.Pointer && bt.Elem().Kind() == reflect.Struct && bt.Elem() != XMLContentType {
			for i := 0; i < bt.Elem().NumField(); i++ {
				f := bt.Elem().Field(i)
				if f.Name == "XMLName" {
					continue
				}
				fs.add(f.Name, f.Type, string(f.Tag))
			}
		}
		var seq []*gowsdl.XSDElement
		for i := range ext.Sequence {
			seq = append(seq, &ext.Sequence[i])
		}
		b.elements2(fs, seq, def)
		b.elements2(fs, ext.Choice, def)
		b.attributes(fs, ext.Attributes)
	case ct.SimpleContent.Extension.Base != "":
		fs.add("Value", b.goType(ct.SimpleContent.Extension.Base, false), `xml:",chardata" json:"-,"`)
		b.attributes(fs, ct.SimpleContent.Extension.Attributes)
	default:
		b.elements2(fs, ct.Sequence, def)
		b.elements2(fs, ct.Choice, def)
		b.elements2(fs, ct.SequenceChoice, def)
		b.elements2(fs, ct.All, def)
		b.attributes(fs, ct.Attributes)
	}
	if hasOpenContent(ct) {
		// Elements the schema leaves open, each kept as XML (gowsdl: Items []string, or nothing).
		fs.add("Any", reflect.SliceOf(XMLContentType), `xml:",any" json:"any,omitempty" `+TagXSD+`:"any"`)
	}
	return reflect.StructOf(fs.fields)
}

// elements2 adds the fields of a list of element declarations (gowsdl's "Elements" template).
func (b *typeBuilder) elements2(fs *fieldSet, els []*gowsdl.XSDElement, def *node) {
	for _, el := range els {
		if el == nil {
			continue
		}
		many := el.MaxOccurs != "" && el.MaxOccurs != "0" && el.MaxOccurs != "1"
		var notes []string
		if el.MinOccurs == "0" {
			notes = append(notes, "optional")
		}
		wrap := func(t reflect.Type) reflect.Type {
			if many {
				return reflect.SliceOf(t)
			}
			return t
		}
		xmlName := el.Name
		var t reflect.Type
		name := el.Name
		switch {
		case el.Ref != "":
			xmlName = stripNS(el.Ref)
			name = reserved(xmlName, false)
			t = wrap(b.goType(el.Ref, el.Nillable))
		case el.Type == "" && el.SimpleType != nil:
			if el.SimpleType.List.ItemType != "" {
				t = reflect.SliceOf(b.goType(el.SimpleType.List.ItemType, false))
			} else {
				t = b.goType(el.SimpleType.Restriction.Base, false)
			}
		case el.Type == "":
			// An inline complex type is an anonymous struct (not a pointer); an element with
			// neither type nor content model is xs:anyType, kept as XML.
			name = reserved(name, false)
			if el.ComplexType == nil {
				t = wrap(XMLContentType)
			} else {
				t = wrap(b.complexStruct(el.ComplexType, goName(el.Name), false, ""))
			}
		default:
			name = reserved(name, true)
			t = wrap(b.goType(el.Type, el.Nillable))
		}
		if t == XMLContentType || (t.Kind() == reflect.Slice && t.Elem() == XMLContentType) {
			notes = append(notes, "any")
		}
		if n := b.maxLength(el); n > 0 {
			notes = append(notes, TagMaxLength+strconv.Itoa(n))
		}
		opt := ""
		if len(notes) > 0 {
			opt = ` ` + TagXSD + `:"` + strings.Join(notes, ",") + `"`
		}
		tagName := xmlName
		if def != nil {
			if ns, ok := elementNS(def, xmlName); ok && ns != "" {
				tagName = ns + " " + xmlName
			}
		}
		fs.add(name, t, `xml:"`+tagName+`,omitempty" json:"`+xmlName+`,omitempty"`+opt)
	}
}

func (b *typeBuilder) attributes(fs *fieldSet, attrs []*gowsdl.XSDAttribute) {
	for _, a := range attrs {
		if a == nil {
			continue
		}
		name := a.Name
		if name == "" {
			name = stripNS(a.Ref)
		}
		if name == "" {
			continue
		}
		t := reflect.TypeFor[string]()
		if a.Type != "" {
			t = b.goType(a.Type, false)
		}
		opt := ""
		if a.Use != "required" {
			opt = ` ` + TagXSD + `:"optional"`
		}
		fs.add(name, t, `xml:"`+name+`,attr,omitempty" json:"`+name+`,omitempty"`+opt)
	}
}

// operation builds one operation's types from its messages.
func (b *typeBuilder) operation(bo bindingOp) (ModelOperation, error) {
	mo := ModelOperation{Name: bo.name, SOAPAction: bo.action, Style: bo.style, Use: bo.use,
		Request: reflect.TypeFor[soapreg.Void](), Response: reflect.TypeFor[soapreg.Void]()}
	if bo.bOp != nil {
		mo.Where = bo.bOp.where()
		for _, in := range bo.bOp.children(nsWSDL, "input") {
			for _, body := range in.children(nsSOAP11, "body") {
				mo.Namespace = body.attrOr("namespace", "")
			}
		}
	}
	for _, dir := range []string{"input", "output"} {
		if bo.ptOp == nil {
			break
		}
		ios := bo.ptOp.children(nsWSDL, dir)
		if len(ios) == 0 {
			continue
		}
		msg := b.messages[stripNS(ios[0].attrOr("message", ""))]
		if msg == nil || len(msg.Parts) == 0 {
			continue
		}
		var t reflect.Type
		var parts []Part
		if bo.style == "rpc" {
			wrapper := bo.name
			if dir == "output" {
				wrapper += "Response"
			}
			fs := &fieldSet{names: map[string]bool{"XMLName": true}, b: b, owner: wrapper}
			fs.fields = append(fs.fields, reflect.StructField{Name: "XMLName", Type: reflect.TypeFor[xml.Name](), Tag: reflect.StructTag(`xml:"` + mo.Namespace + " " + wrapper + `"`)})
			for _, part := range msg.Parts {
				parts = append(parts, Part{Name: part.Name, Type: part.Type, Element: part.Element})
				var pt reflect.Type
				if part.Element != "" {
					pt = reflect.PointerTo(b.named(stripNS(part.Element)))
				} else {
					pt = b.goType(part.Type, false)
				}
				fs.add(part.Name, pt, `xml:"`+part.Name+`,omitempty" json:"`+part.Name+`,omitempty"`)
			}
			t = reflect.StructOf(fs.fields)
		} else {
			e := b.elements[stripNS(msg.Parts[0].Element)]
			if e == nil {
				return mo, refuse("%s: operation %s: element %s is not declared in the WSDL's schemas", b.p.binding, bo.name, msg.Parts[0].Element)
			}
			t = b.elementType(e)
		}
		if dir == "input" {
			mo.Request, mo.InParts = t, parts
		} else {
			mo.Response, mo.OutParts = t, parts
		}
	}
	if bo.ptOp != nil {
		for _, f := range bo.ptOp.children(nsWSDL, "fault") {
			mf := ModelFault{Name: f.attrOr("name", "")}
			if msg := b.messages[stripNS(f.attrOr("message", ""))]; msg != nil && len(msg.Parts) > 0 {
				if el := stripNS(msg.Parts[0].Element); el != "" {
					mf.Element = el
					if e := b.elements[el]; e != nil {
						mf.Type = b.elementType(e)
					}
				}
			}
			mo.Faults = append(mo.Faults, mf)
		}
	}
	return mo, nil
}

// Catalog equality helpers for tests and for inspect.

// Shape describes a type for `wsdl inspect` and for comparing runtime types with generated ones:
// one line per field, indented by depth, with its Go name, XML name and type.
func Shape(t reflect.Type) []string {
	var out []string
	shape(t, "", &out, map[reflect.Type]bool{})
	return out
}

func shape(t reflect.Type, indent string, out *[]string, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || t == XMLContentType || t.PkgPath() == "github.com/hooklift/gowsdl/soap" || seen[t] {
		return
	}
	seen[t] = true
	defer delete(seen, t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous {
			shape(f.Type, indent, out, seen)
			continue
		}
		if f.Name == "XMLName" {
			continue
		}
		xmlTag := f.Tag.Get("xml")
		*out = append(*out, fmt.Sprintf("%s%s %s `%s`", indent, f.Name, TypeString(f.Type), xmlTag))
		et := f.Type
		for et.Kind() == reflect.Pointer || et.Kind() == reflect.Slice {
			et = et.Elem()
		}
		shape(et, indent+"  ", out, seen)
	}
}

// TypeString names a type without package paths or struct bodies: string, *bool, []*struct, XML.
func TypeString(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Pointer:
		return "*" + TypeString(t.Elem())
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return "[]byte"
		}
		return "[]" + TypeString(t.Elem())
	case reflect.Struct:
		switch {
		case t == XMLContentType:
			return "XML"
		case t.PkgPath() == "github.com/hooklift/gowsdl/soap":
			return t.Name()
		case t.Name() == "AnyType":
			return "XML"
		}
		return "struct"
	}
	return t.Kind().String()
}
