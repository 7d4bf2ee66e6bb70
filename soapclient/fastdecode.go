package soapclient

import (
	"encoding/xml"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/hooklift/gowsdl/soap"
)

// The fast reply decoder. gowsdl decodes every reply with encoding/xml into the operation's
// response struct; in a profile of the bridge at 32 clients that decode was the largest piece of
// work the bridge itself does (about an eighth of its CPU), most of it in the tokenizer. For the
// common reply — a SOAP 1.1 envelope whose Body holds one document/literal element, plain
// elements and text, a response type made of strings, numbers, booleans, pointers, slices and
// nested structs — fastDecode reads the bytes once, without tokens, into a fresh value of the
// response type. It produces exactly what encoding/xml would have (FuzzFastDecode checks it
// against gowsdl's own decode); anything it is not certain of (a Header, comments, CDATA, numeric
// character references, attributes it would have to map, an Unmarshaler, a malformed document,
// a number that does not parse) makes it give up, and the reply goes to gowsdl as before. A
// false "ok" would be a wrong answer, a false "give up" costs only time, so every doubt gives up.

// fastSlot carries one call's reading plan (nil when the reply is gowsdl's to decode) from
// Client.call to the transport, and the value the transport decoded back (a pointer to a new
// value of the response type), through the call's context.
type fastSlot struct {
	p *plan
	v reflect.Value
}

type fastSlotKey struct{}

// errFastDecoded is what Transport.Do returns to gowsdl once the fast decoder has the reply in the
// slot: gowsdl returns a transport error unchanged and unread, through the generated method, to
// Client.call, which takes the slot's value instead. It never leaves the package.
var errFastDecoded = errors.New("soapclient: reply decoded by the fast path")

// fastDecodes counts replies the fast decoder took, for tests: a change that made it give up on
// everyday replies would otherwise pass unnoticed.
var fastDecodes atomic.Int64

// maxFastDepth bounds element nesting; deeper replies take gowsdl's path.
const maxFastDepth = 64

// fastDecoder reads one reply. It works on a string copy of the body, so that names, namespace
// URIs and most text values are substrings of it rather than one allocation each. Every method
// either advances i or gives up, so it ends.
type fastDecoder struct {
	s     string
	i     int
	ns    []nsBinding // in-scope namespace declarations, innermost last
	nsBuf [4]nsBinding
	// The text of the scalar element being read: a substring of s while it is one plain run,
	// spilled into buf once an entity, a carriage return or a second run makes it differ.
	runStart, runEnd int
	spilled          bool
	buf              []byte
}

type nsBinding struct{ prefix, uri string }

// startTag is a start tag that has just been read.
type startTag struct {
	raw          string // the qualified name as written, for the end tag
	space, local string
	empty        bool // <x/>
	nsMark       int  // len(ns) before this element's declarations
}

// fastDecode decodes body, a SOAP 1.1 envelope, into a new value of p's type (planFor's, a
// struct; nil gives up) and returns a pointer to it; ok is false whenever gowsdl's decoder must
// have the reply instead.
func fastDecode(body []byte, p *plan) (v reflect.Value, ok bool) {
	if p == nil {
		return reflect.Value{}, false
	}
	d := fastDecoder{s: string(body)}
	d.ns = d.nsBuf[:0]
	if !d.prolog() {
		return reflect.Value{}, false
	}
	env, ok := d.start()
	if !ok || env.empty || env.local != "Envelope" || env.space != nsSOAP11 {
		return reflect.Value{}, false
	}
	// The Envelope: exactly one child element, soap:Body (a Header, or anything else, gives up).
	// An empty Body is rare, and gowsdl leaves its value as it was: that too is gowsdl's to do.
	body1, found, ok := d.nextChild()
	if !found || body1.empty || body1.local != "Body" || body1.space != nsSOAP11 {
		return reflect.Value{}, false
	}
	// The Body: exactly one child element, not a Fault, decoded as the response.
	content, found, ok := d.nextChild()
	if !found || (content.local == "Fault" && content.space == nsSOAP11) {
		return reflect.Value{}, false
	}
	out := reflect.New(p.typ)
	if !d.element(out.Elem(), p, &content, 0) {
		return reflect.Value{}, false
	}
	if _, found, ok = d.nextChild(); found || !ok || !d.end(body1) {
		return reflect.Value{}, false
	}
	if _, found, ok = d.nextChild(); found || !ok || !d.end(env) {
		return reflect.Value{}, false
	}
	return out, true
}

// prolog skips what may come before the root element: white space and an XML declaration that
// says version 1.0 and UTF-8 (or says nothing of either).
func (d *fastDecoder) prolog() bool {
	d.space()
	if strings.HasPrefix(d.s[d.i:], "<?xml") && d.i+5 < len(d.s) && isSpace(d.s[d.i+5]) {
		end := strings.Index(d.s[d.i:], "?>")
		if end < 0 {
			return false
		}
		decl := d.s[d.i+5 : d.i+end]
		for j := 0; j < len(decl); j++ {
			if c := decl[j]; c < 0x20 && !isSpace(c) || c >= 0x80 || c == '<' || c == '&' {
				return false
			}
		}
		if v := procInst("version", decl); v != "" && v != "1.0" {
			return false
		}
		if enc := procInst("encoding", decl); enc != "" && !strings.EqualFold(enc, "utf-8") {
			return false
		}
		d.i += end + 2
		d.space()
	}
	return d.i < len(d.s) && d.s[d.i] == '<'
}

// procInst is encoding/xml's reading of a pseudo-attribute of the XML declaration.
func procInst(param, s string) string {
	param = param + "="
	lenp := len(param)
	i := 0
	var sep byte
	for i < len(s) {
		sub := s[i:]
		k := strings.Index(sub, param)
		if k < 0 || lenp+k >= len(sub) {
			return ""
		}
		i += lenp + k + 1
		if c := sub[lenp+k]; c == '\'' || c == '"' {
			sep = c
			break
		}
	}
	if sep == 0 {
		return ""
	}
	j := strings.IndexByte(s[i:], sep)
	if j < 0 {
		return ""
	}
	return s[i : i+j]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (d *fastDecoder) space() {
	for d.i < len(d.s) && isSpace(d.s[d.i]) {
		d.i++
	}
}

// name reads an XML name of ASCII name characters with at most one colon inside it, neither part
// starting with a digit, '.' or '-' (encoding/xml accepts more; the rest gives up).
func (d *fastDecoder) name() (raw, prefix, local string, ok bool) {
	s := d.i
	colon := -1
loop:
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '_':
		case '0' <= c && c <= '9', c == '.', c == '-':
			if d.i == s || colon >= 0 && d.i == colon+1 {
				return "", "", "", false
			}
		case c == ':':
			if colon >= 0 || d.i == s {
				return "", "", "", false
			}
			colon = d.i
		default:
			break loop
		}
		d.i++
	}
	if d.i == s || colon >= 0 && d.i == colon+1 {
		return "", "", "", false
	}
	raw = d.s[s:d.i]
	if colon < 0 {
		return raw, "", raw, true
	}
	return raw, d.s[s:colon], d.s[colon+1 : d.i], true
}

// start reads a start tag at d.i ('<' expected), with its namespace declarations; other
// attributes are checked for well-formedness and otherwise ignored, as encoding/xml ignores
// attributes no field asks for.
func (d *fastDecoder) start() (startTag, bool) {
	var st startTag
	if d.i >= len(d.s) || d.s[d.i] != '<' {
		return st, false
	}
	d.i++
	raw, prefix, local, ok := d.name()
	if !ok {
		return st, false
	}
	st.raw, st.local, st.nsMark = raw, local, len(d.ns)
	for {
		sp := d.i
		d.space()
		if d.i >= len(d.s) {
			return st, false
		}
		switch d.s[d.i] {
		case '/':
			if d.i+1 >= len(d.s) || d.s[d.i+1] != '>' {
				return st, false
			}
			d.i += 2
			st.empty = true
			return st, d.resolve(&st, prefix)
		case '>':
			d.i++
			return st, d.resolve(&st, prefix)
		}
		if d.i == sp {
			return st, false // attributes must be separated by white space
		}
		_, ap, al, ok := d.name()
		if !ok {
			return st, false
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '=' {
			return st, false
		}
		d.i++
		d.space()
		if d.i >= len(d.s) || (d.s[d.i] != '"' && d.s[d.i] != '\'') {
			return st, false
		}
		q := d.s[d.i]
		d.i++
		vs := d.i
		for d.i < len(d.s) && d.s[d.i] != q {
			c := d.s[d.i]
			if c == '<' || c == '&' || c == '\r' || (c < 0x20 && c != '\t' && c != '\n') {
				return st, false
			}
			if c >= 0x80 {
				r, n := utf8.DecodeRuneInString(d.s[d.i:])
				if r == utf8.RuneError && n == 1 || !isInCharacterRange(r) {
					return st, false
				}
				d.i += n
				continue
			}
			d.i++
		}
		if d.i >= len(d.s) {
			return st, false
		}
		val := d.s[vs:d.i]
		d.i++
		switch {
		case ap == "" && al == "xmlns":
			d.ns = append(d.ns, nsBinding{"", val})
		case ap == "xmlns":
			if val == "" || al == "xml" || al == "xmlns" {
				return st, false
			}
			d.ns = append(d.ns, nsBinding{al, val})
		}
	}
}

// resolve gives st the namespace its prefix is bound to; an undeclared prefix gives up.
func (d *fastDecoder) resolve(st *startTag, prefix string) bool {
	if prefix == "xml" || prefix == "xmlns" {
		return false
	}
	for i := len(d.ns) - 1; i >= 0; i-- {
		if d.ns[i].prefix == prefix {
			st.space = d.ns[i].uri
			return true
		}
	}
	return prefix == "" // no default namespace: the empty one
}

// end reads the end tag of st at d.i and drops st's namespace declarations.
func (d *fastDecoder) end(st startTag) bool {
	if st.empty {
		d.ns = d.ns[:st.nsMark]
		return true
	}
	if !strings.HasPrefix(d.s[d.i:], "</") {
		return false
	}
	d.i += 2
	if !strings.HasPrefix(d.s[d.i:], st.raw) {
		return false
	}
	d.i += len(st.raw)
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '>' {
		return false
	}
	d.i++
	d.ns = d.ns[:st.nsMark]
	return true
}

// nextChild skips white space up to the next child element of a container and reads its start
// tag; at the container's end tag, which it leaves unread, found is false (and ok true). Text other than
// white space, comments, CDATA and processing instructions give up.
func (d *fastDecoder) nextChild() (st startTag, found, ok bool) {
	d.space()
	if d.i+1 >= len(d.s) || d.s[d.i] != '<' {
		return st, false, false
	}
	if d.s[d.i+1] == '/' {
		return st, false, true
	}
	st, ok = d.start()
	return st, ok, ok
}

// keepRun adds s[from:to], text as it stands, to the scalar being read.
func (d *fastDecoder) keepRun(from, to int) {
	switch {
	case d.spilled:
		d.buf = append(d.buf, d.s[from:to]...)
	case d.runStart < 0:
		d.runStart, d.runEnd = from, to
	case d.runEnd == from:
		d.runEnd = to
	default:
		d.spill()
		d.buf = append(d.buf, d.s[from:to]...)
	}
}

// keepByte adds a byte that differs from the document's (a decoded entity, a normalised line end).
func (d *fastDecoder) keepByte(c byte) {
	if !d.spilled {
		d.spill()
	}
	d.buf = append(d.buf, c)
}

func (d *fastDecoder) spill() {
	d.spilled = true
	d.buf = d.buf[:0]
	if d.runStart >= 0 {
		d.buf = append(d.buf, d.s[d.runStart:d.runEnd]...)
	}
}

// text reads character data up to the next '<', keeping it, decoded as encoding/xml decodes it,
// when keep is set. It gives up on what encoding/xml would refuse and on numeric character
// references.
func (d *fastDecoder) text(keep bool) bool {
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '<':
			return true
		case c == '&':
			semi := strings.IndexByte(d.s[d.i:min(len(d.s), d.i+6)], ';')
			if semi < 0 {
				return false
			}
			var r byte
			switch d.s[d.i+1 : d.i+semi] {
			case "lt":
				r = '<'
			case "gt":
				r = '>'
			case "amp":
				r = '&'
			case "apos":
				r = '\''
			case "quot":
				r = '"'
			default:
				return false
			}
			if keep {
				d.keepByte(r)
			}
			d.i += semi + 1
		case c == '\r':
			// encoding/xml reads "\r\n" and a lone "\r" as "\n".
			if keep {
				d.keepByte('\n')
			}
			d.i++
			if d.i < len(d.s) && d.s[d.i] == '\n' {
				d.i++
			}
		case c == ']' && strings.HasPrefix(d.s[d.i:], "]]>"):
			return false
		case c < 0x20 && c != '\t' && c != '\n':
			return false
		default:
			// A run of bytes that stand for themselves (the first may be a ']' that does not
			// start "]]>"); other UTF-8 is checked as encoding/xml checks it.
			s := d.i
			for d.i < len(d.s) {
				c := d.s[d.i]
				if c >= 0x80 {
					r, n := utf8.DecodeRuneInString(d.s[d.i:])
					if r == utf8.RuneError && n == 1 || !isInCharacterRange(r) {
						return false
					}
					d.i += n
					continue
				}
				if c == '<' || c == '&' || c == '\r' || c < 0x20 && c != '\t' && c != '\n' || c == ']' && d.i > s {
					break
				}
				d.i++
			}
			if keep {
				d.keepRun(s, d.i)
			}
		}
	}
	return false // the document ended inside an element
}

// isInCharacterRange is XML 1.0's Char production, as encoding/xml checks it.
func isInCharacterRange(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// content reads an element's content up to and including its end tag. With p a struct plan,
// child elements go to the matching fields (others are skipped) and text is dropped; with a
// scalar plan the element's own text (not its children's) is kept; with none (an element no field
// asks for) everything is only checked.
func (d *fastDecoder) content(v reflect.Value, p *plan, st startTag, depth int) bool {
	if st.empty {
		return d.end(st)
	}
	keep := p != nil && p.kind != pStruct
	for {
		if !d.text(keep) {
			return false
		}
		if d.i+1 >= len(d.s) {
			return false
		}
		if d.s[d.i+1] == '/' {
			return d.end(st)
		}
		if d.s[d.i+1] == '!' || d.s[d.i+1] == '?' {
			return false
		}
		child, ok := d.start()
		if !ok {
			return false
		}
		var fp *fieldPlan
		if p != nil && p.kind == pStruct {
			for i := range p.fields {
				f := &p.fields[i]
				if f.local == child.local && (f.space == "" || f.space == child.space) {
					fp = f
					break
				}
			}
		}
		if fp != nil {
			if !d.element(v.Field(fp.index), fp.p, &child, depth+1) {
				return false
			}
		} else if depth+1 > maxFastDepth || !d.content(reflect.Value{}, nil, child, depth+1) {
			return false
		}
	}
}

// element decodes the element whose start tag st has just been read into v, by plan p.
func (d *fastDecoder) element(v reflect.Value, p *plan, st *startTag, depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch p.kind {
	case pPtr:
		if v.IsNil() {
			v.Set(reflect.New(p.typ.Elem()))
		}
		return d.element(v.Elem(), p.elem, st, depth)
	case pSlice:
		n := v.Len()
		v.Grow(1)
		v.SetLen(n + 1)
		return d.element(v.Index(n), p.elem, st, depth)
	case pStruct:
		if p.nameIdx >= 0 {
			if p.nameLocal != "" && p.nameLocal != st.local || p.nameSpace != "" && p.nameSpace != st.space {
				return false // encoding/xml's "expected element type" error
			}
			v.Field(p.nameIdx).Set(reflect.ValueOf(xml.Name{Space: st.space, Local: st.local}))
		}
		return d.content(v, p, *st, depth)
	}
	// A scalar: its children are skipped without keeping their text, so one collector will do.
	d.runStart, d.runEnd, d.spilled = -1, -1, false
	if !d.content(reflect.Value{}, p, *st, depth) {
		return false
	}
	var text string
	switch {
	case d.spilled:
		text = string(d.buf)
	case d.runStart >= 0:
		text = d.s[d.runStart:d.runEnd]
	}
	return setScalar(v, p, text)
}

// setScalar is encoding/xml's copyValue for the kinds a plan allows (and gowsdl's XSD date
// types' UnmarshalXML); a value that does not parse gives up, so that gowsdl reports it.
func setScalar(v reflect.Value, p *plan, src string) bool {
	switch p.kind {
	case pString:
		v.SetString(src)
	case pInt:
		if len(src) == 0 {
			v.SetInt(0)
			return true
		}
		n, err := strconv.ParseInt(strings.TrimSpace(src), 10, p.bits)
		if err != nil {
			return false
		}
		v.SetInt(n)
	case pUint:
		if len(src) == 0 {
			v.SetUint(0)
			return true
		}
		n, err := strconv.ParseUint(strings.TrimSpace(src), 10, p.bits)
		if err != nil {
			return false
		}
		v.SetUint(n)
	case pFloat:
		if len(src) == 0 {
			v.SetFloat(0)
			return true
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(src), p.bits)
		if err != nil {
			return false
		}
		v.SetFloat(f)
	case pBool:
		if len(src) == 0 {
			v.SetBool(false)
			return true
		}
		b, err := strconv.ParseBool(strings.TrimSpace(src))
		if err != nil {
			return false
		}
		v.SetBool(b)
	case pDateTime:
		// Through a pointer: reflect.ValueOf of the struct would box it.
		t, tz := xsdTime(src, time.RFC3339Nano)
		*v.Addr().Interface().(*soap.XSDDateTime) = soap.CreateXsdDateTime(t, tz)
	case pDate:
		t, tz := xsdTime(src, "2006-01-02Z07:00")
		*v.Addr().Interface().(*soap.XSDDate) = soap.CreateXsdDate(t, tz)
	default:
		return false
	}
	return true
}

// xsdTime is gowsdl v0.5.0's unmarshalTime (soap/xsdDateTime.go) after its DecodeElement: the
// same reading of the text, including its silence on a value that does not parse (a zero time).
func xsdTime(content, format string) (time.Time, bool) {
	var t time.Time
	if content == "" {
		return t, true
	}
	hasTz := false
	if _, tm, found := strings.Cut(content, "T"); found { // gowsdl: SplitN(content, "T", 2)[1]
		if strings.ContainsAny(tm, "Z+-") {
			hasTz = true
		}
		if !hasTz {
			content += "Z"
		}
		if content == "0001-01-01T00:00:00Z" {
			return t, true
		}
	} else {
		if strings.ContainsAny(content, "Z:") {
			hasTz = true
		}
		if !hasTz {
			content += "Z"
		}
	}
	t, _ = time.Parse(format, content)
	return t, hasTz
}
