package restsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
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

// The XML edition: the same directory, XML both ways, XML errors, JSON bodies refused.
func TestXMLEdition(t *testing.T) {
	s := New(Options{ClientID: "c", ClientSecret: "s"})
	srv := httptest.NewServer(s)
	defer srv.Close()
	s.tokens["t"] = time.Now().Add(time.Hour)
	do := func(method, path, ctype, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, body := do("POST", XMLBase+"/users", "application/xml", `<user><userName>ann</userName><active>true</active><password>long-enough</password></user>`)
	if code != 201 || !strings.Contains(body, `<user id="u0001"><userName>ann</userName>`) {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body = do("POST", XMLBase+"/users", "application/json", `{"userName":"bob"}`); code != 415 || !strings.Contains(body, "<code>BAD_XML</code>") {
		t.Fatalf("JSON to the XML edition: %d %s", code, body)
	}
	if code, body = do("PUT", XMLBase+"/users/u0001/password", "application/xml", `<password>short</password>`); code != 422 ||
		!strings.Contains(body, "<error><code>WEAK_PASSWORD</code><message>the password must have at least 8 characters</message></error>") {
		t.Fatalf("weak password: %d %s", code, body)
	}
	if code, _ = do("PUT", XMLBase+"/users/u0001/password", "text/xml", `<password>long-enough-2</password>`); code != 204 || s.users["u0001"].password != "long-enough-2" {
		t.Fatalf("password: %d", code)
	}
	if code, body = do("GET", XMLBase+"/users?limit=10", "", ""); code != 200 || !strings.Contains(body, `<users total="1"><user id="u0001">`) {
		t.Fatalf("list: %d %s", code, body)
	}
	do("POST", XMLBase+"/groups", "application/xml", `<group><name>devs</name></group>`)
	do("PUT", XMLBase+"/groups/g0002/members/u0001", "", "")
	if code, body = do("GET", XMLBase+"/groups", "", ""); code != 200 || !strings.Contains(body, `<groups><group id="g0002"><name>devs</name><members><member>u0001</member></members></group></groups>`) {
		t.Fatalf("groups: %d %s", code, body)
	}
	// The JSON edition sees the same directory.
	if code, body = do("GET", Base+"/users/u0001", "", ""); code != 200 || !strings.Contains(body, `"userName":"ann"`) {
		t.Fatalf("JSON edition: %d %s", code, body)
	}
}
