package mapping

import (
	"context"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// groupType is the resource type groups are kept under in the state store.
const groupType = "Group"

func (b *engineBackend) noGroups(what string) (*backend.Group, error) {
	return nil, unsupported(what)
}

// toGroup maps a record to a neutral group with the groups toSCIM block. It also returns the
// application's key for the group (the id toSCIM gives); with surrogateIds the group's id is the
// stable id the bridge issued for that key.
func (b *engineBackend) toGroup(ctx context.Context, rec any) (*backend.Group, string, error) {
	g := &backend.Group{}
	env := map[string]any{"rec": rec}
	for i := range b.e.groups.toSCIM {
		t := &b.e.groups.toSCIM[i]
		if err := t.apply(g, env); err != nil {
			b.log.ErrorContext(ctx, "a legacy record could not be mapped to a group", "attribute", t.key, "error", err)
			return nil, "", backend.Wrap(backend.Internal, err, "a record of the legacy application could not be mapped to a group")
		}
	}
	key := g.ID
	if b.e.groups.surrogate && key != "" {
		st, err := b.needState()
		if err != nil {
			return nil, "", err
		}
		if g.ID, err = st.SurrogateID(ctx, groupType, key); err != nil {
			return nil, "", backend.Wrap(backend.Unavailable, err, "the bridge's state store could not be reached")
		}
	}
	gs := b.e.groups
	if b.state != nil && g.ID != "" && !gives(gs.toSCIM, "externalId") {
		ext, err := b.state.ExternalID(ctx, groupType, g.ID)
		if err != nil {
			return nil, "", stateFailed(err)
		}
		g.ExternalID = ext
	}
	if err := b.keepMeta(ctx, groupType, g.ID, g, &g.Meta, gives(gs.toSCIM, "meta.created"), gives(gs.toSCIM, "meta.lastModified")); err != nil {
		return nil, "", err
	}
	return g, key, nil
}

// groupKey turns a SCIM group id into the application's key (itself unless surrogateIds).
func (b *engineBackend) groupKey(ctx context.Context, id string) (string, error) {
	if !b.e.groups.surrogate || id == "" {
		return id, nil
	}
	st, err := b.needState()
	if err != nil {
		return "", err
	}
	key, ok, err := st.NaturalKey(ctx, groupType, id)
	if err != nil {
		return "", backend.Wrap(backend.Unavailable, err, "the bridge's state store could not be reached")
	}
	if !ok {
		return "", backend.Errorf(backend.NotFound, "no group has the id %q", id)
	}
	return key, nil
}

func (b *engineBackend) GetGroup(ctx context.Context, id string) (*backend.Group, error) {
	gs := b.e.groups
	if gs == nil {
		return b.noGroups("read groups")
	}
	key, err := b.groupKey(ctx, id)
	if err != nil {
		return nil, err
	}
	rec, err := b.getRecord(ctx, gs.get, gs.rec, key)
	if err != nil {
		return nil, err
	}
	g, _, err := b.toGroup(ctx, rec)
	return g, err
}

func (b *engineBackend) CreateGroup(ctx context.Context, g *backend.Group) (*backend.Group, error) {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	gs := b.e.groups
	if gs == nil || gs.create == nil {
		return b.noGroups("create groups")
	}
	if len(g.Members) > 0 && gs.addMember == nil && gs.update == nil {
		// Refused before anything is written, rather than creating a group without members.
		return b.noGroups("add group members")
	}
	if gs.checkExisting {
		if err := b.checkExisting(ctx, "displayName", g.DisplayName); err != nil {
			return nil, err
		}
	}
	env := map[string]any{"group": groupMap(g)}
	created, err := b.runOp(ctx, gs.create, env, nil, gs.rec)
	if err != nil {
		return nil, err
	}
	if created == nil {
		if created, err = b.readBack(ctx, gs.createID, env, gs.get, gs.rec); err != nil {
			return nil, err
		}
	}
	out, key, err := b.toGroup(ctx, created)
	if err != nil {
		return nil, err
	}
	if g.ExternalID != "" && b.state != nil && !gives(gs.toSCIM, "externalId") {
		// The application cannot keep it: the bridge does, so that the client reads back what
		// it sent.
		if err := b.state.SetExternalID(ctx, groupType, out.ID, g.ExternalID); err != nil {
			return nil, stateFailed(err)
		}
		// Read it again so that the answer (meta times included) is what later reads give.
		if out, key, err = b.toGroup(ctx, created); err != nil {
			return nil, err
		}
	}
	if len(g.Members) == 0 {
		return out, nil
	}
	ids := make([]string, len(g.Members))
	for i, m := range g.Members {
		ids[i] = m.Value
	}
	if err := b.members(ctx, key, ids, nil); err != nil {
		return nil, b.undoCreateGroup(ctx, out.ID, g.DisplayName, err)
	}
	return b.GetGroup(ctx, out.ID)
}

// undoCreateGroup deletes a group whose initial members could not be added, so that the client's
// retry of the create starts clean instead of running into its own half-made group (409). The
// deletion gets its own short deadline: the request's may be what just ran out.
func (b *engineBackend) undoCreateGroup(ctx context.Context, id, name string, cause error) error {
	if b.e.groups.delete == nil {
		b.log.WarnContext(ctx, "group created but its members could not be added; it stays without them", "group", id, "error", cause)
		return cause
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := b.DeleteGroup(dctx, id); err != nil {
		b.log.ErrorContext(ctx, "group created but its members could not be added, and deleting it failed: delete it by hand before retrying",
			"group", id, "name", name, "error", cause, "delete_error", err)
		return backend.Wrap(backend.KindOf(cause), cause,
			"group %q was created but its members could not be added, and it could not be removed again; delete it in the application before retrying", name)
	}
	b.log.WarnContext(ctx, "group creation undone: its members could not be added", "group", id, "error", cause)
	return cause
}

// members applies membership changes to the group with application key key. A NotFound on add
// means "no such user" (docs/okta-agent-protocol.md#unknown-group-members): skipped with a log line unless the file says
// unknownMembers: fail. A NotFound on remove is ignored: the member is gone either way. With
// updateMembers, one call carries both lists; when it fails with NotFound and unknown members
// are skipped, the removals and then each addition are retried alone, so one unknown id does not
// cost the others.
func (b *engineBackend) members(ctx context.Context, key string, add, remove []string) error {
	gs := b.e.groups
	add, remove = dedupe(add), dedupe(remove)
	if gs.update == nil {
		if err := b.eachMember(ctx, key, gs.addMember, add, true); err != nil {
			return err
		}
		return b.eachMember(ctx, key, gs.removeMember, remove, false)
	}
	if len(add)+len(remove) == 0 {
		return nil
	}
	err := b.updateMembers(ctx, key, add, remove)
	if !backend.IsNotFound(err) || (len(add) > 0 && !gs.skipUnknown) {
		return err
	}
	if len(remove) > 0 {
		if err := b.updateMembers(ctx, key, nil, remove); err != nil && !backend.IsNotFound(err) {
			return err
		}
	}
	for _, id := range add {
		err := b.updateMembers(ctx, key, []string{id}, nil)
		if backend.IsNotFound(err) {
			b.log.WarnContext(ctx, "group member skipped: the legacy application does not know it", "group", key, "member", id)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *engineBackend) updateMembers(ctx context.Context, key string, add, remove []string) error {
	env := map[string]any{"id": key, "add": anyList(add), "remove": anyList(remove)}
	_, err := b.runOp(ctx, b.e.groups.update, env, nil, b.e.groups.rec)
	return err
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func dedupe(ids []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}

// eachMember runs a one-member operation for each id.
func (b *engineBackend) eachMember(ctx context.Context, key string, op operation, ids []string, adding bool) error {
	gs := b.e.groups
	for _, id := range ids {
		_, err := b.runOp(ctx, op, map[string]any{"id": key, "member": id}, nil, gs.rec)
		if backend.IsNotFound(err) && (!adding || gs.skipUnknown) {
			b.log.WarnContext(ctx, "group member skipped: the legacy application does not know it", "group", key, "member", id, "adding", adding)
			continue
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *engineBackend) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	gs := b.e.groups
	if gs == nil {
		return b.noGroups("update groups")
	}
	key, err := b.groupKey(ctx, id)
	if err != nil {
		return nil, err
	}
	current, err := b.getRecord(ctx, gs.get, gs.rec, key)
	if err != nil {
		return nil, err
	}
	cur, _, err := b.toGroup(ctx, current)
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
	// externalId: an application that keeps it (toSCIM reads it) gets it through rename; for
	// one that does not, the bridge's state store keeps it.
	keptExternal := ch.ExternalID != nil && *ch.ExternalID != cur.ExternalID && !gives(gs.toSCIM, "externalId")
	if ch.ExternalID != nil && !keptExternal {
		merged.ExternalID = *ch.ExternalID
	}
	if keptExternal && b.state == nil {
		return nil, unsupported("keep a group's externalId (the application has no place for it and no state store is configured)")
	}
	renamed := merged.DisplayName != cur.DisplayName || merged.Description != cur.Description || merged.ExternalID != cur.ExternalID
	canAdd := gs.addMember != nil || gs.update != nil
	canRemove := gs.removeMember != nil || gs.update != nil
	switch {
	case renamed && gs.rename == nil:
		return b.noGroups("rename groups")
	case len(ch.Add) > 0 && !canAdd:
		return b.noGroups("add group members")
	case len(ch.Remove) > 0 && !canRemove:
		return b.noGroups("remove group members")
	}
	if renamed {
		env := map[string]any{"id": key, "group": groupMap(&merged), "current": current}
		if _, err := b.runOp(ctx, gs.rename, env, nil, gs.rec); err != nil {
			return nil, err
		}
		if key, err = b.renamedKey(ctx, id, key, env); err != nil {
			return nil, err
		}
	}
	if err := b.members(ctx, key, ch.Add, ch.Remove); err != nil {
		return nil, err
	}
	if !gs.surrogate {
		id = key // without surrogates a rename that changes the key changes the id
	}
	if keptExternal {
		if err := b.state.SetExternalID(ctx, groupType, id, *ch.ExternalID); err != nil {
			return nil, stateFailed(err)
		}
	}
	return b.GetGroup(ctx, id)
}

// renamedKey evaluates rename's id expression (the group's key after the rename) and, with
// surrogateIds, points the group's stable id at it.
func (b *engineBackend) renamedKey(ctx context.Context, id, key string, env map[string]any) (string, error) {
	gs := b.e.groups
	if gs.renameID == nil {
		return key, nil
	}
	v, err := gs.renameID.run(env)
	if err != nil {
		return "", b.mappingFailed(ctx, "rename.id", err)
	}
	next, ok := scalarString(plain(v))
	if !ok || next == "" {
		return key, nil
	}
	if gs.surrogate {
		st, err := b.needState()
		if err != nil {
			return "", err
		}
		if err := st.Rebind(ctx, groupType, id, next); err != nil {
			return "", backend.Wrap(backend.Unavailable, err, "the bridge's state store could not be reached")
		}
	}
	return next, nil
}

func (b *engineBackend) DeleteGroup(ctx context.Context, id string) error {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	gs := b.e.groups
	if gs == nil || gs.delete == nil {
		return unsupported("delete groups")
	}
	key, err := b.groupKey(ctx, id)
	if err != nil {
		return err
	}
	if _, err := b.runOp(ctx, gs.delete, map[string]any{"id": key}, nil, gs.rec); err != nil {
		return err
	}
	if gs.surrogate {
		if err := b.state.ForgetID(ctx, groupType, id); err != nil {
			b.log.WarnContext(ctx, "surrogate ids: forget failed", "id", id, "error", err)
		}
	}
	b.forgetMeta(ctx, groupType, id)
	return nil
}

func (b *engineBackend) ListGroups(ctx context.Context, q backend.Query) (*backend.GroupPage, error) {
	gs := b.e.groups
	if gs == nil || gs.list == nil {
		return nil, unsupported("list groups")
	}
	start, want := b.e.window(q)
	if q.Filter == nil {
		recs, total, err := b.window(ctx, gs.list.last(), sortEnv(gs.sort, q), gs.rec, start, want)
		if err != nil {
			return nil, err
		}
		out := make([]backend.Group, 0, len(recs))
		for _, r := range recs {
			g, _, err := b.toGroup(ctx, r)
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
		g, _, err := b.toGroup(ctx, r)
		if err != nil {
			return nil, err
		}
		if filter.Match(q.Filter, backend.GroupResolver(g)) {
			all = append(all, *g)
		}
	}
	return &backend.GroupPage{Total: len(all), Groups: slice(all, start, want)}, nil
}
