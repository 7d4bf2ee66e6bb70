package scimjson

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/backend"
)

// A typed fast path for the user bodies clients really send. The generic path (Parse, Lower,
// UserCore) builds a map for every object and copies each one again to lower its keys, which made
// decoding the agent's create body cost more than the rest of the front end together
// (docs/benchmarks.md, front end). DecodeUserFast reads the same bodies straight into a
// backend.User; whenever a body leaves the common shape (a key spelled twice in any case, a
// non-ASCII or escaped key, a \u escape, a value of an unexpected type, anything invalid) it
// gives up and the caller takes the generic path, which stays the one definition of what a body
// means and of every error message. FuzzDecodeUserFast in the codecs checks that the two agree.

// FastExt is one top-level key of a user body that starts with "urn:" in any case, with its value
// as encoding/json would decode it (json.Number for numbers).
type FastExt struct {
	Key   string
	Value any
}

// FastUser is a user body decoded by DecodeUserFast.
type FastUser struct {
	User      backend.User
	ActiveSet bool
	// Exts are the extension keys, sorted as SortedKeys sorts the lower-cased keys.
	Exts []FastExt
}

// ExtensionKeys returns the "urn:" keys of a body the generic path parsed (m and orig as Lower
// returns them) in the form DecodeUserFast gives them, so that both paths share the codecs'
// extension handling.
func ExtensionKeys(m map[string]any, orig map[string]string) []FastExt {
	var out []FastExt
	for _, lk := range SortedKeys(m) {
		if strings.HasPrefix(lk, "urn:") {
			out = append(out, FastExt{Key: orig[lk], Value: m[lk]})
		}
	}
	return out
}

// errSlow is the fast path giving up; it never reaches a caller.
type errSlow struct{}

// DecodeUserFast decodes a user body of the common shape; ok is false when the body is not one,
// and the caller must then use the generic path (Parse, Lower, UserCore).
func DecodeUserFast(data []byte) (fu *FastUser, ok bool) {
	s := &fastScanner{}
	if !s.begin(data) {
		return nil, false
	}
	defer func() {
		if gaveUp(recover()) {
			fu, ok = nil, false
		}
	}()
	fu = &FastUser{}
	s.userObject(fu)
	s.end(fu.Exts)
	return fu, true
}

// begin starts a fast decoder on data: a leading BOM dropped, valid UTF-8 required (false
// otherwise), leading spaces skipped.
func (s *fastScanner) begin(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return false
	}
	*s = fastScanner{d: data}
	s.ws()
	return true
}

// end finishes a fast decoder's object: nothing but spaces may follow it, and the extension keys
// read are sorted as the generic path orders them.
func (s *fastScanner) end(exts []FastExt) {
	s.ws()
	if s.i != len(s.d) {
		s.slow()
	}
	if len(exts) > 1 {
		slices.SortFunc(exts, func(a, b FastExt) int { return strings.Compare(lowerASCII(a.Key), lowerASCII(b.Key)) })
	}
}

// gaveUp reports whether a fast decoder's recovered value is its own giving up (errSlow), for the
// caller's generic path; anything else is a real panic and goes on.
func gaveUp(v any) bool {
	if v == nil {
		return false
	}
	if _, slow := v.(errSlow); !slow {
		panic(v)
	}
	return true
}

type fastScanner struct {
	d     []byte
	i     int
	depth int
}

func (s *fastScanner) slow() { panic(errSlow{}) }

func (s *fastScanner) ws() {
	for s.i < len(s.d) {
		switch s.d[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// expect consumes c after optional whitespace.
func (s *fastScanner) expect(c byte) {
	s.ws()
	if s.i >= len(s.d) || s.d[s.i] != c {
		s.slow()
	}
	s.i++
}

// peek returns the next non-space byte without consuming it.
func (s *fastScanner) peek() byte {
	s.ws()
	if s.i >= len(s.d) {
		s.slow()
	}
	return s.d[s.i]
}

// object calls member for each key of an object; keys arrive as raw bytes between the quotes.
func (s *fastScanner) object(member func(key []byte, raw bool)) {
	s.expect('{')
	s.enter()
	if s.peek() == '}' {
		s.i++
		s.depth--
		return
	}
	for {
		s.ws()
		start := s.i + 1
		raw := s.skipStr() // an escaped or non-ASCII key is not raw: only extension objects take those
		key := s.d[start : s.i-1]
		s.expect(':')
		member(key, raw)
		switch s.peek() {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return
		default:
			s.slow()
		}
	}
}

// attrs reads an object of SCIM attributes. A key that needs unescaping leaves the fast path
// (only extension objects take such keys, and they are read by object itself); member gets each
// key lower-cased, as attribute names are case-insensitive, and as written.
func (s *fastScanner) attrs(member func(lk, key []byte)) {
	var buf [64]byte
	s.object(func(key []byte, raw bool) {
		if !raw {
			s.slow()
		}
		member(lowerKey(&buf, key), key)
	})
}

func (s *fastScanner) enter() {
	s.depth++
	if s.depth > MaxDepth {
		s.slow()
	}
}

// str reads a string; escapes other than \u are decoded, \u gives up.
func (s *fastScanner) str() string {
	s.expect('"')
	start := s.i
	for s.i < len(s.d) {
		c := s.d[s.i]
		switch {
		case c == '"':
			v := string(s.d[start:s.i])
			s.i++
			return v
		case c < 0x20:
			s.slow()
		case c == '\\':
			return s.escapedStr(start)
		}
		s.i++
	}
	s.slow()
	return ""
}

func (s *fastScanner) escapedStr(start int) string {
	out := append([]byte(nil), s.d[start:s.i]...)
	for s.i < len(s.d) {
		c := s.d[s.i]
		switch {
		case c == '"':
			s.i++
			return string(out)
		case c < 0x20:
			s.slow()
		case c == '\\':
			if s.i+1 >= len(s.d) {
				s.slow()
			}
			e := s.d[s.i+1]
			switch e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			default: // \u (surrogate rules) and invalid escapes: the generic path
				s.slow()
			}
			s.i += 2
			continue
		}
		out = append(out, c)
		s.i++
	}
	s.slow()
	return ""
}

// rawKey decodes a key that object reported as not raw (escaped or non-ASCII).
func (s *fastScanner) rawKey(key []byte, raw bool) string {
	if raw {
		return string(key)
	}
	sub := &fastScanner{d: append(append([]byte{'"'}, key...), '"')}
	return sub.str()
}

// value reads any JSON value as encoding/json decodes it into an interface (json.Number for
// numbers); an object with a repeated key gives up (json keeps the last, which the generic path
// reproduces).
func (s *fastScanner) value() any {
	switch c := s.peek(); {
	case c == '"':
		return s.str()
	case c == '{':
		m := map[string]any{}
		s.object(func(key []byte, raw bool) {
			k := s.rawKey(key, raw)
			if _, dup := m[k]; dup {
				s.slow()
			}
			m[k] = s.value()
		})
		return m
	case c == '[':
		s.i++
		s.enter()
		out := []any{}
		if s.peek() == ']' {
			s.i++
			s.depth--
			return out
		}
		for {
			out = append(out, s.value())
			switch s.peek() {
			case ',':
				s.i++
			case ']':
				s.i++
				s.depth--
				return out
			default:
				s.slow()
			}
		}
	case c == 't':
		s.literal("true")
		return true
	case c == 'f':
		s.literal("false")
		return false
	case c == 'n':
		s.literal("null")
		return nil
	case c == '-' || (c >= '0' && c <= '9'):
		return s.number()
	}
	s.slow()
	return nil
}

// skip checks a value the generic path ignores (schemas, meta, unknown attributes) without
// building it; repeated keys are fine there, as they are for encoding/json.
func (s *fastScanner) skip() {
	switch c := s.peek(); {
	case c == '"':
		s.skipStr()
	case c == '{':
		s.object(func([]byte, bool) { s.skip() })
	case c == '[':
		s.array(s.skip)
	default:
		s.value() // a scalar: nothing to build but a json.Number's text
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

// skipStr checks a string as encoding/json does, without copying it, and reports whether it is
// raw: printable ASCII without escapes, so that its bytes are its value.
func (s *fastScanner) skipStr() (raw bool) {
	s.expect('"')
	raw = true
	for s.i < len(s.d) {
		switch c := s.d[s.i]; {
		case c == '"':
			s.i++
			return raw
		case c < 0x20:
			s.slow()
		case c >= utf8.RuneSelf:
			raw = false
		case c == '\\':
			raw = false
			if s.i+1 >= len(s.d) {
				s.slow()
			}
			switch e := s.d[s.i+1]; {
			case e == 'u': // any four hex digits are valid, surrogates or not
				if s.i+6 > len(s.d) || !isHex(s.d[s.i+2]) || !isHex(s.d[s.i+3]) || !isHex(s.d[s.i+4]) || !isHex(s.d[s.i+5]) {
					s.slow()
				}
				s.i += 6
			case strings.IndexByte(`"\/bfnrt`, e) >= 0:
				s.i += 2
			default:
				s.slow()
			}
			continue
		}
		s.i++
	}
	s.slow()
	return false
}

func (s *fastScanner) literal(lit string) {
	if !bytes.HasPrefix(s.d[s.i:], []byte(lit)) {
		s.slow()
	}
	s.i += len(lit)
}

// number reads a JSON number, checking its grammar as encoding/json does.
func (s *fastScanner) number() json.Number {
	start := s.i
	digits := func() int {
		n := 0
		for s.i < len(s.d) && s.d[s.i] >= '0' && s.d[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.d[s.i] == '-' {
		s.i++
	}
	if s.i < len(s.d) && s.d[s.i] == '0' {
		s.i++
	} else if digits() == 0 {
		s.slow()
	}
	if s.i < len(s.d) && s.d[s.i] == '.' {
		s.i++
		if digits() == 0 {
			s.slow()
		}
	}
	if s.i < len(s.d) && (s.d[s.i] == 'e' || s.d[s.i] == 'E') {
		s.i++
		if s.i < len(s.d) && (s.d[s.i] == '+' || s.d[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			s.slow()
		}
	}
	return json.Number(s.d[start:s.i])
}

// scalar reads a value that Str or Bool will read: a container gives up.
func (s *fastScanner) scalar() any {
	if c := s.peek(); c == '{' || c == '[' {
		s.slow()
	}
	return s.value()
}

// lowerKey lower-cases an ASCII key into buf.
func lowerKey(buf *[64]byte, key []byte) []byte {
	if len(key) > len(buf) {
		return []byte(strings.ToLower(string(key)))
	}
	out := buf[:len(key)]
	for i, c := range key {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// seenKeys records which known keys of one object were read, giving up on a repeat (the same key
// in another case, say): Lower would keep only one spelling, and which one is the generic path's
// business.
type seenKeys uint32

func (k *seenKeys) add(s *fastScanner, bit uint) {
	if *k&(1<<bit) != 0 {
		s.slow()
	}
	*k |= 1 << bit
}

// str reads a scalar as Str does; Str cannot fail on a scalar.
func (s *fastScanner) strAttr() string {
	v, err := Str(s.scalar(), "")
	if err != nil {
		s.slow()
	}
	return v
}

func (s *fastScanner) boolAttr() bool {
	v, err := Bool(s.scalar(), "")
	if err != nil {
		s.slow()
	}
	return v
}

func (s *fastScanner) userObject(fu *FastUser) {
	u := &fu.User
	var seen seenKeys
	s.attrs(func(lk, key []byte) {
		if bytes.HasPrefix(lk, []byte("urn:")) {
			fu.Exts = s.ext(fu.Exts, key)
			return
		}
		var dst *string
		var bit uint
		switch string(lk) {
		case "id":
			dst, bit = &u.ID, 0
		case "externalid":
			dst, bit = &u.ExternalID, 1
		case "username":
			dst, bit = &u.UserName, 2
		case "displayname":
			dst, bit = &u.DisplayName, 3
		case "nickname":
			dst, bit = &u.NickName, 4
		case "title":
			dst, bit = &u.Title, 5
		case "usertype":
			dst, bit = &u.UserType, 6
		case "locale":
			dst, bit = &u.Locale, 7
		case "timezone":
			dst, bit = &u.Timezone, 8
		case "password":
			dst, bit = &u.Password, 9
		case "active":
			seen.add(s, 10)
			if s.peek() == 'n' {
				s.literal("null")
				return
			}
			u.Active, fu.ActiveSet = s.boolAttr(), true
			return
		case "name":
			seen.add(s, 11)
			s.name(&u.Name)
			return
		case "emails":
			seen.add(s, 12)
			u.Emails = s.multiValues()
			return
		case "phonenumbers":
			seen.add(s, 13)
			u.PhoneNumbers = s.multiValues()
			return
		case "groups":
			seen.add(s, 14)
			u.Groups = s.groups()
			return
		default: // schemas, meta and unknown attributes are not read
			s.skip()
			return
		}
		seen.add(s, bit)
		*dst = s.strAttr()
	})
}

func (s *fastScanner) name(n *backend.Name) {
	if s.peek() == 'n' {
		s.literal("null")
		return
	}
	var seen seenKeys
	s.attrs(func(lk, key []byte) {
		var dst *string
		var bit uint
		switch string(lk) {
		case "formatted":
			dst, bit = &n.Formatted, 0
		case "familyname":
			dst, bit = &n.FamilyName, 1
		case "givenname":
			dst, bit = &n.GivenName, 2
		case "middlename":
			dst, bit = &n.MiddleName, 3
		case "honorificprefix":
			dst, bit = &n.HonorificPrefix, 4
		case "honorificsuffix":
			dst, bit = &n.HonorificSuffix, 5
		default:
			s.skip()
			return
		}
		seen.add(s, bit)
		*dst = s.strAttr()
	})
}

// array calls item for each element of an array; null is an empty array.
func (s *fastScanner) array(item func()) {
	if s.peek() == 'n' {
		s.literal("null")
		return
	}
	s.expect('[')
	s.enter()
	if s.peek() == ']' {
		s.i++
		s.depth--
		return
	}
	for {
		item()
		switch s.peek() {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return
		default:
			s.slow()
		}
	}
}

func (s *fastScanner) multiValues() []backend.MultiValue {
	var out []backend.MultiValue
	s.array(func() {
		if s.peek() == 'n' { // null entries are skipped
			s.literal("null")
			return
		}
		var mv backend.MultiValue
		var seen seenKeys
		s.attrs(func(lk, key []byte) {
			switch string(lk) {
			case "value":
				seen.add(s, 0)
				mv.Value = s.strAttr()
			case "type":
				seen.add(s, 1)
				mv.Type = s.strAttr()
			case "display":
				seen.add(s, 2)
				mv.Display = s.strAttr()
			case "primary":
				seen.add(s, 3)
				mv.Primary = s.boolAttr()
			default:
				s.skip()
			}
		})
		out = append(out, mv)
	})
	return out
}

func (s *fastScanner) groups() []backend.GroupRef {
	var out []backend.GroupRef
	s.array(func() {
		var g backend.GroupRef
		if s.peek() == 'n' { // a null entry reads as an empty reference, as the generic path has it
			s.literal("null")
			out = append(out, g)
			return
		}
		var seen seenKeys
		s.attrs(func(lk, key []byte) {
			switch string(lk) {
			case "value":
				seen.add(s, 0)
				g.Value = s.strAttr()
			case "display":
				seen.add(s, 1)
				g.Display = s.strAttr()
			default:
				s.skip()
			}
		})
		out = append(out, g)
	})
	return out
}
