package mapping_test

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/backendtest"
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
