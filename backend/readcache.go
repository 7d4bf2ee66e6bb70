package backend

import (
	"context"
	"sync"
)

// A read cache lets one request's second read of the same record be answered from its first:
// a full PUT reads the user (the front end compares and merges), and a backend that writes whole
// records reads it again to merge the unsent fields — one wasted round trip to the legacy
// application per PUT. The front end opens a cache for one write request, under that resource's
// write lock; a backend consults it for single-record reads and empties it on every other call,
// since any call may change what a read would answer.

type readCacheKey struct{}

type readCache struct {
	mu sync.Mutex
	m  map[string]any
}

// WithReadCache returns ctx carrying a new, empty read cache for one request.
func WithReadCache(ctx context.Context) context.Context {
	return context.WithValue(ctx, readCacheKey{}, &readCache{m: map[string]any{}})
}

func cacheOf(ctx context.Context) *readCache {
	c, _ := ctx.Value(readCacheKey{}).(*readCache)
	return c
}

// CachedRead returns what PutRead stored for key in this request, if the request has a cache.
func CachedRead(ctx context.Context, key string) (any, bool) {
	c := cacheOf(ctx)
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

// PutRead keeps the answer of a single-record read for the rest of the request; without a cache
// it does nothing.
func PutRead(ctx context.Context, key string, v any) {
	if c := cacheOf(ctx); c != nil {
		c.mu.Lock()
		c.m[key] = v
		c.mu.Unlock()
	}
}

// ForgetReads empties the request's cache: the backend is about to make a call that may change
// what the reads answered.
func ForgetReads(ctx context.Context) {
	if c := cacheOf(ctx); c != nil {
		c.mu.Lock()
		clear(c.m)
		c.mu.Unlock()
	}
}
