package adapter

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/scimbridge/scimbridge/adapter/backend"
	"github.com/scimbridge/scimbridge/adapter/scim11"
)

func (s *server) decodeGroup(w http.ResponseWriter, r *http.Request) (*scim11.GroupInput, bool) {
	data, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	in, err := s.codec.DecodeGroup(data)
	if err != nil {
		msg := "the group body is not valid"
		var de *scim11.DecodeError
		if errors.As(err, &de) {
			msg = de.Msg
		}
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the group sent by the client: "+msg)
		return nil, false
	}
	return in, true
}

func (s *server) writeGroup(w http.ResponseWriter, r *http.Request, status int, g *backend.Group) {
	body, err := s.codec.EncodeGroup(g)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: g.ID})
		return
	}
	writeJSON(w, status, body)
}

func (s *server) listGroups(w http.ResponseWriter, r *http.Request) {
	lr, ok := s.parseList(w, r)
	if !ok {
		return
	}
	if !s.caps.ListGroups {
		// A backend without groups has none. Import downloads groups after users (§3.4), so an
		// empty list keeps user import working where a 501 would fail it.
		body, err := s.codec.EncodeGroupList(&backend.GroupPage{}, lr.paging)
		if err != nil {
			writeBackendError(w, r, err, op{resource: "group", list: true})
			return
		}
		writeJSON(w, http.StatusOK, body)
		return
	}
	page, err := s.b.ListGroups(r.Context(), lr.query)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", list: true})
		return
	}
	if len(page.Groups) > lr.query.Count && lr.query.Count >= 0 {
		page.Groups = page.Groups[:lr.query.Count]
	}
	if page.Total > len(page.Groups) && !lr.paging.Paged && lr.query.Count > 0 {
		lr.paging.Paged = true
	}
	body, err := s.codec.EncodeGroupList(page, lr.paging)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", list: true})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) getGroup(w http.ResponseWriter, r *http.Request) {
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
	s.writeGroup(w, r, http.StatusOK, g)
}

func (s *server) createGroup(w http.ResponseWriter, r *http.Request) {
	in, ok := s.decodeGroup(w, r)
	if !ok {
		return
	}
	if !in.DisplayNameSet || in.DisplayName == "" {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the group sent by the client: displayName is required")
		return
	}
	// The client's id is ignored (G9); delete-flagged members mean nothing on a create.
	g := backend.Group{DisplayName: in.DisplayName, Description: in.Description, ExternalID: in.ExternalID}
	seen := map[string]bool{}
	for _, m := range in.Members {
		if !m.Delete && !seen[m.Value] {
			seen[m.Value] = true
			g.Members = append(g.Members, backend.Member{Value: m.Value, Display: m.Display})
		}
	}
	created, err := s.b.CreateGroup(r.Context(), &g)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", create: true, name: in.DisplayName})
		return
	}
	s.writeGroup(w, r, s.cfg.CreatedStatus, created)
}

// groupPlan is what a group PUT will do, computed before anything is changed.
type groupPlan struct {
	change backend.GroupChange
	// refusal, when set, is why a guard refuses the PUT.
	refusal string
}

// planGroupPut computes the change a PUT asks for against the current group (G10).
//
// Members: in replace mode the list sent is the whole membership; in merge mode it only adds. In
// both modes entries carrying "operation":"delete" are removals, and a list containing any such
// entry is a delta (Okta's cloud SCIM 1.1 syntax), never a whole membership, so it cannot wipe the
// group by omission. A PUT without `members` leaves the membership alone.
func planGroupPut(cfg GroupsConfig, cur *backend.Group, in *scim11.GroupInput) groupPlan {
	var p groupPlan
	if in.DisplayNameSet && in.DisplayName != "" && in.DisplayName != cur.DisplayName {
		name := in.DisplayName
		p.change.DisplayName = &name
	}
	if in.DescriptionSet && in.Description != cur.Description {
		d := in.Description
		p.change.Description = &d
	}
	if !in.MembersSet {
		return p
	}
	current := map[string]bool{}
	for _, m := range cur.Members {
		current[m.Value] = true
	}
	desired, removals := map[string]bool{}, map[string]bool{}
	delta := cfg.Membership == "merge"
	for _, m := range in.Members {
		if m.Delete {
			removals[m.Value] = true
			delta = true
		}
	}
	var desiredOrder []string
	for _, m := range in.Members {
		if !m.Delete && !removals[m.Value] && !desired[m.Value] {
			desired[m.Value] = true
			desiredOrder = append(desiredOrder, m.Value)
		}
	}
	for _, id := range desiredOrder {
		if !current[id] {
			p.change.Add = append(p.change.Add, id)
		}
	}
	for _, m := range cur.Members {
		if removals[m.Value] || (!delta && !desired[m.Value]) {
			p.change.Remove = append(p.change.Remove, m.Value)
		}
	}
	remaining := len(cur.Members) - len(p.change.Remove) + len(p.change.Add)
	switch {
	case len(cur.Members) > 0 && len(p.change.Remove) > 0 && remaining == 0 && !cfg.AllowEmptying:
		p.refusal = fmt.Sprintf("Refusing to remove all %d members of group [%s]: this update would leave it empty. "+
			"If that is intended, set groups.allowEmptying: true in the scimbridge configuration.", len(cur.Members), cur.DisplayName)
	case cfg.MaxRemovals > 0 && len(p.change.Remove) > cfg.MaxRemovals:
		p.refusal = fmt.Sprintf("Refusing to remove %d members of group [%s] in one update: the limit is %d (groups.maxRemovals in the scimbridge configuration).",
			len(p.change.Remove), cur.DisplayName, cfg.MaxRemovals)
	}
	return p
}

func (s *server) replaceGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	in, ok := s.decodeGroup(w, r)
	if !ok {
		return
	}
	cur, err := s.b.GetGroup(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	plan := planGroupPut(s.cfg.Groups, cur, in)
	// G10 asks for group PUTs to be traceable until the agent's pattern is confirmed: log what was
	// asked and what it means (ids only; group bodies carry no secrets).
	sent := make([]string, 0, len(in.Members))
	for _, m := range in.Members {
		if m.Delete {
			sent = append(sent, m.Value+"(delete)")
		} else {
			sent = append(sent, m.Value)
		}
	}
	s.log.Info("group PUT", "request_id", infoFrom(r.Context()).id, "group_id", id,
		"membership_mode", s.cfg.Groups.Membership, "members_sent", in.MembersSet, "members", sent,
		"add", plan.change.Add, "remove", plan.change.Remove, "refused", plan.refusal != "")
	if plan.refusal != "" {
		// 409 rather than 400: the body is well-formed; it conflicts with the group's current
		// state under a safety setting, and re-sending the same body will not help until the
		// admin changes that setting (or the group).
		infoFrom(r.Context()).add(slog.String("group_guard", "refused"))
		writeError(w, r, http.StatusConflict, codeGroupGuard, plan.refusal)
		return
	}
	if plan.change.IsZero() {
		s.writeGroup(w, r, http.StatusOK, cur)
		return
	}
	stored, err := s.b.UpdateGroup(r.Context(), id, plan.change)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	s.writeGroup(w, r, http.StatusOK, stored)
}

func (s *server) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	if err := s.b.DeleteGroup(r.Context(), id); err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return
	}
	if s.cfg.DeleteStatus == http.StatusOK {
		w.Header().Set("Content-Length", "0") // the SDK's answer: 200 with an empty body
	}
	w.WriteHeader(s.cfg.DeleteStatus)
}
