package adapter

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// Sorting (RFC 7644 §3.4.2.3). An unfiltered listing sorted by an attribute the backend sorts by
// itself (Capabilities.SortUsers/SortGroups, from the mapping's sort block) is passed down with
// the query and paged as usual. Any other sorted listing is sorted in the bridge: it reads every
// match, in pages of scim.maxPageSize, up to the mapping's scan bound (fallback.maxScan) and never
// more than maxSortScan resources, sorts them and cuts the requested page; a listing with more
// matches is refused with tooMany and a hint to filter, rather than sorted partially.

// maxSortScan is the most resources a sorted listing reads.
const maxSortScan = 10000

// sortBound is how many matches a listing sorted in the bridge may read, and what sets it.
func sortBound(scan int) (int, string) {
	if scan > 0 && scan < maxSortScan {
		return scan, "the mapping's fallback.maxScan"
	}
	return maxSortScan, "the connector's limit"
}

// parseSort reads sortBy and sortOrder; sortOrder without sortBy is ignored, as the RFC says.
func parseSort(lr *listRequest, sortBy, sortOrder string, d wire) error {
	if strings.TrimSpace(sortBy) == "" {
		return nil
	}
	e, err := filter.Parse(sortBy + " pr")
	pr, ok := e.(filter.Present)
	if err != nil || !ok {
		return newProblem(http.StatusBadRequest, codeBadRequest, fmt.Sprintf("sortBy %q is not an attribute path", sortBy))
	}
	p, err := d.attrPath(pr.Path, false)
	if err != nil {
		return newProblem(http.StatusBadRequest, codeBadRequest, err.Error())
	}
	lr.sortBy = &p
	switch strings.ToLower(strings.TrimSpace(sortOrder)) {
	case "", "ascending":
	case "descending":
		lr.descending = true
	default:
		return newProblem(http.StatusBadRequest, codeBadRequest, "sortOrder must be ascending or descending")
	}
	return nil
}

// pushSort sets q's sort when the listing is unfiltered and the backend sorts by lr.sortBy
// itself (sortable lists the attributes, dotted and neutral); false: the bridge sorts.
func pushSort(q *backend.Query, lr *listRequest, sortable []string) bool {
	if lr.query.Filter != nil || len(sortable) == 0 {
		return false
	}
	name := lr.sortBy.Name
	if lr.sortBy.Sub != "" {
		name += "." + lr.sortBy.Sub
	}
	if lr.sortBy.URN != "" {
		name = lr.sortBy.URN + "." + name
	}
	for _, a := range sortable {
		if strings.EqualFold(a, name) {
			q.SortBy, q.SortDescending = a, lr.descending
			return true
		}
	}
	return false
}

// sortedPage reads every match of lr's filter through fetch, sorts by lr.sortBy and returns the
// requested page and the total.
func sortedPage[T any](lr *listRequest, pageSize, scan int, fetch func(q backend.Query) (int, []T, error), resolve func(*T) filter.Resolver) (int, []T, error) {
	limit, why := sortBound(scan)
	q := backend.Query{Filter: lr.query.Filter, StartIndex: 1, Count: pageSize}
	var all []T
	for {
		total, items, err := fetch(q)
		if err != nil {
			return 0, nil, err
		}
		if total > limit {
			return 0, nil, newProblem(http.StatusBadRequest, codeTooMany, fmt.Sprintf(
				"Sorting reads every match, and this listing has %d, more than the %d the connector sorts (%s); add a filter", total, limit, why))
		}
		all = append(all, items...)
		if len(items) == 0 || len(all) >= total {
			break
		}
		q.StartIndex += len(items)
	}
	keys := make(map[*T]any, len(all))
	for i := range all {
		if vs := resolve(&all[i]).Values(*lr.sortBy); len(vs) > 0 {
			keys[&all[i]] = vs[0]
		}
	}
	idx := make([]int, len(all))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		ka, hasA := keys[&all[a]]
		kb, hasB := keys[&all[b]]
		var c int
		switch {
		case !hasA && !hasB:
			return 0
		case !hasA: // no value: last when ascending, first when descending
			c = 1
		case !hasB:
			c = -1
		default:
			c = compareValues(ka, kb)
		}
		if lr.descending {
			c = -c
		}
		return c
	})
	if lr.beyond {
		return len(all), nil, nil
	}
	start := min(lr.query.StartIndex-1, len(all))
	end := min(start+max(lr.query.Count, 0), len(all))
	out := make([]T, 0, end-start)
	for _, i := range idx[start:end] {
		out = append(out, all[i])
	}
	return len(all), out, nil
}

// compareValues orders two attribute values: strings ignoring case (SCIM's default caseExact
// false), times, numbers and booleans by value; values of different kinds by their text.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(strings.ToLower(x), strings.ToLower(y))
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	}
	if fa, ok := number(a); ok {
		if fb, ok := number(b); ok {
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		}
	}
	return strings.Compare(strings.ToLower(fmt.Sprint(a)), strings.ToLower(fmt.Sprint(b)))
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int64:
		return float64(n), true
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// sortedUsers and sortedGroups are the two listings sortedPage serves.
func (s *server) sortedUsers(ctx context.Context, lr *listRequest) (*backend.UserPage, error) {
	total, users, err := sortedPage(lr, s.cfg.MaxPageSize, s.caps.ScanUsers, func(q backend.Query) (int, []backend.User, error) {
		p, err := s.b.ListUsers(ctx, q)
		if err != nil {
			return 0, nil, err
		}
		return p.Total, p.Users, nil
	}, func(u *backend.User) filter.Resolver { return backend.UserResolver(u) })
	if err != nil {
		return nil, failed(op{resource: "user", list: true}, err)
	}
	return &backend.UserPage{Total: total, Users: users}, nil
}

func (s *server) sortedGroups(ctx context.Context, lr *listRequest) (*backend.GroupPage, error) {
	total, groups, err := sortedPage(lr, s.cfg.MaxPageSize, s.caps.ScanGroups, func(q backend.Query) (int, []backend.Group, error) {
		p, err := s.b.ListGroups(ctx, q)
		if err != nil {
			return 0, nil, err
		}
		return p.Total, p.Groups, nil
	}, func(g *backend.Group) filter.Resolver { return backend.GroupResolver(g) })
	if err != nil {
		return nil, failed(op{resource: "group", list: true}, err)
	}
	return &backend.GroupPage{Total: total, Groups: groups}, nil
}
