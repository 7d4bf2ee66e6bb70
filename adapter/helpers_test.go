package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
	"github.com/scimbridge/scimbridge/internal/state"
)

const (
	testUser = "okta-agent"
	testPass = "correct horse battery staple"
)

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

type harness struct {
	t    *testing.T
	srv  *httptest.Server
	mem  *memory.Backend
	logs *syncBuffer
	// auth is applied to every request unless a test clears it.
	auth func(*http.Request)
}

func basicAuth(r *http.Request) { r.SetBasicAuth(testUser, testPass) }

// newHarness starts the front end over b (a fresh memory backend when nil) on 127.0.0.1.
func newHarness(t *testing.T, b backend.Backend, mutate func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, logs: &syncBuffer{}, auth: basicAuth}
	if b == nil {
		h.mem = memory.New(memory.Options{})
		b = h.mem
	}
	cfg := Config{Auth: AuthConfig{Mode: "basic", Username: testUser, Password: testPass}}
	if mutate != nil {
		mutate(&cfg)
	}
	handler, err := New(cfg, b, Options{Logger: slog.New(slog.NewJSONHandler(h.logs, nil)), Ledger: state.NewMemory()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	h.srv = httptest.NewServer(handler)
	t.Cleanup(h.srv.Close)
	return h
}

type response struct {
	status int
	header http.Header
	raw    []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("response is not a JSON object (%d): %q", r.status, r.raw)
	}
	return m
}

func (h *harness) do(method, path string, body []byte) response {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "text/plain") // the SDK reads bodies whatever the type
	}
	if h.auth != nil {
		h.auth(req)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, raw: raw}
}

func sample(t *testing.T, name string, ids map[string]string) []byte {
	t.Helper()
	b, err := oktafixtures.Bytes(name)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	s := string(b)
	// Replace the sample's ids ("101", "1002", …) with the ones our backend assigned.
	for from, to := range ids {
		s = strings.ReplaceAll(s, `"`+from+`"`, `"`+to+`"`)
	}
	return []byte(s)
}

// wantError checks the SDK error shape and code.
func wantError(t *testing.T, r response, status int, code string) map[string]any {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
	if ct := r.header.Get("Content-Type"); ct != jsonContentType {
		t.Errorf("error Content-Type %q", ct)
	}
	m := r.json(t)
	errs, ok := m["errors"].([]any)
	if !ok || len(errs) != 1 || len(m) != 1 {
		t.Fatalf("not the SDK error shape: %s", r.raw)
	}
	e := errs[0].(map[string]any)
	keys := []string{}
	for k := range e {
		keys = append(keys, k)
	}
	if len(e) != 4 || e["help_url"] != nil || e["statusCode"] != json.Number(jsonInt(status)) || e["internalCode"] != code {
		t.Fatalf("error item %v (keys %v), want statusCode %d internalCode %s", e, keys, status, code)
	}
	if _, ok := e["help_url"]; !ok {
		t.Fatalf("help_url missing: %s", r.raw)
	}
	if d, _ := e["description"].(string); d == "" {
		t.Fatalf("empty description: %s", r.raw)
	}
	return e
}

func jsonInt(n int) string { b, _ := json.Marshal(n); return string(b) }

// coreUserAttrs is the SCIM 1.1 core User attribute list the agent's parser accepts
// (docs/okta-agent-protocol.md#agent-parser).
var coreUserAttrs = map[string]bool{
	"schemas": true, "id": true, "externalId": true, "meta": true, "userName": true, "name": true,
	"displayName": true, "nickName": true, "profileUrl": true, "title": true, "userType": true,
	"preferredLanguage": true, "locale": true, "timezone": true, "active": true,
	"emails": true, "phoneNumbers": true, "ims": true, "photos": true, "addresses": true,
	"groups": true, "entitlements": true, "roles": true, "x509Certificates": true,
}

// checkUserShape enforces core-schema-declared, no-unknown-core-attributes and
// agent-password-on-every-put (docs/okta-agent-protocol.md) on one user object.
func checkUserShape(t *testing.T, u map[string]any) {
	t.Helper()
	schemas, _ := u["schemas"].([]any)
	if len(schemas) == 0 || schemas[0] != scim11.CoreSchema {
		t.Errorf("schemas %v must start with the core URN", u["schemas"])
	}
	for k := range u {
		if k == "password" {
			t.Errorf("password returned")
		}
		if strings.HasPrefix(k, "urn:") {
			found := false
			for _, s := range schemas {
				found = found || s == k
			}
			if !found {
				t.Errorf("extension %q not declared in schemas %v", k, schemas)
			}
			continue
		}
		if !coreUserAttrs[k] {
			t.Errorf("unknown top-level attribute %q", k)
		}
	}
	if id, _ := u["id"].(string); id == "" {
		t.Errorf("user without id")
	}
}

// checkList enforces list-shape (docs/okta-agent-protocol.md) and returns the resources.
func checkList(t *testing.T, r response, total int, paged bool) []map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("list status %d: %s", r.status, r.raw)
	}
	m := r.json(t)
	if !reflect.DeepEqual(m["schemas"], []any{scim11.CoreSchema}) {
		t.Errorf("list schemas %v", m["schemas"])
	}
	if m["totalResults"] != json.Number(jsonInt(total)) {
		t.Errorf("totalResults %v, want %d", m["totalResults"], total)
	}
	res, ok := m["Resources"].([]any)
	if !ok {
		t.Fatalf("no Resources array: %s", r.raw)
	}
	_, hasStart := m["startIndex"]
	_, hasItems := m["itemsPerPage"]
	if hasStart != paged || hasItems != paged {
		t.Errorf("startIndex/itemsPerPage present=%v/%v, want %v", hasStart, hasItems, paged)
	}
	if paged && m["itemsPerPage"] != json.Number(jsonInt(len(res))) {
		t.Errorf("itemsPerPage %v for %d resources", m["itemsPerPage"], len(res))
	}
	out := make([]map[string]any, len(res))
	for i, x := range res {
		out[i] = x.(map[string]any)
	}
	return out
}
