package asmxsim

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/internal/simhttp"
	"github.com/scimbridge/scimbridge/wsdl"
)

// Namespace is the service's XML namespace; SOAPPath is where it listens, as IIS would serve it.
const (
	Namespace = "http://scimbridge.example/asmx/directory/"
	SOAPPath  = "/_vti_bin/Directory.asmx"
	// WSDLFile is the contract, in package wsdl.
	WSDLFile = "asmx-directory.wsdl"
	nsSOAP   = "http://schemas.xmlsoap.org/soap/envelope/"
	maxBody  = 1 << 20
)

// Error codes and messages of the faults, as the service reports them in the detail.
const (
	codeNotFound = "0x80131600"
	codeInvalid  = "0x80070057"
	codeInUse    = "0x81020072"
	msgNoUser    = "User cannot be found."
	msgNoGroup   = "Group cannot be found."
	msgInUse     = "The specified name is already in use."
	msgPassword  = "The password does not meet the password policy requirements."
)

// Options configure the simulator.
type Options struct {
	// Username and Password, when Username is set, are the HTTP Basic credentials every call
	// must carry.
	Username, Password string
	Logger             *slog.Logger
}

// Server is the simulated service, an http.Handler.
type Server struct {
	opts Options
	log  *slog.Logger
	st   *store
	wsdl []byte
}

// New builds a simulator with an empty directory.
func New(opts Options) (*Server, error) {
	raw, err := wsdl.Files.ReadFile(WSDLFile)
	if err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: opts.Logger, st: newStore(), wsdl: raw}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

// ListenAndServe serves on addr until ctx ends; ready gets the SOAP endpoint URL.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(endpoint string)) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return simhttp.Server{Name: "asmxsim", Handler: s, Path: SOAPPath, Logger: s.log}.ListenAndServe(ctx, addr, ready)
}

// fault is a SoapServerException: its message and code travel in the detail.
type fault struct{ code, msg string }

func (f *fault) Error() string { return f.msg }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != SOAPPath {
		http.NotFound(w, r)
		return
	}
	if s.opts.Username != "" {
		u, p, ok := r.BasicAuth()
		if !ok || subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) != 1 ||
			subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) != 1 {
			w.Header().Set("WWW-Authenticate", `Basic realm="Directory"`)
			http.Error(w, "401 UNAUTHORIZED", http.StatusUnauthorized)
			return
		}
	}
	if r.Method == http.MethodGet {
		if _, ok := r.URL.Query()["wsdl"]; ok || strings.EqualFold(r.URL.RawQuery, "wsdl") {
			s.serveWSDL(w, r)
			return
		}
		http.Error(w, "POST a SOAP 1.1 request, or GET ?wsdl", http.StatusMethodNotAllowed)
		return
	}
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	op, params, err := parseRequest(body)
	if err != nil {
		writeFault(w, "soap:Client", &fault{codeInvalid, err.Error()})
		return
	}
	// ASMX dispatches on SOAPAction: it must name the operation of the body.
	if action := strings.Trim(r.Header.Get("SOAPAction"), `"`); action != Namespace+op {
		writeFault(w, "soap:Client", &fault{codeInvalid, fmt.Sprintf("Server did not recognize the value of HTTP Header SOAPAction: %s.", action)})
		return
	}
	result, err := s.dispatch(op, params)
	if err != nil {
		var f *fault
		if !errors.As(err, &f) {
			f = &fault{codeInvalid, err.Error()}
		}
		s.log.Info("asmxsim fault", "op", op, "code", f.code, "message", f.msg)
		writeFault(w, "soap:Server", f)
		return
	}
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + nsSOAP + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>`)
	b.WriteString(`<` + op + `Response xmlns="` + Namespace + `">`)
	if result != "" {
		b.WriteString(`<` + op + `Result>` + result + `</` + op + `Result>`)
	}
	b.WriteString(`</` + op + `Response></soap:Body></soap:Envelope>`)
	writeXML(w, http.StatusOK, b.Bytes())
}

func (s *Server) serveWSDL(w http.ResponseWriter, r *http.Request) {
	addr := "http://" + r.Host + SOAPPath
	doc := bytes.ReplaceAll(s.wsdl, []byte("http://127.0.0.1:8083"+SOAPPath), []byte(addr))
	writeXML(w, http.StatusOK, doc)
}

func writeXML(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeFault(w http.ResponseWriter, code string, f *fault) {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="` + nsSOAP + `"><soap:Body><soap:Fault>`)
	b.WriteString(`<faultcode>` + code + `</faultcode>`)
	b.WriteString(`<faultstring>Exception of type 'Directory.SoapServerException' was thrown.</faultstring>`)
	b.WriteString(`<detail><errorstring xmlns="` + Namespace + `">` + esc(f.msg) + `</errorstring>`)
	b.WriteString(`<errorcode xmlns="` + Namespace + `">` + f.code + `</errorcode></detail>`)
	b.WriteString(`</soap:Fault></soap:Body></soap:Envelope>`)
	writeXML(w, http.StatusInternalServerError, b.Bytes())
}

func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// request is the part of a SOAP 1.1 envelope the service reads: the Body's operation element
// and its flat parameters.
type request struct {
	XMLName xml.Name `xml:"Envelope"`
	Body    struct {
		Op struct {
			XMLName xml.Name
			Params  []struct {
				XMLName xml.Name
				Value   string `xml:",chardata"`
			} `xml:",any"`
		} `xml:",any"`
	} `xml:"Body"`
}

func parseRequest(body []byte) (string, map[string]string, error) {
	var req request
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&req); err != nil {
		return "", nil, fmt.Errorf("Server was unable to read request. There is an error in XML document: %v", err)
	}
	if req.XMLName.Space != nsSOAP {
		return "", nil, errors.New("Possible SOAP version mismatch: Envelope namespace was unexpected.")
	}
	op := req.Body.Op.XMLName
	if op.Local == "" || op.Space != Namespace {
		return "", nil, fmt.Errorf("Unable to handle request without a valid action parameter (element {%s}%s).", op.Space, op.Local)
	}
	params := map[string]string{}
	for _, p := range req.Body.Op.Params {
		params[p.XMLName.Local] = p.Value
	}
	return op.Local, params, nil
}

func required(params map[string]string, name string) (string, error) {
	v := strings.TrimSpace(params[name])
	if v == "" {
		return "", &fault{codeInvalid, "Value cannot be null.\nParameter name: " + name}
	}
	return v, nil
}

func userXML(u *user) string {
	active := "false"
	if u.Active {
		active = "true"
	}
	return `<User LoginName="` + esc(u.Login) + `" Name="` + esc(u.Name) + `" FirstName="` + esc(u.First) +
		`" LastName="` + esc(u.Last) + `" Email="` + esc(u.Email) + `" Active="` + active + `"/>`
}

func groupXML(g *group) string {
	return `<Group Name="` + esc(g.Name) + `" Description="` + esc(g.Description) + `"/>`
}

// dispatch runs one operation and returns the inner XML of its Result element ("" for none).
func (s *Server) dispatch(op string, p map[string]string) (string, error) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	lookupUser := func() (*user, error) {
		login, err := required(p, "userLoginName")
		if err != nil {
			return nil, err
		}
		u := st.users[key(login)]
		if u == nil {
			return nil, &fault{codeNotFound, msgNoUser}
		}
		return u, nil
	}
	lookupGroup := func(param string) (*group, error) {
		name, err := required(p, param)
		if err != nil {
			return nil, err
		}
		g := st.groups[key(name)]
		if g == nil {
			return nil, &fault{codeNotFound, msgNoGroup}
		}
		return g, nil
	}
	switch op {
	case "GetUserCollectionFromSite":
		var b strings.Builder
		b.WriteString("<Users>")
		for _, u := range st.sortedUsers() {
			b.WriteString(userXML(u))
		}
		b.WriteString("</Users>")
		return b.String(), nil
	case "GetUserInfo":
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		return "<GetUserInfo>" + userXML(u) + "</GetUserInfo>", nil
	case "AddUser":
		login, err := required(p, "userLoginName")
		if err != nil {
			return "", err
		}
		if st.users[key(login)] != nil {
			return "", nil // as the real thing: adding an existing login changes nothing
		}
		st.users[key(login)] = &user{Login: login, Name: p["userName"], First: p["firstName"], Last: p["lastName"], Email: p["userEmail"], Active: true}
		return "", nil
	case "UpdateUserInfo":
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		u.Name, u.First, u.Last, u.Email = p["userName"], p["firstName"], p["lastName"], p["userEmail"]
		return "", nil
	case "SetUserActive":
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		switch strings.TrimSpace(p["active"]) {
		case "true", "1":
			u.Active = true
		case "false", "0":
			u.Active = false
		default:
			return "", &fault{codeInvalid, "Value of parameter active is not a boolean."}
		}
		return "", nil
	case "SetUserPassword":
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		if len(p["password"]) < 8 {
			return "", &fault{codeInvalid, msgPassword}
		}
		u.Password = p["password"]
		return "", nil
	case "RemoveUserFromSite":
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		delete(st.users, key(u.Login))
		for _, g := range st.groups {
			g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == key(u.Login) })
		}
		return "", nil
	case "GetGroupCollectionFromSite":
		var b strings.Builder
		b.WriteString("<Groups>")
		for _, g := range st.sortedGroups() {
			b.WriteString(groupXML(g))
		}
		b.WriteString("</Groups>")
		return b.String(), nil
	case "GetGroupInfo":
		g, err := lookupGroup("groupName")
		if err != nil {
			return "", err
		}
		return "<GetGroupInfo>" + groupXML(g) + "</GetGroupInfo>", nil
	case "GetUserCollectionFromGroup":
		g, err := lookupGroup("groupName")
		if err != nil {
			return "", err
		}
		var b strings.Builder
		b.WriteString("<Users>")
		for _, m := range g.Members {
			if u := st.users[m]; u != nil {
				b.WriteString(userXML(u))
			}
		}
		b.WriteString("</Users>")
		return b.String(), nil
	case "AddGroup":
		name, err := required(p, "groupName")
		if err != nil {
			return "", err
		}
		if st.groups[key(name)] != nil {
			return "", &fault{codeInUse, msgInUse}
		}
		st.groups[key(name)] = &group{Name: name, Description: p["description"]}
		return "", nil
	case "UpdateGroupInfo":
		g, err := lookupGroup("oldGroupName")
		if err != nil {
			return "", err
		}
		name, err := required(p, "groupName")
		if err != nil {
			return "", err
		}
		if other := st.groups[key(name)]; other != nil && other != g {
			return "", &fault{codeInUse, msgInUse}
		}
		delete(st.groups, key(g.Name))
		g.Name, g.Description = name, p["description"]
		st.groups[key(name)] = g
		return "", nil
	case "RemoveGroup":
		g, err := lookupGroup("groupName")
		if err != nil {
			return "", err
		}
		delete(st.groups, key(g.Name))
		return "", nil
	case "AddUserToGroup", "RemoveUserFromGroup":
		g, err := lookupGroup("groupName")
		if err != nil {
			return "", err
		}
		u, err := lookupUser()
		if err != nil {
			return "", err
		}
		k := key(u.Login)
		i, found := slices.BinarySearch(g.Members, k)
		switch {
		case op == "AddUserToGroup" && !found:
			g.Members = slices.Insert(g.Members, i, k)
		case op == "RemoveUserFromGroup" && found:
			g.Members = slices.Delete(g.Members, i, i+1)
		}
		return "", nil
	}
	return "", &fault{codeInvalid, fmt.Sprintf("Server did not recognize the value of HTTP Header SOAPAction: %s%s.", Namespace, op)}
}
