package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxBody bounds how much of a response the tester reads: a connector that streams forever
// must not exhaust the tester's memory.
const maxBody = 32 << 20

// authMode says which credentials a call carries; auth.required needs the other two.
type authMode int

const (
	authConfigured authMode = iota
	authNone
	authWrong
)

// response is one decoded HTTP answer. JSON is decoded with UseNumber so that shape checks can
// tell an integer from a float or a string.
type response struct {
	Status   int
	Header   http.Header
	Body     []byte
	JSON     any
	JSONErr  error
	Duration time.Duration
}

func (r *response) object() (map[string]any, bool) {
	m, ok := r.JSON.(map[string]any)
	return m, ok
}

// observation is a successful JSON answer kept for the shape checks.
type observation struct {
	Method, Path string
	Kind         resourceKind
	Body         map[string]any
}

type resourceKind int

const (
	kindOther resourceKind = iota
	kindUser
	kindGroup
	kindUserList
	kindGroupList
)

type client struct {
	base    string
	http    *http.Client
	header  http.Header
	user    string
	pass    string
	timeout time.Duration
	slow    time.Duration
	dialect Dialect
	observe func(observation)
}

// maxRecordedPath bounds a path as kept in the report: the nesting probe sends a 200 kB filter,
// which would otherwise fill the JSON report.
const maxRecordedPath = 1000

// do sends one request. path is relative to the base URL ("Users/abc"); rawQuery is sent
// verbatim, because how a filter is encoded (%20 or +) is itself under test. extra headers are
// set after the defaults, so they can replace Accept or add If-Match.
func (cl *client) do(ctx context.Context, c *checkRun, method, path, rawQuery string, body any, auth authMode, extra ...http.Header) (*response, error) {
	target := cl.base + "/" + strings.TrimLeft(path, "/")
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	var rdr io.Reader
	if body != nil {
		buf, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("encode request body: %w", err)
		}
		rdr = bytes.NewReader(buf)
	}
	ctx, cancel := context.WithTimeout(ctx, cl.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, target, rdr)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	req.Header.Set("User-Agent", "scimbridge-conformance")
	for _, h := range extra {
		for k, vs := range h {
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	switch auth {
	case authConfigured:
		for k, vs := range cl.header {
			req.Header[k] = append([]string(nil), vs...)
		}
		if cl.user != "" {
			req.SetBasicAuth(cl.user, cl.pass)
		}
	case authWrong:
		for k := range cl.header {
			req.Header.Set(k, "sbtest-invalid-credential")
		}
		if cl.user != "" {
			req.SetBasicAuth(cl.user, "sbtest-invalid-password")
		}
	}
	call := Call{Method: method, Path: "/" + strings.TrimLeft(path, "/")}
	if rawQuery != "" {
		call.Path += "?" + rawQuery
	}
	if len(call.Path) > maxRecordedPath {
		call.Path = fmt.Sprintf("%s…(%d bytes)", call.Path[:maxRecordedPath], len(call.Path))
	}
	shown := method + " " + call.Path
	start := time.Now()
	resp, err := cl.http.Do(req)
	var raw []byte
	if err == nil {
		raw, err = io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
	}
	call.Duration = time.Since(start)
	if resp != nil {
		call.Status = resp.StatusCode
	}
	if err != nil {
		call.Error = err.Error()
	}
	if c != nil {
		c.res.Calls = append(c.res.Calls, call)
		if call.Duration > cl.slow {
			c.warnf("slow call: %s took %s (the agent's timeout can be as low as 30 s)", shown, fmtDur(call.Duration))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", shown, err)
	}
	r := &response{Status: resp.StatusCode, Header: resp.Header, Body: raw, Duration: call.Duration}
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if derr := dec.Decode(&v); derr != nil {
			r.JSONErr = derr
		} else {
			r.JSON = v
		}
	}
	// An answer to attributes= or excludedAttributes= lacks attributes on purpose (v2.attributes
	// judges it), so the shape rules, which want meta and schemas, do not see it.
	if obj, ok := r.object(); ok && r.Status >= 200 && r.Status < 300 && cl.observe != nil && !projected(rawQuery) {
		if kind := cl.dialect.Classify(method, path); kind != kindOther {
			cl.observe(observation{Method: method, Path: call.Path, Kind: kind, Body: obj})
		}
	}
	return r, nil
}

// snippet shortens a response body for a failure message, so that an HTML error page shows
// what it is without flooding the report.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 120 {
		s = s[:120] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return fmt.Sprintf("%q", s)
}

// projected says whether a query asks for a projection (RFC 7644 §3.4.2.5).
func projected(rawQuery string) bool {
	v, _ := url.ParseQuery(rawQuery)
	return v.Has("attributes") || v.Has("excludedAttributes")
}
