package bench

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/guard"
	"github.com/scimbridge/scimbridge/internal/restsim"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/restclient"
)

// restStack is the REST side of the report: the bundled REST simulator (internal/restsim), the
// REST client built from its OpenAPI document with OAuth2 client credentials, and the bridge
// with the shipped deploy/examples/restsim.mapping.yaml in front of them.
type restStack struct {
	client *restclient.Client
	cat    mapping.Catalog
	scim   *httptest.Server
	http   *http.Client
	probe  *overheadProbe
	id     string // a user that exists
}

func newRESTStack(b testing.TB) *restStack {
	b.Helper()
	sim := restsim.New(restsim.Options{ClientID: "bridge", ClientSecret: "bench-secret"})
	simSrv := httptest.NewServer(sim)
	b.Cleanup(simSrv.Close)
	file, err := os.ReadFile("../deploy/examples/restsim.mapping.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec, err := mapping.Parse("restsim.mapping.yaml", file)
	if err != nil {
		b.Fatal(err)
	}
	def, err := restclient.ParseOpenAPI("openapi.yaml", restsim.OpenAPI)
	if err != nil {
		b.Fatal(err)
	}
	client, err := restclient.New("restsim", def, restclient.Config{
		Endpoint:       simSrv.URL + restsim.Base,
		OAuth2:         &restclient.OAuth2{TokenURL: simSrv.URL + "/oauth/token", ClientID: "bridge", ClientSecret: "bench-secret"},
		MaxConcurrency: 80,
		Resilience:     &guard.Config{Registerer: prometheus.NewRegistry(), MaxReads: 64, MaxWrites: 16},
	})
	if err != nil {
		b.Fatal(err)
	}
	cat := config.RESTCatalog(def)
	eng, err := mapping.Compile(spec, cat, mapping.Options{})
	if err != nil {
		b.Fatal(err)
	}
	cfg := adapter.Config{}
	cfg.Auth.Mode = "none"
	h, err := adapter.New(cfg, eng.Backend(client, nil), adapter.Options{Ledger: state.NewMemory()})
	if err != nil {
		b.Fatal(err)
	}
	scim, probe := serveBridge(b, h)
	hc := scim.Client()
	hc.Transport.(*http.Transport).MaxIdleConnsPerHost = 128
	s := &restStack{client: client, cat: cat, scim: scim, http: hc, probe: probe}
	r := &report{t: b, s: &stack{scim: scim, http: hc}}
	body := r.expect("POST", "/scim/v1/Users", `{"schemas":["urn:scim:schemas:core:1.0"],"userName":"bench.user","name":{"givenName":"Bench","familyName":"User"},`+
		`"emails":[{"value":"bench.user@example.com","primary":true,"type":"work"}],"active":true,"password":"bench-secret-1"}`, 0)
	var created struct{ ID string }
	if err := json.Unmarshal(body, &created); err != nil || created.ID == "" {
		b.Fatalf("creating the REST benchmark user: %s (%v)", body, err)
	}
	s.id = created.ID
	return s
}

// request builds op's request with the given fields set (Go-style field names, as the mapping
// spells them).
func (s *restStack) request(b testing.TB, op string, fields map[string]any) any {
	info, ok := s.cat.Operation(op)
	if !ok {
		b.Fatalf("restsim has no operation %s", op)
	}
	req := reflect.New(info.Request)
	for name, v := range fields {
		f := req.Elem().FieldByName(name)
		if !f.IsValid() {
			b.Fatalf("%s has no field %s", op, name)
		}
		if f.Kind() == reflect.Pointer {
			p := reflect.New(f.Type().Elem())
			p.Elem().Set(reflect.ValueOf(v).Convert(f.Type().Elem()))
			f.Set(p)
		} else {
			f.Set(reflect.ValueOf(v).Convert(f.Type()))
		}
	}
	return req.Interface()
}

func (s *restStack) invoke(b testing.TB, op string, req any) {
	if _, err := s.client.Invoke(context.Background(), op, req); err != nil {
		b.Fatalf("%s: %v", op, err)
	}
}

// scenarios are get user and the existence check, each way.
func (s *restStack) scenarios(b testing.TB) []scenario {
	r := &report{t: b, s: &stack{scim: s.scim, http: s.http}}
	get := s.request(b, "getUser", map[string]any{"Id": s.id})
	find := s.request(b, "listUsers", map[string]any{"UserName": "bench.user", "Offset": 0, "Limit": 100})
	filter := `userName%20eq%20%22bench.user%22`
	return []scenario{
		{"get user", func() { s.invoke(b, "getUser", get) }, func() { r.expect("GET", "/scim/v1/Users/"+s.id, "", 200) }},
		{"existence check", func() { s.invoke(b, "listUsers", find) },
			func() { r.expect("GET", "/scim/v1/Users?filter="+filter+"&startIndex=1&count=100", "", 200) }},
	}
}

// TestRESTStackWorks keeps the REST wiring honest in the ordinary test run.
func TestRESTStackWorks(t *testing.T) {
	s := newRESTStack(t)
	for _, sc := range s.scenarios(t) {
		sc.direct()
		sc.bridge()
	}
	r := &report{t: t, s: &stack{scim: s.scim, http: s.http}}
	if body := r.expect("GET", "/scim/v1/Users?filter=userName%20eq%20%22bench.user%22&startIndex=1&count=100", "", 200); !strings.Contains(string(body), `"totalResults":1`) {
		t.Errorf("the REST existence check does not find the benchmark user: %s", body)
	}
}
