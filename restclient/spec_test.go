package restclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// Every problem of a bad rest: block is reported at once, at its line and column.
func TestParseProblemsHavePositions(t *testing.T) {
	src := `types:
  User: { id: int, login: strng, self: User2 }
  User2: { u: User2 }
operations:
  getUser: { method: FETCH, path: "users/{id}" }
  list:
    method: GET
    path: /users
    query: { filter: { a: int } }
    response: { users: "[]Usr" }
    colour: red
  dup: { method: GET, path: /x, query: { user_id: int, userId: string } }
  follow: { method: GET, path: /f, response: { items: "[]string" }, follow: { link: next, items: nope } }
`
	_, err := parseDef(t, src)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`test.yaml:2:27: rest.types.User.login: unknown type "strng" (did you mean "string"?)`,
		`test.yaml:3:15: rest.types.User2.u: type User2 refers to itself (User → User2 → User2), which a Go struct cannot hold`,
		`test.yaml:5:22: rest.operations.getUser.method: "FETCH" is not one of GET, POST, PUT, PATCH, DELETE, HEAD`,
		`test.yaml:5:35: rest.operations.getUser.path: required, a path starting with / (e.g. /users/{id}.json)`,
		`test.yaml:9:22: rest.operations.list.query.filter: parameters are scalars (string, int, number, bool, time) or lists of scalars`,
		`test.yaml:10:24: rest.operations.list.response.users: unknown type "Usr" (did you mean "User"?)`,
		`test.yaml:11:5: rest.operations.list.colour: unknown key`,
		`test.yaml:12:56: rest.operations.dup: query parameter "userId" and "user_id" become the same request field UserId`,
		`test.yaml:13:98: rest.operations.follow.follow.items: "nope" is not a list member of the response`,
		`test.yaml:13:77: rest.operations.follow.follow: max: required (the most items one listing may hold)`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		found := false
		for _, g := range got {
			if g == w {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem\n  %s\ngot:\n  %s", w, strings.Join(got, "\n  "))
		}
	}
}

func TestGoName(t *testing.T) {
	for in, want := range map[string]string{"total_count": "TotalCount", "user_id": "UserId", "X-Total-Count": "XTotalCount",
		"id": "Id", "2fa": "F2fa", "": "F", "créé": "Créé", "a.b": "AB"} {
		if got := GoName(in); got != want {
			t.Errorf("GoName(%q) = %q, want %q", in, got, want)
		}
	}
}

// OAuth2 client credentials: one token request, the token reused for the following calls and
// sent as a bearer token; the client secret goes to the token endpoint only.
func TestOAuth2ClientCredentials(t *testing.T) {
	var tokens atomic.Int32
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		id, secret, _ := r.BasicAuth()
		if r.Form.Get("grant_type") != "client_credentials" || id != "bridge" || secret != "s3cret" || r.Form.Get("audience") != "api" {
			http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
			return
		}
		tokens.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`))
	}))
	defer tokenSrv.Close()
	var auths []string
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		auths = append(auths, r.Header.Get("Authorization"))
		w.Write([]byte(`{"user":{"id":1}}`))
	}, func(c *Config) {
		c.OAuth2 = &OAuth2{TokenURL: tokenSrv.URL, ClientID: "bridge", ClientSecret: "s3cret", Params: map[string]string{"audience": "api"}}
	})
	for range 3 {
		if _, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"})); err != nil {
			t.Fatal(err)
		}
	}
	if tokens.Load() != 1 || len(auths) != 3 || auths[2] != "Bearer at-1" {
		t.Errorf("token requests %d, auths %v", tokens.Load(), auths)
	}
	if s := (OAuth2{ClientSecret: "s3cret"}).String(); strings.Contains(s, "s3cret") {
		t.Errorf("String() leaks the secret: %s", s)
	}
}
