package adapter

import (
	"fmt"
	"net/http"
	"slices"
	"unicode/utf8"

	"github.com/scimbridge/scimbridge/backend"
)

// The input rules every user and group body obeys before the application sees it, whatever the
// dialect: no control characters (a NUL or an escape sequence in a userName is never meant, and
// legacy applications store or compare them unpredictably), no string longer than
// scim.maxStringLength, and none longer than the backend's limit for its attribute (the
// mapping's maxLength or the application's XSD maxLength, docs/mapping.md#maxlength). Invalid UTF-8 is refused by the codecs before decoding, since decoding
// would silently turn it into U+FFFD. Messages name the attribute, never the value.

// badString describes what is wrong with one string value, "" when nothing is.
func badString(v string, max int) string {
	for _, r := range v {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			return "contains a control character"
		}
	}
	if n := utf8.RuneCountInString(v); n > max {
		return fmt.Sprintf("is %d characters long; the limit is %d (scim.maxStringLength)", n, max)
	}
	return ""
}

// stringChecker collects the first problem of the strings it is shown.
type stringChecker struct {
	max int
	// limits are the backend's per-attribute limits (backend.LengthLimiter), keyed as attr is.
	limits  map[string]backend.MaxLength
	problem string
}

func (c *stringChecker) check(attr, v string) {
	if c.problem != "" {
		return
	}
	if why := badString(v, c.max); why != "" {
		c.problem = attr + " " + why
		return
	}
	if l, ok := c.limits[attr]; ok && len(v) > l.Limit { // bytes ≥ characters: count only when it may matter
		if n := utf8.RuneCountInString(v); n > l.Limit {
			c.problem = fmt.Sprintf("%s is %d characters long; the limit is %d (%s)", attr, n, l.Limit, l.Source)
		}
	}
}

// value checks a decoded extension value, keys included.
func (c *stringChecker) value(attr string, v any) {
	switch t := v.(type) {
	case string:
		c.check(attr, t)
	case []any:
		for _, e := range t {
			c.value(attr, e)
		}
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		slices.Sort(keys) // the first problem reported is stable
		for _, k := range keys {
			c.check(attr+" (a key)", k)
			c.value(attr+"."+k, t[k])
		}
	}
}

func (c *stringChecker) err() error {
	if c.problem == "" {
		return nil
	}
	return newProblem(http.StatusBadRequest, codeBadRequest, "The request carries an invalid value: "+c.problem)
}

// checkUserStrings applies the input rules to every string of u.
func checkUserStrings(u *backend.User, max int, limits map[string]backend.MaxLength) error {
	c := &stringChecker{max: max, limits: limits}
	for _, f := range []struct {
		attr string
		v    string
	}{
		{"id", u.ID}, {"externalId", u.ExternalID}, {"userName", u.UserName}, {"displayName", u.DisplayName},
		{"nickName", u.NickName}, {"title", u.Title}, {"userType", u.UserType}, {"locale", u.Locale},
		{"timezone", u.Timezone}, {"password", u.Password},
		{"name.formatted", u.Name.Formatted}, {"name.familyName", u.Name.FamilyName}, {"name.givenName", u.Name.GivenName},
		{"name.middleName", u.Name.MiddleName}, {"name.honorificPrefix", u.Name.HonorificPrefix},
		{"name.honorificSuffix", u.Name.HonorificSuffix},
	} {
		c.check(f.attr, f.v)
	}
	for _, mv := range [...]struct {
		attr string
		vs   []backend.MultiValue
	}{{"emails", u.Emails}, {"phoneNumbers", u.PhoneNumbers}} {
		for _, v := range mv.vs {
			c.check(mv.attr+".value", v.Value)
			c.check(mv.attr+".type", v.Type)
			c.check(mv.attr+".display", v.Display)
		}
	}
	c.value("enterprise", u.Enterprise)
	c.value("custom", u.Custom)
	return c.err()
}

// checkGroupStrings applies the input rules to every string of a group body.
func checkGroupStrings(in *groupInput, max int, limits map[string]backend.MaxLength) error {
	c := &stringChecker{max: max, limits: limits}
	c.check("displayName", in.displayName)
	c.check("description", in.description)
	c.check("externalId", in.externalID)
	for _, m := range in.members {
		c.check("members.value", m.Value)
		c.check("members.display", m.Display)
	}
	return c.err()
}
