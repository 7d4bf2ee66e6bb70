package restclient

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/internal/guard"
	"github.com/scimbridge/scimbridge/internal/h1client"
	"github.com/scimbridge/scimbridge/internal/reqid"
)

const testDef = `
errors: { message: errors }
types:
  User: { id: int, login: string, status: int, created_on: time, tags: "[]string" }
operations:
  getUser: { method: GET, path: "/users/{id}.json", response: { user: User } }
  listUsers:
    method: GET
    path: /users.json?fixed=1
    query: { offset: int, limit: int, status: string, ids: "[]int" }
    headers: { X-Tenant: string }
    response: { users: "[]User", total_count: int }
    responseHeaders: { X-Total-Count: int }
  createUser: { method: POST, path: /users.json, body: { user: User }, response: { user: User } }
  updateUser: { method: PUT, path: "/users/{id}.json", body: { user: User } }
  linked:
    method: GET
    path: /linked
    response: { items: "[]string" }
    follow: { link: next, items: items, max: 5 }
  cursored:
    method: GET
    path: /cursored
    query: { after: string }
    response: { items: "[]string", next: string }
    follow: { cursor: next, param: after, items: items, max: 10 }
`

func parseDef(t *testing.T, src string) (*Definition, error) {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return Parse("test.yaml", n.Content[0])
}

func newClient(t *testing.T, h http.HandlerFunc, mod func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	def, err := parseDef(t, testDef)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{Endpoint: srv.URL + "/api", Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New("test", def, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// request builds a request of op by setting fields by Go name (a dotted path).
func request(t *testing.T, c *Client, op string, fields map[string]any) any {
	t.Helper()
	o, ok := c.def.Lookup(op)
	if !ok {
		t.Fatalf("no operation %s", op)
	}
	req := reflect.New(o.Request)
	for path, v := range fields {
		cur := req.Elem()
		for _, name := range strings.Split(path, ".") {
			for cur.Kind() == reflect.Pointer {
				if cur.IsNil() {
					cur.Set(reflect.New(cur.Type().Elem()))
				}
				cur = cur.Elem()
			}
			cur = cur.FieldByName(name)
			if !cur.IsValid() {
				t.Fatalf("%s: no field %s", op, path)
			}
		}
		rv := reflect.ValueOf(v)
		if cur.Kind() == reflect.Pointer && rv.Kind() != reflect.Pointer {
			p := reflect.New(cur.Type().Elem())
			p.Elem().Set(rv.Convert(cur.Type().Elem()))
			rv = p
		}
		cur.Set(rv.Convert(cur.Type()))
	}
	return req.Interface()
}

func field(v any, path string) any {
	cur := reflect.ValueOf(v)
	for _, name := range strings.Split(path, ".") {
		for cur.Kind() == reflect.Pointer {
			if cur.IsNil() {
				return nil
			}
			cur = cur.Elem()
		}
		cur = cur.FieldByName(name)
	}
	for cur.Kind() == reflect.Pointer {
		if cur.IsNil() {
			return nil
		}
		cur = cur.Elem()
	}
	return cur.Interface()
}

func TestRequestBuiltAsDeclared(t *testing.T) {
	var got *http.Request
	var body []byte
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		w.Header().Set("X-Total-Count", "42")
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		io.WriteString(w, `{"users":[{"id":7,"login":"jdoe","status":1,"created_on":"2024-01-02T03:04:05Z","tags":["a"],"extra":{"x":1}}],"total_count":1}`)
	}, func(c *Config) { c.Headers = map[string]string{"X-Redmine-API-Key": "k3y"} })

	ctx := reqid.With(context.Background(), "req-123")
	resp, err := c.Invoke(ctx, "listUsers", request(t, c, "listUsers", map[string]any{"Offset": int64(25), "Status": "", "Ids": []int64{1, 2}, "XTenant": "acme"}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != "GET" || got.URL.Path != "/api/users.json" {
		t.Errorf("request %s %s", got.Method, got.URL.Path)
	}
	q := got.URL.Query()
	if q.Get("fixed") != "1" || q.Get("offset") != "25" || !q.Has("status") || q.Get("status") != "" || q.Has("limit") || strings.Join(q["ids"], ",") != "1,2" {
		t.Errorf("query %q: want fixed=1, offset=25, status= (empty, present), ids twice, no limit", got.URL.RawQuery)
	}
	if got.Header.Get("X-Tenant") != "acme" || got.Header.Get("X-Redmine-API-Key") != "k3y" || got.Header.Get(reqid.Header) != "req-123" || got.Header.Get("Accept") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	if len(body) != 0 {
		t.Errorf("a GET sent a body: %q", body)
	}
	if field(resp, "Header.XTotalCount") != int64(42) || field(resp, "TotalCount") != int64(1) {
		t.Errorf("response header/total not decoded: %+v", resp)
	}
	users := field(resp, "Users")
	u := reflect.ValueOf(users).Index(0).Interface()
	if field(u, "Login") != "jdoe" || field(u, "Id") != int64(7) || !field(u, "CreatedOn").(time.Time).Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Errorf("user %+v", u)
	}
}

func TestPathEscapingAndBody(t *testing.T) {
	var got *http.Request
	var body map[string]any
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.WriteHeader(http.StatusNoContent)
	}, func(c *Config) { c.Bearer = "tok" })
	resp, err := c.Invoke(context.Background(), "updateUser", request(t, c, "updateUser", map[string]any{"Id": "a/b c", "Body.User.Status": int64(3)}))
	if err != nil {
		t.Fatal(err)
	}
	if got.URL.EscapedPath() != "/api/users/a%2Fb%20c.json" {
		t.Errorf("path %s: the id must be one escaped segment", got.URL.EscapedPath())
	}
	if got.Header.Get("Authorization") != "Bearer tok" || got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", got.Header)
	}
	// Only what was set is sent: no "login": null, no "id": 0.
	if want := map[string]any{"user": map[string]any{"status": float64(3)}}; !reflect.DeepEqual(body, want) {
		t.Errorf("body %v, want %v", body, want)
	}
	if resp == nil {
		t.Error("204 gave no response value")
	}
	// An empty path parameter is never sent (it would address the collection).
	if _, err := c.Invoke(context.Background(), "updateUser", request(t, c, "updateUser", nil)); !errors.Is(err, ErrBadRequest) {
		t.Errorf("empty id: %v, want ErrBadRequest", err)
	}
}

func TestErrorsAreFaultsOrStatusErrors(t *testing.T) {
	cases := []struct {
		status      int
		ctype, body string
		fault       bool
		code, msg   string
	}{
		{422, "application/json", `{"errors":["Login has already been taken","Email is invalid"]}`, true, "", "Login has already been taken; Email is invalid"},
		{404, "application/json", ``, true, "", ""},
		{400, "application/json", `{"code":"E42","message":"bad thing"}`, true, "E42", "bad thing"},
		{409, "text/html", `<html><head><style>p{}</style></head><body><h1>Conflict</h1><p>user   exists</p></body></html>`, true, "", "Conflict user exists"},
		{502, "text/html", `<html><body>Bad gateway</body></html>`, false, "", ""},
		{429, "application/json", `{"message":"slow down"}`, false, "", ""},
	}
	for _, tc := range cases {
		c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.ctype)
			w.WriteHeader(tc.status)
			io.WriteString(w, tc.body)
		}, nil)
		_, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
		var f *Fault
		var he *HTTPStatusError
		switch {
		case tc.fault && errors.As(err, &f):
			if f.FaultCode() != itoa(tc.status) || f.DetailCode() != tc.code || f.DetailMessage() != tc.msg {
				t.Errorf("%d: fault %q %q %q, want %q %q", tc.status, f.FaultCode(), f.DetailCode(), f.DetailMessage(), tc.code, tc.msg)
			}
		case !tc.fault && errors.As(err, &he):
			if he.HTTPStatus() != tc.status || classify(err) != guard.OutcomeHTTPError {
				t.Errorf("%d: %v", tc.status, err)
			}
		default:
			t.Errorf("%d: err = %v (%T)", tc.status, err, err)
		}
	}
}

func itoa(i int) string { return strings.TrimSpace(strings.Repeat(" ", 0) + jsonNum(i)) }
func jsonNum(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestMalformedReplies(t *testing.T) {
	for _, body := range []string{`<html>maintenance</html>`, `{"user":{"id":"seven"}}`} {
		c := newClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }, nil)
		_, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
		var me *MalformedError
		if !errors.As(err, &me) || classify(err) != guard.OutcomeMalformed {
			t.Errorf("%s: err = %v, want MalformedError", body, err)
		}
	}
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, strings.Repeat(" ", 2048)) },
		func(c *Config) { c.MaxResponseBytes = 1024 })
	if _, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"})); !errors.Is(err, ErrResponseTooLarge) {
		t.Errorf("oversized: %v", err)
	}
}

// With the guards on, a GET that meets a 503 is retried; a PUT or POST is sent exactly once,
// whatever happens (a write whose answer was lost may have been applied).
func TestWritesAreNeverResent(t *testing.T) {
	var calls atomic.Int32
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}, func(c *Config) {
		c.Resilience = &guard.Config{Retry: guard.RetryConfig{Attempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond},
			Breaker: guard.BreakerConfig{Disabled: true}}
	})
	for _, tc := range []struct {
		op     string
		fields map[string]any
		want   int32
	}{
		{"getUser", map[string]any{"Id": "1"}, 3},
		{"updateUser", map[string]any{"Id": "1"}, 1},
		{"createUser", nil, 1},
	} {
		calls.Store(0)
		_, err := c.Invoke(context.Background(), tc.op, request(t, c, tc.op, tc.fields))
		if err == nil || calls.Load() != tc.want {
			t.Errorf("%s: %d calls (err %v), want %d", tc.op, calls.Load(), err, tc.want)
		}
	}
	if !c.IsRead("getUser") || c.IsRead("updateUser") {
		t.Error("IsRead must follow the HTTP method")
	}
}

func TestFollowLinkAndCursor(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/linked":
			switch r.URL.Query().Get("page") {
			case "":
				w.Header().Set("Link", `</api/linked?page=2>; rel="next", </api/linked?page=9>; rel="last"`)
				io.WriteString(w, `{"items":["a","b"]}`)
			case "2":
				w.Header().Set("Link", `<http://127.0.0.1/api/linked?page=3>; rel="prev next"`)
				io.WriteString(w, `{"items":["c"]}`)
			}
		case "/api/cursored":
			switch r.URL.Query().Get("after") {
			case "":
				io.WriteString(w, `{"items":["a"],"next":"x1"}`)
			case "x1":
				io.WriteString(w, `{"items":["b","c"],"next":"x2"}`)
			case "x2":
				io.WriteString(w, `{"items":["d"],"next":""}`)
			}
		}
	}, nil)
	// The second page links to another origin: refused, never followed.
	if _, err := c.Invoke(context.Background(), "linked", request(t, c, "linked", nil)); err == nil || !strings.Contains(err.Error(), "another origin") {
		t.Errorf("cross-origin next link: %v", err)
	}
	resp, err := c.Invoke(context.Background(), "cursored", request(t, c, "cursored", nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := field(resp, "Items"); !reflect.DeepEqual(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("cursor items %v", got)
	}
}

func TestFollowLinkSameOrigin(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
		n := r.URL.Query().Get("page")
		if n != "6" {
			next := map[string]string{"": "2", "2": "3", "3": "4", "4": "5", "5": "6"}[n]
			w.Header().Set("Link", `<`+r.URL.Path+`?page=`+next+`>; rel=next`)
		}
		io.WriteString(w, `{"items":["p`+n+`"]}`)
	}, nil)
	_, err := c.Invoke(context.Background(), "linked", request(t, c, "linked", nil))
	if err == nil || !strings.Contains(err.Error(), "more than 5 items") {
		t.Errorf("six pages of one item with max 5: %v, want a refusal", err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Calls go through the bridge's own HTTP client unless Config.NetHTTP or a proxy asks for
// net/http's Transport.
func TestHTTPTransportChoice(t *testing.T) {
	proxy, _ := url.Parse("http://127.0.0.1:1")
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		own  bool
	}{
		{"default", nil, true},
		{"netHTTP", func(c *Config) { c.NetHTTP = true }, false},
		{"proxy", func(c *Config) { c.Proxy = proxy }, false},
	} {
		c := newClient(t, func(http.ResponseWriter, *http.Request) {}, tc.mod)
		if _, own := c.http.Transport.(*h1client.Transport); own != (tc.own && h1client.Supported) {
			t.Errorf("%s: transport is %T", tc.name, c.http.Transport)
		}
	}
}

// A static header the transport would refuse on every call is refused when the client is built.
func TestStaticHeadersChecked(t *testing.T) {
	def, err := parseDef(t, testDef)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []map[string]string{{"Bad Name": "v"}, {"X-A": "a\r\nX-B: b"}, {"X-A": "a\x01b"}, {"Content-Length": "1"}} {
		if _, err := New("test", def, Config{Endpoint: "http://127.0.0.1:1/api", Headers: h}); err == nil || !strings.Contains(err.Error(), "static header") {
			t.Errorf("headers %q: err = %v", h, err)
		}
	}
	if _, err := New("test", def, Config{Endpoint: "http://127.0.0.1:1/api", Headers: map[string]string{"X-Api-Key": "k\tey v"}}); err != nil {
		t.Errorf("a valid header refused: %v", err)
	}
}
