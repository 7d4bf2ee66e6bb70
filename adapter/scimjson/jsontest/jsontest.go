package jsontest

import (
	"encoding/json"
	"time"

	"github.com/scimbridge/scimbridge/backend"
)

// Awkward holds strings that exercise every escaping rule of encoding/json.
var Awkward = []string{
	"", "plain", `quote " backslash \ slash /`, "<script>&amp;</script>", "tab\tnl\ncr\rbs\bff\f",
	"\x00\x01\x1f\x7f", "line\u2028para\u2029", "bad utf8 \xff\xfe end", "trunc \xe2\x82",
	"émoji 😀 中文 Ünïcödé", "\ufffd", "\u00a0nbsp", "a\x00b",
}

// Users are users with every shape an encoder must get right.
func Users() []*backend.User {
	t := time.Date(2026, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600))
	users := []*backend.User{
		{},
		{ID: "1", UserName: "u"},
		{ID: "2", UserName: "u", Active: true, Name: backend.Name{GivenName: "G"}},
		{ID: "3", Name: backend.Name{HonorificSuffix: "Jr."}, Meta: backend.Meta{Version: "v1"}},
		{ID: "4", Meta: backend.Meta{Created: t}},
		{ID: "5", Meta: backend.Meta{LastModified: t, Version: `W/"x"`}},
		{ID: "6", Emails: []backend.MultiValue{}, PhoneNumbers: []backend.MultiValue{{}}, Groups: []backend.GroupRef{}},
		{ID: "7", Emails: []backend.MultiValue{{Value: "a@b", Type: "work", Primary: true, Display: "A"}, {Value: "c@d"}},
			Groups: []backend.GroupRef{{Value: "g1"}, {Value: "g2", Display: "Group <2>"}}},
		{ID: "8", Enterprise: map[string]any{}, Custom: map[string]any{}},
		{ID: "9", Enterprise: map[string]any{"employeeNumber": "42", "manager": map[string]any{"value": "m", "displayName": nil}},
			Custom: map[string]any{"b": true, "a": int64(-7), "z": 3.5, "big": 1e21, "small": 1e-7, "n": nil,
				"list": []any{"x", int64(1), false, nil, map[string]any{"k": "v"}}, "num": json.Number("12.50"),
				"int": 12, "strs": []string{"p", "q"}, "empty": []any{}, "nilList": []any(nil), "nested": map[string]any{}}},
		{ID: "10", Custom: map[string]any{"ключ": "значение", "a<b": "c&d", "\u2028": "\xff", "": ""}},
		{ID: "11", Meta: backend.Meta{Created: time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)}},
	}
	for i, s := range Awkward {
		users = append(users, &backend.User{ID: s, ExternalID: s, UserName: s, DisplayName: s, NickName: s, Title: s,
			UserType: s, Locale: s, Timezone: s, Active: i%2 == 0,
			Name:   backend.Name{Formatted: s, FamilyName: s, GivenName: s, MiddleName: s, HonorificPrefix: s, HonorificSuffix: s},
			Emails: []backend.MultiValue{{Value: s, Type: s, Display: s, Primary: i%2 == 1}},
			Groups: []backend.GroupRef{{Value: s, Display: s}}, Meta: backend.Meta{Version: s},
			Custom: map[string]any{s: s}, Enterprise: map[string]any{"department": s}})
	}
	return users
}

// Groups are groups with every shape an encoder must get right.
func Groups() []*backend.Group {
	groups := []*backend.Group{{}, {ID: "g", DisplayName: "G", Members: []backend.Member{}},
		{ID: "g", Meta: backend.Meta{Created: time.Unix(0, 0)}, Description: "d"}}
	for _, s := range Awkward {
		groups = append(groups, &backend.Group{ID: s, ExternalID: s, DisplayName: s, Description: s,
			Members: []backend.Member{{Value: s, Display: s}, {Value: "x"}}, Meta: backend.Meta{Version: s}})
	}
	return groups
}
