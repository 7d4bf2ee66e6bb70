package mapping

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// toUser maps a record to a neutral user with the toSCIM block. With change tracking, the user's
// content hash is observed and meta.lastModified comes from the tracker.
func (b *engineBackend) toUser(ctx context.Context, rec any) (*backend.User, error) {
	u := &backend.User{}
	env := map[string]any{"rec": rec}
	for i := range b.e.users.toSCIM {
		t := &b.e.users.toSCIM[i]
		if err := t.apply(u, env); err != nil {
			b.log.ErrorContext(ctx, "a legacy record could not be mapped to a user", "attribute", t.key, "error", err)
			return nil, backend.Wrap(backend.Internal, err, "a record of the legacy application could not be mapped to a user")
		}
	}
	if b.e.users.tracked {
		if err := b.track(ctx, "User", u.ID, u, &u.Meta); err != nil {
			return nil, err
		}
	}
	us := b.e.users
	if err := b.keepMeta(ctx, "User", u.ID, u, &u.Meta, gives(us.toSCIM, "meta.created"), us.tracked || gives(us.toSCIM, "meta.lastModified")); err != nil {
		return nil, err
	}
	return u, nil
}

// buildRecord maps u to a record with the fromSCIM block. With current nil it starts from an
// empty record (create); otherwise from a copy of current (read-merge-write), where an absent
// attribute keeps the current value or, with clear, empties the field.
func (b *engineBackend) buildRecord(ctx context.Context, u *backend.User, current any, clear bool) (any, error) {
	us := b.e.users
	var rec any
	if dynamic(us.rec) {
		return nil, nil // no fromSCIM: the steps build their requests from user
	}
	if current == nil {
		rec = reflect.New(us.rec).Interface()
	} else {
		rec = copyRecord(current)
	}
	cur := current
	if cur == nil {
		cur = reflect.Zero(reflect.PointerTo(us.rec)).Interface()
	}
	env := map[string]any{"user": userMap(u), "current": cur}
	root := reflect.ValueOf(rec).Elem()
	for _, f := range us.fromSCIM {
		v, err := f.p.run(env)
		if err != nil {
			return nil, b.mappingFailed(ctx, "fromSCIM", err)
		}
		if isNil(v) {
			if current != nil && clear {
				f.path.clear(root)
			}
			continue
		}
		if f.path.maxLen > 0 {
			if err := checkFieldLength(f.path, f.from, v); err != nil {
				return nil, err
			}
		}
		if err := f.path.set(root, v); err != nil {
			return nil, backend.Wrap(backend.Invalid, err, "the user cannot be stored in the legacy application: %v", err)
		}
	}
	return rec, nil
}

// getRecord reads one record with a get operation.
func (b *engineBackend) getRecord(ctx context.Context, op operation, rec reflect.Type, id string) (any, error) {
	if id == "" {
		return nil, backend.Errorf(backend.NotFound, "no resource has an empty id")
	}
	key := readKey(op, id)
	if r, ok := backend.CachedRead(ctx, key); ok {
		return r, nil
	}
	r, err := b.runOp(ctx, op, map[string]any{"id": id}, nil, rec)
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, backend.Errorf(backend.NotFound, "the legacy application has no record %q", id)
	}
	backend.PutRead(ctx, key, r)
	return r, nil
}

func (b *engineBackend) CreateUser(ctx context.Context, u *backend.User) (*backend.User, error) {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	us := b.e.users
	if us.create == nil {
		return nil, unsupported("create users")
	}
	if us.checkExisting {
		if err := b.checkExisting(ctx, "userName", u.UserName); err != nil {
			return nil, err
		}
	}
	rec, err := b.buildRecord(ctx, u, nil, false)
	if err != nil {
		return nil, err
	}
	env := map[string]any{"user": userMap(u), "current": nil}
	created, err := b.runOp(ctx, us.create, env, rec, us.rec)
	if err != nil {
		return nil, err
	}
	if created == nil {
		if created, err = b.readBack(ctx, us.createID, env, us.get, us.rec); err != nil {
			return nil, err
		}
	}
	return b.toUser(ctx, created)
}

func (b *engineBackend) GetUser(ctx context.Context, id string) (*backend.User, error) {
	us := b.e.users
	rec, err := b.getRecord(ctx, us.get, us.rec, id)
	if err != nil {
		return nil, err
	}
	return b.toUser(ctx, rec)
}

func (b *engineBackend) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	us := b.e.users
	if us.replace == nil {
		return nil, unsupported("replace users")
	}
	current, err := b.getRecord(ctx, us.get, us.rec, id)
	if err != nil {
		return nil, err
	}
	rec, err := b.buildRecord(ctx, u, current, us.absentClear)
	if err != nil {
		return nil, err
	}
	env := map[string]any{"id": id, "user": userMap(u), "current": current}
	stored, err := b.runOp(ctx, us.replace, env, rec, us.rec)
	if err != nil {
		return nil, err
	}
	if stored == nil {
		if stored, err = b.getRecord(ctx, us.get, us.rec, id); err != nil {
			return nil, err
		}
	}
	out, err := b.toUser(ctx, stored)
	if err != nil {
		return nil, err
	}
	// Status by separate operations: used only when the write left Active different from what
	// the client asked for, so a file that maps Enabled in fromSCIM never calls them.
	if us.activate != nil && out.Active != u.Active {
		op := us.deactivate
		if u.Active {
			op = us.activate
		}
		if _, err := b.runOp(ctx, op, env, nil, us.rec); err != nil {
			return nil, err
		}
		return b.GetUser(ctx, id)
	}
	return out, nil
}

func (b *engineBackend) SetPassword(ctx context.Context, id, password string) error {
	us := b.e.users
	if us.setPassword == nil {
		return unsupported("set passwords")
	}
	_, err := b.runOp(ctx, us.setPassword, map[string]any{"id": id, "password": password}, nil, us.rec)
	return err
}

func (b *engineBackend) DeleteUser(ctx context.Context, id string) error {
	defer b.snaps.dropPages() // the pages an import keeps may now be stale
	us := b.e.users
	if us.delete == nil {
		return unsupported("delete users")
	}
	if _, err := b.runOp(ctx, us.delete, map[string]any{"id": id}, nil, us.rec); err != nil {
		return err
	}
	b.forgetMeta(ctx, "User", id)
	if us.tracked {
		st, err := b.needState()
		if err != nil {
			return err
		}
		if err := st.Forget(ctx, "User", id); err != nil {
			b.log.WarnContext(ctx, "change tracker: forget failed", "id", id, "error", err)
		}
	}
	return nil
}

func (b *engineBackend) toUsers(ctx context.Context, recs []any) ([]backend.User, error) {
	out := make([]backend.User, 0, len(recs))
	for _, r := range recs {
		u, err := b.toUser(ctx, r)
		if err != nil {
			return nil, err
		}
		out = append(out, *u)
	}
	return out, nil
}

func (b *engineBackend) ListUsers(ctx context.Context, q backend.Query) (*backend.UserPage, error) {
	us := b.e.users
	start, want := b.e.window(q)
	if q.Filter == nil {
		if us.list == nil {
			return nil, unsupported("list users")
		}
		recs, total, err := b.window(ctx, us.list.last(), sortEnv(us.sort, q), us.rec, start, want)
		if err != nil {
			return nil, err
		}
		users, err := b.toUsers(ctx, recs)
		if err != nil {
			return nil, err
		}
		return &backend.UserPage{Total: total, Users: users}, nil
	}
	all, total, users, err := b.searchUsers(ctx, q, start, want)
	if err != nil {
		return nil, err
	}
	if all != nil {
		// The answer was computed in memory: window it here.
		return &backend.UserPage{Total: len(all), Users: slice(all, start, want)}, nil
	}
	return &backend.UserPage{Total: total, Users: users}, nil
}

// window turns a Query's 1-based StartIndex and Count into a 0-based offset and a number of
// records wanted (Count < 0, or above the cap: the documented cap).
func (e *Engine) window(q backend.Query) (start, want int) {
	start = max(q.StartIndex, 1) - 1
	want = q.Count
	// A service provider may return fewer results than asked for (RFC 7644 §3.4.2.4): the cap
	// bounds the calls one listing makes, whatever count the client sent.
	if want < 0 || want > e.maxUnpaged {
		want = e.maxUnpaged
	}
	return start, want
}

func slice[T any](all []T, start, want int) []T {
	if start >= len(all) {
		return []T{}
	}
	end := len(all)
	if want < end-start {
		end = start + want
	}
	return all[start:end]
}

// describeShapes is for error messages: what the mapping answers directly.
func (e *Engine) describeShapes() string {
	if len(e.users.search) == 0 {
		return "none"
	}
	s := ""
	for i, r := range e.users.search {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%q", r.shape)
	}
	return s
}

// readBack reads the record of a resource the operation created (or renamed) when no step's
// result gave it: the block's id expression names it, get reads it.
func (b *engineBackend) readBack(ctx context.Context, idExpr *program, env map[string]any, get operation, rec reflect.Type) (any, error) {
	if idExpr == nil {
		return nil, b.badAnswer(ctx, "create", errNoRecord)
	}
	v, err := idExpr.run(env)
	if err != nil {
		return nil, b.mappingFailed(ctx, "id", err)
	}
	id, ok := scalarString(plain(v))
	if !ok || id == "" {
		return nil, b.mappingFailed(ctx, "id", fmt.Errorf("%d:%d: %q gave no id", idExpr.at.Line, idExpr.at.Col, idExpr.src))
	}
	return b.getRecord(ctx, get, rec, id)
}

// needState returns the state store, or an Internal error naming the missing wiring.
func (b *engineBackend) needState() (State, error) {
	if b.state == nil {
		return nil, backend.Errorf(backend.Internal, "the mapping file needs the bridge's state store (changeTracking or surrogateIds), and none was configured")
	}
	return b.state, nil
}

// track observes the content hash of a resource (every exported attribute, meta and password
// aside) and sets meta.lastModified from the tracker: it moves exactly when what a client reads
// changes.
func (b *engineBackend) track(ctx context.Context, typ, id string, resource any, meta *backend.Meta) error {
	st, err := b.needState()
	if err != nil {
		return err
	}
	saved := *meta
	*meta = backend.Meta{}
	data, err := json.Marshal(resource)
	*meta = saved
	if err != nil {
		return backend.Wrap(backend.Internal, err, "a record could not be hashed for change tracking")
	}
	sum := sha256.Sum256(data)
	at, err := st.Observe(ctx, typ, id, hex.EncodeToString(sum[:]), b.now())
	if err != nil {
		b.log.ErrorContext(ctx, "change tracker failed", "error", err)
		return backend.Wrap(backend.Unavailable, err, "the bridge's state store could not be reached")
	}
	meta.LastModified = at
	return nil
}

// checkExisting looks attr eq value up (create.checkExisting) and answers Conflict when the
// application already has such a resource: for applications that accept duplicates.
func (b *engineBackend) checkExisting(ctx context.Context, attr, value string) error {
	q := backend.Query{Filter: filter.Compare{Path: filter.AttrPath{Name: attr}, Op: filter.Eq,
		Value: filter.Value{Kind: filter.String, Str: value}}, StartIndex: 1, Count: 1}
	var n int
	if attr == "userName" {
		page, err := b.ListUsers(ctx, q)
		if err != nil {
			return err
		}
		n = max(page.Total, len(page.Users))
	} else {
		page, err := b.ListGroups(ctx, q)
		if err != nil {
			return err
		}
		n = max(page.Total, len(page.Groups))
	}
	if n > 0 {
		return backend.Errorf(backend.Conflict, "the legacy application already has a resource with the %s %q", attr, value)
	}
	return nil
}
