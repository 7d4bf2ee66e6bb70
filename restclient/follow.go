package restclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
)

// follow reads the pages after the first of an operation with Follow and appends their items
// to the first response's list. It stops at a page without a next link or cursor, or an empty
// page; more than Follow.Max items is an error (an import must not take a truncated listing for
// the whole directory), and so is a next link to another origin (credentials stay with the
// endpoint).
func (c *Client) follow(ctx context.Context, o *Operation, first *http.Request, resp reflect.Value, h http.Header) (reflect.Value, error) {
	f := o.Follow
	items := memberByJSON(resp.Elem(), f.Items)
	cur := first
	for pages := 0; ; pages++ {
		if items.Len() > f.Max {
			return resp, fmt.Errorf("%w: the listing holds more than %d items (follow.max)", ErrBadRequest, f.Max)
		}
		var next *url.URL
		if f.Link {
			next = nextLink(h, cur.URL)
			if next != nil && (next.Scheme != c.base.Scheme || next.Host != c.base.Host) {
				return resp, fmt.Errorf("%w: the next page's link points to another origin (%s://%s)", ErrBadRequest, next.Scheme, next.Host)
			}
		} else {
			cursor := ""
			if v := memberByJSON(resp.Elem(), f.Cursor); v.IsValid() {
				if vs := paramValues(v); len(vs) > 0 {
					cursor = vs[0]
				}
			}
			if cursor != "" {
				u := *cur.URL
				q := u.Query()
				q.Set(f.Param, cursor)
				u.RawQuery = q.Encode()
				next = &u
			}
		}
		if next == nil || pages > f.Max {
			return resp, nil
		}
		req := cur.Clone(ctx)
		req.URL = next
		req.Host = ""
		page, ph, err := c.exchange(ctx, o, req)
		if err != nil {
			return resp, err
		}
		more := memberByJSON(page.Elem(), f.Items)
		if more.Len() == 0 {
			return resp, nil
		}
		items.Set(reflect.AppendSlice(items, more))
		if !f.Link {
			// The cursor for the page after this one is in this page.
			memberByJSON(resp.Elem(), f.Cursor).Set(memberByJSON(page.Elem(), f.Cursor))
		}
		cur, h = req, ph
	}
}

// memberByJSON finds the field of a response struct whose JSON name is name.
func memberByJSON(v reflect.Value, name string) reflect.Value {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag == name {
			return v.Field(i)
		}
	}
	return reflect.Value{}
}

// nextLink reads the rel="next" target of the Link headers (RFC 8288), resolved against base.
func nextLink(h http.Header, base *url.URL) *url.URL {
	for _, line := range h.Values("Link") {
		for _, part := range splitLinks(line) {
			target, params, ok := strings.Cut(part, ";")
			target = strings.TrimSpace(target)
			if !ok || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if !strings.EqualFold(strings.TrimSpace(k), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
					if strings.EqualFold(rel, "next") {
						u, err := base.Parse(target[1 : len(target)-1])
						if err != nil {
							return nil
						}
						return u
					}
				}
			}
		}
	}
	return nil
}

// splitLinks splits a Link header at the commas between links (not those inside <...> or quotes).
func splitLinks(s string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			depth++
		case c == '>' && !quoted && depth > 0:
			depth--
		case c == ',' && !quoted && depth == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
