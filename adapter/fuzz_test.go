package adapter

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/state"
)

// FuzzRequestBodies sends arbitrary bodies to every endpoint that reads one, in both dialects:
// the front end answers each with a status below 500 in the dialect's JSON shape, never a panic,
// whatever the codecs, the input rules, .search or PATCH make of it.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"userName":"a@example.com","active":true,"password":"p"}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],"filter":"userName sw \"a\"","sortBy":"userName","attributes":["userName"],"startIndex":2147483648}`,
		`{"Operations":[{"op":"replace","path":"members","value":[{"value":"u1"}]}]}`,
		"{\"userName\":\"a\\u0000\"}",
	} {
		f.Add([]byte(seed), uint8(0))
	}
	cfg := Config{Auth: AuthConfig{Mode: "none"}}
	h, err := New(cfg, memory.New(memory.Options{}), Options{Logger: slog.New(slog.DiscardHandler), Ledger: state.NewMemory()})
	if err != nil {
		f.Fatal(err)
	}
	// One user and one group exist, so that PUT and PATCH reach past the 404.
	for _, setup := range []struct{ path, body string }{{"/Users", `{"userName":"seed@example.com"}`}, {"/Groups", `{"displayName":"seed"}`}} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", setup.path, bytes.NewReader([]byte(setup.body))))
		if rec.Code != 200 {
			f.Fatalf("setup %s: %d %s", setup.path, rec.Code, rec.Body)
		}
	}
	targets := []struct{ method, path string }{
		{"POST", "/Users"}, {"PUT", "/Users/u1"}, {"POST", "/Groups"}, {"PUT", "/Groups/g1"},
		{"POST", "/scim/v2/Users"}, {"PUT", "/scim/v2/Users/u1"}, {"PATCH", "/scim/v2/Users/u1"},
		{"POST", "/scim/v2/Groups"}, {"PATCH", "/scim/v2/Groups/g1"}, {"POST", "/scim/v2/.search"},
		{"POST", "/scim/v2/Users/.search"},
	}
	f.Fuzz(func(t *testing.T, body []byte, target uint8) {
		tg := targets[int(target)%len(targets)]
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body)))
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d: %s", tg.method, tg.path, rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); rec.Code != http.StatusNoContent && ct == "" {
			t.Fatalf("%s %s answered %d without a Content-Type", tg.method, tg.path, rec.Code)
		}
	})
}
