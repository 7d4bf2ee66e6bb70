package adapter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// listRequest is a parsed list query.
type listRequest struct {
	query backend.Query
	// paged is whether the client asked for paging (startIndex or count); the SCIM 1.1 answer
	// carries startIndex and itemsPerPage only then, or when the answer was cut short.
	paged bool
	// beyond is a startIndex past any backend's range: the answer is an empty page with the true
	// total, and the backend is asked for the total only.
	beyond bool
	// sortBy, when set, sorts the listing: in the application when it sorts by that attribute,
	// else in the bridge (core_sort.go).
	sortBy     *filter.AttrPath
	descending bool
}

// maxStartIndex is the last startIndex passed to a backend: applications page with 32-bit
// numbers (a page number, an offset), which a larger index would overflow.
const maxStartIndex = 1<<31 - 1

// queryParam looks a parameter up case-insensitively: the SDK's names are camelCase, but nothing
// is gained by refusing `startindex`.
func queryParam(v url.Values, name string) (string, bool) {
	if x, ok := v[name]; ok && len(x) > 0 {
		return x[0], true
	}
	for k, x := range v {
		if strings.EqualFold(k, name) && len(x) > 0 {
			return x[0], true
		}
	}
	return "", false
}

// parseList reads startIndex, count and filter (docs/okta-agent-protocol.md: filter-forms,
// paging-rules) from the query string. Without startIndex and count there is no paging:
// everything, capped at maxPageSize, with the true total.
func (s *server) parseList(r *http.Request, d wire) (*listRequest, error) {
	// url.ParseQuery decodes '+' as a space, as the 2014 tester runs need
	// (docs/okta-agent-protocol.md#filters).
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, newProblem(http.StatusBadRequest, codeBadRequest, "The query string is not valid URL encoding")
	}
	lr := &listRequest{query: backend.Query{StartIndex: 1, Count: s.cfg.MaxPageSize}}
	// SCIM 2.0 reads a startIndex below 1 as 1 and a negative count as 0 (RFC 7644 §3.4.2.4);
	// the agent's SCIM 1.1 SDK answers them 400 (docs/okta-agent-protocol.md#paging-rules).
	lenient := d.dialect() == scim20Dialect
	if raw, ok := queryParam(v, "startIndex"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err == nil && n < 0 && lenient {
			n = 1
		}
		if err != nil || n < 0 {
			return nil, newProblem(http.StatusBadRequest, codeBadPaging, "startIndex must be a non-negative integer")
		}
		lr.paged = true
		lr.query.StartIndex = int(max(1, min(n, maxStartIndex)))
		lr.beyond = n > maxStartIndex-int64(s.cfg.MaxPageSize)
	}
	if raw, ok := queryParam(v, "count"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err == nil && n < 0 && lenient {
			n = 0
		}
		if err != nil || n < 0 {
			return nil, newProblem(http.StatusBadRequest, codeBadPaging, "count must be a non-negative integer")
		}
		lr.paged = true
		lr.query.Count = int(min(n, int64(s.cfg.MaxPageSize)))
	}
	if raw, ok := queryParam(v, "filter"); ok && strings.TrimSpace(raw) != "" {
		e, err := filter.Parse(raw)
		if err != nil {
			msg := "the filter is not valid"
			var se *filter.SyntaxError
			if errors.As(err, &se) {
				msg = se.Error()
			}
			return nil, newProblem(http.StatusBadRequest, codeBadFilter, "Cannot parse the SCIM filter: "+msg)
		}
		if e, err = normaliseFilter(e, d); err != nil {
			return nil, newProblem(http.StatusBadRequest, codeBadFilter, err.Error())
		}
		lr.query.Filter = e
	}
	sortBy, _ := queryParam(v, "sortBy")
	sortOrder, _ := queryParam(v, "sortOrder")
	if err := parseSort(lr, sortBy, sortOrder, d); err != nil {
		return nil, err
	}
	return lr, nil
}

// normaliseFilter rewrites the dialect's spellings to the neutral ones backends see (through
// wire.attrPath): `email`, `emails` and `emails.value` become emails.value; the custom and
// enterprise URNs become backend.CustomSchema / backend.EnterpriseSchema; the core URN is dropped.
// Any other URN is refused, since no backend could answer it.
func normaliseFilter(e filter.Expr, d wire) (filter.Expr, error) {
	switch e := e.(type) {
	case filter.Compare:
		p, err := d.attrPath(e.Path, false)
		e.Path = p
		if err == nil {
			err = checkTimeLiteral(e)
		}
		return e, err
	case filter.Present:
		p, err := d.attrPath(e.Path, false)
		e.Path = p
		return e, err
	case filter.And:
		l, err := normaliseFilter(e.Left, d)
		if err != nil {
			return nil, err
		}
		rt, err := normaliseFilter(e.Right, d)
		return filter.And{Left: l, Right: rt}, err
	case filter.Or:
		l, err := normaliseFilter(e.Left, d)
		if err != nil {
			return nil, err
		}
		rt, err := normaliseFilter(e.Right, d)
		return filter.Or{Left: l, Right: rt}, err
	case filter.Not:
		x, err := normaliseFilter(e.X, d)
		return filter.Not{X: x}, err
	case filter.ValuePath:
		// Paths inside the brackets are relative to the attribute; only the attribute moves.
		p, err := d.attrPath(e.Path, true)
		e.Path = p
		return e, err
	}
	return e, nil
}

// normaliseCorePath drops the core URN and spells every form of the email address the same way.
func normaliseCorePath(p filter.AttrPath, valuePath bool) filter.AttrPath {
	p.URN = ""
	if strings.EqualFold(p.Name, "email") || strings.EqualFold(p.Name, "emails") {
		p.Name = "emails"
		if !valuePath && (p.Sub == "" || strings.EqualFold(p.Sub, "value")) {
			p.Sub = "value"
		}
	}
	return p
}

// checkTimeLiteral refuses a comparison of meta.created or meta.lastModified with a value that
// is not a date-time. Evaluated anyway, it would compare as a string and match nothing, so an
// incremental import with a timestamp format we do not read would quietly import nothing
// (docs/okta-agent-protocol.md#incremental-import); a 400 tells the admin instead. co/sw/ew
// are string operations and are left alone.
func checkTimeLiteral(c filter.Compare) error {
	if c.Path.URN != "" || !strings.EqualFold(c.Path.Name, "meta") ||
		(!strings.EqualFold(c.Path.Sub, "lastModified") && !strings.EqualFold(c.Path.Sub, "created")) {
		return nil
	}
	switch c.Op {
	case filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le:
	default:
		return nil
	}
	if c.Value.Kind == filter.String {
		if _, ok := filter.ParseTime(c.Value.Str); ok {
			return nil
		}
	}
	return fmt.Errorf("The filter compares meta.%s with a value that is not a date-time; use ISO-8601 such as \"2024-04-07T14:19:34Z\"", c.Path.Sub)
}

// backendQuery is the query the backend sees: past its range, a count-only query for the total.
func (lr *listRequest) backendQuery() backend.Query {
	if lr.beyond {
		return backend.Query{Filter: lr.query.Filter, StartIndex: 1, Count: 0}
	}
	return lr.query
}

// listUsers fetches one page of users. A backend that ignores count still cannot exceed it.
func (s *server) listUsers(ctx context.Context, lr *listRequest) (*backend.UserPage, error) {
	q := lr.backendQuery()
	if lr.sortBy != nil {
		if !pushSort(&q, lr, s.caps.SortUsers) {
			return s.sortedUsers(ctx, lr)
		}
	}
	page, err := s.b.ListUsers(ctx, q)
	if err != nil {
		return nil, failed(op{resource: "user", list: true}, err)
	}
	if lr.beyond {
		page.Users = nil
	}
	if len(page.Users) > lr.query.Count && lr.query.Count >= 0 {
		page.Users = page.Users[:lr.query.Count]
	}
	return page, nil
}

// listGroups fetches one page of groups. A backend without groups has none: import downloads
// groups after users (docs/okta-agent-protocol.md#msg-import-users), so an empty list keeps user import working where a 501 would fail it.
func (s *server) listGroups(ctx context.Context, lr *listRequest) (*backend.GroupPage, error) {
	if !s.caps.ListGroups {
		return &backend.GroupPage{}, nil
	}
	q := lr.backendQuery()
	if lr.sortBy != nil {
		if !pushSort(&q, lr, s.caps.SortGroups) {
			return s.sortedGroups(ctx, lr)
		}
	}
	page, err := s.b.ListGroups(ctx, q)
	if err != nil {
		return nil, failed(op{resource: "group", list: true}, err)
	}
	if lr.beyond {
		page.Groups = nil
	}
	if len(page.Groups) > lr.query.Count && lr.query.Count >= 0 {
		page.Groups = page.Groups[:lr.query.Count]
	}
	return page, nil
}
