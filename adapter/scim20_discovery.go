package adapter

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
)

// SCIM 2.0 discovery: /ServiceProviderConfig, /ResourceTypes and /Schemas (RFC 7644 §4).

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
		Sort:           true, // by the application where the mapping says, else in the bridge (core_sort.go)
		MaxPayloadSize: s.cfg.MaxBodyBytes,
		MaxResults:     s.cfg.MaxPageSize,
		AuthScheme:     scheme,
		// Listed only when the bridge offers less than a SCIM 2.0 client assumes (everything but
		// the 1.1-only incremental import), so that it can skip what is missing.
		OktaCapabilities: s.okta20(),
	}, s.w20.base(r))
	if err != nil {
		writeBackendError(w, r, err, op{resource: "configuration"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// okta20 is the advertised capability list when it lacks one a SCIM 2.0 client assumes, else nil.
func (s *server) okta20() []string {
	for _, c := range AllCapabilities {
		if c != CapIncrementalImports && !slices.Contains(s.okta, c) {
			return s.okta
		}
	}
	return nil
}

func (s *server) hasGroups() bool { return s.caps.GetGroup || s.caps.ListGroups }

// discoveryList answers a discovery listing in the dialect's list shape (the documents in
// order), or one document when the path has an id (any key of docs, ignoring case).
func (s *server) discoveryList(w http.ResponseWriter, r *http.Request, d wire, docs map[string][]byte, order []string, what string) {
	if raw, ok := mux.Vars(r)["id"]; ok {
		id, err := url.PathUnescape(raw)
		for k, doc := range docs {
			if err == nil && strings.EqualFold(k, id) && doc != nil {
				writeJSON(w, http.StatusOK, doc)
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
	body, err := d.encodeList(&listRequest{query: backend.Query{StartIndex: 1}}, len(items), items)
	if err != nil {
		writeBackendError(w, r, err, op{resource: what})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) resourceTypes20(w http.ResponseWriter, r *http.Request) {
	s.discoveryList(w, r, s.w20, s.w20.codec.ResourceTypes(s.w20.base(r), s.hasGroups()), []string{"User", "Group"}, "resource type")
}

func (s *server) schemas20(w http.ResponseWriter, r *http.Request) {
	order := []string{scim20.UserSchema, scim20.EnterpriseSchema, s.w20.codec.CustomURN(), scim20.GroupSchema}
	s.discoveryList(w, r, s.w20, s.w20.codec.Schemas(s.w20.base(r), s.hasGroups(), s.customAttributes(), s.caps.UserAttributes, s.attrTypes), order, "schema")
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
