package filter

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

// mapResolver serves a resource held as a JSON-like map, the way the adapter's resolvers are
// expected to: names are found case-insensitively, an extension's attributes sit under its URN,
// and a Sub on a multi-valued complex attribute yields that sub-attribute of every element.
type mapResolver map[string]any

func (m mapResolver) Values(p AttrPath) []any {
	obj := map[string]any(m)
	if p.URN != "" {
		ext, ok := lookupFold(obj, p.URN)
		if !ok {
			return nil
		}
		if obj, ok = ext.(map[string]any); !ok {
			return nil
		}
	}
	v, ok := lookupFold(obj, p.Name)
	if !ok {
		return nil
	}
	if p.Sub == "" {
		return flatten(v)
	}
	var out []any
	for _, el := range flatten(v) {
		if mm, ok := el.(map[string]any); ok {
			if sv, ok := lookupFold(mm, p.Sub); ok {
				out = append(out, sv)
			}
		}
	}
	return out
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

var bjensen = mapResolver{
	"id":          "2819c223-7f76-453a-919d-413861904646",
	"userName":    "BJensen@Example.com",
	"displayName": "",
	"active":      true,
	"nickName":    nil,
	"loginCount":  int64(9007199254740993), // 2^53+1: not representable as float64
	"score":       float64(4.5),
	"name":        map[string]any{"givenName": "Barbara", "familyName": "O'Malley"},
	"emails": []any{
		map[string]any{"value": "bjensen@example.com", "type": "work", "primary": true},
		map[string]any{"Value": "babs@jensen.org", "Type": "home"},
	},
	"nicknames": []any{"Babs", "B"},
	"meta": map[string]any{
		"lastModified": mustTime("2020-04-07T14:19:34Z"),
		"created":      mustTime("2011-08-01T18:29:49.793Z"),
	},
	"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": map[string]any{
		"employeeNumber": "701984",
		"manager":        map[string]any{"value": "26118915"},
	},
	"urn:okta:onprem_app:1.0:user:custom": map[string]any{"departmentName": "Cloud Service"},
}

func TestMatch(t *testing.T) {
	tests := []struct {
		filter string
		want   bool
	}{
		// The Okta forms.
		{`userName eq "bjensen@example.com"`, true}, // case-insensitive by default
		{`userName eq "bjensen"`, false},
		{`name.givenName eq "barbara"`, true},
		{`urn:okta:onprem_app:1.0:user:custom:departmentName eq "Cloud Service"`, true},
		{`URN:OKTA:ONPREM_APP:1.0:USER:CUSTOM:DEPARTMENTNAME eq "cloud service"`, true},
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, true},
		{`email eq "x@y" OR emails.value eq "babs@jensen.org"`, true},
		{`meta.lastModified gt "2020-04-07T14:19:33Z"`, true},
		{`meta.lastModified gt "2020-04-07T14:19:34Z"`, false},
		{`meta.lastModified ge "2020-04-07T14:19:34Z"`, true},

		// Times: offsets, no zone (UTC), fractional seconds.
		{`meta.lastModified gt "2020-04-07T16:19:33+02:00"`, true},
		{`meta.lastModified gt "2020-04-07T16:19:35+02:00"`, false},
		{`meta.lastModified lt "2020-04-07T10:19:35-04:00"`, true},
		{`meta.lastModified eq "2020-04-07T16:19:34+02:00"`, true},
		{`meta.lastModified gt "2020-04-07T14:19:33"`, true},
		{`meta.lastModified lt "2020-04-07T14:19:34.001"`, true},
		{`meta.created le "2011-08-01T18:29:49.793Z"`, true},
		{`meta.created lt "2011-08-01T18:29:49.793Z"`, false},
		{`meta.lastModified gt "2019"`, true}, // not a date-time: lexical on the RFC 3339 text
		{`meta.lastModified sw "2020-04"`, true},

		// Multi-valued: any element matches; ne means no element equals.
		{`emails co "example.com"`, true}, // a complex value stands for its "value"
		{`emails.value ew ".org"`, true},
		{`emails.type eq "home"`, true},
		{`emails.type eq "other"`, false},
		{`emails.type ne "other"`, true},
		{`emails.type ne "HOME"`, false},
		{`nicknames eq "babs"`, true},
		{`nicknames sw "x"`, false},
		{`title ne "x"`, true}, // absent
		{`title eq "x"`, false},

		// Value paths: one element must satisfy the whole inner filter; inner names ignore case.
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and value co "@example.com"]`, false},
		{`emails[TYPE eq "home" and VALUE co "jensen"]`, true},
		{`emails[not (type eq "work")]`, true},
		{`emails[primary eq true]`, true},
		{`emails[primary eq false]`, false},
		{`emails[display pr]`, false},
		{`nicknames[value eq "B"]`, true},
		{`title[value pr]`, false},

		// Presence.
		{`title pr`, false},
		{`displayName pr`, false}, // empty string
		{`nickName pr`, false},    // null
		{`name pr`, true},
		{`emails pr`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value pr`, true},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"`, true},

		// Numbers and booleans.
		{`score gt 4`, true},
		{`score eq 4.5`, true},
		{`score lt 4.5E0`, false},
		{`loginCount eq 9007199254740993`, true},
		{`loginCount eq 9007199254740992`, false}, // equal as float64, not as int64
		{`loginCount gt 9007199254740992`, true},
		{`loginCount ge 1e3`, true},
		{`score eq "4.5"`, false}, // a string literal never equals a number
		{`userName eq 1`, false},
		{`active eq true`, true},
		{`active ne true`, false},
		{`active eq "true"`, false},
		{`active co "t"`, false}, // booleans have no co; false, not a panic
		{`active gt false`, false},
		{`score co 4`, false},

		// null.
		{`title eq null`, true},
		{`displayName eq null`, true},
		{`userName eq null`, false},
		{`userName ne null`, true},
		{`title ne null`, false},

		// Strings: case-insensitive ordering too.
		{`userName gt "BJENSEN@A"`, true},
		{`userName lt "bjensen@example.com"`, false},
		{`name.familyName co "o'm"`, true},
		{`name.familyName sw "O'"`, true},
		{`name.familyName ew "LEY"`, true},

		// Logic.
		{`userName eq "x" or name.givenName eq "Barbara" and active eq true`, true},
		{`(userName eq "x" or name.givenName eq "Barbara") and active eq false`, false},
		{`not (userName eq "x")`, true},
		{`not (userName pr)`, false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.filter, err)
		}
		if got := Match(e, bjensen); got != tt.want {
			t.Errorf("Match(%q) = %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func TestMatchCaseExact(t *testing.T) {
	var asked []string
	opts := MatchOptions{CaseExact: func(p AttrPath) bool {
		asked = append(asked, p.String())
		return p.Is("id") || p.Is("emails.value")
	}}
	tests := []struct {
		filter string
		want   bool
	}{
		{`id eq "2819C223-7F76-453A-919D-413861904646"`, false},
		{`id eq "2819c223-7f76-453a-919d-413861904646"`, true},
		{`id sw "2819C"`, false},
		{`userName eq "bjensen@example.com"`, true},
		{`emails[value eq "BJENSEN@example.com"]`, false},
		{`emails[type eq "WORK"]`, true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := MatchWith(e, bjensen, opts); got != tt.want {
			t.Errorf("MatchWith(%q) = %v, want %v", tt.filter, got, tt.want)
		}
	}
	if !strings.Contains(strings.Join(asked, " "), "emails.value") {
		t.Errorf("CaseExact was asked about %v; inside a value path it should see the full path emails.value", asked)
	}
}

func TestMatchLongChainAndNil(t *testing.T) {
	// A chain longer than any parser would produce must not recurse term by term.
	var e Expr = eq(ap("userName", ""), str("nobody"))
	for i := 0; i < 200_000; i++ {
		e = Or{Left: e, Right: eq(ap("userName", ""), str("nobody"))}
	}
	e = Or{Left: e, Right: eq(ap("userName", ""), str("bjensen@example.com"))}
	if !Match(e, bjensen) {
		t.Error("long or-chain: want a match on its last term")
	}
	if Match(e, nil) {
		t.Error("nil resolver: want false")
	}
	if Match(nil, bjensen) {
		t.Error("nil expression: want false")
	}
	if s := (Or{Left: pr(ap("a", "")), Right: nil}).String(); !strings.Contains(s, "<nil>") {
		t.Errorf("String of a tree with nil = %q", s)
	}
}

func TestEqualities(t *testing.T) {
	tests := []struct {
		filter string
		path   AttrPath
		values []string
		ok     bool
	}{
		{`userName eq "a"`, ap("userName", ""), []string{"a"}, true},
		{`email eq "a" OR email eq "b"`, ap("email", ""), []string{"a", "b"}, true},
		{`email eq "a" or EMAIL eq "b" or (Email eq "c" or email eq "d")`, ap("email", ""), []string{"a", "b", "c", "d"}, true},
		{`urn:okta:onprem_app:1.0:user:custom:departmentName eq "x"`, urnp("urn:okta:onprem_app:1.0:user:custom", "departmentName"), []string{"x"}, true},
		{`email eq "a" or emails eq "b"`, AttrPath{}, nil, false},
		{`emails eq "a" or emails.value eq "b"`, AttrPath{}, nil, false},
		{`email eq "a" or email co "b"`, AttrPath{}, nil, false},
		{`email eq "a" and email eq "b"`, AttrPath{}, nil, false},
		{`id eq 5`, AttrPath{}, nil, false},
		{`active eq true`, AttrPath{}, nil, false},
		{`not (id eq "a")`, AttrPath{}, nil, false},
		{`emails[value eq "a"]`, AttrPath{}, nil, false},
		{`title pr`, AttrPath{}, nil, false},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		path, values, ok := Equalities(e)
		if ok != tt.ok || path != tt.path || !reflect.DeepEqual(values, tt.values) {
			t.Errorf("Equalities(%q) = %v %q %v, want %v %q %v", tt.filter, path, values, ok, tt.path, tt.values, tt.ok)
		}
	}
}

func TestShape(t *testing.T) {
	tests := []struct{ filter, want string }{
		{`userName eq "a"`, "username eq"},
		{`USERNAME EQ "a"`, "username eq"},
		{`meta.lastModified gt "2020-04-07T14:19:34Z"`, "meta.lastmodified gt"},
		{`urn:okta:onprem_app:1.0:user:custom:departmentName eq "Cloud Service"`, "urn:okta:onprem_app:1.0:user:custom:departmentname eq"},
		{`email eq "a" OR email eq "b"`, "email eq or"},
		{`email eq "a" OR Email eq "b" or email eq "c"`, "email eq or"},
		{`title pr`, "title pr"},
		{`id eq 5`, "id eq"},
		{`email eq "a" or emails eq "b"`, ""},
		{`email gt "a" or email gt "b"`, ""},
		{`userName eq "a" and id eq "b"`, ""},
		{`not (id eq "a")`, ""},
		{`emails[type eq "work"]`, ""},
		{`(userName eq "a")`, "username eq"},
	}
	for _, tt := range tests {
		e, err := Parse(tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := Shape(e); got != tt.want {
			t.Errorf("Shape(%q) = %q, want %q", tt.filter, got, tt.want)
		}
	}
}
