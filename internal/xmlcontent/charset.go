package xmlcontent

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"regexp"
	"slices"
	"strings"
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

// ToUTF8 returns body as UTF-8, decoding it from the charset named by the Content-Type or, failing
// that, by the XML declaration (the HTTP header wins, as RFC 7303 says). encoding/xml without a
// CharsetReader refuses a reply declared as ISO-8859-1, and one sent without a declaration would silently turn accented letters into U+FFFD. The XML declaration is
// rewritten to say UTF-8. changed reports whether the body was transcoded.
func ToUTF8(contentType string, body []byte) (out []byte, changed bool, err error) {
	cs := ""
	if _, params, perr := mime.ParseMediaType(contentType); perr == nil {
		cs = strings.ToLower(strings.Trim(params["charset"], `"' `))
	}
	m := xmlDeclEncoding.FindSubmatchIndex(body)
	if cs == "" && m != nil {
		cs = strings.ToLower(string(body[m[6]:m[7]]))
	}
	switch cs {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		if m != nil && !isUTF8Name(string(body[m[6]:m[7]])) {
			// The header says UTF-8 (or nothing, and the declaration says US-ASCII or utf8), or
			// the header and the declaration disagree (a server whose templates and HTTP stack
			// differ): the header wins (RFC 7303), but encoding/xml refuses any declared name
			// but "UTF-8" without a CharsetReader, so the declaration is rewritten.
			return slices.Concat(body[:m[6]], []byte("UTF-8"), body[m[7]:]), true, nil
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
	if m != nil {
		b.Write(body[:m[6]])
		b.WriteString("UTF-8")
		start = m[7]
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
