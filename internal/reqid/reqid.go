package reqid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// Header is the HTTP header that carries the id on both sides.
const Header = "X-Request-ID"

type key struct{}

// With returns a context carrying id.
func With(ctx context.Context, id string) context.Context { return context.WithValue(ctx, key{}, id) }

// From returns the id carried by ctx, or "".
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// New returns a fresh random id (16 hex characters).
func New() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms (Go 1.24+).
	return hex.EncodeToString(b[:])
}

// Sanitize returns id if it is a safe client-supplied id (1–64 characters of [A-Za-z0-9._-]),
// else "". A client-chosen id goes into logs and upstream headers, so it must not carry anything
// that could forge a log line or a header.
func Sanitize(id string) string {
	if len(id) == 0 || len(id) > 64 {
		return ""
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return ""
		}
	}
	return id
}
