package adapter

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/scimbridge/scimbridge/backend"
)

// The dialect-neutral provisioning rules for groups: a create with each member once, the diff of an
// update against the current group with its guards (empty-group, maxRemovals, unknown members),
// and the delete. Nothing here knows a codec; failures are returned, never written.

// createGroup creates a decoded group. The client's id is ignored
// (docs/okta-agent-protocol.md#connector-assigns-ids); delete-flagged members mean nothing on a
// create; each member is added once.
func (s *server) createGroup(ctx context.Context, in *groupInput) (*backend.Group, error) {
	if !in.displayNameSet || in.displayName == "" {
		return nil, newProblem(http.StatusBadRequest, codeBadRequest, "Cannot deserialize the group sent by the client: displayName is required")
	}
	g := backend.Group{DisplayName: in.displayName, Description: in.description, ExternalID: in.externalID}
	seen := map[string]bool{}
	for _, m := range in.members {
		if !m.remove && !seen[m.Value] {
			seen[m.Value] = true
			g.Members = append(g.Members, m.Member)
		}
	}
	created, err := s.b.CreateGroup(ctx, &g)
	if err != nil {
		return nil, failed(op{resource: "group", create: true, name: g.DisplayName}, err)
	}
	return created, nil
}

// groupPlan is what a group update will do, computed before anything is changed.
type groupPlan struct {
	change backend.GroupChange
	// refusal, when set, is why a guard refuses the update.
	refusal string
}

// planGroup computes the change an update asks for against the current group
// (docs/okta-agent-protocol.md#group-put-uncertain), for both dialects.
//
// Members: in replace mode the list sent is the whole membership; in merge mode it only adds. In
// both modes entries carrying "operation":"delete" are removals, and a list containing any such
// entry is a delta (Okta's cloud SCIM 1.1 syntax), never a whole membership, so it cannot wipe the
// group by omission. An update without `members` leaves the membership alone. The empty-group and
// maxRemovals guards apply to every dialect.
func planGroup(cfg GroupsConfig, cur *backend.Group, in *groupInput) groupPlan {
	var p groupPlan
	if in.displayNameSet && in.displayName != "" && in.displayName != cur.DisplayName {
		name := in.displayName
		p.change.DisplayName = &name
	}
	if in.descriptionSet && in.description != cur.Description {
		d := in.description
		p.change.Description = &d
	}
	if in.externalIDSet && in.externalID != cur.ExternalID {
		x := in.externalID
		p.change.ExternalID = &x
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
		if m.remove {
			removals[m.Value] = true
			delta = true
		}
	}
	var desiredOrder []string
	for _, m := range in.members {
		if !m.remove && !removals[m.Value] && !desired[m.Value] {
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

// updateGroup reads group id, lets build derive the update from it (a PUT body after its
// preconditions, or a PATCH applied to it), plans the change, logs it, applies the guards and
// carries it out. method names the request in the log line. It returns the group after the change.
func (s *server) updateGroup(ctx context.Context, id, method string, build func(cur *backend.Group) (*groupInput, error)) (*backend.Group, error) {
	// The diff is computed and applied under the group's lock: two PUTs diffed against the same
	// current membership would otherwise each apply half of their list.
	unlock, err := s.lock(ctx, "group", id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, err := s.b.GetGroup(ctx, id)
	if err != nil {
		return nil, failed(op{resource: "group", id: id}, err)
	}
	in, err := build(cur)
	if err != nil {
		return nil, err
	}
	plan := planGroup(s.cfg.Groups, cur, in)
	if plan.refusal == "" && !s.cfg.Groups.AllowEmptying && replacesAll(cur, plan.change) {
		// The backend skips member ids that name no user
		// (docs/okta-agent-protocol.md#unknown-group-members), so a list made only of unknown ids
		// would empty the group behind the guard's back.
		known, err := s.anyUserExists(ctx, plan.change.Add)
		if err != nil {
			return nil, failed(op{resource: "group", id: id}, err)
		}
		if !known {
			plan.refusal = fmt.Sprintf("Refusing to replace all %d members of group [%s] with members none of whom is a user of the application: this update would leave it empty. "+
				"If that is intended, set groups.allowEmptying: true in the scimbridge configuration.", len(cur.Members), cur.DisplayName)
		}
	}
	// group-put-uncertain asks for group updates to be traceable until the agent's pattern is
	// confirmed: log what was asked and what it means (ids only; group bodies carry no secrets).
	sent := make([]string, 0, len(in.members))
	for _, m := range in.members {
		if m.remove {
			sent = append(sent, m.Value+"(delete)")
		} else {
			sent = append(sent, m.Value)
		}
	}
	s.log.Info("group "+method, "request_id", infoFrom(ctx).id, "group_id", id,
		"membership_mode", s.cfg.Groups.Membership, "members_sent", in.membersSet, "members", sent,
		"add", plan.change.Add, "remove", plan.change.Remove, "refused", plan.refusal != "")
	if plan.refusal != "" {
		// 409 rather than 400: the body is well-formed; it conflicts with the group's current
		// state under a safety setting, and re-sending the same body will not help until the
		// admin changes that setting (or the group).
		infoFrom(ctx).add(slog.String("group_guard", "refused"))
		return nil, newProblem(http.StatusConflict, codeGroupGuard, plan.refusal)
	}
	if plan.change.IsZero() {
		return cur, nil
	}
	stored, err := s.b.UpdateGroup(ctx, id, plan.change)
	if err != nil {
		return nil, failed(op{resource: "group", id: id}, err)
	}
	return stored, nil
}

// replacesAll reports whether ch removes every current member of cur and adds others instead.
func replacesAll(cur *backend.Group, ch backend.GroupChange) bool {
	return len(cur.Members) > 0 && len(ch.Add) > 0 && len(ch.Remove) == len(cur.Members)
}

// anyUserExists reports whether at least one of ids names a user, stopping at the first. Without
// GetUser it cannot tell and says yes, leaving the decision to the backend.
func (s *server) anyUserExists(ctx context.Context, ids []string) (bool, error) {
	if !s.caps.GetUser {
		return true, nil
	}
	for _, id := range ids {
		_, err := s.b.GetUser(ctx, id)
		switch {
		case err == nil:
			return true, nil
		case !backend.IsNotFound(err):
			return false, err
		}
	}
	return false, nil
}

// deleteGroup deletes group id, after check passes on its version when check is given (reading
// the group only then).
func (s *server) deleteGroup(ctx context.Context, id string, check func(version string) error) error {
	unlock, err := s.lock(ctx, "group", id)
	if err != nil {
		return err
	}
	defer unlock()
	if check != nil {
		cur, err := s.b.GetGroup(ctx, id)
		if err != nil {
			return failed(op{resource: "group", id: id}, err)
		}
		if err := check(cur.Meta.Version); err != nil {
			return err
		}
	}
	return failed(op{resource: "group", id: id}, s.b.DeleteGroup(ctx, id))
}
