package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
	"github.com/scimbridge/scimbridge/internal/state"
)

// Micro-benchmarks of the SCIM front end's own work beyond one user (docs/benchmarks.md, front
// end): a whole import page as the 1.1 wire writes it.

// BenchmarkCodec11EncodeListPage500 encodes 500 users and wraps them in a 1.1 list response, the
// work of one count=500 import page after the mapping engine.
func BenchmarkCodec11EncodeListPage500(b *testing.B) {
	c := scim11.New("onprem_app", "custom")
	users := make([]backend.User, 500)
	for i := range users {
		u := sampleUser()
		u.ID, u.UserName = fmt.Sprintf("E%06d", i), fmt.Sprintf("user%06d@example.com", i)
		u.Custom = map[string]any{"department": "Sales", "costCenter": int64(4200 + i)}
		users[i] = *u
	}
	b.ReportAllocs()
	for b.Loop() {
		items := make([][]byte, 0, len(users))
		for i := range users {
			it, err := c.EncodeUser(&users[i])
			if err != nil {
				b.Fatal(err)
			}
			items = append(items, it)
		}
		if _, err := scim11.EncodeList(100000, items, scim11.Paging{Paged: true, StartIndex: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// frontEnd is the SCIM front end alone over the in-memory backend, served without a network:
// what the bridge's own HTTP handler costs per request, audit line included (written as JSON to
// nowhere, as a production logger formats it).
func frontEnd(b *testing.B) (http.Handler, string) {
	b.Helper()
	cfg := adapter.Config{}
	cfg.Auth.Mode = "basic"
	cfg.Auth.Username, cfg.Auth.Password = "okta", "bench-secret"
	h, err := adapter.New(cfg, memory.New(memory.Options{}), adapter.Options{
		Ledger: state.NewMemory(), Logger: slog.New(slog.NewJSONHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	body, err := oktafixtures.Bytes("createNewUser.json")
	if err != nil {
		b.Fatal(err)
	}
	rec := serve(h, "POST", "/scim/v1/Users", body)
	if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
		b.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	var created struct{ ID string }
	if err := json.Unmarshal(rec.Body.Bytes(), &created); err != nil {
		b.Fatal(err)
	}
	return h, created.ID
}

func serve(h http.Handler, method, target string, body []byte) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	r.SetBasicAuth("okta", "bench-secret")
	r.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

func benchFrontEnd(b *testing.B, method, target string, body []byte) {
	h, id := frontEnd(b)
	target = strings.ReplaceAll(target, "{id}", id)
	b.ReportAllocs()
	// Process CPU time per request says more than wall time on a machine shared with other work.
	c0 := cpuTime()
	for b.Loop() {
		if rec := serve(h, method, target, body); rec.Code != http.StatusOK {
			b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
		}
	}
	b.ReportMetric(float64(cpuTime()-c0)/float64(b.N), "cpu-ns/op")
}

// BenchmarkFrontEndGetUser is GET /Users/{id} through the front end alone.
func BenchmarkFrontEndGetUser(b *testing.B) {
	benchFrontEnd(b, "GET", "/scim/v1/Users/{id}", nil)
}

// BenchmarkFrontEndExistenceCheck is the agent's existence check through the front end alone.
func BenchmarkFrontEndExistenceCheck(b *testing.B) {
	benchFrontEnd(b, "GET", "/scim/v1/Users?filter="+url.QueryEscape(`userName eq "myemail@domain.com"`)+"&startIndex=1&count=100", nil)
}

// BenchmarkFrontEndProfilePush is the agent's full PUT of a profile through the front end alone.
func BenchmarkFrontEndProfilePush(b *testing.B) {
	body, err := oktafixtures.Bytes("pushProfileUpdate.json")
	if err != nil {
		b.Fatal(err)
	}
	benchFrontEnd(b, "PUT", "/scim/v1/Users/{id}", body)
}

// BenchmarkCodec11DecodeGroupPush2000 decodes a SCIM 1.1 group push of 2,000 members, the body
// Okta sends for a large pushed group.
func BenchmarkCodec11DecodeGroupPush2000(b *testing.B) {
	var body strings.Builder
	body.WriteString(`{"schemas":["urn:scim:schemas:core:1.0","urn:okta:custom:group:1.0"],"id":"00g1","displayName":"Sales","members":[`)
	for i := range 2000 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `{"value":"E%06d","display":"user%06d@example.com"}`, i, i)
	}
	body.WriteString(`],"urn:okta:custom:group:1.0":{"description":"All of sales"}}`)
	data := []byte(body.String())
	c := scim11.New("onprem_app", "custom")
	b.ReportAllocs()
	for b.Loop() {
		in, err := c.DecodeGroup(data)
		if err != nil || len(in.Members) != 2000 {
			b.Fatal(err)
		}
	}
}
