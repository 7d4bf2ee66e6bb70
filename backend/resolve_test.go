package backend_test

import (
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

func TestUserResolver(t *testing.T) {
	mod := time.Date(2020, 4, 7, 14, 19, 35, 0, time.UTC)
	u := &backend.User{
		ID: "u1", ExternalID: "00u1", UserName: "Okta@Example.com", Active: true,
		Name:         backend.Name{GivenName: "John", FamilyName: "Smith"},
		Emails:       []backend.MultiValue{{Value: "j@example.com", Type: "work", Primary: true}, {Value: "p@home.test", Type: "home"}},
		PhoneNumbers: []backend.MultiValue{{Value: "123", Type: "mobile"}},
		Groups:       []backend.GroupRef{{Value: "g1", Display: "Admins"}},
		Custom:       map[string]any{"departmentName": "Cloud Service", "isAdmin": true, "level": int64(3), "tags": []any{"a", "b"}, "boss": map[string]any{"id": "u9"}},
		Enterprise:   map[string]any{"employeeNumber": "42"},
		Meta:         backend.Meta{Created: mod.Add(-time.Hour), LastModified: mod},
	}
	r := backend.UserResolver(u)
	cases := []struct {
		f    string
		want bool
	}{
		{`userName eq "okta@example.com"`, true},
		{`USERNAME eq "OKTA@EXAMPLE.COM"`, true},
		{`urn:scim:schemas:core:1.0:userName eq "okta@example.com"`, true},
		{`id eq "u1"`, true},
		{`externalId eq "00u1"`, true},
		{`name.givenName eq "john"`, true},
		{`name.familyName eq "Jones"`, false},
		{`emails.value eq "p@home.test"`, true},
		{`emails eq "p@home.test"`, true},
		{`emails.value eq "x@y" or emails.value eq "J@example.com"`, true},
		{`emails[type eq "work" and value co "@example.com"]`, true},
		{`emails[type eq "home" and primary eq true]`, false},
		{`emails.primary eq true`, true},
		{`phoneNumbers.type eq "mobile"`, true},
		{`groups.value eq "g1"`, true},
		{`groups.display eq "admins"`, true},
		{`active eq true`, true},
		{`meta.lastModified gt "2020-04-07T14:19:34Z"`, true},
		{`meta.lastModified gt "2020-04-07T14:19:35Z"`, false},
		{`meta.lastModified gt "2020-04-07T16:19:34+02:00"`, true},
		{`meta.created lt "2020-04-07T14:00:00Z"`, true},
		{`custom:departmentName eq "cloud service"`, true},
		{`custom:isAdmin eq true`, true},
		{`custom:level gt 2`, true},
		{`custom:tags eq "b"`, true},
		{`custom:boss.id eq "u9"`, true},
		{`enterprise:employeeNumber eq "42"`, true},
		{`urn:okta:onprem_app:1.0:user:custom:departmentName eq "Cloud Service"`, false}, // not normalised
		{`title pr`, false},
		{`userName.sub eq "x"`, false},
	}
	for _, c := range cases {
		e, err := filter.Parse(c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.f, err)
		}
		if got := filter.Match(e, r); got != c.want {
			t.Errorf("%s = %v, want %v", c.f, got, c.want)
		}
	}
}

func TestGroupResolver(t *testing.T) {
	g := &backend.Group{ID: "g1", DisplayName: "Admins", Description: "d", Members: []backend.Member{{Value: "u1", Display: "okta"}}}
	r := backend.GroupResolver(g)
	for f, want := range map[string]bool{
		`displayName eq "admins"`:       true,
		`members.value eq "u1"`:         true,
		`members[value eq "u2"]`:        false,
		`description eq "d"`:            true,
		`id eq "g2"`:                    false,
		`urn:x:displayName eq "admins"`: false,
	} {
		e, err := filter.Parse(f)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := filter.Match(e, r); got != want {
			t.Errorf("%s = %v, want %v", f, got, want)
		}
	}
}
