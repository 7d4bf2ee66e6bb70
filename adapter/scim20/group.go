package scim20

import (
	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

// EncodeGroup renders g as a SCIM 2.0 Group; location is its absolute URL ("" to leave it out),
// userBase the Users endpoint URL for the members' $ref ("" to leave them out). The neutral
// description has no place in the RFC 7643 Group and is not written.
func (c *Codec) EncodeGroup(g *backend.Group, location, userBase string) ([]byte, error) {
	dst := make([]byte, 0, 192+96*len(g.Members))
	dst = append(dst, `{"schemas":["`+GroupSchema+`"],"id":`...)
	dst = scimjson.AppendString(dst, g.ID)
	dst = scimjson.AppendOpt(dst, "externalId", g.ExternalID)
	dst = append(dst, `,"displayName":`...)
	dst = scimjson.AppendString(dst, g.DisplayName)
	dst = append(dst, `,"members":[`...)
	for i, m := range g.Members {
		if i > 0 {
			dst = append(dst, ',')
		}
		ref := ""
		if userBase != "" {
			ref = userBase + "/" + m.Value
		}
		dst = appendRef(dst, m.Value, ref, m.Display)
	}
	dst = append(dst, ']')
	dst = appendMeta(dst, "Group", g.Meta, location)
	return append(dst, '}'), nil
}

// MemberInput is one entry of a group body's `members` (Delete is never set in SCIM 2.0).
type MemberInput = scimjson.Member

// GroupInput is a decoded group body.
type GroupInput struct {
	ID             string // what the client sent; never used as the stored id
	DisplayName    string
	DisplayNameSet bool
	ExternalID     string
	ExternalIDSet  bool
	Members        []MemberInput
	MembersSet     bool
}

// DecodeGroup decodes a SCIM 2.0 Group body.
func (c *Codec) DecodeGroup(data []byte) (*GroupInput, error) {
	// As DecodeUser: the common shape without generic maps, the rest the generic way. Extension
	// keys are not read in a 2.0 group.
	if fg, ok := scimjson.DecodeGroupFast(data, false); ok {
		return &GroupInput{ID: fg.ID, ExternalID: fg.ExternalID, ExternalIDSet: fg.ExternalIDPresent,
			DisplayName: fg.DisplayName, DisplayNameSet: fg.DisplayNameSet,
			Members: fg.Members, MembersSet: fg.MembersPresent && !fg.MembersNull}, nil
	}
	return c.decodeGroupGeneric(data)
}

// decodeGroupGeneric is DecodeGroup over generic maps: the definition of what a body means.
func (c *Codec) decodeGroupGeneric(data []byte) (*GroupInput, error) {
	m, err := scimjson.Parse(data, "group")
	if err != nil {
		return nil, err
	}
	return decodeGroupDoc(m)
}

func decodeGroupDoc(doc map[string]any) (*GroupInput, error) {
	m, _ := scimjson.Lower(doc)
	in := &GroupInput{}
	var err error
	if in.ID, err = scimjson.Str(m["id"], "id"); err != nil {
		return nil, err
	}
	if v, ok := m["externalid"]; ok {
		if in.ExternalID, err = scimjson.Str(v, "externalId"); err != nil {
			return nil, err
		}
		in.ExternalIDSet = true
	}
	if v, ok := m["displayname"]; ok && v != nil {
		if in.DisplayName, err = scimjson.Str(v, "displayName"); err != nil {
			return nil, err
		}
		in.DisplayNameSet = true
	}
	if v, ok := m["members"]; ok {
		// Okta may send "members": null in a rename; that means "no change", not "empty".
		if v != nil {
			in.MembersSet = true
		}
		if in.Members, err = scimjson.Members(v, false); err != nil {
			return nil, err
		}
	}
	return in, nil
}
