package adapter

import (
	"context"

	"github.com/scimbridge/scimbridge/backend"
)

// lock takes the write lock of one resource ("user:<id>", "group:<id>") for the read, diff and
// write of one request, so that concurrent updates of one group end in one of the sent member
// lists instead of a mix of them. A lock that cannot be had (the client went away, the state store
// is down) is a retryable failure: nothing was changed.
func (s *server) lock(ctx context.Context, resource, id string) (func(), error) {
	unlock, err := s.locker.Lock(ctx, resource+":"+id)
	if err != nil {
		return nil, failed(op{resource: resource, id: id},
			backend.Wrap(backend.Unavailable, err, "waiting for the %s's write lock; nothing was changed", resource))
	}
	return unlock, nil
}
