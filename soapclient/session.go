package soapclient

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/http/httpguts"
)

// Session-token logins (docs/wsdl.md, "Session logins"): applications such as JIRA's SOAP API
// answer a login operation with a token that every other call must carry, and expire it after a
// while. SessionConfig says all of it as configuration; the session middleware logs in on first
// use, puts the token into every call, and on a fault that means "expired" logs in once more and
// retries the call once. Concurrent calls share one login.

// SessionConfig describes the login.
type SessionConfig struct {
	// Login is the login operation's name.
	Login string
	// Request sets fields of the login request: field path (as in the mapping: XML names, dotted
	// for nested fields) → value. Credentials come from secrets through the configuration.
	Request map[string]string
	// Token is the path of the token in the login response (e.g. "loginReturn").
	Token string
	// Exactly one of Parameter, Header and Cookie says where the token goes in each call.
	// Parameter: a request field path, set on every operation that has it (e.g. "in0").
	Parameter string
	// Header: a SOAP header element "{namespace}Name" whose text is the token.
	Header string
	// Cookie: an HTTP cookie name.
	Cookie string
	// Lifetime, when set, renews the token proactively once it is this old.
	Lifetime time.Duration
	// Expired lists the faults that mean the token is no longer valid.
	Expired []ExpiredFault
	// Logout, when set, is called with the token when the client is closed (best effort).
	Logout string
}

// ExpiredFault matches a fault: every set field must match; FaultString is a regular expression.
type ExpiredFault struct {
	FaultCode   string
	DetailCode  string
	FaultString string
}

func (c SessionConfig) String() string {
	return fmt.Sprintf("{Login:%s Request:[%d fields, REDACTED] Token:%s Parameter:%s Header:%s Cookie:%s Lifetime:%s}",
		c.Login, len(c.Request), c.Token, c.Parameter, c.Header, c.Cookie, c.Lifetime)
}
func (c SessionConfig) GoString() string { return "soapclient.SessionConfig" + c.String() }
func (c SessionConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("login", c.Login), slog.String("request", "[REDACTED]"))
}

// ErrSession: the login failed or gave no token. It wraps the login's own error.
var ErrSession = errors.New("soapclient: session login failed")

type session struct {
	cfg     SessionConfig
	reg     *registry
	expired []expiredRule
	header  xml.Name

	mu       sync.Mutex
	token    string
	gen      int // increases with every login
	at       time.Time
	inflight chan struct{} // closed when the running login ends
	lastErr  error
	logins   int // for tests
	now      func() time.Time
}

type expiredRule struct {
	code, detail string
	str          *regexp.Regexp
}

func newSession(cfg SessionConfig, reg *registry) (*session, error) {
	s := &session{cfg: cfg, reg: reg, now: time.Now}
	login, ok := reg.ops[cfg.Login]
	if !ok {
		return nil, fmt.Errorf("soapclient: session: login operation %q is not an operation of the service", cfg.Login)
	}
	if cfg.Token == "" {
		return nil, errors.New("soapclient: session: token (where the token is in the login answer) is required")
	}
	if _, err := fieldByPath(reflect.New(login.Response).Elem(), cfg.Token, false); err != nil {
		return nil, fmt.Errorf("soapclient: session: token %q: %w", cfg.Token, err)
	}
	probe := reflect.New(login.Request).Elem()
	for path, v := range cfg.Request {
		if err := setPath(probe, path, v); err != nil {
			return nil, fmt.Errorf("soapclient: session: request %q: %w", path, err)
		}
	}
	n := 0
	for _, set := range []bool{cfg.Parameter != "", cfg.Header != "", cfg.Cookie != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("soapclient: session: set exactly one of parameter, header and cookie (where the token goes)")
	}
	if cfg.Parameter != "" {
		found := false
		for _, name := range reg.names {
			if _, err := fieldByPath(reflect.New(reg.ops[name].Request).Elem(), cfg.Parameter, false); err == nil {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("soapclient: session: parameter %q is a field of no operation's request", cfg.Parameter)
		}
	}
	if cfg.Header != "" {
		ns, local, ok := strings.Cut(strings.TrimPrefix(cfg.Header, "{"), "}")
		if !ok || !strings.HasPrefix(cfg.Header, "{") || local == "" {
			return nil, fmt.Errorf("soapclient: session: header %q is not {namespace}Name", cfg.Header)
		}
		s.header = xml.Name{Space: ns, Local: local}
	}
	if cfg.Cookie != "" && !httpguts.ValidHeaderFieldName(cfg.Cookie) {
		return nil, fmt.Errorf("soapclient: session: cookie name %q is not a valid token", cfg.Cookie)
	}
	if cfg.Logout != "" {
		if _, ok := reg.ops[cfg.Logout]; !ok {
			return nil, fmt.Errorf("soapclient: session: logout operation %q is not an operation of the service", cfg.Logout)
		}
	}
	if len(cfg.Expired) == 0 {
		return nil, errors.New("soapclient: session: expired (the faults that mean the token expired) needs at least one rule")
	}
	for i, e := range cfg.Expired {
		r := expiredRule{code: e.FaultCode, detail: e.DetailCode}
		if e.FaultString != "" {
			re, err := regexp.Compile(e.FaultString)
			if err != nil {
				return nil, fmt.Errorf("soapclient: session: expired[%d].faultString: %w", i, err)
			}
			r.str = re
		}
		if r.code == "" && r.detail == "" && r.str == nil {
			return nil, fmt.Errorf("soapclient: session: expired[%d] matches every fault; give faultCode, detailCode or faultString", i)
		}
		s.expired = append(s.expired, r)
	}
	return s, nil
}

// isExpired reports whether err is a fault a rule names.
func (s *session) isExpired(err error) bool {
	var f *Fault
	if !errors.As(err, &f) {
		return false
	}
	for _, r := range s.expired {
		if (r.code == "" || r.code == f.Code) && (r.detail == "" || r.detail == f.Detail.Code) && (r.str == nil || r.str.MatchString(f.String)) {
			return true
		}
	}
	return false
}

// current returns a token newer than generation stale, logging in if there is none: one login
// at a time, the others wait for it.
func (s *session) current(ctx context.Context, next Invoker, stale int) (string, int, error) {
	for {
		s.mu.Lock()
		fresh := s.gen > stale && s.token != "" && (s.cfg.Lifetime <= 0 || s.now().Sub(s.at) < s.cfg.Lifetime)
		if fresh {
			tok, gen := s.token, s.gen
			s.mu.Unlock()
			return tok, gen, nil
		}
		if ch := s.inflight; ch != nil {
			s.mu.Unlock()
			select {
			case <-ch:
			case <-ctx.Done():
				return "", 0, ctx.Err()
			}
			s.mu.Lock()
			err := s.lastErr
			s.mu.Unlock()
			if err != nil {
				return "", 0, err // the login this call waited for failed
			}
			continue
		}
		ch := make(chan struct{})
		s.inflight = ch
		s.mu.Unlock()

		tok, err := s.login(ctx, next)
		s.mu.Lock()
		s.inflight = nil
		s.lastErr = err
		if err == nil {
			s.token, s.at = tok, s.now()
			s.gen++
		}
		gen := s.gen
		s.mu.Unlock()
		close(ch)
		if err != nil {
			return "", 0, err
		}
		return tok, gen, nil
	}
}

func (s *session) login(ctx context.Context, next Invoker) (string, error) {
	o := s.reg.ops[s.cfg.Login]
	req := reflect.New(o.Request)
	for path, v := range s.cfg.Request {
		if err := setPath(req.Elem(), path, v); err != nil {
			return "", fmt.Errorf("%w: %v", ErrSession, err)
		}
	}
	s.mu.Lock()
	s.logins++
	s.mu.Unlock()
	resp, err := next.Invoke(ctx, s.cfg.Login, req.Interface())
	if err != nil {
		// The login's own error (a fault, a transport error) says why; the request's credentials
		// are never part of it.
		return "", fmt.Errorf("%w (%s): %w", ErrSession, s.cfg.Login, err)
	}
	v, err := fieldByPath(reflect.ValueOf(resp), s.cfg.Token, false)
	if err != nil {
		return "", fmt.Errorf("%w (%s): the answer has no %s", ErrSession, s.cfg.Login, s.cfg.Token)
	}
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.String || v.String() == "" {
		return "", fmt.Errorf("%w (%s): %s in the answer is empty", ErrSession, s.cfg.Login, s.cfg.Token)
	}
	return v.String(), nil
}

// middleware puts the token into every call but the login's, and handles expiry.
func (s *session) middleware(next Invoker) Invoker {
	return InvokerFunc(func(ctx context.Context, op string, req any) (any, error) {
		if op == s.cfg.Login {
			return next.Invoke(ctx, op, req)
		}
		tok, gen, err := s.current(ctx, next, 0)
		if err != nil {
			return nil, err
		}
		resp, err := next.Invoke(s.apply(ctx, req, tok), op, req)
		if err == nil || !s.isExpired(err) {
			return resp, err
		}
		// Expired: one fresh login (shared with every call that saw the same token expire) and
		// one retry, never more.
		tok, _, lerr := s.current(ctx, next, gen)
		if lerr != nil {
			return nil, lerr
		}
		return next.Invoke(s.apply(ctx, req, tok), op, req)
	})
}

// apply sets the token where the configuration says.
func (s *session) apply(ctx context.Context, req any, tok string) context.Context {
	switch {
	case s.cfg.Parameter != "":
		if rv := reflect.ValueOf(req); rv.Kind() == reflect.Pointer && !rv.IsNil() {
			_ = setPath(rv.Elem(), s.cfg.Parameter, tok) // operations without the field go without it
		}
	case s.cfg.Header != "":
		ctx = context.WithValue(ctx, sessionHeaderKey{}, &tokenHeader{XMLName: s.header, Value: tok})
	case s.cfg.Cookie != "":
		ctx = context.WithValue(ctx, sessionCookieKey{}, s.cfg.Cookie+"="+tok)
	}
	return ctx
}

// logout ends the session, best effort, when the client closes.
func (s *session) logout(ctx context.Context, next Invoker) {
	s.mu.Lock()
	tok := s.token
	s.token = ""
	s.mu.Unlock()
	if s.cfg.Logout == "" || tok == "" {
		return
	}
	o := s.reg.ops[s.cfg.Logout]
	req := reflect.New(o.Request).Interface()
	_, _ = next.Invoke(s.apply(ctx, req, tok), s.cfg.Logout, req)
}

type sessionHeaderKey struct{}
type sessionCookieKey struct{}

// tokenHeader is the SOAP header element carrying the token.
type tokenHeader struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// fieldByPath finds the field at a dotted path of XML (or Go, case-insensitive) names, through
// pointers; with alloc, nil pointers on the way are allocated.
func fieldByPath(v reflect.Value, path string, alloc bool) (reflect.Value, error) {
	for _, name := range strings.Split(path, ".") {
		for v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc || !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("%s is nil", name)
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("%s: not a structure", name)
		}
		t := v.Type()
		idx := -1
		for i := 0; i < t.NumField(); i++ {
			tag, _, _ := strings.Cut(t.Field(i).Tag.Get("xml"), ",")
			if j := strings.LastIndexByte(tag, ' '); j >= 0 {
				tag = tag[j+1:]
			}
			if tag == name || strings.EqualFold(t.Field(i).Name, name) {
				idx = i
				break
			}
		}
		if idx < 0 {
			return reflect.Value{}, fmt.Errorf("no field %s", name)
		}
		v = v.Field(idx)
	}
	return v, nil
}

// setPath sets a string (or *string) field at path.
func setPath(v reflect.Value, path, value string) error {
	f, err := fieldByPath(v, path, true)
	if err != nil {
		return err
	}
	switch {
	case f.Kind() == reflect.String:
		f.SetString(value)
	case f.Kind() == reflect.Pointer && f.Type().Elem().Kind() == reflect.String:
		p := reflect.New(f.Type().Elem())
		p.Elem().SetString(value)
		f.Set(p)
	default:
		return fmt.Errorf("%s is a %s, not a string", path, f.Type())
	}
	return nil
}
