package adapter

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// The SCIM 2.0 front end: only the wire (scim20 codec, RFC error shape, discovery) lives here;
// every decision shared with SCIM 1.1 (password ledger, activation default, group diff and
// guards, paging, filter normalisation, the error kind table) goes through the same functions as
// the 1.1 handlers.

const prefix20 = "/scim/v2"

func (s *server) routes20(r *mux.Router) {
	handle := func(path, method string, h http.HandlerFunc) {
		r.HandleFunc(prefix20+path, s.route(prefix20+path, h)).Methods(method)
	}
	handle("/ServiceProviderConfig", http.MethodGet, s.serviceProviderConfig20)
	handle("/ServiceProviderConfigs", http.MethodGet, s.serviceProviderConfig20)
	handle("/ResourceTypes", http.MethodGet, s.resourceTypes20)
	handle("/ResourceTypes/{id}", http.MethodGet, s.resourceTypes20)
	handle("/Schemas", http.MethodGet, s.schemas20)
	handle("/Schemas/{id}", http.MethodGet, s.schemas20)
	handle("/Users", http.MethodGet, s.listUsers20)
	handle("/Users", http.MethodPost, s.createUser20)
	handle("/Users/{id}", http.MethodGet, s.getUser20)
	handle("/Users/{id}", http.MethodPut, s.replaceUser20)
	handle("/Users/{id}", http.MethodPatch, s.patchUser20)
	handle("/Users/{id}", http.MethodDelete, s.deleteUser20)
	handle("/Groups", http.MethodGet, s.listGroups20)
	handle("/Groups", http.MethodPost, s.createGroup20)
	handle("/Groups/{id}", http.MethodGet, s.getGroup20)
	handle("/Groups/{id}", http.MethodPut, s.replaceGroup20)
	handle("/Groups/{id}", http.MethodPatch, s.patchGroup20)
	handle("/Groups/{id}", http.MethodDelete, s.deleteGroup20)
	// Bulk, /Me and /.search are not offered (and not advertised): 501 in the RFC shape.
	r.PathPrefix(prefix20).HandlerFunc(s.route("unmatched", s.noResource))
}

// base20 is the absolute URL of /scim/v2 for meta.location and Location.
func (s *server) base20(r *http.Request) string {
	if s.cfg.SCIM2.BaseURL != "" {
		return strings.TrimRight(s.cfg.SCIM2.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + prefix20
}

func (s *server) normaliseAttrPath20(p filter.AttrPath, valuePath bool) (filter.AttrPath, error) {
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, scim20.UserSchema) || strings.EqualFold(p.URN, scim20.GroupSchema):
		return normaliseCorePath(p, valuePath), nil
	case s.codec20.IsCustomURN(p.URN):
		p.URN = backend.CustomSchema
		return p, nil
	case strings.EqualFold(p.URN, scim20.EnterpriseSchema):
		p.URN = backend.EnterpriseSchema
		return p, nil
	}
	return p, fmt.Errorf("The filter uses the schema [%s], which this connector does not know; custom attributes are under [%s] (scim2.customSchemaURN)",
		p.URN, s.codec20.CustomURN())
}

// writeDecodeError20 answers a body the codec refused, with the scimType the codec chose.
func writeDecodeError20(w http.ResponseWriter, r *http.Request, what string, err error) {
	msg, code := "the "+what+" body is not valid", codeBadRequest
	var de *scim20.DecodeError
	if errors.As(err, &de) {
		msg = de.Msg
		switch de.ScimType {
		case "invalidSyntax":
			code = codeInvalidSyntax
		case "invalidPath":
			code = codeInvalidPath
		case "noTarget":
			code = codeNoTarget
		case "mutability":
			code = codeMutability
		}
	}
	writeError(w, r, http.StatusBadRequest, code, "Cannot deserialize the "+what+" sent by the client: "+msg)
}

// projection reads attributes / excludedAttributes (RFC 7644 §3.4.2.5).
func projection(r *http.Request) (attrs, excluded []string) {
	v, _ := url.ParseQuery(r.URL.RawQuery) // a bad query string was already refused by parseList
	split := func(name string) []string {
		raw, _ := queryParam(v, name)
		var out []string
		for _, a := range strings.Split(raw, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, a)
			}
		}
		return out
	}
	return split("attributes"), split("excludedAttributes")
}

// ifMatch enforces If-Match against the resource's version. Without a version there is nothing to
// compare, so the header is ignored, as etag.supported false tells clients.
func ifMatch(w http.ResponseWriter, r *http.Request, version string) bool {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" || version == "" || h == "*" {
		return true
	}
	want := strings.Trim(scim20.ETag(version)[2:], `"`)
	for _, tag := range strings.Split(h, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if strings.Trim(tag, `"`) == want {
			return true
		}
	}
	writeError(w, r, http.StatusPreconditionFailed, codePrecondition,
		"The resource has changed since the client read it (If-Match does not match its version); read it again and retry")
	return false
}

func (s *server) serviceProviderConfig20(w http.ResponseWriter, r *http.Request) {
	scheme := ""
	switch s.cfg.Auth.Mode {
	case "basic":
		scheme = "httpbasic"
	case "header":
		scheme = "oauthbearertoken"
	}
	c := s.caps
	body, err := scim20.ServiceProviderConfig(scim20.ProviderFeatures{
		Patch:          (c.GetUser && c.ReplaceUser) || (c.GetGroup && c.UpdateGroup),
		ChangePassword: slices.Contains(s.okta, CapPushPasswordUpdates),
		ETag:           s.versions,
		MaxResults:     s.cfg.MaxPageSize,
		AuthScheme:     scheme,
	}, s.base20(r))
	if err != nil {
		writeBackendError(w, r, err, op{resource: "configuration"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) hasGroups() bool { return s.caps.GetGroup || s.caps.ListGroups }

// discoveryList answers a discovery listing, or one document when the path has an id.
func (s *server) discoveryList(w http.ResponseWriter, r *http.Request, docs map[string][]byte, order []string, what string) {
	if raw, ok := mux.Vars(r)["id"]; ok {
		id, err := url.PathUnescape(raw)
		for _, k := range order {
			if err == nil && strings.EqualFold(k, id) && docs[k] != nil {
				writeJSON(w, http.StatusOK, docs[k])
				return
			}
		}
		writeError(w, r, http.StatusNotFound, codeNotFound, fmt.Sprintf("There is no %s [%s]", what, raw))
		return
	}
	var items [][]byte
	for _, k := range order {
		if docs[k] != nil {
			items = append(items, docs[k])
		}
	}
	body, err := scim20.EncodeList(len(items), 1, items)
	if err != nil {
		writeBackendError(w, r, err, op{resource: what})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) resourceTypes20(w http.ResponseWriter, r *http.Request) {
	s.discoveryList(w, r, s.codec20.ResourceTypes(s.base20(r), s.hasGroups()), []string{"User", "Group"}, "resource type")
}

func (s *server) schemas20(w http.ResponseWriter, r *http.Request) {
	order := []string{scim20.UserSchema, scim20.EnterpriseSchema, s.codec20.CustomURN(), scim20.GroupSchema}
	s.discoveryList(w, r, s.codec20.Schemas(s.base20(r), s.hasGroups(), s.customAttributes(), s.caps.UserAttributes), order, "schema")
}

// ---- users ----

func (s *server) encodeUser20(r *http.Request, u *backend.User) ([]byte, error) {
	body, err := s.codec20.EncodeUser(u, s.base20(r)+"/Users/"+url.PathEscape(u.ID))
	if err != nil {
		return nil, err
	}
	attrs, excluded := projection(r)
	return scim20.Project(body, attrs, excluded)
}

func (s *server) writeUser20(w http.ResponseWriter, r *http.Request, status int, u *backend.User) {
	body, err := s.encodeUser20(r, u)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: u.ID})
		return
	}
	if u.Meta.Version != "" {
		w.Header().Set("ETag", scim20.ETag(u.Meta.Version))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", s.base20(r)+"/Users/"+url.PathEscape(u.ID))
	}
	writeJSON(w, status, body)
}

func (s *server) listUsers20(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := s.queryUsers(w, r)
	if !ok {
		return
	}
	items := make([][]byte, 0, len(page.Users))
	for i := range page.Users {
		b, err := s.encodeUser20(r, &page.Users[i])
		if err != nil {
			writeBackendError(w, r, err, op{resource: "user", list: true})
			return
		}
		items = append(items, b)
	}
	body, err := scim20.EncodeList(page.Total, lr.query.StartIndex, items)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", list: true})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) getUser20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	u, err := s.b.GetUser(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return
	}
	s.writeUser20(w, r, http.StatusOK, u)
}

// checkUser20 applies the checks every decoded v2 user gets, whatever produced it.
func (s *server) checkUser20(w http.ResponseWriter, r *http.Request, in *scim20.UserInput) bool {
	if len(in.IgnoredExtensions) > 0 {
		s.log.Warn("user body carries extension attributes under an unknown schema; they are ignored",
			"request_id", infoFrom(r.Context()).id, "schemas", in.IgnoredExtensions, "configured", s.codec20.CustomURN())
	}
	if strings.TrimSpace(in.User.UserName) == "" {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the user sent by the client: userName is required")
		return false
	}
	return true
}

func (s *server) decodeUser20(w http.ResponseWriter, r *http.Request) (*scim20.UserInput, bool) {
	data, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	in, err := s.codec20.DecodeUser(data)
	if err != nil {
		writeDecodeError20(w, r, "user", err)
		return nil, false
	}
	return in, s.checkUser20(w, r, in)
}

func (s *server) createUser20(w http.ResponseWriter, r *http.Request) {
	in, ok := s.decodeUser20(w, r)
	if !ok {
		return
	}
	if created, ok := s.createUserCore(w, r, in.User, in.ActiveSet); ok {
		s.writeUser20(w, r, http.StatusCreated, created)
	}
}

func (s *server) replaceUser20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	in, ok := s.decodeUser20(w, r)
	if !ok {
		return
	}
	current, err := s.b.GetUser(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return
	}
	if !ifMatch(w, r, current.Meta.Version) {
		return
	}
	if stored, ok := s.replaceUserCore(w, r, id, in.User, in.ActiveSet, current); ok {
		s.writeUser20(w, r, http.StatusOK, stored)
	}
}

func (s *server) decodePatch(w http.ResponseWriter, r *http.Request) ([]scim20.Operation, bool) {
	data, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	ops, err := scim20.DecodePatch(data)
	if err != nil {
		writeDecodeError20(w, r, "PatchOp", err)
		return nil, false
	}
	return ops, true
}

// writePatched answers a successful PATCH: 200 with the resource, or 204 as configured.
func (s *server) writePatched(w http.ResponseWriter, r *http.Request, version string, write func()) {
	if s.cfg.SCIM2.PatchStatus == http.StatusNoContent {
		if version != "" {
			w.Header().Set("ETag", scim20.ETag(version))
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	write()
}

// patchUser20 applies the operations to the current user and stores the result through the same
// path as PUT, so activation, deactivation and password pushes by PATCH obey the same rules.
func (s *server) patchUser20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	ops, ok := s.decodePatch(w, r)
	if !ok {
		return
	}
	current, err := s.b.GetUser(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return
	}
	if !ifMatch(w, r, current.Meta.Version) {
		return
	}
	in, err := s.codec20.PatchUser(current, ops)
	if err != nil {
		writeDecodeError20(w, r, "PatchOp", err)
		return
	}
	if !s.checkUser20(w, r, in) {
		return
	}
	stored, ok := s.replaceUserCore(w, r, id, in.User, in.ActiveSet, current)
	if !ok {
		return
	}
	s.writePatched(w, r, stored.Meta.Version, func() { s.writeUser20(w, r, http.StatusOK, stored) })
}

// deleteUser20 deletes when the backend can; otherwise it deactivates or refuses, as configured
// (scim2.deleteUser). Entra may delete; the Okta agent never does.
func (s *server) deleteUser20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	ctx := r.Context()
	switch {
	case s.caps.DeleteUser:
		if s.caps.GetUser && r.Header.Get("If-Match") != "" {
			cur, err := s.b.GetUser(ctx, id)
			if err != nil {
				writeBackendError(w, r, err, op{resource: "user", id: id})
				return
			}
			if !ifMatch(w, r, cur.Meta.Version) {
				return
			}
		}
		if err := s.b.DeleteUser(ctx, id); err != nil {
			writeBackendError(w, r, err, op{resource: "user", id: id})
			return
		}
	case s.cfg.SCIM2.DeleteUser == "deactivate" && s.caps.GetUser && s.caps.ReplaceUser && s.caps.Activation:
		cur, err := s.b.GetUser(ctx, id)
		if err != nil {
			writeBackendError(w, r, err, op{resource: "user", id: id})
			return
		}
		if !ifMatch(w, r, cur.Meta.Version) {
			return
		}
		if cur.Active {
			u := *cur
			u.Active, u.Password, u.Groups = false, "", nil
			if _, err := s.b.ReplaceUser(ctx, id, &u); err != nil {
				writeBackendError(w, r, err, op{resource: "user", id: id})
				return
			}
		}
		infoFrom(ctx).add(slog.String("delete", "deactivated"))
	default:
		why := "scim2.deleteUser is refuse"
		if s.cfg.SCIM2.DeleteUser == "deactivate" {
			why = "nor can the connector deactivate users there"
		}
		writeError(w, r, http.StatusNotImplemented, codeNotImplemented,
			"This connector does not delete users (the application behind it cannot, and "+why+")")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// ---- groups ----

func (s *server) encodeGroup20(r *http.Request, g *backend.Group) ([]byte, error) {
	base := s.base20(r)
	body, err := s.codec20.EncodeGroup(g, base+"/Groups/"+url.PathEscape(g.ID), base+"/Users")
	if err != nil {
		return nil, err
	}
	attrs, excluded := projection(r)
	return scim20.Project(body, attrs, excluded)
}

func (s *server) writeGroup20(w http.ResponseWriter, r *http.Request, status int, g *backend.Group) {
	body, err := s.encodeGroup20(r, g)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: g.ID})
		return
	}
	if g.Meta.Version != "" {
		w.Header().Set("ETag", scim20.ETag(g.Meta.Version))
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", s.base20(r)+"/Groups/"+url.PathEscape(g.ID))
	}
	writeJSON(w, status, body)
}

func (s *server) listGroups20(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := s.queryGroups(w, r)
	if !ok {
		return
	}
	items := make([][]byte, 0, len(page.Groups))
	for i := range page.Groups {
		b, err := s.encodeGroup20(r, &page.Groups[i])
		if err != nil {
			writeBackendError(w, r, err, op{resource: "group", list: true})
			return
		}
		items = append(items, b)
	}
	body, err := scim20.EncodeList(page.Total, lr.query.StartIndex, items)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", list: true})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) getGroup20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	g, err := s.b.GetGroup(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	s.writeGroup20(w, r, http.StatusOK, g)
}

func (s *server) decodeGroup20(w http.ResponseWriter, r *http.Request) (*scim20.GroupInput, bool) {
	data, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	in, err := s.codec20.DecodeGroup(data)
	if err != nil {
		writeDecodeError20(w, r, "group", err)
		return nil, false
	}
	return in, true
}

func members11(in []scim20.MemberInput) []scim11.MemberInput {
	out := make([]scim11.MemberInput, len(in))
	for i, m := range in {
		out[i] = scim11.MemberInput{Value: m.Value, Display: m.Display}
	}
	return out
}

func (s *server) createGroup20(w http.ResponseWriter, r *http.Request) {
	in, ok := s.decodeGroup20(w, r)
	if !ok {
		return
	}
	if !in.DisplayNameSet || in.DisplayName == "" {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the group sent by the client: displayName is required")
		return
	}
	g := backend.Group{DisplayName: in.DisplayName, ExternalID: in.ExternalID}
	for _, m := range in.Members {
		g.Members = append(g.Members, backend.Member{Value: m.Value, Display: m.Display})
	}
	if created, ok := s.createGroupCore(w, r, g); ok {
		s.writeGroup20(w, r, http.StatusCreated, created)
	}
}

func (s *server) replaceGroup20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	in, ok := s.decodeGroup20(w, r)
	if !ok {
		return
	}
	cur, err := s.b.GetGroup(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	if !ifMatch(w, r, cur.Meta.Version) {
		return
	}
	// A PUT is a whole-object body like the 1.1 PUT, so groups.membership applies to it as well.
	stored, ok := s.updateGroupCore(w, r, id, cur, groupIntent{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		members: members11(in.Members), membersSet: in.MembersSet,
	}, "PUT")
	if ok {
		s.writeGroup20(w, r, http.StatusOK, stored)
	}
}

// patchGroup20 applies the operations to the current group and turns the resulting member list
// into a GroupChange through the same diff and guards as a PUT.
func (s *server) patchGroup20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	ops, ok := s.decodePatch(w, r)
	if !ok {
		return
	}
	cur, err := s.b.GetGroup(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	if !ifMatch(w, r, cur.Meta.Version) {
		return
	}
	in, err := s.codec20.PatchGroup(cur, ops)
	if err != nil {
		writeDecodeError20(w, r, "PatchOp", err)
		return
	}
	stored, ok := s.updateGroupCore(w, r, id, cur, groupIntent{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		members: members11(in.Members), membersSet: in.MembersSet, wholeList: true,
	}, "PATCH")
	if !ok {
		return
	}
	s.writePatched(w, r, stored.Meta.Version, func() { s.writeGroup20(w, r, http.StatusOK, stored) })
}

func (s *server) deleteGroup20(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	if r.Header.Get("If-Match") != "" {
		cur, err := s.b.GetGroup(r.Context(), id)
		if err != nil {
			writeBackendError(w, r, err, op{resource: "group", id: id})
			return
		}
		if !ifMatch(w, r, cur.Meta.Version) {
			return
		}
	}
	if err := s.b.DeleteGroup(r.Context(), id); err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// customAttributes names the custom extension's attributes for /Schemas: those the backend
// reports ("custom.<name>" in Capabilities.UserAttributes) and those configured in Options.
func (s *server) customAttributes() []string {
	out := slices.Clone(s.customAttrs)
	for _, a := range s.caps.UserAttributes {
		if name, ok := strings.CutPrefix(a, "custom."); ok && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}
