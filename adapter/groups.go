package adapter

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
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

// queryGroups parses the list request and fetches the page, answering errors itself. A backend
// without groups has none: import downloads groups after users (docs/okta-agent-protocol.md#msg-import-users), so an empty list keeps user
// import working where a 501 would fail it.
func (s *server) queryGroups(w http.ResponseWriter, r *http.Request) (*listRequest, *backend.GroupPage, bool) {
	lr, ok := s.parseList(w, r)
	if !ok {
		return nil, nil, false
	}
	if !s.caps.ListGroups {
		return lr, &backend.GroupPage{}, true
	}
	page, err := s.b.ListGroups(r.Context(), lr.query)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", list: true})
		return nil, nil, false
	}
	if len(page.Groups) > lr.query.Count && lr.query.Count >= 0 {
		page.Groups = page.Groups[:lr.query.Count]
	}
	return lr, page, true
}

func (s *server) listGroups(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := s.queryGroups(w, r)
	if !ok {
		return
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
	// The client's id is ignored (docs/okta-agent-protocol.md#connector-assigns-ids); delete-flagged members mean nothing on a create.
	g := backend.Group{DisplayName: in.DisplayName, Description: in.Description, ExternalID: in.ExternalID}
	for _, m := range in.Members {
		if !m.Delete {
			g.Members = append(g.Members, backend.Member{Value: m.Value, Display: m.Display})
		}
	}
	if created, ok := s.createGroupCore(w, r, g); ok {
		s.writeGroup(w, r, s.cfg.CreatedStatus, created)
	}
}

// createGroupCore creates g, whatever the dialect, with each member once. It answers errors itself.
func (s *server) createGroupCore(w http.ResponseWriter, r *http.Request, g backend.Group) (*backend.Group, bool) {
	g.ID = ""
	seen := map[string]bool{}
	members := make([]backend.Member, 0, len(g.Members))
	for _, m := range g.Members {
		if !seen[m.Value] {
			seen[m.Value] = true
			members = append(members, m)
		}
	}
	g.Members = members
	created, err := s.b.CreateGroup(r.Context(), &g)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", create: true, name: g.DisplayName})
		return nil, false
	}
	return created, true
}

// groupPlan is what a group PUT will do, computed before anything is changed.
type groupPlan struct {
	change backend.GroupChange
	// refusal, when set, is why a guard refuses the PUT.
	refusal string
}

// groupIntent is what a group update asks for, whatever the dialect: a SCIM 1.1 PUT body, a
// SCIM 2.0 PUT body, or a SCIM 2.0 PATCH already applied to the current group.
type groupIntent struct {
	displayName    string
	displayNameSet bool
	description    string
	descriptionSet bool
	members        []scim11.MemberInput
	membersSet     bool
	// wholeList makes the member list the whole membership even in merge mode: a PATCH says
	// explicitly what it removes, so merge mode's protection against partial PUTs does not apply.
	wholeList bool
}

// planGroupPut computes the change a SCIM 1.1 PUT asks for against the current group
// (docs/okta-agent-protocol.md#group-put-uncertain).
func planGroupPut(cfg GroupsConfig, cur *backend.Group, in *scim11.GroupInput) groupPlan {
	return planGroup(cfg, cur, groupIntent{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		description: in.Description, descriptionSet: in.DescriptionSet,
		members: in.Members, membersSet: in.MembersSet,
	})
}

// planGroup computes the change an update asks for against the current group (group-put-uncertain), for both
// dialects.
//
// Members: in replace mode the list sent is the whole membership; in merge mode it only adds. In
// both modes entries carrying "operation":"delete" are removals, and a list containing any such
// entry is a delta (Okta's cloud SCIM 1.1 syntax), never a whole membership, so it cannot wipe the
// group by omission. An update without `members` leaves the membership alone. The empty-group and
// maxRemovals guards apply to every dialect.
func planGroup(cfg GroupsConfig, cur *backend.Group, in groupIntent) groupPlan {
	var p groupPlan
	if in.displayNameSet && in.displayName != "" && in.displayName != cur.DisplayName {
		name := in.displayName
		p.change.DisplayName = &name
	}
	if in.descriptionSet && in.description != cur.Description {
		d := in.description
		p.change.Description = &d
	}
	if !in.membersSet {
		return p
	}
	current := map[string]bool{}
	for _, m := range cur.Members {
		current[m.Value] = true
	}
	desired, removals := map[string]bool{}, map[string]bool{}
	delta := cfg.Membership == "merge" && !in.wholeList
	for _, m := range in.members {
		if m.Delete {
			removals[m.Value] = true
			delta = true
		}
	}
	var desiredOrder []string
	for _, m := range in.members {
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
	stored, ok := s.updateGroupCore(w, r, id, cur, groupIntent{
		displayName: in.DisplayName, displayNameSet: in.DisplayNameSet,
		description: in.Description, descriptionSet: in.DescriptionSet,
		members: in.Members, membersSet: in.MembersSet,
	}, "PUT")
	if ok {
		s.writeGroup(w, r, http.StatusOK, stored)
	}
}

// updateGroupCore plans an update against cur, logs it, applies the guards and carries it out,
// whatever the dialect. It answers errors itself and returns the group after the change.
func (s *server) updateGroupCore(w http.ResponseWriter, r *http.Request, id string, cur *backend.Group, in groupIntent, method string) (*backend.Group, bool) {
	plan := planGroup(s.cfg.Groups, cur, in)
	if plan.refusal == "" && !s.cfg.Groups.AllowEmptying && replacesAll(cur, plan.change) {
		// The backend skips member ids that name no user (docs/okta-agent-protocol.md#unknown-group-members), so a list made only of unknown
		// ids would empty the group behind the guard's back.
		known, err := s.anyUserExists(r, plan.change.Add)
		if err != nil {
			writeBackendError(w, r, err, op{resource: "group", id: id})
			return nil, false
		}
		if !known {
			plan.refusal = fmt.Sprintf("Refusing to replace all %d members of group [%s] with members none of whom is a user of the application: this update would leave it empty. "+
				"If that is intended, set groups.allowEmptying: true in the scimbridge configuration.", len(cur.Members), cur.DisplayName)
		}
	}
	// group-put-uncertain asks for group updates to be traceable until the agent's pattern is confirmed: log what
	// was asked and what it means (ids only; group bodies carry no secrets).
	sent := make([]string, 0, len(in.members))
	for _, m := range in.members {
		if m.Delete {
			sent = append(sent, m.Value+"(delete)")
		} else {
			sent = append(sent, m.Value)
		}
	}
	s.log.Info("group "+method, "request_id", infoFrom(r.Context()).id, "group_id", id,
		"membership_mode", s.cfg.Groups.Membership, "members_sent", in.membersSet, "members", sent,
		"add", plan.change.Add, "remove", plan.change.Remove, "refused", plan.refusal != "")
	if plan.refusal != "" {
		// 409 rather than 400: the body is well-formed; it conflicts with the group's current
		// state under a safety setting, and re-sending the same body will not help until the
		// admin changes that setting (or the group).
		infoFrom(r.Context()).add(slog.String("group_guard", "refused"))
		writeError(w, r, http.StatusConflict, codeGroupGuard, plan.refusal)
		return nil, false
	}
	if plan.change.IsZero() {
		return cur, true
	}
	stored, err := s.b.UpdateGroup(r.Context(), id, plan.change)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "group", id: id})
		return nil, false
	}
	return stored, true
}

// replacesAll reports whether ch removes every current member of cur and adds others instead.
func replacesAll(cur *backend.Group, ch backend.GroupChange) bool {
	return len(cur.Members) > 0 && len(ch.Add) > 0 && len(ch.Remove) == len(cur.Members)
}

// anyUserExists reports whether at least one of ids names a user, stopping at the first. Without
// GetUser it cannot tell and says yes, leaving the decision to the backend.
func (s *server) anyUserExists(r *http.Request, ids []string) (bool, error) {
	if !s.caps.GetUser {
		return true, nil
	}
	for _, id := range ids {
		_, err := s.b.GetUser(r.Context(), id)
		switch {
		case err == nil:
			return true, nil
		case !backend.IsNotFound(err):
			return false, err
		}
	}
	return false, nil
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
