package mapping

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// window reads the items [start, start+want) of a list step and the total, then, for a step
// with fetch, reads each item (an id) with get; ids whose record has gone meanwhile are left out
// of the page. want 0 makes one minimal call for the total only. The order is the
// application's, except for snapshots of ids (paging style none), which are sorted.
func (b *engineBackend) window(ctx context.Context, st *step, env map[string]any, rec reflect.Type, start, want int) ([]any, int, error) {
	items, total, err := b.windowItems(ctx, st, env, rec, start, want)
	if err != nil || st.fetch == nil {
		return items, total, err
	}
	recs, err := b.fetchAll(ctx, st, rec, items)
	if err != nil {
		return nil, 0, err
	}
	// Ids that vanished between the listing and the reads are not counted either, so that
	// totalResults agrees with what is returned.
	return recs, max(total-(len(items)-len(recs)), len(recs)), nil
}

// fetchAll reads each id with the step's fetch operation.
func (b *engineBackend) fetchAll(ctx context.Context, st *step, rec reflect.Type, items []any) ([]any, error) {
	recs := make([]any, 0, len(items))
	for _, it := range items {
		id, ok := scalarString(plain(it))
		if !ok || id == "" {
			continue
		}
		r, err := b.getRecord(ctx, st.fetch, rec, id)
		if backend.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		recs = append(recs, r)
	}
	return recs, nil
}

func (b *engineBackend) windowItems(ctx context.Context, st *step, env map[string]any, rec reflect.Type, start, want int) ([]any, int, error) {
	p := st.paging
	if p == nil || p.style == "none" {
		items, err := b.listAll(ctx, st, env, rec, start == 0)
		if err != nil {
			return nil, 0, err
		}
		return slice(items, start, want), len(items), nil
	}
	if want == 0 {
		_, total, err := b.listCall(ctx, st, env, rec, pageSetter(p, 0, 1))
		return []any{}, total, err
	}
	size := min(want, p.maxSize)
	shared := b.importWindow(st, env, start, want)
	if shared {
		size = p.maxSize
	}
	pos := start // 0-based index of the next item asked for
	skip := 0
	if p.style == "pageNumber" || shared {
		pos = start - start%size
		skip = start % size
	}
	out := make([]any, 0, min(want, 4*p.maxSize))
	total := -1
	// One call per page wanted, plus one for an unaligned start: a bound, not a guess.
	for calls := 0; calls < want/size+2 && len(out) < want; calls++ {
		recs, t, err := b.listPage(ctx, st, env, rec, pos, size, shared && start > 0 && calls == 0)
		if err != nil {
			return nil, 0, err
		}
		if total < 0 {
			total = t
		}
		if skip < len(recs) {
			out = append(out, recs[skip:]...)
		}
		skip = 0
		pos += size
		if len(recs) < size || pos >= t {
			break
		}
	}
	if len(out) > want {
		out = out[:want]
	}
	return out, max(total, 0), nil
}

// pageReuse is how long a fetched page stays available to the next SCIM window of an import.
// Only a window that starts inside a page (never the first window of a listing, so never an
// existence check) reads it back. What it serves is at most pageReuse old: usually the previous
// window's page of the same import, but a second import run over the same listing within that
// time may read a page the first one fetched. A write through the bridge drops every kept page
// (dropPages); a change made in the application directly shows after pageReuse at the latest.
const pageReuse = 30 * time.Second

// importWindow tells whether this window belongs to an import that pages through the listing
// with the application's largest pages, aligned on them, so that consecutive SCIM windows share
// pages and one import makes at most ceil(N/maxSize)+1 list calls whatever count the agent uses
// (docs/benchmarks.md). A first window takes that road when it lists everything or its count is
// at least half a page (a smaller fetch would not be cheaper for the application); a later one
// when the previous
// window left the page it starts in, or the page just before it, behind.
func (b *engineBackend) importWindow(st *step, env map[string]any, start, want int) bool {
	size := st.paging.maxSize
	if start == 0 {
		// An unfiltered listing is an import (or a probe of one); a filtered one with a small
		// count is a lookup, which a smaller page serves better.
		return 2*want >= size || len(env) == 0
	}
	aligned := start - start%size
	now := b.now()
	if _, _, ok := b.snaps.getPage(pageKey(st, env, aligned, size), now); ok {
		return true
	}
	if start == aligned {
		_, _, ok := b.snaps.getPage(pageKey(st, env, aligned-size, size), now)
		return ok
	}
	return false
}

// listPage fetches the page of size items starting at pos, or, when reuse is set, answers with
// the same page fetched for the previous window, and keeps what it fetched for the next window.
func (b *engineBackend) listPage(ctx context.Context, st *step, env map[string]any, rec reflect.Type, pos, size int, reuse bool) ([]any, int, error) {
	if reuse {
		if recs, total, ok := b.snaps.getPage(pageKey(st, env, pos, size), b.now()); ok {
			return recs, total, nil
		}
	}
	recs, total, err := b.listCall(ctx, st, env, rec, pageSetter(st.paging, pos, size))
	if err == nil && len(recs) == size {
		// Only a full page can hold the start of the next window (so an existence check,
		// which finds one user or none, never names or keeps its page).
		b.snaps.putPage(pageKey(st, env, pos, size), recs, total, b.now().Add(pageReuse))
	}
	return recs, total, err
}

// pageSetter sets the paging fields for the page starting at the 0-based index pos.
func pageSetter(p *paging, pos, size int) func(reflect.Value) error {
	return func(req reflect.Value) error {
		switch p.style {
		case "pageNumber":
			if err := p.page.set(req, pos/size+1); err != nil {
				return err
			}
		case "offset":
			if err := p.offset.set(req, pos); err != nil {
				return err
			}
		}
		return p.size.set(req, size)
	}
}

// listAll makes one unpaged list call, or answers from the snapshot of an earlier one. A
// listing that starts at the first item (fresh) always calls; the pages after it reuse its
// items for paging.snapshotTTL, so that one import run pages through one consistent order even
// if the application reorders or changes meanwhile.
func (b *engineBackend) listAll(ctx context.Context, st *step, env map[string]any, rec reflect.Type, fresh bool) ([]any, error) {
	p := st.paging
	var key string
	if p != nil && p.ttl > 0 {
		key = snapshotKey(st, env)
		if !fresh {
			if items, ok := b.snaps.get(key, b.now()); ok {
				return items, nil
			}
		}
	}
	var extra func(reflect.Value) error
	if p != nil && p.limit != nil {
		extra = func(req reflect.Value) error { return p.limit.set(req, p.maxSize) }
	}
	items, _, err := b.listCall(ctx, st, env, rec, extra)
	if err != nil {
		return nil, err
	}
	if p != nil && len(items) >= p.maxSize {
		// The application stops at the limit it was given: the listing may be incomplete, and
		// an import must not mistake a truncated listing for the whole directory.
		return nil, backend.Errorf(backend.Invalid,
			"the legacy application listed %d items, the most this mapping asks for (paging.maxSize of %s); the listing may be incomplete", len(items), st.call)
	}
	if _, sorted := env[envSortBy]; st.fetch != nil && !sorted {
		sortIDs(items)
	}
	if key != "" {
		b.snaps.put(key, items, b.now().Add(p.ttl))
	}
	return items, nil
}

func sortIDs(items []any) {
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := scalarString(plain(items[i]))
		c, _ := scalarString(plain(items[j]))
		return a < c
	})
}

// listCall makes one list call and reads its items and total (the number of items when the
// step has no total expression). Items are records, or ids for a step with fetch.
func (b *engineBackend) listCall(ctx context.Context, st *step, env map[string]any, rec reflect.Type, extra func(reflect.Value) error) ([]any, int, error) {
	resp, err := b.invoke(ctx, st, env, nil, extra)
	if backend.IsNotFound(err) {
		// "No such record" from a listing or a search means nothing matches: an empty list.
		return []any{}, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	if emptyAnswer(resp) {
		// An answer with nothing in it (a void reply, an empty result element) lists nothing;
		// the items expression is not asked to walk fields that are not there.
		return []any{}, 0, nil
	}
	renv := with(env, "resp", resp)
	v, err := st.items.run(renv)
	if err != nil {
		return nil, 0, b.mappingFailed(ctx, st.call, err)
	}
	var recs []any
	if !isNil(v) {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Slice {
			return nil, 0, b.badAnswer(ctx, st.call, errNoRecord)
		}
		recs = make([]any, 0, rv.Len())
		for i := 0; i < rv.Len(); i++ {
			if st.fetch != nil {
				if id := plain(rv.Index(i).Interface()); id != nil {
					recs = append(recs, id)
				}
				continue
			}
			r, err := asRecord(rv.Index(i).Interface(), rec)
			if err == errNoRecord {
				continue // a nil element of []*T: nothing to list
			}
			if err != nil {
				return nil, 0, b.badAnswer(ctx, st.call, err)
			}
			recs = append(recs, r)
		}
	}
	total := len(recs)
	if st.total != nil {
		t, err := st.total.run(renv)
		if err != nil {
			return nil, 0, b.mappingFailed(ctx, st.call, err)
		}
		n, err := toInt(plain(t))
		if err != nil {
			return nil, 0, b.badAnswer(ctx, st.call, err)
		}
		total = int(n)
	}
	return recs, total, nil
}

// scanAll reads every record of a list step, refusing with Invalid when there are more than
// limit: the bound that keeps one filter from reading a whole directory.
func (b *engineBackend) scanAll(ctx context.Context, st *step, env map[string]any, rec reflect.Type, limit int, why string) ([]any, error) {
	items, total, err := b.windowItems(ctx, st, env, rec, 0, limit)
	if err != nil {
		return nil, err
	}
	if total > limit || len(items) > limit {
		return nil, backend.Errorf(backend.Invalid,
			"%s would need to read %d records of the legacy application, more than the mapping's limit of %d; use a narrower filter", why, total, limit)
	}
	if st.fetch == nil {
		return items, nil
	}
	return b.fetchAll(ctx, st, rec, items)
}

func (b *engineBackend) rule(shape string) *searchRule {
	for i := range b.e.users.search {
		if b.e.users.search[i].shape == shape {
			return &b.e.users.search[i]
		}
	}
	return nil
}

// searchUsers answers a filtered listing. Either it returns all matches (all != nil) for the
// caller to window, or one window (users) with the true total.
func (b *engineBackend) searchUsers(ctx context.Context, q backend.Query, start, want int) (all []backend.User, total int, users []backend.User, err error) {
	us := b.e.users
	if path, values, ok := filter.Equalities(q.Filter); ok {
		if r := b.rule(strings.ToLower(path.String()) + " eq"); r != nil {
			if len(values) == 1 && !r.useGet {
				return b.pushDown(ctx, r, values[0], start, want)
			}
			all, err := b.union(ctx, r, values)
			if err != nil || !r.useGet {
				return all, 0, nil, err
			}
			// A get by id answers for the attribute only when the record it finds really has
			// the value asked for (the application may compare ids differently from SCIM).
			kept := all[:0]
			for _, u := range all {
				if filter.Match(q.Filter, backend.UserResolver(&u)) {
					kept = append(kept, u)
				}
			}
			return kept, 0, nil, nil
		}
	}
	if c, ok := q.Filter.(filter.Compare); ok {
		if r := b.rule(filter.Shape(c)); r != nil && !r.useGet {
			return b.pushDown(ctx, r, c.Value.Str, start, want)
		}
	}
	if us.maxScan <= 0 || us.list == nil {
		return nil, 0, nil, backend.Errorf(backend.Invalid,
			"the filter %s is not supported by this mapping; supported filters: %s", q.Filter.String(), b.e.describeShapes())
	}
	recs, err := b.scanAll(ctx, us.list.last(), map[string]any{}, us.rec, us.maxScan, "the filter "+q.Filter.String())
	if err != nil {
		return nil, 0, nil, err
	}
	all = []backend.User{}
	for _, r := range recs {
		u, err := b.toUser(ctx, r)
		if err != nil {
			return nil, 0, nil, err
		}
		if filter.Match(q.Filter, backend.UserResolver(u)) {
			all = append(all, *u)
		}
	}
	return all, 0, nil, nil
}

// pushDown answers one comparison with a rule's call, paging pushed down too.
func (b *engineBackend) pushDown(ctx context.Context, r *searchRule, value string, start, want int) ([]backend.User, int, []backend.User, error) {
	us := b.e.users
	recs, total, err := b.window(ctx, r.op.last(), map[string]any{"value": value}, us.rec, start, want)
	if err != nil {
		return nil, 0, nil, err
	}
	users, err := b.toUsers(ctx, recs)
	return nil, total, users, err
}

// union answers an or of equalities (the Okta `email eq "a" OR email eq "b"` form) with one
// lookup per distinct value, keeping the first occurrence of every id, in value order.
func (b *engineBackend) union(ctx context.Context, r *searchRule, values []string) ([]backend.User, error) {
	us := b.e.users
	limit := us.maxScan
	if limit <= 0 {
		limit = b.e.maxUnpaged
	}
	seenValue := map[string]bool{}
	seenID := map[string]bool{}
	out := []backend.User{}
	for _, v := range values {
		if seenValue[v] {
			continue
		}
		seenValue[v] = true
		var recs []any
		if r.useGet {
			rec, err := b.getRecord(ctx, us.get, us.rec, v)
			if backend.IsNotFound(err) {
				continue
			}
			if err != nil {
				return nil, err
			}
			recs = []any{rec}
		} else {
			var err error
			recs, err = b.scanAll(ctx, r.op.last(), map[string]any{"value": v}, us.rec, limit, "the filter")
			if err != nil {
				return nil, err
			}
		}
		for _, rec := range recs {
			u, err := b.toUser(ctx, rec)
			if err != nil {
				return nil, err
			}
			if seenID[u.ID] {
				continue
			}
			seenID[u.ID] = true
			out = append(out, *u)
		}
		if len(out) > limit {
			return nil, backend.Errorf(backend.Invalid, "the filter matches more than %d users; use a narrower filter", limit)
		}
	}
	return out, nil
}

// emptyAnswer reports whether a response holds nothing: a nil pointer or a struct whose fields
// are all zero (an XMLContent without content included).
func emptyAnswer(resp any) bool {
	rv := reflect.ValueOf(resp)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return true
		}
		rv = rv.Elem()
	}
	return rv.Kind() == reflect.Struct && rv.IsZero()
}
