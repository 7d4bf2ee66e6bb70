package adapter

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// wire11 is the SCIM 1.1 dialect (the agent's default): the scim11 codec, the Okta SDK's error
// shape and statuses, no preconditions.
type wire11 struct {
	codec *scim11.Codec
	cfg   *Config
}

func (*wire11) dialect() dialect { return scim11Dialect }

func (d *wire11) customURN() string { return d.codec.CustomURN() }

func (d *wire11) createdStatus() int { return d.cfg.CreatedStatus }

func (*wire11) resourceHeaders(http.ResponseWriter, *http.Request, string, string, string, int) {}

func (*wire11) precondition(*http.Request, string) error { return nil }

func (d *wire11) decodeUser(data []byte) (*userInput, error) {
	in, err := d.codec.DecodeUser(data)
	if err != nil {
		return nil, decodeFailure("user", err, false)
	}
	return &userInput{user: in.User, activeSet: in.ActiveSet, ignoredExtensions: in.IgnoredExtensions}, nil
}

func (d *wire11) decodeGroup(data []byte) (*groupInput, error) {
	in, err := d.codec.DecodeGroup(data)
	if err != nil {
		return nil, decodeFailure("group", err, false)
	}
	return &groupInput{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		description: in.Description, descriptionSet: in.DescriptionSet,
		externalID: in.ExternalID,
		members:    memberEdits(in.Members), membersSet: in.MembersSet,
	}, nil
}

// memberEdits turns a codec's member list into the core's.
func memberEdits(in []scim11.MemberInput) []memberEdit {
	out := make([]memberEdit, len(in))
	for i, m := range in {
		out[i] = memberEdit{Member: backend.Member{Value: m.Value, Display: m.Display}, remove: m.Delete}
	}
	return out
}

func (d *wire11) encodeUser(_ *http.Request, u *backend.User) ([]byte, error) {
	return d.codec.EncodeUser(u)
}

func (d *wire11) encodeGroup(_ *http.Request, g *backend.Group) ([]byte, error) {
	return d.codec.EncodeGroup(g)
}

func (d *wire11) encodeList(lr *listRequest, total int, items [][]byte) ([]byte, error) {
	return scim11.EncodeList(total, items, scim11.Paging{Paged: lr.paged, StartIndex: lr.query.StartIndex})
}

func (d *wire11) attrPath(p filter.AttrPath, valuePath bool) (filter.AttrPath, error) {
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, scim11.CoreSchema):
		return normaliseCorePath(p, valuePath), nil
	case d.codec.IsCustomURN(p.URN):
		p.URN = backend.CustomSchema
		return p, nil
	case strings.EqualFold(p.URN, scim11.EnterpriseSchema):
		p.URN = backend.EnterpriseSchema
		return p, nil
	case strings.EqualFold(p.URN, scim11.GroupExtensionSchema):
		p.URN = "" // the group description is a plain attribute of the neutral Group
		return p, nil
	}
	return p, fmt.Errorf("The filter uses the schema [%s], which this connector does not know; custom attributes of this app are under [%s] (check appName and customSchemaName)",
		p.URN, d.codec.CustomURN())
}

// routes11 serves SCIM 1.1 under prefix p ("/scim/v1" or the bare root).
func (s *server) routes11(r *mux.Router, p string) {
	d := s.w11
	h := func(path, method string, hf http.HandlerFunc) {
		r.HandleFunc(p+path, s.route(p+path, hf)).Methods(withHead(method)...)
	}
	h("/ServiceProviderConfigs", http.MethodGet, s.serviceProviderConfig)
	h("/ServiceProviderConfig", http.MethodGet, s.serviceProviderConfig)
	h("/Schemas", http.MethodGet, s.schemas11)
	h("/Schemas/{id}", http.MethodGet, s.schemas11)
	h("/ResourceTypes", http.MethodGet, s.resourceTypes11)
	h("/ResourceTypes/{id}", http.MethodGet, s.resourceTypes11)
	h("/Users", http.MethodGet, listHandler(s, d, users))
	h("/Users", http.MethodPost, createHandler(s, d, users))
	h("/Users/{id}", http.MethodGet, getHandler(s, d, users))
	h("/Users/{id}", http.MethodPut, replaceHandler(s, d, users))
	h("/Groups", http.MethodGet, listHandler(s, d, groups))
	h("/Groups", http.MethodPost, createHandler(s, d, groups))
	h("/Groups/{id}", http.MethodGet, getHandler(s, d, groups))
	h("/Groups/{id}", http.MethodPut, replaceHandler(s, d, groups))
	h("/Groups/{id}", http.MethodDelete, s.deleteGroup11())
}

// deleteGroup11 answers a delete with the configured status: the SDK's 200 with an empty body, or
// 204.
func (s *server) deleteGroup11() http.HandlerFunc {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		if err := s.deleteGroup(r.Context(), id, nil); err != nil {
			return err
		}
		if s.cfg.DeleteStatus == http.StatusOK {
			w.Header().Set("Content-Length", "0")
		}
		w.WriteHeader(s.cfg.DeleteStatus)
		return nil
	})
}
