package scim20

import (
	"encoding/json"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

type groupJSON struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	ExternalID  string    `json:"externalId,omitempty"`
	DisplayName string    `json:"displayName"`
	Members     []refJSON `json:"members"`
	Meta        *metaJSON `json:"meta"`
}

// EncodeGroup renders g as a SCIM 2.0 Group; location is its absolute URL ("" to leave it out),
// userBase the Users endpoint URL for the members' $ref ("" to leave them out). The neutral
// description has no place in the RFC 7643 Group and is not written.
func (c *Codec) EncodeGroup(g *backend.Group, location, userBase string) ([]byte, error) {
	j := groupJSON{
		Schemas: []string{GroupSchema}, ID: g.ID, ExternalID: g.ExternalID, DisplayName: g.DisplayName,
		Members: make([]refJSON, 0, len(g.Members)), Meta: meta("Group", g.Meta, location),
	}
	for _, m := range g.Members {
		ref := refJSON{Value: m.Value, Display: m.Display}
		if userBase != "" {
			ref.Ref = userBase + "/" + m.Value
		}
		j.Members = append(j.Members, ref)
	}
	return json.Marshal(j)
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
