package restclient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// Sentinel errors, for errors.Is.
var (
	// ErrUnknownOperation: Invoke was called with a name the definition does not declare.
	ErrUnknownOperation = errors.New("restclient: unknown operation")
	// ErrRequestType: Invoke was given a request that is not a non-nil pointer to the
	// operation's request struct.
	ErrRequestType = errors.New("restclient: wrong request type")
	// ErrBadRequest: the request cannot be sent as built (an empty path parameter, a value a
	// parameter cannot carry); nothing was sent.
	ErrBadRequest = errors.New("restclient: request cannot be sent")
	// ErrClosed: Invoke was called after Close.
	ErrClosed = errors.New("restclient: client is closed")
	// ErrResponseTooLarge: the reply exceeded Config.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("restclient: response too large")
)

// Caps on what a server-controlled error keeps.
const (
	maxErrorText   = 2048
	maxBodyExcerpt = 512
)

// Fault is a 4xx answer other than 408 and 429: the application is up and refused the request
// (a 404 for a missing record, a 422 whose body says the login is taken). The mapping engine
// reads it through the same methods as a SOAP fault, so a mapping's fault rules apply to REST
// unchanged: FaultCode is the status code ("422"), FaultString its text ("Unprocessable
// Entity"), DetailCode and DetailMessage what the error body says (see rest.errors).
type Fault struct {
	Status  int
	Code    string // from the body; "" when it has none
	Message string // from the body (JSON members, or the text of a non-JSON page)
}

func (f *Fault) FaultCode() string     { return strconv.Itoa(f.Status) }
func (f *Fault) FaultString() string   { return http.StatusText(f.Status) }
func (f *Fault) DetailCode() string    { return f.Code }
func (f *Fault) DetailMessage() string { return f.Message }

// Error is one short line: the status, the body's code and the start of its message.
func (f *Fault) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rest answer HTTP %d %s", f.Status, http.StatusText(f.Status))
	if f.Code != "" {
		fmt.Fprintf(&b, " [%s]", oneLine(f.Code, 64))
	}
	if m := oneLine(f.Message, 200); m != "" {
		fmt.Fprintf(&b, ": %s", m)
	}
	return b.String()
}

// HTTPStatusError is a reply that is not the application's answer to the request: a 5xx, 408,
// 429, a redirect. The guards read its status (retries of reads, Retry-After, the breaker).
type HTTPStatusError struct {
	StatusCode int
	RetryAfter string // the raw header, "" when absent
	Body       string // the start of the body, valid UTF-8, one line
}

func (e *HTTPStatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rest endpoint answered HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.RetryAfter != "" {
		fmt.Fprintf(&b, " (Retry-After: %s)", oneLine(e.RetryAfter, 64))
	}
	if body := oneLine(e.Body, 120); body != "" {
		fmt.Fprintf(&b, ": %s", body)
	}
	return b.String()
}

// HTTPStatus is the reply's status (guard.StatusError).
func (e *HTTPStatusError) HTTPStatus() int { return e.StatusCode }

// RetryAfterDelay interprets RetryAfter (seconds or an HTTP date) relative to now.
func (e *HTTPStatusError) RetryAfterDelay(now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(e.RetryAfter)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, 86400)) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}

// MalformedError is a 2xx reply the client cannot read into the operation's response type (not
// JSON, a member of the wrong type, larger than Config.MaxResponseBytes).
type MalformedError struct {
	Status int
	Err    error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("restclient: unreadable reply (HTTP %d): %v", e.Status, e.Err)
}
func (e *MalformedError) Unwrap() error { return e.Err }

// MalformedReply tells the mapping engine the application answered something unusable (which
// differs from "could not be reached").
func (e *MalformedError) MalformedReply() bool { return true }

// statusError turns a non-2xx reply into a Fault or an HTTPStatusError.
func statusError(resp *http.Response, body []byte, d *Definition) error {
	s := resp.StatusCode
	if s >= 400 && s < 500 && s != http.StatusRequestTimeout && s != http.StatusTooManyRequests {
		ct := resp.Header.Get("Content-Type")
		code, msg, ok := "", "", false
		if looksXML(ct, body) {
			if utf8Body, _, err := xmlcontent.ToUTF8(ct, body); err == nil {
				code, msg, ok = xmlErrorText(bytes.TrimSpace(utf8Body), d.errXMLMessage, d.errXMLCode)
			}
		}
		if !ok {
			code, msg = errorText(ct, body, d.errMessage, d.errCode)
		}
		return &Fault{Status: s, Code: code, Message: msg}
	}
	return &HTTPStatusError{StatusCode: s, RetryAfter: resp.Header.Get("Retry-After"),
		Body: oneLine(string(bytes.ToValidUTF8(body[:min(len(body), maxBodyExcerpt)], nil)), maxBodyExcerpt)}
}

// looksXML: an XML Content-Type, or no HTML one and a body starting with an XML declaration or
// an element.
func looksXML(contentType string, body []byte) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") || strings.Contains(ct, "json") {
		return false
	}
	if strings.Contains(ct, "xml") {
		return true
	}
	body = bytes.TrimSpace(body)
	return bytes.HasPrefix(body, []byte("<?xml")) || (len(body) > 1 && body[0] == '<' && !bytes.HasPrefix(bytes.ToLower(body[:min(len(body), 9)]), []byte("<!doctype")) && !bytes.HasPrefix(bytes.ToLower(body), []byte("<html")))
}

// Names under which JSON error bodies commonly carry their message and code, tried in order
// after the ones the definition names (rest.errors).
var (
	defaultMessagePaths = []string{"errors", "error_description", "message", "error.message", "detail", "title", "error", "errorMessage", "msg"}
	defaultCodePaths    = []string{"code", "error_code", "errorCode", "error.code", "error"}
)

var tagRE = regexp.MustCompile(`(?s)<script.*?</script>|<style.*?</style>|<[^>]*>`)

// errorText reads an error body: JSON members by path, or, for anything else (an HTML error
// page from a proxy, plain text), its text without markup. Both are capped and made one line.
func errorText(contentType string, body []byte, msgPaths, codePaths []string) (code, msg string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", ""
	}
	var v any
	if (body[0] == '{' || body[0] == '[') && json.Unmarshal(body, &v) == nil {
		// The definition's paths first, then the common names.
		msgPaths = append(slices.Clip(msgPaths), defaultMessagePaths...)
		codePaths = append(slices.Clip(codePaths), defaultCodePaths...)
		for _, p := range msgPaths {
			if m := textAt(v, p); m != "" {
				msg = m
				break
			}
		}
		for _, p := range codePaths {
			if c := textAt(v, p); c != "" && c != msg {
				code = c
				break
			}
		}
		return oneLine(code, 256), oneLine(msg, maxErrorText)
	}
	text := string(bytes.ToValidUTF8(body[:min(len(body), 64<<10)], nil))
	if strings.Contains(strings.ToLower(contentType), "html") || strings.HasPrefix(text, "<") {
		text = tagRE.ReplaceAllString(text, " ")
	}
	return "", oneLine(text, maxErrorText)
}

// textAt reads a dotted member path; a list of strings (Redmine's "errors") is joined with "; ",
// a list of objects contributes each one's message.
func textAt(v any, path string) string {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		v = m[k]
	}
	switch x := v.(type) {
	case string:
		return x
	case float64, bool:
		return fmt.Sprint(x)
	case []any:
		var parts []string
		for _, e := range x {
			switch y := e.(type) {
			case string:
				parts = append(parts, y)
			case map[string]any:
				if s := textAt(y, "message"); s != "" {
					parts = append(parts, s)
				}
			}
		}
		return strings.Join(parts, "; ")
	case map[string]any:
		return textAt(x, "message")
	}
	return ""
}

// oneLine makes server-controlled text safe for an error line: control characters become
// spaces, runs of space collapse, and it is cut to n bytes on a rune boundary.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
