package restsim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestAPI(t *testing.T) {
	srv := httptest.NewServer(New(Options{ClientID: "c", ClientSecret: "s"}))
	defer srv.Close()
	do := func(method, path, token, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	if r := do("GET", Base+"/users", "", ""); r.StatusCode != 401 {
		t.Fatalf("no token: %d", r.StatusCode)
	}
	r, err := http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"wrong"}})
	if err != nil || r.StatusCode != 401 {
		t.Fatalf("wrong secret: %v %d", err, r.StatusCode)
	}
	r, _ = http.PostForm(srv.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}, "client_secret": {"s"}})
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.NewDecoder(r.Body).Decode(&tok)
	r.Body.Close()
	for _, n := range []string{"a", "b", "c"} {
		if r := do("POST", Base+"/users", tok.AccessToken, `{"userName":"`+n+`","password":"long-enough"}`); r.StatusCode != 201 {
			t.Fatalf("create %s: %d", n, r.StatusCode)
		}
	}
	if r := do("POST", Base+"/users", tok.AccessToken, `{"userName":"A","password":"long-enough"}`); r.StatusCode != 409 {
		t.Fatalf("duplicate (case-insensitive): %d", r.StatusCode)
	}
	r = do("GET", Base+"/users?offset=1&limit=1", tok.AccessToken, "")
	var page []User
	_ = json.NewDecoder(r.Body).Decode(&page)
	if r.Header.Get("X-Total-Count") != "3" || len(page) != 1 || page[0].UserName != "b" {
		t.Fatalf("page: total %q, %+v", r.Header.Get("X-Total-Count"), page)
	}
	if r := do("GET", Base+"/users?limit=1000", tok.AccessToken, ""); r.StatusCode != 400 {
		t.Fatalf("limit beyond 100: %d", r.StatusCode)
	}
}
