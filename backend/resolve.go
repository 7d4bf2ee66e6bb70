package backend

import (
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/filter"
)

// Core schema URNs a client may put in front of a core attribute (`urn:scim:schemas:core:1.0:userName`).
// They name the same attribute as the bare path, so the resolvers accept them.
var coreURNs = []string{
	"urn:scim:schemas:core:1.0",
	"urn:ietf:params:scim:schemas:core:2.0:User",
	"urn:ietf:params:scim:schemas:core:2.0:Group",
}

func isCore(urn string) bool {
	if urn == "" {
		return true
	}
	for _, c := range coreURNs {
		if strings.EqualFold(urn, c) {
			return true
		}
	}
	return false
}

// UserResolver answers SCIM attribute paths over u for filter.Match, ignoring case in attribute
// names: core attributes (userName, id, externalId, displayName, nickName, title, userType,
// locale, timezone, active, name.*, emails, phoneNumbers and groups with their sub-attributes,
// meta.created / meta.lastModified as time.Time, meta.version) and, under the neutral markers
// CustomSchema and EnterpriseSchema, the keys of u.Custom and u.Enterprise (a Sub reaches into a
// nested object). Paths qualified with another URN resolve to nothing: the front end rewrites the
// dialect's URNs to the neutral markers before a filter reaches a backend.
func UserResolver(u *User) filter.Resolver { return userResolver{u} }

// GroupResolver answers SCIM attribute paths over g: id, externalId, displayName, description,
// members (value, display) and meta.
func GroupResolver(g *Group) filter.Resolver { return groupResolver{g} }

type userResolver struct{ u *User }

func one(s string) []any {
	if s == "" {
		return nil
	}
	return []any{s}
}

func timeValue(t time.Time) []any {
	if t.IsZero() {
		return nil
	}
	return []any{t}
}

func metaValues(m Meta, sub string) []any {
	switch strings.ToLower(sub) {
	case "":
		out := map[string]any{}
		if !m.Created.IsZero() {
			out["created"] = m.Created
		}
		if !m.LastModified.IsZero() {
			out["lastModified"] = m.LastModified
		}
		if m.Version != "" {
			out["version"] = m.Version
		}
		if len(out) == 0 {
			return nil
		}
		return []any{out}
	case "created":
		return timeValue(m.Created)
	case "lastmodified":
		return timeValue(m.LastModified)
	case "version":
		return one(m.Version)
	}
	return nil
}

func multiValues(vs []MultiValue, sub string) []any {
	var out []any
	for _, v := range vs {
		switch strings.ToLower(sub) {
		case "":
			el := map[string]any{"value": v.Value, "primary": v.Primary}
			if v.Type != "" {
				el["type"] = v.Type
			}
			if v.Display != "" {
				el["display"] = v.Display
			}
			out = append(out, el)
		case "value":
			out = append(out, v.Value)
		case "type":
			out = append(out, v.Type)
		case "primary":
			out = append(out, v.Primary)
		case "display":
			out = append(out, v.Display)
		}
	}
	return out
}

func refValues(values, displays []string, sub string) []any {
	var out []any
	for i := range values {
		switch strings.ToLower(sub) {
		case "":
			el := map[string]any{"value": values[i]}
			if displays[i] != "" {
				el["display"] = displays[i]
			}
			out = append(out, el)
		case "value":
			out = append(out, values[i])
		case "display":
			out = append(out, displays[i])
		}
	}
	return out
}

// extValues resolves a path inside an extension map (custom or enterprise attributes).
func extValues(m map[string]any, name, sub string) []any {
	return filter.MapResolver(m).Values(filter.AttrPath{Name: name, Sub: sub})
}

func (r userResolver) Values(p filter.AttrPath) []any {
	u := r.u
	if u == nil {
		return nil
	}
	switch {
	case strings.EqualFold(p.URN, CustomSchema):
		return extValues(u.Custom, p.Name, p.Sub)
	case strings.EqualFold(p.URN, EnterpriseSchema):
		return extValues(u.Enterprise, p.Name, p.Sub)
	case !isCore(p.URN):
		return nil
	}
	name, sub := strings.ToLower(p.Name), p.Sub
	if sub != "" {
		switch name {
		case "name", "emails", "phonenumbers", "groups", "meta":
		default:
			return nil // simple attributes have no sub-attributes
		}
	}
	switch name {
	case "id":
		return one(u.ID)
	case "externalid":
		return one(u.ExternalID)
	case "username":
		return one(u.UserName)
	case "displayname":
		return one(u.DisplayName)
	case "nickname":
		return one(u.NickName)
	case "title":
		return one(u.Title)
	case "usertype":
		return one(u.UserType)
	case "locale":
		return one(u.Locale)
	case "timezone":
		return one(u.Timezone)
	case "active":
		return []any{u.Active}
	case "name":
		return nameValues(u.Name, sub)
	case "emails":
		return multiValues(u.Emails, sub)
	case "phonenumbers":
		return multiValues(u.PhoneNumbers, sub)
	case "groups":
		vals, disp := make([]string, len(u.Groups)), make([]string, len(u.Groups))
		for i, g := range u.Groups {
			vals[i], disp[i] = g.Value, g.Display
		}
		return refValues(vals, disp, sub)
	case "meta":
		return metaValues(u.Meta, sub)
	}
	return nil
}

func nameValues(n Name, sub string) []any {
	parts := map[string]string{
		"formatted": n.Formatted, "familyname": n.FamilyName, "givenname": n.GivenName,
		"middlename": n.MiddleName, "honorificprefix": n.HonorificPrefix, "honorificsuffix": n.HonorificSuffix,
	}
	if sub != "" {
		return one(parts[strings.ToLower(sub)])
	}
	if n.IsZero() {
		return nil
	}
	return []any{map[string]any{
		"formatted": n.Formatted, "familyName": n.FamilyName, "givenName": n.GivenName,
		"middleName": n.MiddleName, "honorificPrefix": n.HonorificPrefix, "honorificSuffix": n.HonorificSuffix,
	}}
}

type groupResolver struct{ g *Group }

func (r groupResolver) Values(p filter.AttrPath) []any {
	g := r.g
	if g == nil || !isCore(p.URN) && !strings.EqualFold(p.URN, "urn:okta:custom:group:1.0") {
		return nil
	}
	name := strings.ToLower(p.Name)
	if p.Sub != "" && name != "members" && name != "meta" {
		return nil
	}
	switch name {
	case "id":
		return one(g.ID)
	case "externalid":
		return one(g.ExternalID)
	case "displayname":
		return one(g.DisplayName)
	case "description":
		return one(g.Description)
	case "members":
		vals, disp := make([]string, len(g.Members)), make([]string, len(g.Members))
		for i, m := range g.Members {
			vals[i], disp[i] = m.Value, m.Display
		}
		return refValues(vals, disp, p.Sub)
	case "meta":
		return metaValues(g.Meta, p.Sub)
	}
	return nil
}
