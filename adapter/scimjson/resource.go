package scimjson

import (
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// UserCore decodes the core User attributes both dialects share from m (keys lower-cased by
// Lower; orig holds the client's spelling) into u: the string attributes, the password, active,
// name, emails, phoneNumbers and groups. It reports whether a non-null `active` was present,
// since a PUT without it must not deactivate. Extensions are the caller's: their URNs differ.
func UserCore(m map[string]any, orig map[string]string, u *backend.User) (activeSet bool, err error) {
	for _, s := range []struct {
		key string
		dst *string
	}{
		{"id", &u.ID}, {"externalid", &u.ExternalID}, {"username", &u.UserName},
		{"displayname", &u.DisplayName}, {"nickname", &u.NickName}, {"title", &u.Title},
		{"usertype", &u.UserType}, {"locale", &u.Locale}, {"timezone", &u.Timezone},
		{"password", &u.Password},
	} {
		if v, ok := m[s.key]; ok {
			if *s.dst, err = Str(v, orig[s.key]); err != nil {
				return false, err
			}
		}
	}
	if v, ok := m["active"]; ok && v != nil {
		if u.Active, err = Bool(v, "active"); err != nil {
			return false, err
		}
		activeSet = true
	}
	if v, ok := m["name"]; ok {
		nm, err := Object(v, "name")
		if err != nil {
			return false, err
		}
		for _, p := range []struct {
			key string
			dst *string
		}{
			{"formatted", &u.Name.Formatted}, {"familyname", &u.Name.FamilyName},
			{"givenname", &u.Name.GivenName}, {"middlename", &u.Name.MiddleName},
			{"honorificprefix", &u.Name.HonorificPrefix}, {"honorificsuffix", &u.Name.HonorificSuffix},
		} {
			if *p.dst, err = Str(nm[p.key], "name."+p.key); err != nil {
				return false, err
			}
		}
	}
	if u.Emails, err = MultiValues(m["emails"], "emails"); err != nil {
		return false, err
	}
	if u.PhoneNumbers, err = MultiValues(m["phonenumbers"], "phoneNumbers"); err != nil {
		return false, err
	}
	if v, ok := m["groups"]; ok {
		items, err := Array(v, "groups")
		if err != nil {
			return false, err
		}
		for _, it := range items {
			o, err := Object(it, "groups")
			if err != nil {
				return false, err
			}
			var g backend.GroupRef
			if g.Value, err = Str(o["value"], "groups.value"); err != nil {
				return false, err
			}
			if g.Display, err = Str(o["display"], "groups.display"); err != nil {
				return false, err
			}
			u.Groups = append(u.Groups, g)
		}
	}
	return activeSet, nil
}

// MultiValues reads a multi-valued attribute of value/type/display/primary objects (emails,
// phoneNumbers); null entries are skipped.
func MultiValues(v any, attr string) ([]backend.MultiValue, error) {
	items, err := Array(v, attr)
	if err != nil {
		return nil, err
	}
	var out []backend.MultiValue
	for _, it := range items {
		o, err := Object(it, attr)
		if err != nil {
			return nil, err
		}
		if o == nil {
			continue
		}
		var mv backend.MultiValue
		if mv.Value, err = Str(o["value"], attr+".value"); err != nil {
			return nil, err
		}
		if mv.Type, err = Str(o["type"], attr+".type"); err != nil {
			return nil, err
		}
		if mv.Display, err = Str(o["display"], attr+".display"); err != nil {
			return nil, err
		}
		if mv.Primary, err = Bool(o["primary"], attr+".primary"); err != nil {
			return nil, err
		}
		out = append(out, mv)
	}
	return out, nil
}

// ExtensionMode says how Extension merges into what an earlier spelling of the same extension
// already filled.
type ExtensionMode struct {
	// Overwrite lets this object's keys replace keys already in dst.
	Overwrite bool
	// DropNulls leaves out null values ("no value" and "unassigned" are the same in SCIM 2.0).
	DropNulls bool
}

// Extension merges the extension object v (named urn in messages) into dst, created when nil,
// with numbers normalised (see Normalise).
func Extension(v any, urn string, dst map[string]any, mode ExtensionMode) (map[string]any, error) {
	if v == nil {
		return dst, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, Errorf(InvalidValue, "extension %q must be an object", urn)
	}
	if dst == nil {
		dst = make(map[string]any, len(m))
	}
	for _, k := range SortedKeys(m) {
		if m[k] == nil && mode.DropNulls {
			continue
		}
		if _, exists := dst[k]; exists && !mode.Overwrite {
			continue
		}
		dst[k] = Normalise(m[k])
	}
	return dst, nil
}

// Member is one entry of a group body's `members`.
type Member struct {
	Value   string
	Display string
	// Delete is the SCIM 1.1 delta syntax `{"value":"x","operation":"delete"}` used by Okta's
	// cloud 1.1 client: remove this member rather than list it.
	Delete bool
}

// Members reads a group's `members`; null entries are skipped, and every entry needs a value.
// With deltaOps the SCIM 1.1 `operation` key is read ("delete" or absent); without it the key
// is ignored.
func Members(v any, deltaOps bool) ([]Member, error) {
	items, err := Array(v, "members")
	if err != nil {
		return nil, err
	}
	out := []Member{}
	for _, it := range items {
		o, err := Object(it, "members")
		if err != nil {
			return nil, err
		}
		if o == nil {
			continue
		}
		var mi Member
		if mi.Value, err = Str(o["value"], "members.value"); err != nil {
			return nil, err
		}
		if mi.Display, err = Str(o["display"], "members.display"); err != nil {
			return nil, err
		}
		op := ""
		if deltaOps {
			if op, err = Str(o["operation"], "members.operation"); err != nil {
				return nil, err
			}
		}
		if err := mi.check(op); err != nil {
			return nil, err
		}
		out = append(out, mi)
	}
	return out, nil
}

// check applies the rules every member entry follows: the SCIM 1.1 operation op is "delete" or
// empty (any case), and the entry has a value.
func (mi *Member) check(op string) error {
	switch strings.ToLower(op) {
	case "":
	case "delete":
		mi.Delete = true
	default:
		return Errorf(InvalidValue, "members.operation must be \"delete\" or absent")
	}
	if mi.Value == "" {
		return Errorf(InvalidValue, "every entry of members needs a value (the member's user id)")
	}
	return nil
}
