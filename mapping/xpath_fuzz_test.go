package mapping

import (
	"github.com/scimbridge/scimbridge/internal/xmlcontent"

	"testing"
	"unicode/utf8"
)

// FuzzXPath feeds arbitrary XML content (what a legacy application returns) and XPaths (what a
// mapping author writes) to the XPath functions and the request-side builder: they must never
// panic, and what xmlElement builds must always be content the request encoder accepts.
func FuzzXPath(f *testing.F) {
	f.Add(usersXML, "//User[@LoginName='ann']/Title", "a&b")
	f.Add("<a><b c='1'>x</b><b/></a>", "count(//b) > 1", "]]>")
	f.Add("<r xmlns='urn:x'><s:t xmlns:s='urn:s'>v</s:t></r>", "string(//t)", `"><x/>`)
	f.Fuzz(func(t *testing.T, content, path, value string) {
		if _, err := compileXPath(path); err != nil {
			return
		}
		x := XMLContent{XML: content}
		_, _ = xpathList(x, path)
		_, _ = xpathString(x, path)
		_, _ = xpathBool(x, path)
		_, _ = xpathNumber(x, path)
		v, err := xmlElement("User", map[string]any{"Name": value}, []any{value, x})
		if err != nil {
			return
		}
		if _, err := xmlcontent.Tokens(v.(XMLContent).XML); err != nil {
			t.Fatalf("xmlElement built content the encoder refuses: %v\n%s", err, v.(XMLContent).XML)
		}
		// Characters XML cannot carry (invalid UTF-8, most control characters) are written as
		// U+FFFD; every other value must read back exactly.
		if !xmlChars(value) {
			return
		}
		s, err := xpathString(v, "/User/@Name")
		if err != nil || s != value {
			t.Fatalf("value %q read back as %#v (%v)", value, s, err)
		}
	})
}

// xmlChars reports whether s holds only characters XML 1.0 allows (its Char production).
func xmlChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0xD800 && r <= 0xDFFF || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
