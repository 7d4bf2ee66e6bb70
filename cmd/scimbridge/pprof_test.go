package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/scimbridge/scimbridge/internal/config"
	"github.com/scimbridge/scimbridge/internal/observe"
)

// Go's profiles are on the metrics listener only when metrics.pprof says so.
func TestPprofIsOptIn(t *testing.T) {
	for _, on := range []bool{false, true} {
		cfg := &config.Config{}
		cfg.Metrics.Pprof = on
		rt := &bridge{reg: prometheus.NewRegistry(), health: observe.NewHealth(observe.HealthOptions{})}
		rt.cur.Store(&generation{p: &config.Prepared{Config: cfg}})
		srv := httptest.NewServer(rt.metricsHandler())
		res, err := srv.Client().Get(srv.URL + "/debug/pprof/cmdline")
		srv.Close()
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if want := map[bool]int{false: http.StatusNotFound, true: http.StatusOK}[on]; res.StatusCode != want {
			t.Errorf("metrics.pprof %v: /debug/pprof/cmdline answered %d, want %d", on, res.StatusCode, want)
		}
	}
}
