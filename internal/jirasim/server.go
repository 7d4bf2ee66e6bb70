package jirasim

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/internal/simhttp"
)

// Options configure a Server.
type Options struct {
	Username, Password string // the account login accepts
	// ExpireEvery ends a token after this many calls made with it (0: tokens never expire).
	ExpireEvery int
	Logger      *slog.Logger
}

// Server is the simulated JIRA SOAP endpoint (an http.Handler).
type Server struct {
	opts Options
	log  *slog.Logger

	mu      sync.Mutex
	tokens  map[string]int // token → calls made with it
	n       int
	users   map[string]*user  // by lower-case name
	groups  map[string]*group // by lower-case name
	logins  int
	expired int
}

type user struct{ name, fullname, email, password string }
type group struct {
	name    string
	members map[string]bool // lower-case user names
}

// Stats are counters for tests.
type Stats struct{ Logins, Expired int }

// New builds a Server with the default groups jira-users and jira-administrators.
func New(opts Options) (*Server, error) {
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("jirasim: Username and Password are required")
	}
	s := &Server{opts: opts, log: opts.Logger, tokens: map[string]int{}, users: map[string]*user{}, groups: map[string]*group{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, g := range []string{"jira-users", "jira-administrators"} {
		s.groups[g] = &group{name: g, members: map[string]bool{}}
	}
	return s, nil
}

// Stats returns the login and expiry counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Logins: s.logins, Expired: s.expired}
}

// MaxRequestBytes caps a request body.
const MaxRequestBytes = 1 << 20

const (
	nsEnv     = "http://schemas.xmlsoap.org/soap/envelope/"
	nsService = "http://soap.rpc.jira.atlassian.com"
	nsBeans   = "http://beans.soap.rpc.jira.atlassian.com"
	nsExc     = "http://exception.rpc.jira.atlassian.com"
)

// remoteErr is a JIRA exception, sent as a fault.
type remoteErr struct{ class, msg string }

func (e *remoteErr) Error() string { return e.class + ": " + e.msg }

func validation(format string, a ...any) error {
	return &remoteErr{"RemoteValidationException", fmt.Sprintf(format, a...)}
}

var errAuth = &remoteErr{"RemoteAuthenticationException", "User not authenticated yet, or session timed out."}

// elem is a request element read generically.
type elem struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Kids    []elem     `xml:",any"`
}

func (e *elem) child(name string) *elem {
	for i := range e.Kids {
		if e.Kids[i].XMLName.Local == name {
			return &e.Kids[i]
		}
	}
	return nil
}

func (e *elem) nil() bool {
	for _, a := range e.Attrs {
		if a.Name.Local == "nil" && a.Value == "true" {
			return true
		}
	}
	return false
}

// str is the text of child name ("" when absent or nil).
func (e *elem) str(name string) string {
	c := e.child(name)
	if c == nil || c.nil() {
		return ""
	}
	return strings.TrimSpace(c.Text)
}

type envelope struct {
	Attrs []xml.Attr `xml:",any,attr"`
	Body  struct {
		Attrs []xml.Attr `xml:",any,attr"`
		Ops   []elem     `xml:",any"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "JIRA SOAP simulator: POST rpc/encoded SOAP 1.1 requests (wsdl/corpus/jira-soap-v2)\n")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		writeFault(w, "soapenv:Client", &remoteErr{"RemoteException", "request too large or unreadable"})
		return
	}
	if bytes.Contains(raw, []byte("<!DOCTYPE")) || bytes.Contains(raw, []byte("<!ENTITY")) {
		writeFault(w, "soapenv:Client", &remoteErr{"RemoteException", "DTDs are not allowed"})
		return
	}
	var env envelope
	if err := xml.Unmarshal(raw, &env); err != nil || len(env.Body.Ops) == 0 {
		writeFault(w, "soapenv:Client", &remoteErr{"RemoteException", "not a SOAP 1.1 envelope with an operation"})
		return
	}
	op := &env.Body.Ops[0]
	// Axis deserialises the whole call before the service sees it: a badly typed value is a
	// fault before any token is looked at, and changes nothing.
	if err := checkTypes(op, declare(declare(nil, env.Attrs), env.Body.Attrs)); err != nil {
		s.log.Info("jira fault", "op", op.XMLName.Local, "exception", err.class, "message", err.msg)
		writeFault(w, "soapenv:Server.userException", err)
		return
	}
	resp, err := s.call(op)
	if err != nil {
		var re *remoteErr
		if !errors.As(err, &re) {
			re = &remoteErr{"RemoteException", err.Error()}
		}
		s.log.Info("jira fault", "op", op.XMLName.Local, "exception", re.class, "message", re.msg)
		writeFault(w, "soapenv:Server.userException", re)
		return
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="` + nsEnv + `" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`)
	name := op.XMLName.Local
	b.WriteString(`<ns1:` + name + `Response soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns1="` + nsService + `">`)
	var refs []string
	if resp != nil {
		resp.write(&b, name+"Return", &refs)
	}
	b.WriteString(`</ns1:` + name + `Response>`)
	for _, r := range refs {
		b.WriteString(r)
	}
	b.WriteString(`</soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(b.Bytes())
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// value is an answer: a string, a bool, a user, a group or nil.
type value struct {
	str   *string
	boo   *bool
	user  *user
	group *group
	s     *Server
}

// write writes the return element; structures go out as multiRef elements, as Axis sends them.
func (v *value) write(b *bytes.Buffer, name string, refs *[]string) {
	switch {
	case v.str != nil:
		b.WriteString(`<` + name + ` xsi:type="xsd:string">` + esc(*v.str) + `</` + name + `>`)
	case v.boo != nil:
		fmt.Fprintf(b, `<%s xsi:type="xsd:boolean">%t</%s>`, name, *v.boo, name)
	case v.user != nil:
		id := fmt.Sprintf("id%d", len(*refs))
		b.WriteString(`<` + name + ` href="#` + id + `"/>`)
		*refs = append(*refs, userRef(id, v.user))
	case v.group != nil:
		id := fmt.Sprintf("id%d", len(*refs))
		b.WriteString(`<` + name + ` href="#` + id + `"/>`)
		*refs = append(*refs, "")
		idx := len(*refs) - 1
		names := make([]string, 0, len(v.group.members))
		for m := range v.group.members {
			names = append(names, m)
		}
		sort.Strings(names)
		var g strings.Builder
		g.WriteString(`<multiRef id="` + id + `" soapenc:root="0" soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="ns2:RemoteGroup" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns2="` + nsBeans + `">`)
		g.WriteString(`<name xsi:type="xsd:string">` + esc(v.group.name) + `</name>`)
		fmt.Fprintf(&g, `<users soapenc:arrayType="ns2:RemoteUser[%d]" xsi:type="soapenc:Array">`, len(names))
		for _, m := range names {
			u := v.s.users[m]
			if u == nil {
				continue
			}
			uid := fmt.Sprintf("id%d", len(*refs))
			g.WriteString(`<users href="#` + uid + `"/>`)
			*refs = append(*refs, userRef(uid, u))
		}
		g.WriteString(`</users></multiRef>`)
		(*refs)[idx] = g.String()
	default:
		b.WriteString(`<` + name + ` xsi:nil="true"/>`)
	}
}

func userRef(id string, u *user) string {
	return `<multiRef id="` + id + `" soapenc:root="0" soapenv:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/" xsi:type="ns3:RemoteUser" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns3="` + nsBeans + `">` +
		`<email xsi:type="xsd:string">` + esc(u.email) + `</email><fullname xsi:type="xsd:string">` + esc(u.fullname) + `</fullname><name xsi:type="xsd:string">` + esc(u.name) + `</name></multiRef>`
}

// writeFault sends an Axis 1 style fault: HTTP 500, the exception's class in the fault string
// and as the detail element.
func writeFault(w http.ResponseWriter, code string, e *remoteErr) {
	class := "com.atlassian.jira.rpc.exception." + e.class
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soapenv:Envelope xmlns:soapenv="` + nsEnv + `" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>`)
	b.WriteString(`<faultcode>` + code + `</faultcode><faultstring>` + esc(class+": "+e.msg) + `</faultstring>`)
	b.WriteString(`<detail><` + class + ` xsi:type="ns1:` + e.class + `" xmlns:ns1="` + nsExc + `"/><ns2:hostname xmlns:ns2="http://xml.apache.org/axis/">jirasim</ns2:hostname></detail>`)
	b.WriteString(`</soapenv:Fault></soapenv:Body></soapenv:Envelope>`)
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write(b.Bytes())
}

func str(s string) *value   { return &value{str: &s} }
func boolean(b bool) *value { return &value{boo: &b} }

// call runs one operation under the lock.
func (s *Server) call(op *elem) (*value, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := op.XMLName.Local
	if name == "login" {
		if op.str("in0") != s.opts.Username || op.str("in1") != s.opts.Password {
			return nil, &remoteErr{"RemoteAuthenticationException", "Invalid username or password."}
		}
		s.n++
		s.logins++
		tok := fmt.Sprintf("jirasim-%d-%d", s.n, time.Now().UnixNano()%1e6)
		s.tokens[tok] = 0
		return str(tok), nil
	}
	if _, known := handlers[name]; !known {
		return nil, &remoteErr{"RemoteException", "operation " + name + " is not simulated"}
	}
	tok := op.str("in0")
	calls, ok := s.tokens[tok]
	if !ok {
		return nil, errAuth
	}
	if s.opts.ExpireEvery > 0 && calls >= s.opts.ExpireEvery {
		delete(s.tokens, tok)
		s.expired++
		return nil, errAuth
	}
	s.tokens[tok] = calls + 1
	return handlers[name](s, op)
}

var handlers = map[string]func(*Server, *elem) (*value, error){
	"logout": func(s *Server, op *elem) (*value, error) {
		delete(s.tokens, op.str("in0"))
		return boolean(true), nil
	},
	"getUser": func(s *Server, op *elem) (*value, error) {
		u := s.users[strings.ToLower(op.str("in1"))]
		if u == nil {
			return &value{}, nil // JIRA answers null for an unknown user
		}
		return &value{user: u}, nil
	},
	"createUser": func(s *Server, op *elem) (*value, error) {
		name := op.str("in1")
		switch {
		case name == "":
			return nil, validation("username must not be empty")
		case s.users[strings.ToLower(name)] != nil:
			return nil, validation("user %s already exists", name)
		case op.str("in4") == "":
			return nil, validation("email must not be empty")
		}
		u := &user{name: name, password: op.str("in2"), fullname: op.str("in3"), email: op.str("in4")}
		s.users[strings.ToLower(name)] = u
		s.groups["jira-users"].members[strings.ToLower(name)] = true
		return &value{user: u}, nil
	},
	"deleteUser": func(s *Server, op *elem) (*value, error) {
		key := strings.ToLower(op.str("in1"))
		if s.users[key] == nil {
			return nil, validation("user %s does not exist", op.str("in1"))
		}
		delete(s.users, key)
		for _, g := range s.groups {
			delete(g.members, key)
		}
		return nil, nil
	},
	"getGroup": func(s *Server, op *elem) (*value, error) {
		g := s.groups[strings.ToLower(op.str("in1"))]
		if g == nil {
			return &value{}, nil
		}
		return &value{group: g, s: s}, nil
	},
	"createGroup": func(s *Server, op *elem) (*value, error) {
		name := op.str("in1")
		switch {
		case name == "":
			return nil, validation("group name must not be empty")
		case s.groups[strings.ToLower(name)] != nil:
			return nil, validation("group %s already exists", name)
		}
		g := &group{name: name, members: map[string]bool{}}
		if u := op.child("in2"); u != nil && !u.nil() && u.str("name") != "" {
			if s.users[strings.ToLower(u.str("name"))] == nil {
				return nil, validation("user %s does not exist", u.str("name"))
			}
			g.members[strings.ToLower(u.str("name"))] = true
		}
		s.groups[strings.ToLower(name)] = g
		return &value{group: g, s: s}, nil
	},
	"updateGroup": func(s *Server, op *elem) (*value, error) {
		in := op.child("in1")
		if in == nil {
			return nil, validation("no group given")
		}
		g := s.groups[strings.ToLower(in.str("name"))]
		if g == nil {
			return nil, validation("group %s does not exist", in.str("name"))
		}
		members := map[string]bool{}
		if us := in.child("users"); us != nil {
			for i := range us.Kids {
				n := strings.ToLower(us.Kids[i].str("name"))
				if s.users[n] == nil {
					return nil, validation("user %s does not exist", us.Kids[i].str("name"))
				}
				members[n] = true
			}
		}
		g.members = members
		return &value{group: g, s: s}, nil
	},
	"addUserToGroup": func(s *Server, op *elem) (*value, error) {
		g, u, err := s.groupAndUser(op)
		if err != nil {
			return nil, err
		}
		g.members[u] = true
		return nil, nil
	},
	"removeUserFromGroup": func(s *Server, op *elem) (*value, error) {
		g, u, err := s.groupAndUser(op)
		if err != nil {
			return nil, err
		}
		delete(g.members, u)
		return nil, nil
	},
	"deleteGroup": func(s *Server, op *elem) (*value, error) {
		key := strings.ToLower(op.str("in1"))
		if s.groups[key] == nil {
			return nil, validation("group %s does not exist", op.str("in1"))
		}
		delete(s.groups, key)
		return nil, nil
	},
}

func (s *Server) groupAndUser(op *elem) (*group, string, error) {
	gi, ui := op.child("in1"), op.child("in2")
	if gi == nil || ui == nil {
		return nil, "", validation("group and user are required")
	}
	g := s.groups[strings.ToLower(gi.str("name"))]
	if g == nil {
		return nil, "", validation("group %s does not exist", gi.str("name"))
	}
	u := strings.ToLower(ui.str("name"))
	if s.users[u] == nil {
		return nil, "", validation("user %s does not exist", ui.str("name"))
	}
	return g, u, nil
}

// ListenAndServe runs a simulator on addr until ctx ends; ready gets the endpoint URL.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(endpoint string)) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return simhttp.Server{Name: "jirasim", Handler: s, Path: "/rpc/soap/jirasoapservice-v2", Logger: opts.Logger}.ListenAndServe(ctx, addr, ready)
}
