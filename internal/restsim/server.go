package restsim

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/internal/simhttp"
)

// OpenAPI is the document describing the API.
//
//go:embed openapi.yaml
var OpenAPI []byte

// OpenAPIXML is the document describing the XML edition of the API.
//
//go:embed openapi-xml.yaml
var OpenAPIXML []byte

// Base is the path every API route starts with; XMLBase that of the XML edition, the same
// directory answering XML (openapi-xml.yaml).
const (
	Base    = "/api/v1"
	XMLBase = "/api/xml"
)

// Options configure a simulator.
type Options struct {
	// ClientID and ClientSecret are the OAuth2 client credentials that /oauth/token accepts.
	ClientID, ClientSecret string
	Logger                 *slog.Logger
	// Now is the clock (tests); time.Now by default.
	Now func() time.Time
}

// User is a user as the API spells it.
type User struct {
	XMLName    xml.Name  `json:"-" xml:"user"`
	ID         string    `json:"id" xml:"id,attr"`
	UserName   string    `json:"userName" xml:"userName"`
	GivenName  string    `json:"givenName,omitempty" xml:"givenName,omitempty"`
	FamilyName string    `json:"familyName,omitempty" xml:"familyName,omitempty"`
	Email      string    `json:"email,omitempty" xml:"email,omitempty"`
	Active     bool      `json:"active" xml:"active"`
	CreatedAt  time.Time `json:"createdAt" xml:"createdAt"`
	UpdatedAt  time.Time `json:"updatedAt" xml:"updatedAt"`
	password   string
}

// Group is a group as the API spells it.
type Group struct {
	XMLName xml.Name `json:"-" xml:"group"`
	ID      string   `json:"id" xml:"id,attr"`
	Name    string   `json:"name" xml:"name"`
	Members []string `json:"members" xml:"members>member"`
}

// Server is the simulator; it is an http.Handler.
type Server struct {
	opts   Options
	mu     sync.Mutex
	users  map[string]*User
	groups map[string]*Group
	tokens map[string]time.Time
	seq    int
	mux    *http.ServeMux
}

// maxBody bounds request bodies.
const maxBody = 1 << 20

// New builds a simulator.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s := &Server{opts: opts, users: map[string]*User{}, groups: map[string]*Group{}, tokens: map[string]time.Time{}, mux: http.NewServeMux()}
	m := s.mux
	m.HandleFunc("POST /oauth/token", s.token)
	m.HandleFunc("GET "+Base+"/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(OpenAPI)
	})
	m.HandleFunc("GET "+XMLBase+"/openapi.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/yaml")
		w.Write(OpenAPIXML)
	})
	for _, base := range []string{Base, XMLBase} {
		m.HandleFunc("GET "+base+"/users", s.auth(s.listUsers))
		m.HandleFunc("POST "+base+"/users", s.auth(s.createUser))
		m.HandleFunc("GET "+base+"/users/{id}", s.auth(s.getUser))
		m.HandleFunc("PATCH "+base+"/users/{id}", s.auth(s.patchUser))
		m.HandleFunc("DELETE "+base+"/users/{id}", s.auth(s.deleteUser))
		m.HandleFunc("PUT "+base+"/users/{id}/password", s.auth(s.setPassword))
		m.HandleFunc("GET "+base+"/groups", s.auth(s.listGroups))
		m.HandleFunc("POST "+base+"/groups", s.auth(s.createGroup))
		m.HandleFunc("GET "+base+"/groups/{id}", s.auth(s.getGroup))
		m.HandleFunc("PATCH "+base+"/groups/{id}", s.auth(s.patchGroup))
		m.HandleFunc("DELETE "+base+"/groups/{id}", s.auth(s.deleteGroup))
		m.HandleFunc("PUT "+base+"/groups/{id}/members/{userId}", s.auth(s.addMember))
		m.HandleFunc("DELETE "+base+"/groups/{id}/members/{userId}", s.auth(s.removeMember))
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// ListenAndServe serves on addr until ctx ends; ready gets the API's base URL.
func ListenAndServe(ctx context.Context, addr string, opts Options, ready func(base string)) error {
	return simhttp.Server{Name: "restsim", Handler: New(opts), Path: Base, Logger: opts.Logger}.ListenAndServe(ctx, addr, ready)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// isXML: the request is to the XML edition.
func isXML(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, XMLBase+"/") }

// reply answers v as JSON, or as XML in the XML edition (v then names its root element).
func reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	if !isXML(r) {
		writeJSON(w, status, v)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(v)
}

type xmlError struct {
	XMLName xml.Name `xml:"error"`
	Code    string   `xml:"code"`
	Message string   `xml:"message"`
}

func fail(w http.ResponseWriter, r *http.Request, status int, code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if isXML(r) {
		reply(w, r, status, xmlError{Code: code, Message: msg})
		return
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (s *Server) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.opts.ClientID)) != 1 || subtle.ConstantTimeCompare([]byte(secret), []byte(s.opts.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	now := s.opts.Now()
	for t, exp := range s.tokens {
		if now.After(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = now.Add(time.Hour)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
}

func (s *Server) auth(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		s.mu.Lock()
		exp, known := s.tokens[tok]
		s.mu.Unlock()
		if !ok || !known || s.opts.Now().After(exp) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="restsim"`)
			fail(w, r, http.StatusUnauthorized, "UNAUTHORIZED", "a valid bearer token is required")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		h(w, r)
	}
}

func (s *Server) nextID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%04d", prefix, s.seq)
}

func intParam(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s must be a number from %d to %d", name, lo, hi)
	}
	return n, nil
}

// listUsers answers a bare array, the total in X-Total-Count; filters are exact
// (case-insensitive) and updatedSince is strict.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	offset, err := intParam(r, "offset", 0, 0, 1<<30)
	if err == nil {
		var limit int
		limit, err = intParam(r, "limit", 50, 1, 100)
		if err == nil {
			q := r.URL.Query()
			var since time.Time
			if v := q.Get("updatedSince"); v != "" {
				if since, err = time.Parse(time.RFC3339, v); err != nil {
					fail(w, r, http.StatusBadRequest, "BAD_FILTER", "updatedSince is not an RFC 3339 time")
					return
				}
			}
			s.mu.Lock()
			var all []User
			for _, u := range s.users {
				if (q.Get("userName") == "" || strings.EqualFold(u.UserName, q.Get("userName"))) &&
					(q.Get("email") == "" || strings.EqualFold(u.Email, q.Get("email"))) &&
					(since.IsZero() || u.UpdatedAt.After(since)) {
					all = append(all, *u)
				}
			}
			s.mu.Unlock()
			sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
			if err := sortUsers(all, q.Get("sort"), q.Get("order")); err != nil {
				fail(w, r, http.StatusBadRequest, "BAD_SORT", "%v", err)
				return
			}
			w.Header().Set("X-Total-Count", strconv.Itoa(len(all)))
			page := []User{}
			if offset < len(all) {
				page = all[offset:min(len(all), offset+limit)]
			}
			if isXML(r) {
				// The XML edition carries the total in the list's root too.
				reply(w, r, http.StatusOK, struct {
					XMLName xml.Name `xml:"users"`
					Total   int      `xml:"total,attr"`
					Users   []User   `xml:"user"`
				}{Total: len(all), Users: page})
				return
			}
			reply(w, r, http.StatusOK, page)
			return
		}
	}
	fail(w, r, http.StatusBadRequest, "BAD_PAGING", "%v", err)
}

// sortUsers orders users (already by id) by the sort key, case-insensitively, ties by id; desc
// reverses the key's order.
func sortUsers(all []User, key, order string) error {
	var get func(*User) string
	switch key {
	case "", "id":
		get = func(u *User) string { return u.ID }
	case "userName":
		get = func(u *User) string { return strings.ToLower(u.UserName) }
	case "familyName":
		get = func(u *User) string { return strings.ToLower(u.FamilyName) }
	default:
		return fmt.Errorf("sort must be id, userName or familyName")
	}
	var desc bool
	switch order {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return fmt.Errorf("order must be asc or desc")
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := get(&all[i]), get(&all[j])
		if desc {
			return a > b
		}
		return a < b
	})
	return nil
}

type userInput struct {
	UserName   *string `json:"userName" xml:"userName"`
	GivenName  *string `json:"givenName" xml:"givenName"`
	FamilyName *string `json:"familyName" xml:"familyName"`
	Email      *string `json:"email" xml:"email"`
	Active     *bool   `json:"active" xml:"active"`
	Password   *string `json:"password" xml:"password"`
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	// Read-only members (id, createdAt) sent back are ignored, as most APIs do.
	if isXML(r) {
		if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "xml") {
			fail(w, r, http.StatusUnsupportedMediaType, "BAD_XML", "this edition reads application/xml, not %q", ct)
			return false
		}
		d := xml.NewDecoder(r.Body)
		d.Strict = true
		if err := d.Decode(v); err != nil {
			fail(w, r, http.StatusBadRequest, "BAD_XML", "the body is not the expected XML: %v", err)
			return false
		}
		return true
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		fail(w, r, http.StatusBadRequest, "BAD_JSON", "the body is not the expected JSON: %v", err)
		return false
	}
	return true
}

// MaxUserName is the longest userName the simulator stores, published as the schema's maxLength
// in both OpenAPI documents, so that the bridge refuses a longer one before calling.
const MaxUserName = 64

// apply copies the set fields; it checks what a user must have.
func (s *Server) apply(u *User, in userInput, except string) (string, string) {
	if in.UserName != nil {
		u.UserName = strings.TrimSpace(*in.UserName)
	}
	if in.GivenName != nil {
		u.GivenName = *in.GivenName
	}
	if in.FamilyName != nil {
		u.FamilyName = *in.FamilyName
	}
	if in.Email != nil {
		u.Email = *in.Email
	}
	if in.Active != nil {
		u.Active = *in.Active
	}
	if u.UserName == "" {
		return "INVALID", "userName is required"
	}
	if utf8.RuneCountInString(u.UserName) > MaxUserName {
		return "INVALID", fmt.Sprintf("userName is longer than %d characters", MaxUserName)
	}
	for id, o := range s.users {
		if id != except && strings.EqualFold(o.UserName, u.UserName) {
			return "USER_EXISTS", fmt.Sprintf("a user named %s already exists", u.UserName)
		}
	}
	if in.Password != nil {
		if len(*in.Password) < 8 {
			return "WEAK_PASSWORD", "the password must have at least 8 characters"
		}
		u.password = *in.Password
	}
	return "", ""
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) {
	var in userInput
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u := &User{Active: true}
	if code, msg := s.apply(u, in, ""); code != "" {
		fail(w, r, statusOf(code), code, "%s", msg)
		return
	}
	u.ID = s.nextID("u")
	u.CreatedAt = s.opts.Now().UTC().Truncate(time.Second)
	u.UpdatedAt = u.CreatedAt
	s.users[u.ID] = u
	reply(w, r, http.StatusCreated, u)
}

func statusOf(code string) int {
	switch code {
	case "USER_EXISTS", "GROUP_EXISTS":
		return http.StatusConflict
	case "NOT_FOUND":
		return http.StatusNotFound
	}
	return http.StatusUnprocessableEntity
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.PathValue("id")]
	if !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no user %s", r.PathValue("id"))
		return
	}
	reply(w, r, http.StatusOK, u)
}

func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var in userInput
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.PathValue("id")]
	if !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no user %s", r.PathValue("id"))
		return
	}
	next := *u
	if code, msg := s.apply(&next, in, u.ID); code != "" {
		fail(w, r, statusOf(code), code, "%s", msg)
		return
	}
	if next != *u {
		// Change times only ever move forward, a second at least, so that an incremental
		// import after a change always sees it.
		next.UpdatedAt = s.opts.Now().UTC().Truncate(time.Second)
		if !next.UpdatedAt.After(u.UpdatedAt) {
			next.UpdatedAt = u.UpdatedAt.Add(time.Second)
		}
	}
	*u = next
	reply(w, r, http.StatusOK, u)
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Password string `json:"password"`
		Text     string `json:"-" xml:",chardata"` // the XML edition: <password>…</password>
	}
	if !decode(w, r, &in) {
		return
	}
	if isXML(r) {
		in.Password = in.Text
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[r.PathValue("id")]
	if !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no user %s", r.PathValue("id"))
		return
	}
	if len(in.Password) < 8 {
		fail(w, r, http.StatusUnprocessableEntity, "WEAK_PASSWORD", "the password must have at least 8 characters")
		return
	}
	u.password = in.Password
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := r.PathValue("id")
	if _, ok := s.users[id]; !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no user %s", id)
		return
	}
	delete(s.users, id)
	for _, g := range s.groups {
		g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == id })
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	if isXML(r) {
		reply(w, r, http.StatusOK, struct {
			XMLName xml.Name `xml:"groups"`
			Groups  []Group  `xml:"group"`
		}{Groups: out})
		return
	}
	reply(w, r, http.StatusOK, map[string]any{"groups": out})
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name" xml:"name"`
	}
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if code, msg := s.groupName(in.Name, ""); code != "" {
		fail(w, r, statusOf(code), code, "%s", msg)
		return
	}
	g := &Group{ID: s.nextID("g"), Name: in.Name, Members: []string{}}
	s.groups[g.ID] = g
	reply(w, r, http.StatusCreated, g)
}

func (s *Server) groupName(name, except string) (string, string) {
	if strings.TrimSpace(name) == "" {
		return "INVALID", "name is required"
	}
	for id, g := range s.groups {
		if id != except && strings.EqualFold(g.Name, name) {
			return "GROUP_EXISTS", fmt.Sprintf("a group named %s already exists", name)
		}
	}
	return "", ""
}

func (s *Server) group(w http.ResponseWriter, r *http.Request, id string) *Group {
	g, ok := s.groups[id]
	if !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no group %s", id)
	}
	return g
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.group(w, r, r.PathValue("id")); g != nil {
		reply(w, r, http.StatusOK, g)
	}
}

func (s *Server) patchGroup(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Name string `json:"name" xml:"name"`
	}
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(w, r, r.PathValue("id"))
	if g == nil {
		return
	}
	if code, msg := s.groupName(in.Name, g.ID); code != "" {
		fail(w, r, statusOf(code), code, "%s", msg)
		return
	}
	g.Name = in.Name
	reply(w, r, http.StatusOK, g)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g := s.group(w, r, r.PathValue("id")); g != nil {
		delete(s.groups, g.ID)
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(w, r, r.PathValue("id"))
	if g == nil {
		return
	}
	uid := r.PathValue("userId")
	if _, ok := s.users[uid]; !ok {
		fail(w, r, http.StatusNotFound, "NOT_FOUND", "no user %s", uid)
		return
	}
	if !slices.Contains(g.Members, uid) {
		g.Members = append(g.Members, uid)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.group(w, r, r.PathValue("id"))
	if g == nil {
		return
	}
	g.Members = slices.DeleteFunc(g.Members, func(m string) bool { return m == r.PathValue("userId") })
	w.WriteHeader(http.StatusNoContent)
}
