package observe

import (
	"context"
	"log/slog"

	"github.com/scimbridge/scimbridge/internal/reqid"
)

// NewRequestIDHandler adds the request id carried by the context (internal/reqid) to every
// record logged with one that does not already name it, so that a backend's warning can be
// found next to the SCIM request that caused it.
func NewRequestIDHandler(next slog.Handler) slog.Handler { return requestIDHandler{next} }

type requestIDHandler struct{ next slog.Handler }

func (h requestIDHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := reqid.From(ctx); id != "" {
		has := false
		r.Attrs(func(a slog.Attr) bool {
			has = a.Key == "request_id"
			return !has
		})
		if !has {
			r = r.Clone()
			r.AddAttrs(slog.String("request_id", id))
		}
	}
	return h.next.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.next.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.next.WithGroup(name)}
}
