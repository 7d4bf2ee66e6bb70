package wso2sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Claim URIs the simulator gives a meaning to.
const (
	ClaimUsername = "http://wso2.org/claims/username"
	ClaimDisabled = "http://wso2.org/claims/identity/accountDisabled"
)

type user struct {
	name     string
	password string
	claims   map[string]string
}

type role struct {
	name    string
	members map[string]bool // lower-cased usernames
}

// store is the simulator's state, in memory.
type store struct {
	mu    sync.Mutex
	users map[string]*user // by lower-cased name
	roles map[string]*role // by lower-cased name
}

func newStore() *store {
	s := &store{}
	s.reset()
	return s
}

func (s *store) reset() {
	s.users = map[string]*user{}
	s.roles = map[string]*role{"admin": {name: "admin", members: map[string]bool{}}}
}

// fault is a UserStoreException: its message is all a client gets.
type fault struct{ msg string }

func (f *fault) Error() string { return f.msg }

func faultf(format string, args ...any) *fault { return &fault{msg: fmt.Sprintf(format, args...)} }

func (s *store) user(name string) (*user, *fault) {
	u, ok := s.users[strings.ToLower(name)]
	if !ok {
		return nil, faultf("UserNotFound: User %s does not exist in: PRIMARY", name)
	}
	return u, nil
}

func (s *store) role(name string) (*role, *fault) {
	r, ok := s.roles[strings.ToLower(name)]
	if !ok {
		return nil, faultf("RoleNotFound: Role %s does not exist.", name)
	}
	return r, nil
}

func validName(n string) bool {
	return n != "" && len(n) <= 255 && !strings.ContainsAny(n, "*/\\ \t\r\n")
}

func (s *store) addUser(name, password string, roles []string, claims map[string]string) *fault {
	if !validName(name) {
		return faultf("30001 - InvalidUserName: Username %q is not valid.", name)
	}
	if _, ok := s.users[strings.ToLower(name)]; ok {
		return faultf("UserAlreadyExisting:Username already exists in the system. Please pick another username.")
	}
	if password != "" && len(password) < 5 {
		return faultf("Credential not valid. Credential must be a non null string with following format, ^[\\S]{5,30}$")
	}
	for _, r := range roles {
		if _, f := s.role(r); f != nil {
			return f
		}
	}
	u := &user{name: name, password: password, claims: map[string]string{}}
	maps.Copy(u.claims, claims)
	s.users[strings.ToLower(name)] = u
	for _, r := range roles {
		s.roles[strings.ToLower(r)].members[strings.ToLower(name)] = true
	}
	return nil
}

func (s *store) deleteUser(name string) *fault {
	if _, f := s.user(name); f != nil {
		return f
	}
	delete(s.users, strings.ToLower(name))
	for _, r := range s.roles {
		delete(r.members, strings.ToLower(name))
	}
	return nil
}

// listUsers matches a WSO2 pattern: `*` matches anything, case-insensitively; every other
// character, `?`, `[` and `\` included, stands for itself (path.Match would read those as
// pattern syntax, and a username holding one could then not be found).
func (s *store) listUsers(pattern string, limit int) []string {
	parts := strings.Split(strings.ToLower(pattern), "*")
	var out []string
	for k, u := range s.users { // map order on purpose: WSO2 promises none
		if len(out) >= limit {
			break
		}
		if globMatch(parts, k) {
			out = append(out, u.name)
		}
	}
	return out
}

// globMatch reports whether s is parts joined by any strings. Greedy from the left is exact
// for `*`-only patterns: each literal part is taken at its first occurrence, the last one at the
// end of s.
func globMatch(parts []string, s string) bool {
	if len(parts) == 1 {
		return s == parts[0]
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

func (s *store) claims(name string) (map[string]string, *fault) {
	u, f := s.user(name)
	if f != nil {
		return nil, f
	}
	out := maps.Clone(u.claims)
	out[ClaimUsername] = u.name
	return out, nil
}

func (s *store) setClaims(name string, claims map[string]string) *fault {
	u, f := s.user(name)
	if f != nil {
		return f
	}
	for k, v := range claims {
		if k == ClaimUsername {
			continue // read-only, as in WSO2
		}
		u.claims[k] = v
	}
	return nil
}

func (s *store) deleteClaims(name string, uris []string) *fault {
	u, f := s.user(name)
	if f != nil {
		return f
	}
	for _, k := range uris {
		delete(u.claims, k)
	}
	return nil
}

func (s *store) setPassword(name, password string) *fault {
	u, f := s.user(name)
	if f != nil {
		return f
	}
	if len(password) < 5 {
		return faultf("Credential not valid. Credential must be a non null string with following format, ^[\\S]{5,30}$")
	}
	u.password = password
	return nil
}

func (s *store) addRole(name string, users []string) *fault {
	if !validName(name) {
		return faultf("Role name %q is not valid.", name)
	}
	if _, ok := s.roles[strings.ToLower(name)]; ok {
		return faultf("RoleExisting:Role name: %s already exists in the system. Please pick another role name.", name)
	}
	r := &role{name: name, members: map[string]bool{}}
	for _, u := range users {
		if _, f := s.user(u); f != nil {
			return f
		}
		r.members[strings.ToLower(u)] = true
	}
	s.roles[strings.ToLower(name)] = r
	return nil
}

func (s *store) deleteRole(name string) *fault {
	if _, f := s.role(name); f != nil {
		return f
	}
	delete(s.roles, strings.ToLower(name))
	return nil
}

func (s *store) renameRole(name, next string) *fault {
	r, f := s.role(name)
	if f != nil {
		return f
	}
	if !validName(next) {
		return faultf("Role name %q is not valid.", next)
	}
	if other, ok := s.roles[strings.ToLower(next)]; ok && other != r {
		return faultf("RoleExisting:Role name: %s already exists in the system. Please pick another role name.", next)
	}
	delete(s.roles, strings.ToLower(name))
	r.name = next
	s.roles[strings.ToLower(next)] = r
	return nil
}

func (s *store) roleNames() []string {
	out := make([]string, 0, len(s.roles))
	for _, r := range s.roles {
		out = append(out, r.name)
	}
	return out
}

func (s *store) usersOfRole(name string) ([]string, *fault) {
	r, f := s.role(name)
	if f != nil {
		return nil, f
	}
	var out []string
	for k := range r.members {
		if u, ok := s.users[k]; ok {
			out = append(out, u.name)
		}
	}
	slices.Sort(out)
	return out, nil
}

// updateUsersOfRole applies both lists or neither: an unknown user to add fails the call, as in
// WSO2; deleting a non-member is not an error.
func (s *store) updateUsersOfRole(name string, deleted, added []string) *fault {
	r, f := s.role(name)
	if f != nil {
		return f
	}
	for _, u := range added {
		if _, f := s.user(u); f != nil {
			return f
		}
	}
	for _, u := range deleted {
		delete(r.members, strings.ToLower(u))
	}
	for _, u := range added {
		r.members[strings.ToLower(u)] = true
	}
	return nil
}

func (s *store) rolesOfUser(name string) ([]string, *fault) {
	if _, f := s.user(name); f != nil {
		return nil, f
	}
	var out []string
	for _, r := range s.roles {
		if r.members[strings.ToLower(name)] {
			out = append(out, r.name)
		}
	}
	slices.Sort(out)
	return out, nil
}
