package legacysim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Fault codes, as documented in wsdl/legacyhr.wsdl (the HRFault element).
const (
	CodeAuth           = "HR-AUTH"
	CodeDuplicate      = "HR-DUPLICATE"
	CodeNotFound       = "HR-NOT-FOUND"
	CodeInvalid        = "HR-INVALID"
	CodePasswordPolicy = "HR-PASSWORD-POLICY"
	CodeInternal       = "HR-INTERNAL"
)

// Fault is an error the service reports as a SOAP fault with an HRFault detail.
type Fault struct {
	Code    string // one of the Code* constants
	Message string
	// SOAPCode overrides the faultcode ("soap:Client" or "soap:Server" by default).
	SOAPCode string
}

func (f *Fault) Error() string { return f.Code + ": " + f.Message }

func faultf(code, format string, args ...any) *Fault {
	return &Fault{Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalidf(format string, args ...any) *Fault { return faultf(CodeInvalid, format, args...) }

// faultCode is the SOAP 1.1 faultcode: everything the caller can fix is soap:Client.
func (f *Fault) faultCode() string {
	if f.SOAPCode != "" {
		return f.SOAPCode
	}
	if f.Code == CodeInternal {
		return "soap:Server"
	}
	return "soap:Client"
}

const envelopeOpen = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
	`<soap:Envelope xmlns:soap="` + nsSOAP + `"><soap:Body>`
const envelopeClose = `</soap:Body></soap:Envelope>`

func escape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // writing to a strings.Builder cannot fail
	return b.String()
}

// hrDetail is the HRFault detail element, the same in both SOAP versions.
func hrDetail(f *Fault) string {
	return `<hr:HRFault xmlns:hr="` + Namespace + `"><hr:Code>` + escape(f.Code) + `</hr:Code><hr:Message>` +
		escape(f.Message) + `</hr:Message></hr:HRFault>`
}

// writeFault sends f the way SOAP 1.1 over HTTP prescribes: HTTP 500 with the Fault in the Body;
// a SOAP 1.2 server answers in 1.2 (see writeFault12).
func writeFault(w http.ResponseWriter, f *Fault, soap12 bool) {
	if soap12 {
		writeFault12(w, f)
		return
	}
	var b bytes.Buffer
	b.WriteString(envelopeOpen)
	b.WriteString(`<soap:Fault><faultcode>` + f.faultCode() + `</faultcode><faultstring>`)
	b.WriteString(escape(f.Code + ": " + f.Message))
	b.WriteString(`</faultstring><detail>` + hrDetail(f) + `</detail></soap:Fault>`)
	b.WriteString(envelopeClose)
	writeXML(w, http.StatusInternalServerError, b.Bytes())
}

// writeResponse sends resp (a *Resp struct with its XMLName set) inside an envelope of the
// server's SOAP version, in rpc/literal form when rpc.
func writeResponse(w http.ResponseWriter, resp any, soap12, rpc bool) error {
	marshal := xml.Marshal
	if rpc {
		marshal = rpcBody
	}
	body, err := marshal(resp)
	if err != nil {
		return err
	}
	open, closing := envelopeOpen, envelopeClose
	if soap12 {
		open, closing = envelope12Open, envelope12Close
	}
	var b bytes.Buffer
	b.Grow(len(open) + len(body) + len(closing))
	b.WriteString(open)
	b.Write(body)
	b.WriteString(closing)
	if soap12 {
		writeXML12(w, http.StatusOK, b.Bytes())
		return nil
	}
	writeXML(w, http.StatusOK, b.Bytes())
	return nil
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client going away is not our error
}

// soapHeader is the part of soap:Header the service reads; other header blocks are ignored.
type soapHeader struct {
	Security []wsseSecurity `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Security"`
}

// envelope is a request after its envelope has been read: the header, and a decoder positioned
// just after the start tag of the Body's first child (the operation element).
type envelope struct {
	header soapHeader
	op     xml.StartElement
	dec    *xml.Decoder
	// rest, when set, reads what follows the operation element (dec then reads only the
	// operation element; see rpcEnvelope).
	rest *xml.Decoder
}

// charsetReader accepts only what the service has always accepted: UTF-8 and its ASCII subset.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	switch strings.ToLower(charset) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return input, nil
	}
	return nil, fmt.Errorf("unsupported encoding %q (use UTF-8)", charset)
}

func newDecoder(body []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.CharsetReader = charsetReader
	return dec
}

func xmlErr(err error) *Fault {
	var f *Fault
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, io.EOF) {
		return invalidf("malformed XML: unexpected end of document")
	}
	return invalidf("malformed XML: %v", err)
}

// nextStart returns the next start or end element, skipping comments, processing instructions
// and whitespace. A DTD is refused outright: SOAP forbids it, and refusing it keeps entity tricks
// out entirely.
func nextStart(dec *xml.Decoder) (xml.Token, error) {
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement, xml.EndElement:
			return t, nil
		case xml.CharData:
			if len(bytes.TrimSpace(t)) != 0 {
				return nil, invalidf("unexpected text %q in the SOAP envelope", truncate(string(t), 40))
			}
		case xml.Directive:
			return nil, invalidf("a DTD or other XML directive is not allowed in a SOAP message")
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// readEnvelope reads a SOAP 1.1 envelope (1.2 when soap12) up to the operation element.
func readEnvelope(body []byte, soap12 bool) (*envelope, error) {
	ns := nsSOAP
	if soap12 {
		ns = nsSOAP12
	}
	dec := newDecoder(body)
	tok, err := nextStart(dec)
	if err != nil {
		return nil, xmlErr(err)
	}
	root, ok := tok.(xml.StartElement)
	if !ok || root.Name.Local != "Envelope" {
		return nil, invalidf("the document is not a SOAP envelope")
	}
	switch root.Name.Space {
	case ns:
	case nsSOAP12:
		return nil, &Fault{Code: CodeInvalid, Message: "SOAP 1.2 is not supported; use SOAP 1.1", SOAPCode: "soap:VersionMismatch"}
	case nsSOAP:
		return nil, &Fault{Code: CodeInvalid, Message: "this endpoint speaks SOAP 1.2; SOAP 1.1 is not supported", SOAPCode: "env:VersionMismatch"}
	default:
		return nil, &Fault{Code: CodeInvalid, Message: "the Envelope is not in the SOAP 1.1 namespace " + nsSOAP, SOAPCode: "soap:VersionMismatch"}
	}
	env := &envelope{dec: dec}
	tok, err = nextStart(dec)
	if err != nil {
		return nil, xmlErr(err)
	}
	start, ok := tok.(xml.StartElement)
	if ok && start.Name.Space == ns && start.Name.Local == "Header" {
		if err := dec.DecodeElement(&env.header, &start); err != nil {
			return nil, xmlErr(err)
		}
		if tok, err = nextStart(dec); err != nil {
			return nil, xmlErr(err)
		}
		start, ok = tok.(xml.StartElement)
	}
	if !ok || start.Name.Space != ns || start.Name.Local != "Body" {
		return nil, invalidf("the SOAP envelope has no Body")
	}
	tok, err = nextStart(dec)
	if err != nil {
		return nil, xmlErr(err)
	}
	op, ok := tok.(xml.StartElement)
	if !ok {
		return nil, invalidf("the SOAP Body is empty")
	}
	env.op = op
	return env, nil
}

// finish reads the rest of the document after the operation element and refuses anything but the
// closing tags, so that a truncated or padded request is never executed.
func (env *envelope) finish() error {
	dec := env.dec
	if env.rest != nil {
		dec = env.rest
	}
	for {
		tok, err := nextStart(dec)
		if errors.Is(err, io.EOF) {
			return nil // the decoder reports unclosed elements as a syntax error, not io.EOF
		}
		if err != nil {
			return xmlErr(err)
		}
		if s, ok := tok.(xml.StartElement); ok {
			return invalidf("unexpected element %s after the operation element", qname(s.Name))
		}
	}
}
