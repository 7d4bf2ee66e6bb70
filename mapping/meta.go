package mapping

import (
	"context"

	"github.com/scimbridge/scimbridge/backend"
)

// Meta where the application keeps none: every user and group answers meta.created and
// meta.lastModified, and a group keeps the externalId its client gave, even when toSCIM has no
// expression for them. The bridge's state store keeps them (MetaKeeper, ChangeTracker):
// lastModified is the time the bridge first saw the resource's current content (its content
// hash), created the time it first saw the resource at all (or created it). Without a state
// store (tests, embedders) nothing is filled in.

// gives reports whether a toSCIM block has an expression for attribute key.
func gives[T any](list []toSCIM[T], key string) bool {
	for _, t := range list {
		if t.key == key {
			return true
		}
	}
	return false
}

func stateFailed(err error) error {
	return backend.Wrap(backend.Unavailable, err, "the bridge's state store could not be reached")
}

// keepMeta fills created and lastModified (unless toSCIM gives them, or trackedAlready says
// lastModified came from changeTracking).
func (b *engineBackend) keepMeta(ctx context.Context, typ, id string, resource any, meta *backend.Meta, givesCreated, givesModified bool) error {
	if b.state == nil || id == "" {
		return nil
	}
	if !givesModified && meta.LastModified.IsZero() {
		if err := b.track(ctx, typ, id, resource, meta); err != nil {
			return err
		}
	}
	if !givesCreated && meta.Created.IsZero() {
		at, err := b.state.FirstSeen(ctx, typ, id, b.now())
		if err != nil {
			b.log.Error("state store: first-seen time failed", "error", err)
			return stateFailed(err)
		}
		meta.Created = at
	}
	// A resource first seen after its last change (an application that keeps change times
	// but no creation time) was created no later than that change.
	if !meta.LastModified.IsZero() && meta.LastModified.Before(meta.Created) {
		meta.Created = meta.LastModified
	}
	return nil
}

func (b *engineBackend) forgetMeta(ctx context.Context, typ, id string) {
	if b.state == nil {
		return
	}
	if err := b.state.ForgetMeta(ctx, typ, id); err != nil {
		b.log.Warn("state store: forgetting meta failed", "type", typ, "id", id, "error", err)
	}
}
