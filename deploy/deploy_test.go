package deploy

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/internal/observe"
	"github.com/scimbridge/scimbridge/soapclient"
)

// registered wires the metrics the way cmd/scimbridge does (docs/operations.md, "Wiring") and
// returns every metric family name a scrape shows.
func registered(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		observe.NewBuildInfo("test"))
	if _, err := observe.NewMetrics(reg); err != nil {
		t.Fatal(err)
	}
	c, err := soapclient.New("legacyhr", soapclient.Config{Endpoint: "http://127.0.0.1:1/soap", Resilience: &soapclient.Resilience{Registerer: reg}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, mf := range mfs {
		names[mf.GetName()] = true
	}
	return names
}

var metricName = regexp.MustCompile(`\b(?:scimbridge|go|process)_[a-zA-Z0-9_]+`)

// checkExpr reports every metric an expression queries that nothing registers. Histogram series
// (_bucket, _sum, _count) are checked against their family.
func checkExpr(t *testing.T, where, expr string, names map[string]bool) int {
	t.Helper()
	n := 0
	for _, m := range metricName.FindAllString(expr, -1) {
		n++
		base := m
		if !names[base] {
			for _, suf := range []string{"_bucket", "_sum", "_count"} {
				if b, ok := strings.CutSuffix(m, suf); ok && names[b] {
					base = b
				}
			}
		}
		if !names[base] {
			t.Errorf("%s queries %s, which the bridge does not register", where, m)
		}
	}
	return n
}

func TestDashboardQueriesRegisteredMetrics(t *testing.T) {
	names := registered(t)
	data, err := os.ReadFile("grafana/scimbridge-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	if dash.UID == "" {
		t.Error("dashboard has no uid (provisioning would duplicate it)")
	}
	queried := map[string]bool{}
	for _, p := range dash.Panels {
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			if checkExpr(t, "panel "+p.Title, tg.Expr, names) == 0 {
				t.Errorf("panel %q: query %q names no scimbridge metric", p.Title, tg.Expr)
			}
			for _, m := range metricName.FindAllString(tg.Expr, -1) {
				queried[strings.TrimSuffix(m, "_bucket")] = true
			}
		}
	}
	// The issue asks for these on the dashboard.
	for _, want := range []string{"scimbridge_scim_requests_total", "scimbridge_scim_request_duration_seconds",
		"scimbridge_backend_request_duration_seconds", "scimbridge_breaker_state", "scimbridge_backend_rejected_total",
		"scimbridge_adapter_overhead_seconds"} {
		if !queried[want] {
			t.Errorf("the dashboard does not show %s", want)
		}
	}
}

func TestAlertRulesQueryRegisteredMetrics(t *testing.T) {
	names := registered(t)
	data, err := os.ReadFile("prometheus/scimbridge-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(false)
	if err := dec.Decode(&rules); err != nil {
		t.Fatalf("alert rules: %v", err)
	}
	var alerts []string
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts = append(alerts, r.Alert)
			checkExpr(t, "alert "+r.Alert, r.Expr, names)
			if r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %s lacks a severity or a summary", r.Alert)
			}
		}
	}
	// docs/operations.md has a section for every alert.
	doc, err := os.ReadFile("../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if !strings.Contains(string(doc), a) {
			t.Errorf("docs/operations.md does not explain alert %s", a)
		}
	}
	if !slices.Contains(alerts, "ScimbridgeBreakerOpen") {
		t.Error("no breaker alert")
	}
}
