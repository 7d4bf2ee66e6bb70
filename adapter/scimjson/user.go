package scimjson

import "github.com/scimbridge/scimbridge/backend"

// UserDialect is what differs between the SCIM 1.1 and 2.0 encodings of a user: the schema
// URNs, how one multi-valued entry is written (1.1 always writes "primary", 2.0 only when true)
// and how a group reference is written. The rest of a user's JSON is the same in both and is
// written once, here.
type UserDialect struct {
	CoreSchema, EnterpriseSchema, CustomURN string
	MultiValues                             func(dst []byte, key string, vs []backend.MultiValue) []byte
	Group                                   func(dst []byte, g *backend.GroupRef) []byte
}

// AppendUserCore appends a user's object from `{"schemas":[…]` through "groups", in the order and
// with the omitempty rules of the struct encodings it replaced, leaving the object open for the
// dialect's meta and the extensions (AppendUserExtensions). u.Password is never written.
func AppendUserCore(dst []byte, u *backend.User, d *UserDialect) []byte {
	dst = append(dst, `{"schemas":[`...)
	dst = AppendString(dst, d.CoreSchema)
	if len(u.Enterprise) > 0 {
		dst = append(dst, ',')
		dst = AppendString(dst, d.EnterpriseSchema)
	}
	if len(u.Custom) > 0 {
		dst = append(dst, ',')
		dst = AppendString(dst, d.CustomURN)
	}
	dst = append(dst, `],"id":`...)
	dst = AppendString(dst, u.ID)
	dst = AppendOpt(dst, "externalId", u.ExternalID)
	dst = append(dst, `,"userName":`...)
	dst = AppendString(dst, u.UserName)
	dst = AppendName(dst, &u.Name)
	dst = AppendOpt(dst, "displayName", u.DisplayName)
	dst = AppendOpt(dst, "nickName", u.NickName)
	dst = AppendOpt(dst, "title", u.Title)
	dst = AppendOpt(dst, "userType", u.UserType)
	dst = AppendOpt(dst, "locale", u.Locale)
	dst = AppendOpt(dst, "timezone", u.Timezone)
	dst = append(dst, `,"active":`...)
	dst = AppendBool(dst, u.Active)
	dst = d.MultiValues(dst, "emails", u.Emails)
	dst = d.MultiValues(dst, "phoneNumbers", u.PhoneNumbers)
	if len(u.Groups) > 0 {
		dst = append(dst, `,"groups":[`...)
		for i := range u.Groups {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = d.Group(dst, &u.Groups[i])
		}
		dst = append(dst, ']')
	}
	return dst
}

// AppendUserExtensions appends the enterprise and custom extension objects a user carries.
func AppendUserExtensions(dst []byte, u *backend.User, d *UserDialect) ([]byte, error) {
	var err error
	if len(u.Enterprise) > 0 {
		dst = AppendKey(dst, true, d.EnterpriseSchema)
		if dst, err = AppendObject(dst, u.Enterprise); err != nil {
			return nil, err
		}
	}
	if len(u.Custom) > 0 {
		dst = AppendKey(dst, true, d.CustomURN)
		if dst, err = AppendObject(dst, u.Custom); err != nil {
			return nil, err
		}
	}
	return dst, nil
}
