package adapter

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
)

// POST /.search (RFC 7644 §3.4.3): the query in a SearchRequest body instead of the URL, so that
// a filter with personal data stays out of access logs. The body becomes the query string the GET
// handlers read, so both answer alike.

// searchQuery turns a SearchRequest body into the equivalent query string.
func (s *server) searchQuery(r *http.Request) (*http.Request, error) {
	data, err := s.readBody(r)
	if err != nil {
		return nil, err
	}
	doc, err := scimjson.Parse(data, "SearchRequest")
	if err != nil {
		return nil, decodeFailure("SearchRequest", err, true)
	}
	m, orig := scimjson.Lower(doc)
	v := url.Values{}
	for _, k := range []string{"filter", "sortby", "sortorder", "startindex", "count", "attributes", "excludedattributes"} {
		raw, ok := m[k]
		if !ok || raw == nil {
			continue
		}
		var val string
		if list, isList := raw.([]any); isList && (k == "attributes" || k == "excludedattributes") {
			parts := make([]string, 0, len(list))
			for _, e := range list {
				p, err := scimjson.Str(e, orig[k])
				if err != nil {
					return nil, decodeFailure("SearchRequest", err, true)
				}
				parts = append(parts, p)
			}
			val = strings.Join(parts, ",")
		} else if val, err = scimjson.Str(raw, orig[k]); err != nil {
			return nil, decodeFailure("SearchRequest", err, true)
		}
		v.Set(orig[k], val)
	}
	q := r.Clone(r.Context())
	u := *r.URL
	u.RawQuery = v.Encode()
	q.URL = &u
	return q, nil
}

// searchHandler answers POST /{Users,Groups}/.search with the listing h gives for the same query.
func (s *server) searchHandler(h http.HandlerFunc) http.HandlerFunc {
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		q, err := s.searchQuery(r)
		if err != nil {
			return err
		}
		h(w, q)
		return nil
	})
}

// searchAll answers POST /.search at the root: users, then groups, as one listing.
func (s *server) searchAll() http.HandlerFunc {
	d := s.w20
	return handle(func(w http.ResponseWriter, r *http.Request) error {
		q, err := s.searchQuery(r)
		if err != nil {
			return err
		}
		lr, err := s.parseList(q, d)
		if err != nil {
			return err
		}
		ctx := r.Context()
		users, err := s.listUsers(ctx, lr)
		if err != nil {
			return err
		}
		items := make([][]byte, 0, len(users.Users))
		for i := range users.Users {
			b, err := d.encodeUser(q, &users.Users[i])
			if err != nil {
				return failed(op{resource: "user", list: true}, err)
			}
			items = append(items, b)
		}
		// The groups' share of the window: what is left of count, from where the users end.
		glr := *lr
		glr.query.StartIndex = max(1, lr.query.StartIndex-users.Total)
		glr.query.Count = max(0, lr.query.Count-len(items))
		if lr.query.StartIndex-1+len(items) < users.Total {
			glr.query.Count = 0 // the window ends inside the users: the groups count only
		}
		groups := &backend.GroupPage{}
		if s.caps.ListGroups {
			if groups, err = s.listGroups(ctx, &glr); err != nil {
				return err
			}
		}
		for i := range groups.Groups {
			b, err := d.encodeGroup(q, &groups.Groups[i])
			if err != nil {
				return failed(op{resource: "group", list: true}, err)
			}
			items = append(items, b)
		}
		body, err := scim20.EncodeList(users.Total+groups.Total, lr.query.StartIndex, items)
		if err != nil {
			return failed(op{resource: "resource", list: true}, err)
		}
		writeJSON(w, http.StatusOK, body)
		return nil
	})
}
