package soapclient

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
)

// SOAP versions for Config.SOAPVersion.
const (
	SOAP11 = "1.1"
	SOAP12 = "1.2"
)

// quoteAction renders a SOAPAction header value as SOAP 1.1 §6.1.1 requires: a quoted string,
// `""` for an empty action. Values that arrive already quoted (a WSDL that spells the quotes, an
// override) are left as they are; gowsdl's `”` is the empty action.
func quoteAction(a string) string {
	a = strings.TrimSpace(a)
	if a == "''" || a == "" {
		return `""`
	}
	if len(a) >= 2 && a[0] == '"' && a[len(a)-1] == '"' {
		return a
	}
	return `"` + escapeQuoted(a) + `"`
}

// unquoteAction is the action without its quotes, for SOAP 1.2's action parameter.
func unquoteAction(a string) string {
	a = strings.TrimSpace(a)
	if a == "''" {
		return ""
	}
	if len(a) >= 2 && a[0] == '"' && a[len(a)-1] == '"' {
		a = a[1 : len(a)-1]
		if strings.IndexByte(a, '\\') >= 0 {
			a = unescaper.Replace(a)
		}
	}
	return a
}

// Replacers are safe for concurrent use; built once, not per call (each build allocates its
// lookup tables, which showed in the profile of every SOAP call).
var (
	escaper   = strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	unescaper = strings.NewReplacer(`\"`, `"`, `\\`, `\`)
)

// escapeQuoted escapes the two characters a quoted-string (RFC 9110 §5.6.4) cannot hold bare.
func escapeQuoted(s string) string {
	if !strings.ContainsAny(s, `\"`) {
		return s
	}
	return escaper.Replace(s)
}

// soap12ContentType is the SOAP 1.2 HTTP binding's media type; the action travels as its
// parameter instead of a SOAPAction header.
func soap12ContentType(action string) string {
	ct := "application/soap+xml; charset=utf-8"
	if action != "" {
		ct += `; action="` + escapeQuoted(action) + `"`
	}
	return ct
}

// setAction puts action on r the way the SOAP version in use wants it.
func setAction(r *http.Request, version, action string) {
	if version == SOAP12 {
		r.Header.Del("SOAPAction")
		r.Header.Set("Content-Type", soap12ContentType(unquoteAction(action)))
		return
	}
	// Set would canonicalise the name to this on every call, allocating; the wire is the same.
	r.Header["Soapaction"] = []string{quoteAction(action)}
}

// rewriteEnvelopeNS replaces the namespace URI from with to in every namespace declaration
// (xmlns or xmlns:p attribute whose value is exactly from) of the document, and nowhere else:
// text and other attributes that happen to hold the URI stay as they are. It is how one set of
// encoders and decoders (gowsdl's, written for SOAP 1.1) speaks SOAP 1.2 on the wire: requests
// are written as 1.1 and re-declared as 1.2, replies are re-declared as 1.1 before decoding.
// The element structure of Envelope, Header and Body is the same in both versions; faults differ,
// and are read by inspect before any rewrite. A document that is not well-formed is returned
// unchanged (the decoder that follows reports it).
func rewriteEnvelopeNS(doc []byte, from, to string) []byte {
	if !bytes.Contains(doc, []byte(from)) {
		return doc
	}
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	var out bytes.Buffer
	last := 0 // doc[:last] has been copied to out
	for {
		start := d.InputOffset()
		tok, err := d.RawToken()
		if err != nil {
			break
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		declares := false
		for _, a := range se.Attr {
			if (a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns")) && a.Value == from {
				declares = true
				break
			}
		}
		if !declares {
			continue
		}
		end := d.InputOffset()
		if start < int64(last) || end > int64(len(doc)) {
			return doc
		}
		out.Write(doc[last:start])
		out.Write(bytes.ReplaceAll(doc[start:end], []byte(from), []byte(to)))
		last = int(end)
	}
	if last == 0 {
		return doc
	}
	out.Write(doc[last:])
	return out.Bytes()
}

// validSOAPVersion reports whether v is a version Config.SOAPVersion accepts ("" means 1.1).
func validSOAPVersion(v string) error {
	switch v {
	case "", SOAP11, SOAP12:
		return nil
	}
	return fmt.Errorf("soapclient: SOAPVersion %q is not 1.1 or 1.2", v)
}
