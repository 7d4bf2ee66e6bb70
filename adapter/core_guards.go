package adapter

import (
	"context"

	"github.com/scimbridge/scimbridge/backend"
)

// nilGuard turns a backend answer with neither a result nor an error into an Internal error, so
// that a backend bug (a mapping step that produced nothing) is one clear log line and a 500, not
// a nil dereference in a handler.
type nilGuard struct{ backend.Backend }

func noResult(what string) error {
	return backend.Errorf(backend.Internal, "the backend returned no %s and no error", what)
}

// must turns an answer with neither a result nor an error into the Internal error above.
func must[T any](out *T, err error, what string) (*T, error) {
	if err == nil && out == nil {
		err = noResult(what)
	}
	return out, err
}

func (g nilGuard) CreateUser(ctx context.Context, u *backend.User) (*backend.User, error) {
	out, err := g.Backend.CreateUser(ctx, u)
	return must(out, err, "user")
}

func (g nilGuard) GetUser(ctx context.Context, id string) (*backend.User, error) {
	out, err := g.Backend.GetUser(ctx, id)
	return must(out, err, "user")
}

func (g nilGuard) ListUsers(ctx context.Context, q backend.Query) (*backend.UserPage, error) {
	out, err := g.Backend.ListUsers(ctx, q)
	return must(out, err, "user page")
}

func (g nilGuard) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	out, err := g.Backend.ReplaceUser(ctx, id, u)
	return must(out, err, "user")
}

func (g nilGuard) CreateGroup(ctx context.Context, gr *backend.Group) (*backend.Group, error) {
	out, err := g.Backend.CreateGroup(ctx, gr)
	return must(out, err, "group")
}

func (g nilGuard) GetGroup(ctx context.Context, id string) (*backend.Group, error) {
	out, err := g.Backend.GetGroup(ctx, id)
	return must(out, err, "group")
}

func (g nilGuard) ListGroups(ctx context.Context, q backend.Query) (*backend.GroupPage, error) {
	out, err := g.Backend.ListGroups(ctx, q)
	return must(out, err, "group page")
}

func (g nilGuard) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	out, err := g.Backend.UpdateGroup(ctx, id, ch)
	return must(out, err, "group")
}
