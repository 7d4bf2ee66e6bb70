package conformance

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// checkSort20 holds a connector to what its /ServiceProviderConfig says about sorting: with
// sort.supported, sortBy=userName lists the run's users in order and sortOrder=descending in the
// reverse one (RFC 7644 §3.4.2.3). POST /Users/.search (RFC 7644 §3.4.3), which no document
// advertises, is tried with the same query: a 404, 405 or 501 is a note, a different answer a
// failure.
func checkSort20(ctx context.Context, c *checkRun) {
	e := c.env
	spc, err := e.serviceProviderConfig(ctx, c)
	if err != nil {
		c.skipf("/ServiceProviderConfig could not be read, so whether sorting is supported is unknown")
		return
	}
	if m, _ := spc["sort"].(map[string]any); m == nil || m["supported"] != true {
		c.skipf("/ServiceProviderConfig does not advertise sort.supported")
		return
	}
	// Names that sort differently by case-sensitive and case-insensitive order: SCIM compares
	// userName ignoring case.
	var users []*testUser
	for _, label := range []string{"sortB", "sorta", "sortC"} {
		u := e.fixtureUser(ctx, c, label, true)
		if u == nil {
			return
		}
		users = append(users, u)
	}
	prefix := "sbtest-" + e.runID + "-sort"
	filter := "userName sw " + quote(prefix)
	want := make([]string, 0, len(users))
	for _, u := range users {
		want = append(want, strings.ToLower(u.UserName))
	}
	slices.Sort(want)
	names := func(what string, r *response) []string {
		obj, ok := r.object()
		if r.Status == http.StatusBadRequest && ok && obj["scimType"] == "invalidFilter" {
			c.notef("%s: the connector refuses the filter %s (400 invalidFilter), so sorting was not checked on the run's users", what, filter)
			return nil
		}
		if r.Status != http.StatusOK || !ok {
			c.failf("%s answered %d %s", what, r.Status, snippet(r.Body))
			return nil
		}
		items, _ := e.d.ListResources(obj)
		out := []string{}
		for _, it := range items {
			out = append(out, strings.ToLower(stringAt(it, "userName")))
		}
		return out
	}
	for _, order := range []string{"ascending", "descending"} {
		q := filterQuery(filter, false) + "&sortBy=userName&sortOrder=" + order
		r, err := c.call(ctx, "GET", "Users", q, nil)
		if err != nil {
			c.failf("%v", err)
			return
		}
		got := names("GET /Users sorted "+order, r)
		exp := slices.Clone(want)
		if order == "descending" {
			slices.Reverse(exp)
		}
		if got != nil && !slices.Equal(got, exp) {
			c.failf("sortBy=userName&sortOrder=%s listed %v, want %v", order, got, exp)
		}
	}
	body := map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:SearchRequest"},
		"filter": filter, "sortBy": "userName", "sortOrder": "descending", "startIndex": 1, "count": 10}
	r, err := c.call(ctx, "POST", "Users/.search", "", body)
	switch {
	case err != nil:
		c.failf("POST /Users/.search: %v", err)
	case r.Status == http.StatusNotFound || r.Status == http.StatusMethodNotAllowed || r.Status == http.StatusNotImplemented:
		c.notef("POST /Users/.search answered %d: not offered (optional in RFC 7644 §3.4.3)", r.Status)
	default:
		exp := slices.Clone(want)
		slices.Reverse(exp)
		if got := names("POST /Users/.search", r); got != nil && !slices.Equal(got, exp) {
			c.failf("POST /Users/.search listed %v, want %v, as the same query by GET", got, exp)
		} else if got != nil {
			c.notef("POST /Users/.search answers like GET (%s)", plural(len(got), "user"))
		}
	}
}
