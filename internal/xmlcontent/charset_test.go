package xmlcontent

import (
	"bytes"
	"mime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// refToUTF8 is ToUTF8 as it was before its fast paths (a Content-Type parsed on every call, the
// declaration regexp run over the whole body): the fast paths must not change a byte.
func refToUTF8(contentType string, body []byte) ([]byte, bool, error) {
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
			return slices.Concat(body[:m[6]], []byte("UTF-8"), body[m[7]:]), true, nil
		}
		return body, false, nil
	}
	dec, ok := charsets[cs]
	if !ok {
		return nil, false, ErrCharset
	}
	var b bytes.Buffer
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

func checkToUTF8(t *testing.T, contentType string, body []byte) {
	t.Helper()
	got, gotChanged, gotErr := ToUTF8(contentType, body)
	want, wantChanged, wantErr := refToUTF8(contentType, body)
	if (gotErr == nil) != (wantErr == nil) || !bytes.Equal(got, want) || gotChanged != wantChanged {
		t.Fatalf("ToUTF8(%q, %q) = %q, %v, %v; want %q, %v, %v", contentType, body, got, gotChanged, gotErr, want, wantChanged, wantErr)
	}
	_, valid := MediaType(contentType)
	if _, _, err := mime.ParseMediaType(contentType); valid != (err == nil) {
		t.Fatalf("MediaType(%q) valid = %v, mime.ParseMediaType says %v", contentType, valid, err)
	}
}

var toUTF8Bodies = []string{
	``,
	`<a/>`,
	`<?xml version="1.0" encoding="utf-8"?>` + "\n<a>é</a>",
	`<?xml version="1.0" encoding="UTF-8"?><a/>`,
	`<?xml version='1.0' encoding='utf-8'?><a/>`,
	" \t\r\n\f<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>",
	"\v<?xml version=\"1.0\" encoding=\"utf-8\"?><a/>", // \v is not the regexp's \s
	`<?xml version="1.0" encoding="utf-8"?`,
	`<?xml version="1.0" encoding="utf-8" standalone="yes"?><a/>`,
	`<?xml version="1.0" encoding="utf-8"standalone="yes"?><a/>`,
	`<?xml version="1.0" encoding="utf-8'?><a/>`,
	`<?xml version="1.0" encoding="utf8"?><a/>`,
	`<?xml version="1.0" encoding="US-ASCII"?><a/>`,
	"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xe9</a>",
	"<?xml version=\"1.0\"\nencoding = 'windows-1252' ?><a>\x80</a>",
	"<?xml version=\"1.0\" encoding=\"UTF-16\"?><a/>",
	`<?xml version="1.0"?><a encoding="latin1"/>`,
	`<?xml version="1.0"><b encoding="latin1"?>`,
	`<?xml encoding="latin1" ?>` + "\xe9",
	`<?xmlx encoding="latin1"?>`,
	`<a/><?xml version="1.0" encoding="latin1"?>`,
	"\ufeff<?xml version=\"1.0\" encoding=\"latin1\"?><a/>",
}

var toUTF8ContentTypes = []string{
	"", "text/xml", "text/xml; charset=utf-8", `text/xml; charset="utf-8"`, "text/xml;charset=UTF-8",
	"application/soap+xml; charset=utf-8; action=\"urn:x\"", "text/xml; charset=iso-8859-1",
	"text/xml; charset=windows-1252", "text/xml; charset=utf-16", "text/xml; charset=", "text/xml;;",
	"text/xml; charset=utf-8; charset=latin1", "text xml", "text/xml; Charset=' latin1 '",
}

func TestToUTF8FastPathsChangeNothing(t *testing.T) {
	for _, ct := range toUTF8ContentTypes {
		for _, b := range toUTF8Bodies {
			checkToUTF8(t, ct, []byte(b))
		}
	}
	// The memo holds one Content-Type: alternating ones must each get their own answer.
	for range 3 {
		for _, ct := range toUTF8ContentTypes {
			checkToUTF8(t, ct, []byte(toUTF8Bodies[13]))
		}
	}
}

// FuzzToUTF8 compares ToUTF8 with its reference on arbitrary Content-Types and bodies.
func FuzzToUTF8(f *testing.F) {
	for i, b := range toUTF8Bodies {
		f.Add(toUTF8ContentTypes[i%len(toUTF8ContentTypes)], []byte(b))
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		checkToUTF8(t, contentType, body)
	})
}
