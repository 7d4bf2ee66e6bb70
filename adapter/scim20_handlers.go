package adapter

import (
	"net/http"

	"github.com/gorilla/mux"

	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
)

// The SCIM 2.0 routes and what only SCIM 2.0 has: PATCH (applied to the current resource, then
// stored through the same core path as PUT, so activation, passwords and the group guards obey
// the same rules) and DELETE with If-Match. Everything else is the shared handlers over wire20.

func (s *server) routes20(r *mux.Router) {
	d := s.w20
	h := func(path, method string, hf http.HandlerFunc) {
		r.HandleFunc(prefix20+path, s.route(prefix20+path, hf)).Methods(withHead(method)...)
	}
	h("/ServiceProviderConfig", http.MethodGet, s.serviceProviderConfig20)
	h("/ServiceProviderConfigs", http.MethodGet, s.serviceProviderConfig20)
	h("/ResourceTypes", http.MethodGet, s.resourceTypes20)
	h("/ResourceTypes/{id}", http.MethodGet, s.resourceTypes20)
	h("/Schemas", http.MethodGet, s.schemas20)
	h("/Schemas/{id}", http.MethodGet, s.schemas20)
	h("/Users", http.MethodGet, listHandler(s, d, users))
	h("/Users/.search", http.MethodPost, s.searchHandler(listHandler(s, d, users)))
	h("/Groups/.search", http.MethodPost, s.searchHandler(listHandler(s, d, groups)))
	h("/.search", http.MethodPost, s.searchAll())
	h("/Users", http.MethodPost, createHandler(s, d, users))
	h("/Users/{id}", http.MethodGet, getHandler(s, d, users))
	h("/Users/{id}", http.MethodPut, replaceHandler(s, d, users))
	h("/Users/{id}", http.MethodPatch, s.patchUser20())
	h("/Users/{id}", http.MethodDelete, s.deleteUser20())
	h("/Groups", http.MethodGet, listHandler(s, d, groups))
	h("/Groups", http.MethodPost, createHandler(s, d, groups))
	h("/Groups/{id}", http.MethodGet, getHandler(s, d, groups))
	h("/Groups/{id}", http.MethodPut, replaceHandler(s, d, groups))
	h("/Groups/{id}", http.MethodPatch, s.patchGroup20())
	h("/Groups/{id}", http.MethodDelete, s.deleteGroup20())
}

func (s *server) readPatch(r *http.Request) ([]scim20.Operation, error) {
	data, err := s.readBody(r)
	if err != nil {
		return nil, err
	}
	ops, err := scim20.DecodePatch(data)
	if err != nil {
		return nil, decodeFailure("PatchOp", err, true)
	}
	return ops, nil
}

// writePatched answers a successful PATCH: 200 with the resource, or 204 as configured.
func (s *server) writePatched(w http.ResponseWriter, version string, write func() error) error {
	if s.cfg.SCIM2.PatchStatus == http.StatusNoContent {
		if version != "" {
			w.Header().Set("ETag", scim20.ETag(version))
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return write()
}

// patchUser20 applies the operations to the current user and stores the result through the same
// core path as PUT.
func (s *server) patchUser20() http.HandlerFunc {
	d := s.w20
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		ops, err := s.readPatch(r)
		if err != nil {
			return err
		}
		stored, err := s.replaceUser(r.Context(), id, func(cur *backend.User) (*userInput, error) {
			if err := d.precondition(r, cur.Meta.Version); err != nil {
				return nil, err
			}
			in, err := d.codec.PatchUser(cur, ops)
			if err != nil {
				return nil, decodeFailure("PatchOp", err, true)
			}
			u := userInput20(in)
			return u, s.checkUser(r.Context(), u, d.customURN())
		})
		if err != nil {
			return err
		}
		return s.writePatched(w, stored.Meta.Version, func() error { return writeOne(w, r, d, users, http.StatusOK, stored) })
	})
}

// deleteUser20 deletes when the backend can; otherwise it deactivates or refuses, as configured
// (scim2.deleteUser). Entra may delete; the Okta agent never does.
func (s *server) deleteUser20() http.HandlerFunc {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		check := func(version string) error { return s.w20.precondition(r, version) }
		var err error
		switch {
		case s.caps.DeleteUser:
			if r.Header.Get("If-Match") == "" {
				check = nil
			}
			err = s.deleteUser(r.Context(), id, check)
		case s.cfg.SCIM2.DeleteUser == "deactivate" && s.caps.GetUser && s.caps.ReplaceUser && s.caps.Activation:
			err = s.deactivateUser(r.Context(), id, check)
		default:
			why := "scim2.deleteUser is refuse"
			if s.cfg.SCIM2.DeleteUser == "deactivate" {
				why = "nor can the connector deactivate users there"
			}
			err = newProblem(http.StatusNotImplemented, codeNotImplemented,
				"This connector does not delete users (the application behind it cannot, and "+why+")")
		}
		if err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// patchGroup20 applies the operations to the current group and turns the resulting member list
// into a change through the same diff and guards as a PUT.
func (s *server) patchGroup20() http.HandlerFunc {
	d := s.w20
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		ops, err := s.readPatch(r)
		if err != nil {
			return err
		}
		stored, err := s.updateGroup(r.Context(), id, "PATCH", func(cur *backend.Group) (*groupInput, error) {
			if err := d.precondition(r, cur.Meta.Version); err != nil {
				return nil, err
			}
			in, err := d.codec.PatchGroup(cur, ops)
			if err != nil {
				return nil, decodeFailure("PatchOp", err, true)
			}
			g := groupInput20(in)
			g.wholeList = true
			return g, checkGroupStrings(g, s.cfg.MaxStringLength, s.groupLimits)
		})
		if err != nil {
			return err
		}
		return s.writePatched(w, stored.Meta.Version, func() error { return writeOne(w, r, d, groups, http.StatusOK, stored) })
	})
}

func (s *server) deleteGroup20() http.HandlerFunc {
	return s.withID(func(w http.ResponseWriter, r *http.Request, id string) error {
		var check func(string) error
		if r.Header.Get("If-Match") != "" {
			check = func(version string) error { return s.w20.precondition(r, version) }
		}
		if err := s.deleteGroup(r.Context(), id, check); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}
