package wso2sim

import (
	"slices"
	"testing"
)

// TestListUsersPattern: only `*` is a wildcard, as in WSO2; `?`, `[` and `\` are ordinary
// characters of a username, which a listing by exact name must find.
func TestListUsersPattern(t *testing.T) {
	s := newStore()
	for _, n := range []string{"Alice", "alicia", "a?c", "a[b", "bob", "abab"} {
		if f := s.addUser(n, "", nil, nil); f != nil {
			t.Fatal(f)
		}
	}
	for pattern, want := range map[string][]string{
		"alice":  {"Alice"},
		"ALI*":   {"Alice", "alicia"},
		"*":      {"Alice", "a?c", "a[b", "abab", "alicia", "bob"},
		"a?c":    {"a?c"},
		"a[b":    {"a[b"},
		"a*b":    {"a[b", "abab"},
		"*ab":    {"abab"},
		"ab*ab":  {"abab"},
		"aba*b":  {"abab"},
		"ab*bab": {}, // prefix and suffix may not overlap
		"a*c*":   {"Alice", "a?c", "alicia"},
		"x*":     {},
	} {
		got := s.listUsers(pattern, 100)
		slices.Sort(got)
		if want == nil {
			want = []string{}
		}
		if !slices.Equal(append([]string{}, got...), want) {
			t.Errorf("listUsers(%q) = %v, want %v", pattern, got, want)
		}
	}
	if got := s.listUsers("*", 2); len(got) != 2 {
		t.Errorf("limit 2 gave %d names", len(got))
	}
}
