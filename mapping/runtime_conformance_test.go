package mapping_test

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/backendtest"
	"github.com/scimbridge/scimbridge/filter"
	"github.com/scimbridge/scimbridge/internal/asmxsim"
	"github.com/scimbridge/scimbridge/internal/legacysim"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/internal/wso2sim"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// The other half of the matrix: the same shipped mappings and the same contract suite as
// soap_conformance_test.go, through the runtime WSDL client built from the WSDL files at test
// time instead of the generated clients.

func runtimeEngine(t *testing.T, name string, file []byte, wsdl string, cfg soapclient.Config) (*mapping.Engine, *soapclient.Client) {
	t.Helper()
	spec, err := mapping.Parse(name, file)
	if err != nil {
		t.Fatal(err)
	}
	client, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: wsdl, Name: spec.Client.Value}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	eng, err := mapping.Compile(spec, catalog{client}, mapping.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return eng, client
}

func TestConformanceLegacyHROverRuntimeWSDL(t *testing.T) {
	sim, err := legacysim.New(legacysim.Options{Username: "svc", Password: "svc-pass"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	eng, client := runtimeEngine(t, "legacyhr.mapping.yaml", defaults.LegacyHR, "../wsdl/legacyhr.wsdl", soapclient.Config{
		Endpoint: srv.URL + legacysim.SOAPPath, WSSE: &soapclient.WSSEConfig{Username: "svc", Password: "svc-pass"}})
	backendtest.Run(t, func(t *testing.T) backend.Backend { return eng.Backend(client, testLog(t)) })
}

func TestConformanceWSO2OverRuntimeWSDL(t *testing.T) {
	sim, err := wso2sim.New(wso2sim.Options{Username: "admin", Password: "admin-pass"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	st, err := state.OpenSQLite(t.TempDir() + "/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	eng, client := runtimeEngine(t, "wso2.mapping.yaml", defaults.WSO2, "../wsdl/corpus/wso2-remote-userstore/RemoteUserStoreManagerService.wsdl", soapclient.Config{
		Endpoint: srv.URL + wso2sim.SOAPPath, BasicAuth: &soapclient.BasicAuthConfig{Username: "admin", Password: "admin-pass"}})
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return eng.Backend(client, testLog(t), mapping.WithState(st))
	})
}

// The ASMX-shaped directory (internal/asmxsim), which has no generated client at all: its reads
// are open XML content read by XPath, its writes flat parameters, its duplicates not refused.
func TestConformanceASMXOverRuntimeWSDL(t *testing.T) {
	sim, err := asmxsim.New(asmxsim.Options{Username: "svc", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	st, err := state.OpenSQLite(t.TempDir() + "/state.db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	file, err := os.ReadFile("../deploy/examples/asmx.mapping.yaml")
	if err != nil {
		t.Fatal(err)
	}
	eng, client := runtimeEngine(t, "asmx.mapping.yaml", file, "../wsdl/asmx-directory.wsdl", soapclient.Config{
		Endpoint: srv.URL + asmxsim.SOAPPath, BasicAuth: &soapclient.BasicAuthConfig{Username: "svc", Password: "pw"}})
	caps := eng.Capabilities()
	if !caps.CreateUser || !caps.ReplaceUser || !caps.Activation || !caps.SetPassword || !caps.UpdateGroup || !caps.DeleteGroup {
		t.Errorf("the ASMX mapping does not claim every capability: %+v", caps)
	}
	be := eng.Backend(client, testLog(t), mapping.WithState(st))
	backendtest.Run(t, func(t *testing.T) backend.Backend { return be })

	// The defects a hollow mapping had, each answered right (the list).
	ctx := context.Background()
	u, err := be.CreateUser(ctx, &backend.User{UserName: `corp\dup`, Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := be.CreateUser(ctx, &backend.User{UserName: `CORP\dup`, Active: true}); backend.KindOf(err) != backend.Conflict {
		t.Errorf("a duplicate create: %v, want conflict (the application itself accepts it)", err)
	}
	if _, err := be.GetUser(ctx, "nobody"); !backend.IsNotFound(err) {
		t.Errorf("an unknown user: %v, want notFound (read from the fault's errorstring)", err)
	}
	f, err := filter.Parse(`userName eq "nobody"`)
	if err != nil {
		t.Fatal(err)
	}
	page, err := be.ListUsers(ctx, backend.Query{Filter: f, StartIndex: 1, Count: 10})
	if err != nil || len(page.Users) != 0 || page.Total != 0 {
		t.Errorf("existence check for an unknown user: %+v %v, want an empty list", page, err)
	}
	g, err := be.CreateGroup(ctx, &backend.Group{DisplayName: "Readers", Members: []backend.Member{{Value: u.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := be.GetGroup(ctx, g.ID); err != nil || len(got.Members) != 1 || got.Members[0].Value != u.ID {
		t.Fatalf("group members read through XPath: %+v %v", got, err)
	}
	if _, err := be.UpdateGroup(ctx, g.ID, backend.GroupChange{Remove: []string{u.ID}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := be.GetGroup(ctx, g.ID); len(got.Members) != 0 {
		t.Errorf("a member removal did nothing: %+v", got.Members)
	}
}
