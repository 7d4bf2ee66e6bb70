package wso2sim

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/internal/simhttp"
	ws "github.com/scimbridge/scimbridge/soapclient/wso2userstore"
)

// Paths served.
const (
	SOAPPath    = "/services/RemoteUserStoreManagerService" // WSO2's own path
	AdminPrefix = "/_sim/"
)

const (
	soapNS        = "http://schemas.xmlsoap.org/soap/envelope/"
	serviceNS     = "http://service.ws.um.carbon.wso2.org"
	maxBody       = 1 << 20
	defaultLimit  = 100 // WSO2's MaxUserNameListLength default
	maxSeed       = 10000
	maxListResult = 100000
)

// Options configures a simulator. The zero value serves without authentication.
type Options struct {
	// Username and Password, when Username is set, are the HTTP Basic credentials every SOAP
	// call must carry (WSO2 authenticates admin services with Basic).
	Username, Password string
	Logger             *slog.Logger
}

// Server is a simulated RemoteUserStoreManagerService.
type Server struct {
	opts  Options
	log   *slog.Logger
	st    *store
	mux   *http.ServeMux
	types map[string]reflect.Type // request element local name → generated request struct
}

// New builds a simulator with one role, admin, and no users.
func New(opts Options) (*Server, error) {
	s := &Server{opts: opts, log: opts.Logger, st: newStore(), mux: http.NewServeMux(), types: map[string]reflect.Type{}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	for _, op := range ws.Registry.Operations {
		s.types[op.Name] = op.Request
	}
	s.mux.HandleFunc(SOAPPath, s.serveSOAP)
	s.routeAdmin()
	return s, nil
}

// ServeHTTP serves the SOAP endpoint and the admin API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close releases the simulator (nothing to release for the in-memory store).
func (s *Server) Close() error { return nil }

// ListenAndServe serves on addr until ctx ends; ready receives the SOAP endpoint URL.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(endpoint string)) error {
	s, err := New(opts)
	if err != nil {
		return err
	}
	return simhttp.Server{Name: "wso2sim", Handler: s, Path: SOAPPath, Logger: opts.Logger}.ListenAndServe(ctx, addr, ready)
}

func (s *Server) authorized(r *http.Request) bool {
	if s.opts.Username == "" {
		return true
	}
	u, p, ok := r.BasicAuth()
	return ok && subtle.ConstantTimeCompare([]byte(u), []byte(s.opts.Username)) == 1 &&
		subtle.ConstantTimeCompare([]byte(p), []byte(s.opts.Password)) == 1
}

func (s *Server) serveSOAP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a SOAP 1.1 envelope", http.StatusMethodNotAllowed)
		return
	}
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="WSO2"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		s.writeFault(w, "soapenv:Client", "the request could not be read")
		return
	}
	req, err := s.decode(body)
	if err != nil {
		s.writeFault(w, "soapenv:Client", err.Error())
		return
	}
	resp, f := s.dispatch(req)
	if f != nil {
		s.log.Info("fault", "error", f.msg)
		s.writeFault(w, "soapenv:Server", f.msg)
		return
	}
	if resp == nil {
		w.WriteHeader(http.StatusAccepted) // a void operation: no body, as Axis2 answers
		return
	}
	out, err := xml.Marshal(resp)
	if err != nil {
		s.writeFault(w, "soapenv:Server", "internal error")
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s"><soapenv:Body>%s</soapenv:Body></soapenv:Envelope>`, soapNS, out)
}

// decode finds the first element of the SOAP Body and decodes it into the generated request
// struct of the operation it names. Bounded: the body is capped and the token walk stops at
// the Body's first element.
func (s *Server) decode(body []byte) (any, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	inBody := false
	for range 1000 {
		tok, err := d.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed envelope: %v", err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, errors.New("a DOCTYPE is not allowed in SOAP")
		case xml.StartElement:
			if !inBody {
				inBody = t.Name.Local == "Body" && t.Name.Space == soapNS
				continue
			}
			typ, ok := s.types[t.Name.Local]
			if !ok || t.Name.Space != serviceNS {
				return nil, fmt.Errorf("the endpoint reference (EPR) for the operation %s not found", t.Name.Local)
			}
			v := reflect.New(typ)
			if err := d.DecodeElement(v.Interface(), &t); err != nil {
				return nil, fmt.Errorf("malformed %s: %v", t.Name.Local, err)
			}
			return v.Interface(), nil
		}
	}
	return nil, errors.New("no operation in the SOAP Body")
}

func (s *Server) writeFault(w http.ResponseWriter, code, msg string) {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(msg))
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="%s"><soapenv:Body><soapenv:Fault><faultcode>%s</faultcode><faultstring>%s</faultstring><detail><ns:RemoteUserStoreManagerServiceUserStoreException xmlns:ns="%s"><ns:UserStoreException/></ns:RemoteUserStoreManagerServiceUserStoreException></detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>`,
		soapNS, code, b.String(), serviceNS)
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func strs(ps []*string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil && *p != "" {
			out = append(out, *p)
		}
	}
	return out
}

func ptrs(ss []string) []*string {
	out := make([]*string, len(ss))
	for i := range ss {
		out[i] = &ss[i]
	}
	return out
}

func claimMap(cs []*ws.ClaimValue) map[string]string {
	m := map[string]string{}
	for _, c := range cs {
		if c != nil && str(c.ClaimURI) != "" {
			m[str(c.ClaimURI)] = str(c.Value)
		}
	}
	return m
}

func boolp(b bool) *bool { return &b }

// dispatch runs one operation under the store lock. A nil answer without fault is a void reply.
func (s *Server) dispatch(req any) (any, *fault) {
	st := s.st
	st.mu.Lock()
	defer st.mu.Unlock()
	switch q := req.(type) {
	case *ws.AddUser:
		return nil, st.addUser(str(q.UserName), str(q.Credential), strs(q.RoleList), claimMap(q.Claims))
	case *ws.DeleteUser:
		return nil, st.deleteUser(str(q.UserName))
	case *ws.IsExistingUser:
		_, f := st.user(str(q.UserName))
		return &ws.IsExistingUserResponse{Return_: boolp(f == nil)}, nil
	case *ws.ListUsers:
		limit := defaultLimit
		if q.MaxItemLimit != nil && *q.MaxItemLimit > 0 {
			limit = min(int(*q.MaxItemLimit), maxListResult)
		}
		return &ws.ListUsersResponse{Return_: ptrs(st.listUsers(str(q.Filter), limit))}, nil
	case *ws.GetUserClaimValues:
		m, f := st.claims(str(q.UserName))
		if f != nil {
			return nil, f
		}
		out := &ws.GetUserClaimValuesResponse{}
		for k, v := range m {
			out.Return_ = append(out.Return_, &ws.Claim{ClaimUri: &k, Value: &v})
		}
		return out, nil
	case *ws.GetUserClaimValuesForClaims:
		m, f := st.claims(str(q.UserName))
		if f != nil {
			return nil, f
		}
		out := &ws.GetUserClaimValuesForClaimsResponse{}
		for _, k := range strs(q.Claims) {
			if v, ok := m[k]; ok {
				out.Return_ = append(out.Return_, &ws.ClaimValue{ClaimURI: &k, Value: &v})
			}
		}
		return out, nil
	case *ws.GetUserClaimValue:
		m, f := st.claims(str(q.UserName))
		if f != nil {
			return nil, f
		}
		v := m[str(q.Claim)]
		return &ws.GetUserClaimValueResponse{Return_: &v}, nil
	case *ws.SetUserClaimValues:
		return nil, st.setClaims(str(q.UserName), claimMap(q.Claims))
	case *ws.SetUserClaimValue:
		return nil, st.setClaims(str(q.UserName), map[string]string{str(q.ClaimURI): str(q.ClaimValue)})
	case *ws.DeleteUserClaimValues:
		return nil, st.deleteClaims(str(q.UserName), strs(q.Claims))
	case *ws.DeleteUserClaimValue:
		return nil, st.deleteClaims(str(q.UserName), []string{str(q.ClaimURI)})
	case *ws.UpdateCredentialByAdmin:
		return nil, st.setPassword(str(q.UserName), str(q.NewCredential))
	case *ws.AddRole:
		return nil, st.addRole(str(q.RoleName), strs(q.UserList))
	case *ws.DeleteRole:
		return nil, st.deleteRole(str(q.RoleName))
	case *ws.IsExistingRole:
		_, f := st.role(str(q.RoleName))
		return &ws.IsExistingRoleResponse{Return_: boolp(f == nil)}, nil
	case *ws.GetRoleNames:
		return &ws.GetRoleNamesResponse{Return_: ptrs(st.roleNames())}, nil
	case *ws.GetUserListOfRole:
		us, f := st.usersOfRole(str(q.RoleName))
		if f != nil {
			return nil, f
		}
		return &ws.GetUserListOfRoleResponse{Return_: ptrs(us)}, nil
	case *ws.UpdateUserListOfRole:
		return nil, st.updateUsersOfRole(str(q.RoleName), strs(q.DeletedUsers), strs(q.NewUsers))
	case *ws.GetRoleListOfUser:
		rs, f := st.rolesOfUser(str(q.UserName))
		if f != nil {
			return nil, f
		}
		return &ws.GetRoleListOfUserResponse{Return_: ptrs(rs)}, nil
	case *ws.UpdateRoleName:
		return nil, st.renameRole(str(q.RoleName), str(q.NewRoleName))
	}
	return nil, faultf("the simulator does not implement %T", req)
}

// UserView is a user as the admin API shows it.
type UserView struct {
	Name        string            `json:"name"`
	HasPassword bool              `json:"hasPassword"`
	Claims      map[string]string `json:"claims"`
	Roles       []string          `json:"roles"`
}

// RoleView is a role as the admin API shows it.
type RoleView struct {
	Name    string   `json:"name"`
	Members []string `json:"members"`
}

// Users returns every user, sorted by name.
func (s *Server) Users() []UserView {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := []UserView{}
	for _, u := range s.st.users {
		roles, _ := s.st.rolesOfUser(u.name)
		claims := map[string]string{}
		for k, v := range u.claims {
			claims[k] = v
		}
		out = append(out, UserView{Name: u.name, HasPassword: u.password != "", Claims: claims, Roles: roles})
	}
	sortBy(out, func(v UserView) string { return strings.ToLower(v.Name) })
	return out
}

// Roles returns every role with its members, sorted by name.
func (s *Server) Roles() []RoleView {
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	out := []RoleView{}
	for _, r := range s.st.roles {
		m, _ := s.st.usersOfRole(r.name)
		out = append(out, RoleView{Name: r.name, Members: m})
	}
	sortBy(out, func(v RoleView) string { return strings.ToLower(v.Name) })
	return out
}

// Reset empties the store (keeping the admin role).
func (s *Server) Reset() {
	s.st.mu.Lock()
	s.st.reset()
	s.st.mu.Unlock()
}

// Seed adds n users named <prefix>0001… with a few claims.
func (s *Server) Seed(n int, prefix string) error {
	if n < 1 || n > maxSeed {
		return fmt.Errorf("users must be between 1 and %d", maxSeed)
	}
	if prefix == "" {
		prefix = "seed"
	}
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("%s%04d", prefix, i)
		claims := map[string]string{
			"http://wso2.org/claims/givenname":    "Given" + strconv.Itoa(i),
			"http://wso2.org/claims/lastname":     "Family" + strconv.Itoa(i),
			"http://wso2.org/claims/emailaddress": name + "@example.test",
		}
		if f := s.st.addUser(name, "Seed-pass-1", nil, claims); f != nil {
			return errors.New(f.msg)
		}
	}
	return nil
}

func (s *Server) routeAdmin() {
	s.mux.HandleFunc("GET "+AdminPrefix+"users", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Users()) })
	s.mux.HandleFunc("GET "+AdminPrefix+"roles", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, http.StatusOK, s.Roles()) })
	s.mux.HandleFunc("POST "+AdminPrefix+"reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		writeJSON(w, http.StatusOK, map[string]bool{"reset": true})
	})
	s.mux.HandleFunc("POST "+AdminPrefix+"seed", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Users  int    `json:"users"`
			Prefix string `json:"prefix"`
		}
		d := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
		d.DisallowUnknownFields()
		if err := d.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if err := s.Seed(req.Users, req.Prefix); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]int{"created": req.Users})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
