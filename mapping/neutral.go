package mapping

import (
	"fmt"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/backend"
)

// This file is the neutral side of the mapping: the SCIM-shaped maps that fromSCIM and request
// expressions read (`user`, `group`), and the toSCIM keys that write neutral attributes.

// userMap renders u the way SCIM spells it. Empty strings are left out, so that an attribute
// the client did not send reads as nil ("absent"); name, custom and enterprise are always
// present maps so that `user.name.givenName` never fails on a missing parent.
func userMap(u *backend.User) map[string]any {
	m := map[string]any{"active": u.Active}
	put := func(mm map[string]any, k, v string) {
		if v != "" {
			mm[k] = v
		}
	}
	put(m, "id", u.ID)
	put(m, "externalId", u.ExternalID)
	put(m, "userName", u.UserName)
	put(m, "displayName", u.DisplayName)
	put(m, "nickName", u.NickName)
	put(m, "title", u.Title)
	put(m, "userType", u.UserType)
	put(m, "locale", u.Locale)
	put(m, "timezone", u.Timezone)
	put(m, "password", u.Password)
	name := map[string]any{}
	put(name, "formatted", u.Name.Formatted)
	put(name, "familyName", u.Name.FamilyName)
	put(name, "givenName", u.Name.GivenName)
	put(name, "middleName", u.Name.MiddleName)
	put(name, "honorificPrefix", u.Name.HonorificPrefix)
	put(name, "honorificSuffix", u.Name.HonorificSuffix)
	m["name"] = name
	m["emails"] = multiList(u.Emails)
	m["phoneNumbers"] = multiList(u.PhoneNumbers)
	groups := make([]any, 0, len(u.Groups))
	for _, g := range u.Groups {
		groups = append(groups, map[string]any{"value": g.Value, "display": g.Display})
	}
	m["groups"] = groups
	m["custom"] = copyMap(u.Custom)
	m["enterprise"] = copyMap(u.Enterprise)
	return m
}

func multiList(vs []backend.MultiValue) []any {
	out := make([]any, 0, len(vs))
	for _, v := range vs {
		e := map[string]any{"value": v.Value, "primary": v.Primary}
		if v.Type != "" {
			e["type"] = v.Type
		}
		if v.Display != "" {
			e["display"] = v.Display
		}
		out = append(out, e)
	}
	return out
}

// copyMap copies one level so that expressions never see (or could change) the caller's map:
// the SCIM input is read-only.
func copyMap(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		if s, ok := v.(string); ok && s == "" {
			continue
		}
		out[k] = v
	}
	return out
}

// groupMap renders g the way SCIM spells it, for group expressions.
func groupMap(g *backend.Group) map[string]any {
	m := map[string]any{}
	if g.ID != "" {
		m["id"] = g.ID
	}
	if g.ExternalID != "" {
		m["externalId"] = g.ExternalID
	}
	if g.DisplayName != "" {
		m["displayName"] = g.DisplayName
	}
	if g.Description != "" {
		m["description"] = g.Description
	}
	members := make([]any, 0, len(g.Members))
	for _, mb := range g.Members {
		members = append(members, map[string]any{"value": mb.Value, "display": mb.Display})
	}
	m["members"] = members
	return m
}

// attrSetter stores one toSCIM value into a neutral resource; nil means "no value".
type attrSetter[T any] func(r *T, v any) error

func str(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	s, ok := scalarString(v)
	if !ok {
		return "", fmt.Errorf("expected a string, got %s", describe(v))
	}
	return s, nil
}

func strAttr[T any](field func(*T) *string) attrSetter[T] {
	return func(r *T, v any) error {
		s, err := str(v)
		*field(r) = s
		return err
	}
}

// withStrAttrs adds a setter for each string attribute of strs to rest.
func withStrAttrs[T any](strs map[string]func(*T) *string, rest map[string]attrSetter[T]) map[string]attrSetter[T] {
	for k, f := range strs {
		rest[k] = strAttr(f)
	}
	return rest
}

func timeAttr[T any](field func(*T) *time.Time) attrSetter[T] {
	return func(r *T, v any) error {
		if v == nil {
			return nil
		}
		t, err := toTime(v)
		*field(r) = t
		return err
	}
}

// userAttrs are the fixed toSCIM keys of users; emails.<type>, phoneNumbers.<type>,
// custom.<attr> and enterprise.<attr> are handled by userAttr.
// userStrFields are the user attributes that are plain strings: toSCIM reads a plain access path into
// them without boxing the string (see access.getString).
var userStrFields = map[string]func(*backend.User) *string{
	"id":                   func(u *backend.User) *string { return &u.ID },
	"externalId":           func(u *backend.User) *string { return &u.ExternalID },
	"userName":             func(u *backend.User) *string { return &u.UserName },
	"displayName":          func(u *backend.User) *string { return &u.DisplayName },
	"nickName":             func(u *backend.User) *string { return &u.NickName },
	"title":                func(u *backend.User) *string { return &u.Title },
	"userType":             func(u *backend.User) *string { return &u.UserType },
	"locale":               func(u *backend.User) *string { return &u.Locale },
	"timezone":             func(u *backend.User) *string { return &u.Timezone },
	"name.formatted":       func(u *backend.User) *string { return &u.Name.Formatted },
	"name.familyName":      func(u *backend.User) *string { return &u.Name.FamilyName },
	"name.givenName":       func(u *backend.User) *string { return &u.Name.GivenName },
	"name.middleName":      func(u *backend.User) *string { return &u.Name.MiddleName },
	"name.honorificPrefix": func(u *backend.User) *string { return &u.Name.HonorificPrefix },
	"name.honorificSuffix": func(u *backend.User) *string { return &u.Name.HonorificSuffix },
	"meta.version":         func(u *backend.User) *string { return &u.Meta.Version },
}

var userAttrs = withStrAttrs(userStrFields, map[string]attrSetter[backend.User]{
	"meta.created":      timeAttr(func(u *backend.User) *time.Time { return &u.Meta.Created }),
	"meta.lastModified": timeAttr(func(u *backend.User) *time.Time { return &u.Meta.LastModified }),
	"active": func(u *backend.User, v any) error {
		if v == nil {
			u.Active = false
			return nil
		}
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("expected a boolean, got %s", describe(v))
		}
		u.Active = b
		return nil
	},
	"groups": func(u *backend.User, v any) error {
		refs, err := refList(v)
		for _, r := range refs {
			u.Groups = append(u.Groups, backend.GroupRef{Value: r.Value, Display: r.Display})
		}
		return err
	},
})

// groupStrFields are the group attributes that are plain strings: toSCIM reads a plain access path into
// them without boxing the string (see access.getString).
var groupStrFields = map[string]func(*backend.Group) *string{
	"id":           func(g *backend.Group) *string { return &g.ID },
	"externalId":   func(g *backend.Group) *string { return &g.ExternalID },
	"displayName":  func(g *backend.Group) *string { return &g.DisplayName },
	"description":  func(g *backend.Group) *string { return &g.Description },
	"meta.version": func(g *backend.Group) *string { return &g.Meta.Version },
}

var groupAttrs = withStrAttrs(groupStrFields, map[string]attrSetter[backend.Group]{
	"meta.created":      timeAttr(func(g *backend.Group) *time.Time { return &g.Meta.Created }),
	"meta.lastModified": timeAttr(func(g *backend.Group) *time.Time { return &g.Meta.LastModified }),
	"members": func(g *backend.Group, v any) error {
		refs, err := refList(v)
		g.Members = append(g.Members, refs...)
		return err
	},
})

// refList reads a list of {value, display} objects, or of plain ids.
func refList(v any) ([]backend.Member, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("expected a list, got %s", describe(v))
	}
	var out []backend.Member
	for i, e := range list {
		switch t := e.(type) {
		case nil:
		case map[string]any:
			val, err1 := str(plain(t["value"]))
			disp, err2 := str(plain(t["display"]))
			if err1 != nil || err2 != nil {
				return out, fmt.Errorf("element %d: value and display must be strings", i)
			}
			if val != "" {
				out = append(out, backend.Member{Value: val, Display: disp})
			}
		default:
			s, err := str(t)
			if err != nil {
				return out, fmt.Errorf("element %d: %w", i, err)
			}
			if s != "" {
				out = append(out, backend.Member{Value: s})
			}
		}
	}
	return out, nil
}

// userAttr resolves a toSCIM key of users. The error lists what was wrong in words an
// operator can act on.
func userAttr(key string) (attrSetter[backend.User], error) {
	if s, ok := userAttrs[key]; ok {
		return s, nil
	}
	prefix, rest, found := strings.Cut(key, ".")
	if found && rest != "" && !strings.Contains(rest, ".") {
		switch prefix {
		case "emails":
			return multiAttr(func(u *backend.User) *[]backend.MultiValue { return &u.Emails }, rest), nil
		case "phoneNumbers":
			return multiAttr(func(u *backend.User) *[]backend.MultiValue { return &u.PhoneNumbers }, rest), nil
		case "custom":
			return extAttr(func(u *backend.User) *map[string]any { return &u.Custom }, rest), nil
		case "enterprise":
			return extAttr(func(u *backend.User) *map[string]any { return &u.Enterprise }, rest), nil
		}
	}
	names := make([]string, 0, len(userAttrs)+4)
	for k := range userAttrs {
		names = append(names, k)
	}
	names = append(names, "emails.work", "phoneNumbers.work", "custom.", "enterprise.")
	return nil, fmt.Errorf("%q is not a user attribute%s", key, didYouMean(key, names))
}

func groupAttr(key string) (attrSetter[backend.Group], error) {
	if s, ok := groupAttrs[key]; ok {
		return s, nil
	}
	names := make([]string, 0, len(groupAttrs))
	for k := range groupAttrs {
		names = append(names, k)
	}
	return nil, fmt.Errorf("%q is not a group attribute%s", key, didYouMean(key, names))
}

// multiAttr appends {value, type}; the first value appended is the primary one.
func multiAttr(field func(*backend.User) *[]backend.MultiValue, typ string) attrSetter[backend.User] {
	return func(u *backend.User, v any) error {
		s, err := str(v)
		if err != nil || s == "" {
			return err
		}
		list := field(u)
		*list = append(*list, backend.MultiValue{Value: s, Type: typ, Primary: len(*list) == 0})
		return nil
	}
}

func extAttr(field func(*backend.User) *map[string]any, name string) attrSetter[backend.User] {
	return func(u *backend.User, v any) error {
		if v == nil {
			return nil
		}
		if s, ok := v.(string); ok && s == "" {
			return nil
		}
		if t, ok := v.(time.Time); ok {
			v = t.UTC().Format(time.RFC3339)
		}
		m := field(u)
		if *m == nil {
			*m = map[string]any{}
		}
		(*m)[name] = v
		return nil
	}
}
