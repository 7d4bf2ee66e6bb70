package mapping

import (
	"context"

	"github.com/scimbridge/scimbridge/adapter/backend"
	"github.com/scimbridge/scimbridge/adapter/filter"
)

func (b *engineBackend) noGroups(what string) (*backend.Group, error) {
	return nil, unsupported(what)
}

// toGroup maps a record to a neutral group with the groups toSCIM block.
func (b *engineBackend) toGroup(rec any) (*backend.Group, error) {
	g := &backend.Group{}
	env := map[string]any{"rec": rec}
	for _, t := range b.e.groups.toSCIM {
		v, err := t.p.run(env)
		if err == nil {
			err = t.set(g, plain(v))
		}
		if err != nil {
			b.log.Error("a legacy record could not be mapped to a group", "attribute", t.key, "error", err)
			return nil, backend.Wrap(backend.Internal, err, "a record of the legacy application could not be mapped to a group")
		}
	}
	return g, nil
}

func (b *engineBackend) GetGroup(ctx context.Context, id string) (*backend.Group, error) {
	gs := b.e.groups
	if gs == nil {
		return b.noGroups("read groups")
	}
	rec, err := b.getRecord(ctx, gs.get, gs.rec, id)
	if err != nil {
		return nil, err
	}
	return b.toGroup(rec)
}

func (b *engineBackend) CreateGroup(ctx context.Context, g *backend.Group) (*backend.Group, error) {
	gs := b.e.groups
	if gs == nil || gs.create == nil {
		return b.noGroups("create groups")
	}
	if len(g.Members) > 0 && gs.addMember == nil {
		// Refused before anything is written, rather than creating a group without members.
		return b.noGroups("add group members")
	}
	created, err := b.runOp(ctx, gs.create, map[string]any{"group": groupMap(g)}, nil, gs.rec)
	if err != nil {
		return nil, err
	}
	if created == nil {
		return nil, b.badAnswer(gs.create.last().call, errNoRecord)
	}
	out, err := b.toGroup(created)
	if err != nil {
		return nil, err
	}
	if len(g.Members) == 0 {
		return out, nil
	}
	ids := make([]string, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.Value
	}
	if err := b.members(ctx, out.ID, gs.addMember, ids, true); err != nil {
		return nil, err
	}
	return b.GetGroup(ctx, out.ID)
}

// members runs a member operation for each id. A NotFound on add means "no such user" (Okta
// G23): skipped with a log line unless the file says unknownMembers: fail. A NotFound on remove
// is ignored: the member is gone either way.
func (b *engineBackend) members(ctx context.Context, groupID string, op operation, ids []string, adding bool) error {
	gs := b.e.groups
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		_, err := b.runOp(ctx, op, map[string]any{"id": groupID, "member": id}, nil, gs.rec)
		if backend.IsNotFound(err) && (!adding || gs.skipUnknown) {
			b.log.Warn("group member skipped: the legacy application does not know it", "group", groupID, "member", id, "adding", adding)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *engineBackend) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	gs := b.e.groups
	if gs == nil {
		return b.noGroups("update groups")
	}
	current, err := b.getRecord(ctx, gs.get, gs.rec, id)
	if err != nil {
		return nil, err
	}
	cur, err := b.toGroup(current)
	if err != nil {
		return nil, err
	}
	merged := *cur
	if ch.DisplayName != nil {
		merged.DisplayName = *ch.DisplayName
	}
	if ch.Description != nil {
		merged.Description = *ch.Description
	}
	renamed := merged.DisplayName != cur.DisplayName || merged.Description != cur.Description
	switch {
	case renamed && gs.rename == nil:
		return b.noGroups("rename groups")
	case len(ch.Add) > 0 && gs.addMember == nil:
		return b.noGroups("add group members")
	case len(ch.Remove) > 0 && gs.removeMember == nil:
		return b.noGroups("remove group members")
	}
	if renamed {
		env := map[string]any{"id": id, "group": groupMap(&merged), "current": current}
		if _, err := b.runOp(ctx, gs.rename, env, nil, gs.rec); err != nil {
			return nil, err
		}
	}
	if err := b.members(ctx, id, gs.addMember, ch.Add, true); err != nil {
		return nil, err
	}
	if err := b.members(ctx, id, gs.removeMember, ch.Remove, false); err != nil {
		return nil, err
	}
	return b.GetGroup(ctx, id)
}

func (b *engineBackend) DeleteGroup(ctx context.Context, id string) error {
	gs := b.e.groups
	if gs == nil || gs.delete == nil {
		return unsupported("delete groups")
	}
	_, err := b.runOp(ctx, gs.delete, map[string]any{"id": id}, nil, gs.rec)
	return err
}

func (b *engineBackend) ListGroups(ctx context.Context, q backend.Query) (*backend.GroupPage, error) {
	gs := b.e.groups
	if gs == nil || gs.list == nil {
		return nil, unsupported("list groups")
	}
	start, want := b.e.window(q)
	if q.Filter == nil {
		recs, total, err := b.window(ctx, gs.list.last(), map[string]any{}, gs.rec, start, want)
		if err != nil {
			return nil, err
		}
		out := make([]backend.Group, 0, len(recs))
		for _, r := range recs {
			g, err := b.toGroup(r)
			if err != nil {
				return nil, err
			}
			out = append(out, *g)
		}
		return &backend.GroupPage{Total: total, Groups: out}, nil
	}
	if gs.maxScan <= 0 {
		return nil, backend.Errorf(backend.Invalid, "the filter %s is not supported by this mapping: groups cannot be filtered", q.Filter.String())
	}
	recs, err := b.scanAll(ctx, gs.list.last(), map[string]any{}, gs.rec, gs.maxScan, "the filter "+q.Filter.String())
	if err != nil {
		return nil, err
	}
	all := []backend.Group{}
	for _, r := range recs {
		g, err := b.toGroup(r)
		if err != nil {
			return nil, err
		}
		if filter.Match(q.Filter, backend.GroupResolver(g)) {
			all = append(all, *g)
		}
	}
	return &backend.GroupPage{Total: len(all), Groups: slice(all, start, want)}, nil
}
