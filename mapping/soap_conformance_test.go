package mapping_test

import (
	"log/slog"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/backendtest"
	"github.com/scimbridge/scimbridge/internal/legacysim"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/internal/wso2sim"
	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
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
	t.Helper()
	spec, err := mapping.Parse(name, file)
	if err != nil {
		t.Fatal(err)
	}
	client, err := soapclient.New(spec.Client.Value, cfg)
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

// The shared suite over engine + soapclient + the WSO2 simulator, real SOAP over loopback, with
// the SQLite state store for change tracking and role ids.
func TestConformanceWSO2OverSOAP(t *testing.T) {
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
	eng, client := soapEngine(t, "wso2.mapping.yaml", defaults.WSO2, soapclient.Config{
		Endpoint: srv.URL + wso2sim.SOAPPath, BasicAuth: &soapclient.BasicAuthConfig{Username: "admin", Password: "admin-pass"}})
	caps := eng.Capabilities()
	for what, ok := range map[string]bool{"CreateUser": caps.CreateUser, "ListUsers": caps.ListUsers, "ReplaceUser": caps.ReplaceUser,
		"Activation": caps.Activation, "IncrementalImport": caps.IncrementalImport, "SetPassword": caps.SetPassword,
		"CreateGroup": caps.CreateGroup, "UpdateGroup": caps.UpdateGroup, "DeleteGroup": caps.DeleteGroup} {
		if !ok {
			t.Errorf("the WSO2 mapping does not claim %s", what)
		}
	}
	backendtest.Run(t, func(t *testing.T) backend.Backend {
		return eng.Backend(client, testLog(t), mapping.WithState(st))
	})
}

// The same suite over the LegacyHR mapping and the LegacyHR simulator, over SOAP.
func TestConformanceLegacyHROverSOAP(t *testing.T) {
	sim, err := legacysim.New(legacysim.Options{Username: "svc", Password: "svc-pass"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	eng, client := soapEngine(t, "legacyhr.mapping.yaml", defaults.LegacyHR, soapclient.Config{
		Endpoint: srv.URL + legacysim.SOAPPath, WSSE: &soapclient.WSSEConfig{Username: "svc", Password: "svc-pass"}})
	backendtest.Run(t, func(t *testing.T) backend.Backend { return eng.Backend(client, testLog(t)) })
}
