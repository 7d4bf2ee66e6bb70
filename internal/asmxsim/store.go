package asmxsim

import (
	"slices"
	"strings"
	"sync"
)

type user struct {
	Login, Name, First, Last, Email, Password string
	Active                                    bool
}

type group struct {
	Name, Description string
	Members           []string // login keys, sorted
}

// store is the directory. Logins are case-insensitive, as Windows account names are: the key is
// the lower-cased login, the login keeps the case it was created with.
type store struct {
	mu     sync.Mutex
	users  map[string]*user
	groups map[string]*group // by lower-cased name
}

func newStore() *store {
	return &store{users: map[string]*user{}, groups: map[string]*group{}}
}

func key(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func (s *store) sortedUsers() []*user {
	out := make([]*user, 0, len(s.users))
	for _, u := range s.users {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(key(a.Login), key(b.Login)) })
	return out
}

func (s *store) sortedGroups() []*group {
	out := make([]*group, 0, len(s.groups))
	for _, g := range s.groups {
		out = append(out, g)
	}
	slices.SortFunc(out, func(a, b *group) int { return strings.Compare(key(a.Name), key(b.Name)) })
	return out
}
