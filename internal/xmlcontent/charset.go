package xmlcontent

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"unicode/utf8"
)

// The character sets of XML replies, shared by the SOAP and REST clients: both read replies with
// encoding/xml, which knows UTF-8 only.

// ErrCharset: the reply is in a character set ToUTF8 cannot decode.
var ErrCharset = errors.New("unsupported response charset")

// cp1252 maps bytes 0x80–0x9F of windows-1252 to Unicode; the other bytes equal their code point
// (as in ISO-8859-1). The five unassigned bytes map to themselves (C1 controls), as browsers do.
var cp1252 = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

// single-byte charsets by their IANA names and common aliases. golang.org/x/text is not a
// dependency of this module; these two cover the legacy servers met in practice (Java and .NET
// stacks configured for Western European text).
var charsets = map[string]func(byte) rune{
	"iso-8859-1":   latin1,
	"iso8859-1":    latin1,
	"latin1":       latin1,
	"l1":           latin1,
	"iso_8859-1":   latin1,
	"windows-1252": win1252,
	"cp1252":       win1252,
	"x-cp1252":     win1252,
}

// isUTF8Name: the only encoding name encoding/xml accepts without a CharsetReader ("US-ASCII",
// a subset, is refused by it all the same).
func isUTF8Name(name string) bool { return strings.EqualFold(name, "utf-8") }

func latin1(b byte) rune { return rune(b) }

func win1252(b byte) rune {
	if b >= 0x80 && b <= 0x9F {
		return cp1252[b-0x80]
	}
	return rune(b)
}

var xmlDeclEncoding = regexp.MustCompile(`^(\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])([A-Za-z0-9._:-]+)(["'])`)

// declEncoding finds the encoding name of body's XML declaration: body[lo:hi] is what
// xmlDeclEncoding's third group matches, ok whether it matches at all. The regexp is not run over a
// body that does not start with a declaration, nor over more of one that does than its first '>'
// (no byte of a match can be '>', so the match lies before it; the backtracker's state is then a
// few dozen bytes, not the whole reply), nor at all for the declarations servers commonly send.
func declEncoding(body []byte) (lo, hi int, ok bool) {
	i := 0
	for i < len(body) && isRegexpSpace(body[i]) {
		i++
	}
	if !bytes.HasPrefix(body[i:], []byte("<?xml")) {
		return 0, 0, false
	}
	for _, d := range commonDecls {
		if bytes.HasPrefix(body[i:], d.text) {
			// The leading spaces are the \s* the regexp would take; the rest matches as in d.
			return i + d.lo, i + d.hi, true
		}
	}
	if end := bytes.IndexByte(body[i:], '>'); end >= 0 {
		body = body[:i+end]
	}
	m := xmlDeclEncoding.FindSubmatchIndex(body)
	if m == nil {
		return 0, 0, false
	}
	return m[6], m[7], true
}

// commonDecls are the usual XML declarations and where xmlDeclEncoding finds their encoding name,
// worked out by the regexp itself.
var commonDecls = func() []commonDecl {
	var out []commonDecl
	for _, q := range []string{`"`, `'`} {
		for _, enc := range []string{"utf-8", "UTF-8"} {
			text := []byte(`<?xml version=` + q + `1.0` + q + ` encoding=` + q + enc + q + `?>`)
			m := xmlDeclEncoding.FindSubmatchIndex(text)
			out = append(out, commonDecl{text: text, lo: m[6], hi: m[7]})
		}
	}
	return out
}()

type commonDecl struct {
	text   []byte
	lo, hi int
}

// isRegexpSpace is the regexp package's \s: [\t\n\f\r ].
func isRegexpSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// mediaTypeMemo is the last Content-Type MediaType parsed. A backend sends the same one on every
// reply, and mime.ParseMediaType builds a map per call; one entry bounds the memory whatever a
// server sends.
var mediaTypeMemo atomic.Pointer[mediaTypeEntry]

type mediaTypeEntry struct {
	contentType, charset string
	valid                bool
}

// MediaType parses a Content-Type as mime.ParseMediaType does: valid reports that it parsed
// without error, and charset is then its charset parameter, lower-cased and stripped of quotes and
// spaces ("" when absent or not valid).
func MediaType(contentType string) (charset string, valid bool) {
	if e := mediaTypeMemo.Load(); e != nil && e.contentType == contentType {
		return e.charset, e.valid
	}
	e := &mediaTypeEntry{contentType: contentType}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		e.valid = true
		e.charset = strings.ToLower(strings.Trim(params["charset"], `"' `))
	}
	mediaTypeMemo.Store(e)
	return e.charset, e.valid
}

// ToUTF8 returns body as UTF-8, decoding it from the charset named by the Content-Type or, failing
// that, by the XML declaration (the HTTP header wins, as RFC 7303 says). encoding/xml without a
// CharsetReader refuses a reply declared as ISO-8859-1, and one sent without a declaration would silently turn accented letters into U+FFFD. The XML declaration is
// rewritten to say UTF-8. changed reports whether the body was transcoded.
func ToUTF8(contentType string, body []byte) (out []byte, changed bool, err error) {
	cs, _ := MediaType(contentType)
	lo, hi, decl := declEncoding(body)
	if cs == "" && decl {
		cs = strings.ToLower(string(body[lo:hi]))
	}
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if decl && !isUTF8Name(string(body[lo:hi])) {
			// The header says UTF-8 (or nothing, and the declaration says US-ASCII or utf8), or
			// the header and the declaration disagree (a server whose templates and HTTP stack
			// differ): the header wins (RFC 7303), but encoding/xml refuses any declared name
			// but "UTF-8" without a CharsetReader, so the declaration is rewritten.
			return slices.Concat(body[:lo], []byte("UTF-8"), body[hi:]), true, nil
		}
		return body, false, nil
	}
	dec, ok := charsets[cs]
	if !ok {
		return nil, false, fmt.Errorf("%w %q (supported: UTF-8, ISO-8859-1, windows-1252)", ErrCharset, cs)
	}
	var b bytes.Buffer
	b.Grow(len(body) + len(body)/8)
	start := 0
	if decl {
		b.Write(body[:lo])
		b.WriteString("UTF-8")
		start = hi
	}
	for _, c := range body[start:] {
		if c < utf8.RuneSelf {
			b.WriteByte(c)
			continue
		}
		b.WriteRune(dec(c))
	}
	return b.Bytes(), true, nil
}
