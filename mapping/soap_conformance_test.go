package mapping_test

import (
	"context"
	"log/slog"
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

// catalog adapts a soapclient.Client to the engine's Catalog, as cmd/scimbridge does.
type catalog struct{ c *soapclient.Client }

func (c catalog) Operations() []string { return c.c.Operations() }

func (c catalog) Operation(name string) (mapping.OperationInfo, bool) {
	op, ok := c.c.Lookup(name)
	if !ok {
		return mapping.OperationInfo{}, false
	}
	return mapping.OperationInfo{Name: op.Name, Request: op.Request, Response: op.Response}, true
}

func testLog(t *testing.T) *slog.Logger {
	if os.Getenv("MAPPING_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return nil
}

// soapEngine compiles a shipped mapping file against a real generated client that talks SOAP
// to endpoint.
func soapEngine(t *testing.T, name string, file []byte, cfg soapclient.Config) (*mapping.Engine, *soapclient.Client) {
	return engineOver(t, name, file, "", cfg)
}

// engineOver compiles a mapping file against a SOAP client talking to cfg.Endpoint: the
// generated client compiled into the binary when wsdl is "", else the runtime client built from
// the WSDL file at test time.
func engineOver(t *testing.T, name string, file []byte, wsdl string, cfg soapclient.Config) (*mapping.Engine, *soapclient.Client) {
	t.Helper()
	spec, err := mapping.Parse(name, file)
	if err != nil {
		t.Fatal(err)
	}
	var client *soapclient.Client
	if wsdl == "" {
		client, err = soapclient.New(spec.Client.Value, cfg)
	} else {
		client, _, err = wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: wsdl, Name: spec.Client.Value}, cfg)
	}
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

// soapApp is one bundled application with its shipped mapping, for the conformance matrix.
type soapApp struct {
	mapping string
	file    []byte
	wsdl    string                   // the WSDL the runtime client reads
	serve   func(*testing.T) string  // starts the simulator, returns its SOAP endpoint
	auth    func(*soapclient.Config) // the simulator's credentials
	state   bool                     // the mapping keeps ids or change tracking in the state store
	claims  func(backend.Capabilities) bool
}

func serveLegacyHR(t *testing.T) string {
	sim, err := legacysim.New(legacysim.Options{Username: "svc", Password: "svc-pass"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL + legacysim.SOAPPath
}

func serveWSO2(t *testing.T) string {
	sim, err := wso2sim.New(wso2sim.Options{Username: "admin", Password: "admin-pass"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL + wso2sim.SOAPPath
}

func serveASMX(t *testing.T) string {
	sim, err := asmxsim.New(asmxsim.Options{Username: "svc", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	return srv.URL + asmxsim.SOAPPath
}

var (
	legacyHRApp = soapApp{mapping: "legacyhr.mapping.yaml", file: defaults.LegacyHR, wsdl: "../wsdl/legacyhr.wsdl", serve: serveLegacyHR,
		auth: func(c *soapclient.Config) { c.WSSE = &soapclient.WSSEConfig{Username: "svc", Password: "svc-pass"} }}
	wso2App = soapApp{mapping: "wso2.mapping.yaml", file: defaults.WSO2,
		wsdl: "../wsdl/corpus/wso2-remote-userstore/RemoteUserStoreManagerService.wsdl", serve: serveWSO2, state: true,
		auth: func(c *soapclient.Config) {
			c.BasicAuth = &soapclient.BasicAuthConfig{Username: "admin", Password: "admin-pass"}
		},
		claims: func(c backend.Capabilities) bool {
			return c.CreateUser && c.ListUsers && c.ReplaceUser && c.Activation && c.IncrementalImport && c.SetPassword &&
				c.CreateGroup && c.UpdateGroup && c.DeleteGroup
		}}
	asmxApp = soapApp{mapping: "asmx.mapping.yaml", wsdl: "../wsdl/asmx-directory.wsdl", serve: serveASMX, state: true,
		auth: func(c *soapclient.Config) { c.BasicAuth = &soapclient.BasicAuthConfig{Username: "svc", Password: "pw"} },
		claims: func(c backend.Capabilities) bool {
			return c.CreateUser && c.ReplaceUser && c.Activation && c.SetPassword && c.UpdateGroup && c.DeleteGroup
		}}
)

// start serves the app's simulator and builds its engine and backend over the generated client
// (runtime false) or the runtime WSDL client (runtime true).
func (a soapApp) start(t *testing.T, runtime bool) backend.Backend {
	t.Helper()
	file := a.file
	if file == nil {
		var err error
		if file, err = os.ReadFile("../deploy/examples/" + a.mapping); err != nil {
			t.Fatal(err)
		}
	}
	cfg := soapclient.Config{Endpoint: a.serve(t)}
	a.auth(&cfg)
	wsdl := ""
	if runtime {
		wsdl = a.wsdl
	}
	eng, client := engineOver(t, a.mapping, file, wsdl, cfg)
	if a.claims != nil && !a.claims(eng.Capabilities()) {
		t.Errorf("%s does not claim every capability it maps: %+v", a.mapping, eng.Capabilities())
	}
	var opts []mapping.BackendOption
	if a.state {
		st, err := state.OpenSQLite(t.TempDir() + "/state.db")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		opts = append(opts, mapping.WithState(st))
	}
	return eng.Backend(client, testLog(t), opts...)
}

// The shared contract suite over every shipped SOAP mapping, real SOAP over loopback to its
// simulator, through both kinds of client: the generated one compiled into the binary and the
// runtime one built from the WSDL file (the ASMX directory has no generated client at all).
func TestConformanceOverSOAP(t *testing.T) {
	for _, tc := range []struct {
		name    string
		app     soapApp
		runtime bool
	}{
		{"LegacyHR/generated", legacyHRApp, false},
		{"LegacyHR/runtime", legacyHRApp, true},
		{"WSO2/generated", wso2App, false},
		{"WSO2/runtime", wso2App, true},
		{"ASMX/runtime", asmxApp, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := tc.app.start(t, tc.runtime)
			backendtest.Run(t, func(t *testing.T) backend.Backend { return be })
		})
	}
}

// The defects a hollow ASMX mapping had, each answered right: its reads are open XML content
// read by XPath, its writes flat parameters, and the application itself accepts duplicates.
func TestASMXMappingAnswersRight(t *testing.T) {
	be := asmxApp.start(t, true)
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
