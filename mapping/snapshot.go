package mapping

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxSnapshots bounds the listings kept at once (one per list call and filter value). Each holds
// at most paging.maxSize items (ids or records), so the memory bound is maxSnapshots × maxSize
// items per backend.
const maxSnapshots = 16

type snapshot struct {
	items   []any
	total   int // the application's total, for a kept page (pageKey); unused for a listing
	expires time.Time
}

// snapshots keeps the items of recent unpaged listings so that the pages after the first of one
// import run see the same items in the same order, and the application's recent pages of a paged
// listing so that the next SCIM window of an import reuses the page the last one ended in.
type snapshots struct {
	mu sync.Mutex
	m  map[string]snapshot
}

func newSnapshots() *snapshots { return &snapshots{m: map[string]snapshot{}} }

// snapshotKey names a listing by its call and the environment its request reads (the filter
// value of a search rule).
func snapshotKey(st *step, env map[string]any) string {
	if len(env) == 0 {
		return st.call
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(st.call)
	for _, k := range keys {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte('=')
		if s, ok := env[k].(string); ok { // the usual filter value, without fmt
			b.WriteString(s)
		} else {
			fmt.Fprintf(&b, "%v", env[k])
		}
	}
	return b.String()
}

// pageKey names one page of a paged listing: the listing, the page's first index and its size.
func pageKey(st *step, env map[string]any, pos, size int) string {
	return snapshotKey(st, env) + pageMark + strconv.Itoa(pos) + "+" + strconv.Itoa(size)
}

// pageMark is in the key of every kept page and of nothing else.
const pageMark = "\x00page="

// readKey names one record read with a get operation in the request's read cache.
func readKey(op operation, id string) string {
	if len(op) == 0 {
		return fmt.Sprintf("%p\x00%s", op, id)
	}
	return op[0].readKey + "\x00" + id
}

// get returns the snapshot's items, shared and read-only: callers slice, never write.
func (s *snapshots) get(key string, now time.Time) ([]any, bool) {
	items, _, ok := s.getPage(key, now)
	return items, ok
}

// getPage is get for a kept page, with the total the application gave with it.
func (s *snapshots) getPage(key string, now time.Time) ([]any, int, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sn, ok := s.m[key]
	if !ok || !now.Before(sn.expires) {
		delete(s.m, key)
		return nil, 0, false
	}
	return sn.items, sn.total, true
}

// dropPages forgets every kept page (not the listing snapshots, whose point is one order for a
// whole import run): a write through the bridge makes them stale, and the next window of an
// import then asks the application again.
func (s *snapshots) dropPages() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range s.m {
		if strings.Contains(k, pageMark) {
			delete(s.m, k)
		}
	}
}

func (s *snapshots) put(key string, items []any, expires time.Time) {
	s.putPage(key, items, 0, expires)
}

func (s *snapshots) putPage(key string, items []any, total int, expires time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[key]; !ok && len(s.m) >= maxSnapshots {
		// Evict the one that expires first: the oldest listing.
		var oldest string
		for k, sn := range s.m {
			if oldest == "" || sn.expires.Before(s.m[oldest].expires) {
				oldest = k
			}
		}
		delete(s.m, oldest)
	}
	s.m[key] = snapshot{items: items, total: total, expires: expires}
}
