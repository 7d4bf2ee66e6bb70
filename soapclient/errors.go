package soapclient

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors, for errors.Is.
var (
	// ErrResponseTooLarge: the reply exceeded Config.MaxResponseBytes and was not read further.
	ErrResponseTooLarge = errors.New("soapclient: response too large")
	// ErrDoctype: a 2xx reply carried a document type declaration, which SOAP forbids; refusing it
	// keeps DTD tricks (entity expansion) away from the XML decoder entirely.
	ErrDoctype = errors.New("soapclient: response contains a DOCTYPE, which SOAP forbids")
	// ErrUnknownOperation: Invoke was called with a name the client's port does not have.
	ErrUnknownOperation = errors.New("soapclient: unknown operation")
	// ErrRequestType: Invoke was given a request that is not a non-nil pointer to the operation's
	// generated request struct.
	ErrRequestType = errors.New("soapclient: wrong request type")
	// ErrClosed: Invoke was called after Close.
	ErrClosed = errors.New("soapclient: client is closed")
)

// Caps on what a server-controlled error keeps, so a hostile or broken server cannot fill logs or
// memory through an error value.
const (
	maxFaultText   = 2048 // faultcode, faultstring, detail code and message, each
	maxFaultDetail = 4096 // raw detail XML
	maxBodyExcerpt = 512  // HTTPStatusError.Body
	maxErrorText   = 200  // server text quoted inside Error()
)

// Fault is a SOAP fault returned by the server, whatever HTTP status carried it. The mapping engine
// reads it through the method set FaultCode, FaultString, DetailCode, DetailMessage (field names
// differ from the method names because Go forbids a field and a method of the same name).
type Fault struct {
	// HTTPStatus is the status of the reply that carried the fault (500 or 200 in practice).
	HTTPStatus int
	// Code is the faultcode (SOAP 1.1) or Code/Value (SOAP 1.2) as sent, e.g. "soap:Server".
	Code string
	// String is the faultstring (SOAP 1.1) or the first Reason/Text (SOAP 1.2).
	String string
	// Actor is the faultactor (SOAP 1.1) or Role (SOAP 1.2), usually empty.
	Actor string
	// Detail is the first element of <detail>, parsed without knowing its schema.
	Detail FaultDetail
}

// FaultDetail is the application part of a fault, read generically: the first element inside
// <detail> (e.g. LegacyHR's <HRFault>), and in it the text of a child named Code, code, errorCode
// or faultCode (any namespace, any case) and of a child named Message or message. When the first
// element has no such children, <detail>'s own children are searched, for servers that put
// <errorCode> directly under <detail>.
type FaultDetail struct {
	Element string // local name of the first element in <detail>; "" when there is no detail
	Code    string
	Message string
	// Raw is the detail's inner XML, capped at 4 KiB, for debug logs. It may hold user data: log it
	// only where a request body could be logged.
	Raw string

	// The whole detail and the namespace declarations in scope at it, for DetailAs.
	decls []xml.Attr
	inner string
}

// ErrNoDetail: DetailAs was called on a fault without a <detail> element.
var ErrNoDetail = errors.New("soapclient: the fault has no detail")

// DetailAs decodes the fault's first detail element into v, a pointer to the generated struct of
// the WSDL's fault element (e.g. *wso2userstore.RemoteUserStoreManagerServiceUserStoreException),
// for mappings that need more than DetailCode and DetailMessage. Namespace prefixes declared on
// the envelope are honoured.
func (f *Fault) DetailAs(v any) error {
	if f.Detail.inner == "" {
		return ErrNoDetail
	}
	d := xml.NewDecoder(strings.NewReader(f.DetailXML()))
	if _, err := d.Token(); err != nil { // <detail>
		return fmt.Errorf("soapclient: fault detail: %w", err)
	}
	for range maxFaultDetailTokens {
		tok, err := d.Token()
		if err != nil {
			return fmt.Errorf("soapclient: fault detail: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := d.DecodeElement(v, &t); err != nil {
				return fmt.Errorf("soapclient: fault detail <%s>: %w", t.Name.Local, err)
			}
			return nil
		case xml.EndElement:
			return ErrNoDetail
		}
	}
	return ErrNoDetail
}

// DetailXML is the fault's detail as one XML element: <detail>, with the namespace declarations
// in scope where the server declared them (usually the envelope), and its whole content. ""
// when the fault has no detail. The mapping engine reads it with XPath (faultDetail) and
// matches rules' detailPattern against it. It may hold user data: log it only where a request
// body could be logged.
func (f *Fault) DetailXML() string {
	if f.Detail.inner == "" {
		return ""
	}
	var b strings.Builder
	b.WriteString("<detail")
	for _, a := range f.Detail.decls {
		name := "xmlns"
		if a.Name.Space == "xmlns" {
			name = "xmlns:" + a.Name.Local
		}
		b.WriteString(" " + name + `="`)
		_ = xml.EscapeText(&b, []byte(a.Value))
		b.WriteString(`"`)
	}
	b.WriteString(">" + f.Detail.inner + "</detail>")
	return b.String()
}

// maxFaultDetailTokens bounds the search for the detail's first element (text and comments
// before it).
const maxFaultDetailTokens = 1000

// FaultCode returns the faultcode, e.g. "soap:Server".
func (f *Fault) FaultCode() string { return f.Code }

// FaultString returns the human-readable faultstring.
func (f *Fault) FaultString() string { return f.String }

// DetailCode returns the application error code from the fault detail, e.g. "HR-DUPLICATE".
func (f *Fault) DetailCode() string { return f.Detail.Code }

// DetailMessage returns the application message from the fault detail.
func (f *Fault) DetailMessage() string { return f.Detail.Message }

// Error is one short line: status, faultcode, faultstring (truncated) and the detail code. It never
// includes the raw detail or the body.
func (f *Fault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soap fault (HTTP %d) %s: %s", f.HTTPStatus, oneLine(f.Code, 64), oneLine(f.String, maxErrorText))
	if f.Detail.Code != "" {
		fmt.Fprintf(&b, " [%s]", oneLine(f.Detail.Code, 64))
	}
	return b.String()
}

// HTTPStatusError is a non-2xx reply that carried no SOAP fault (401, 403, 404, 503, a proxy's
// HTML page, a redirect, …).
type HTTPStatusError struct {
	StatusCode int
	// RetryAfter is the raw Retry-After header, "" when absent (see RetryAfterDelay).
	RetryAfter string
	// Body is the start of the reply body, at most 512 bytes, valid UTF-8.
	Body string
}

// Error is one short line with the status, Retry-After if any, and the start of the body.
func (e *HTTPStatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "soap endpoint answered HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter != "" {
		fmt.Fprintf(&b, " (Retry-After: %s)", oneLine(e.RetryAfter, 64))
	}
	if body := oneLine(e.Body, 120); body != "" {
		fmt.Fprintf(&b, ": %s", body)
	}
	return b.String()
}

// RetryAfterDelay interprets RetryAfter (delay-seconds or an HTTP date, RFC 9110 §10.2.3) relative
// to now. ok is false when the header is absent or unparsable; a date in the past gives 0.
func (e *HTTPStatusError) RetryAfterDelay(now time.Time) (d time.Duration, ok bool) {
	v := strings.TrimSpace(e.RetryAfter)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) { // absurd values would overflow a Duration
			secs = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// oneLine makes server-controlled text safe to put in an error line: control characters (which
// could forge log lines) become spaces, runs of space collapse, and it is cut to n bytes.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	return truncate(s, n)
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut with "…".
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// MalformedReplyError is a reply that arrived but could not be read as the operation's answer:
// not XML, a DOCTYPE, larger than Config.MaxResponseBytes, cut short, or of the wrong shape. The
// application is up but answered something the client cannot use, which differs from "could not
// be reached" for whoever reads the error.
type MalformedReplyError struct {
	Err error
}

func (e *MalformedReplyError) Error() string { return "soapclient: unreadable reply: " + e.Err.Error() }

// Unwrap returns the cause (an *xml.SyntaxError, ErrDoctype, ErrResponseTooLarge, …).
func (e *MalformedReplyError) Unwrap() error { return e.Err }

// MalformedReply reports that the reply could not be read.
func (e *MalformedReplyError) MalformedReply() bool { return true }

// ownError gives the errors Invoke returns their client-owned types: a reply classed as malformed
// becomes a *MalformedReplyError (once), everything else is returned as is.
func ownError(err error) error {
	if err == nil || classify(err) != OutcomeMalformed {
		return err
	}
	var me *MalformedReplyError
	if errors.As(err, &me) {
		return err
	}
	return &MalformedReplyError{Err: err}
}
