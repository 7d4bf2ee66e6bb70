package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/internal/restsim"
)

// listRecorder remembers the query of every user listing the simulator answers.
type listRecorder struct {
	next http.Handler
	mu   sync.Mutex
	qs   []string
}

func (l *listRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == restsim.Base+"/users" {
		l.mu.Lock()
		l.qs = append(l.qs, r.URL.RawQuery)
		l.mu.Unlock()
	}
	l.next.ServeHTTP(w, r)
}

func (l *listRecorder) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.qs
	l.qs = nil
	return out
}

// TestSortPushedDown: a bridge over restsim, whose mapping says listUsers sorts by userName and
// familyName, passes an unfiltered sorted listing down (the application gets sort and order, and
// the pages come back in order), and sorts by any other attribute itself (the application gets no
// sort parameter, the pages are in order all the same).
func TestSortPushedDown(t *testing.T) {
	rec := &listRecorder{next: restsim.New(restsim.Options{ClientID: "bridge", ClientSecret: e2eSimPass})}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	base := srv.URL + restsim.Base
	s := startBridge(t, base, "", fmt.Sprintf(`
  mapping: %s
  openapi: %s
  endpoint: %s
  oauth2: { tokenURL: %s/oauth/token, clientID: bridge, clientSecret: "${file:SIMPASS}" }`,
		filepath.Join("..", "..", "deploy", "examples", "restsim.mapping.yaml"),
		filepath.Join("..", "..", "internal", "restsim", "openapi.yaml"), base, srv.URL))
	v2 := &client{t: t, base: strings.TrimSuffix(s.scim.base, "scim/v1/") + "scim/v2/", user: e2eSCIMUser, pass: e2eSCIMPass}

	// userName and givenName in opposite orders, family names in a third, ids in creation order.
	for i, u := range [][3]string{{"delta", "Ann", "Oak"}, {"Alpha", "Dan", "elm"}, {"charlie", "Bea", "Ash"},
		{"bravo", "Eve", "Pine"}, {"echo", "Cid", "birch"}} {
		r := v2.do("POST", "Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"%s@x",
			"name":{"givenName":"%s","familyName":"%s"},"emails":[{"value":"u%d@x","primary":true}],"active":true}`, u[0], u[1], u[2], i))
		if r.status != 201 {
			t.Fatalf("create %s: %d %s", u[0], r.status, r.body)
		}
	}
	// pages reads the sorted listing in pages of 2 and returns the values of attr.
	pages := func(c *client, query string, attr func(map[string]any) string) []string {
		var got []string
		for start := 1; start <= 5; start += 2 {
			r := c.do("GET", fmt.Sprintf("Users?%s&startIndex=%d&count=2", query, start), nil)
			if r.status != 200 {
				t.Fatalf("GET Users?%s: %d %s", query, r.status, r.body)
			}
			var list struct {
				Total     int              `json:"totalResults"`
				Resources []map[string]any `json:"Resources"`
			}
			if err := json.Unmarshal(r.body, &list); err != nil || list.Total != 5 {
				t.Fatalf("GET Users?%s: %v total %d: %s", query, err, list.Total, r.body)
			}
			for _, u := range list.Resources {
				got = append(got, attr(u))
			}
		}
		return got
	}
	userName := func(u map[string]any) string { return u["userName"].(string) }
	name := func(part string) func(map[string]any) string {
		return func(u map[string]any) string { return u["name"].(map[string]any)[part].(string) }
	}
	rec.take()

	for _, tc := range []struct {
		c     *client
		query string
		attr  func(map[string]any) string
		want  []string
		sent  string // the sort parameters the application must get, "" for none
	}{
		{v2, "sortBy=userName&sortOrder=descending", userName, []string{"echo@x", "delta@x", "charlie@x", "bravo@x", "Alpha@x"}, "order=desc&sort=userName"},
		{v2, "sortBy=userName", userName, []string{"Alpha@x", "bravo@x", "charlie@x", "delta@x", "echo@x"}, "order=asc&sort=userName"},
		{s.scim, "sortBy=name.familyName&sortOrder=ascending", name("familyName"), []string{"Ash", "birch", "elm", "Oak", "Pine"}, "order=asc&sort=familyName"},
		{v2, "sortBy=name.givenName&sortOrder=descending", name("givenName"), []string{"Eve", "Dan", "Cid", "Bea", "Ann"}, ""},
	} {
		if got := pages(tc.c, tc.query, tc.attr); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.query, got, tc.want)
		}
		qs := rec.take()
		if len(qs) == 0 {
			t.Fatalf("%s: the application listed nothing", tc.query)
		}
		for _, q := range qs {
			has := strings.Contains(q, "sort=") || strings.Contains(q, "order=")
			if tc.sent == "" && has {
				t.Errorf("%s: sorted in the bridge, but the application got %q", tc.query, q)
			}
			if tc.sent != "" {
				for _, p := range strings.Split(tc.sent, "&") {
					if !slices.Contains(strings.Split(q, "&"), p) {
						t.Errorf("%s: the application got %q, without %s", tc.query, q, p)
					}
				}
			}
		}
		if tc.sent != "" && len(qs) != 3 {
			t.Errorf("%s: %d list calls for 3 pages pushed down: %v", tc.query, len(qs), qs)
		}
	}
	// A filtered listing is sorted in the bridge, whatever the attribute.
	r := v2.do("GET", `Users?filter=userName%20eq%20%22bravo@x%22&sortBy=userName`, nil)
	if r.status != 200 || !strings.Contains(string(r.body), "bravo@x") {
		t.Fatalf("filtered and sorted: %d %s", r.status, r.body)
	}
	for _, q := range rec.take() {
		if strings.Contains(q, "sort=") {
			t.Errorf("a filtered listing pushed its sort down: %q", q)
		}
	}
}
