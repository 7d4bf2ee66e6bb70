package deploy

import (
	"encoding/json"
	"maps"
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
	names := map[string]bool{}
	for n := range registeredLabels(t) {
		names[n] = true
	}
	return names
}

// registeredLabels is registered with, per metric family, every label name and the values a
// scrape shows for it (the bridge creates its expected series at start-up, so the values are
// known before any traffic).
func registeredLabels(t *testing.T) map[string]map[string]map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		observe.NewBuildInfo(observe.Build{Version: "test", Commit: "unknown", Date: "unknown"}))
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
	fams := map[string]map[string]map[string]bool{}
	for _, mf := range mfs {
		labels := map[string]map[string]bool{}
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if labels[lp.GetName()] == nil {
					labels[lp.GetName()] = map[string]bool{}
				}
				labels[lp.GetName()][lp.GetValue()] = true
			}
		}
		fams[mf.GetName()] = labels
	}
	return fams
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

var (
	selector    = regexp.MustCompile(`\b((?:scimbridge|go|process)_[a-zA-Z0-9_]+)\s*\{([^}]*)\}`)
	matcher     = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"([^"]*)"`)
	byClause    = regexp.MustCompile(`\bby\s*\(([^)]*)\)`)
	legendLabel = regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
	alertLabel  = regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)`)
)

// targetLabels are added by Prometheus when it scrapes, not by the bridge.
var targetLabels = map[string]bool{"job": true, "instance": true}

// family strips a histogram series suffix.
func family(fams map[string]map[string]map[string]bool, m string) (map[string]map[string]bool, bool) {
	if l, ok := fams[m]; ok {
		return l, true
	}
	for _, suf := range []string{"_bucket", "_sum", "_count"} {
		if b, ok := strings.CutSuffix(m, suf); ok {
			if l, ok := fams[b]; ok {
				if suf == "_bucket" {
					l = maps.Clone(l)
					l["le"] = map[string]bool{}
				}
				return l, true
			}
		}
	}
	return nil, false
}

// checkLabels reports label names and values an expression uses that the metrics it queries do
// not have: a misspelt label or value selects nothing, and the panel or alert stays silently
// empty, which a check on metric names alone cannot see. It returns the labels the expression's
// result can carry (the last aggregation's by list, or else every label of its metrics).
func checkLabels(errorf func(format string, args ...any), where, expr string, fams map[string]map[string]map[string]bool) map[string]bool {
	all := maps.Clone(targetLabels)
	for _, m := range metricName.FindAllString(expr, -1) {
		if l, ok := family(fams, m); ok {
			for name := range l {
				all[name] = true
			}
		}
	}
	for _, sel := range selector.FindAllStringSubmatch(expr, -1) {
		l, ok := family(fams, sel[1])
		if !ok {
			continue // checkExpr reports it
		}
		for _, mt := range matcher.FindAllStringSubmatch(sel[2], -1) {
			name, op, value := mt[1], mt[2], mt[3]
			if targetLabels[name] {
				continue
			}
			values, ok := l[name]
			if !ok {
				errorf("%s: %s has no label %q", where, sel[1], name)
				continue
			}
			if op != "=" && op != "=~" {
				continue
			}
			alts := []string{value}
			if op == "=~" {
				alts = strings.Split(value, "|")
			}
			for _, v := range alts {
				if !values[v] {
					errorf("%s: %s{%s} matches no series (%s takes %v)", where, sel[1], mt[0], name, slices.Sorted(maps.Keys(values)))
				}
			}
		}
	}
	var result map[string]bool
	for _, by := range byClause.FindAllStringSubmatch(expr, -1) {
		result = map[string]bool{}
		for _, name := range strings.Split(by[1], ",") {
			name = strings.TrimSpace(name)
			if name == "" {
				continue
			}
			if !all[name] {
				errorf("%s: aggregates by %q, which none of its metrics has", where, name)
			}
			result[name] = true
		}
	}
	if result == nil {
		result = all
	}
	delete(result, "le") // histogram_quantile consumes it
	return result
}

// Every label the dashboard and the alert rules select, group or print by exists on the metrics
// they query, with the values they match.
func TestDashboardAndAlertLabels(t *testing.T) {
	fams := registeredLabels(t)
	data, err := os.ReadFile("grafana/scimbridge-dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr         string `json:"expr"`
				LegendFormat string `json:"legendFormat"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatal(err)
	}
	for _, p := range dash.Panels {
		for _, tg := range p.Targets {
			where := "panel " + p.Title
			result := checkLabels(t.Errorf, where, tg.Expr, fams)
			for _, l := range legendLabel.FindAllStringSubmatch(tg.LegendFormat, -1) {
				if !result[l[1]] {
					t.Errorf("%s: legend {{%s}} is not a label of the query's result %v", where, l[1], slices.Sorted(maps.Keys(result)))
				}
			}
		}
	}

	data, err = os.ReadFile("prometheus/scimbridge-alerts.yml")
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &rules); err != nil {
		t.Fatal(err)
	}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			where := "alert " + r.Alert
			result := checkLabels(t.Errorf, where, r.Expr, fams)
			for _, text := range r.Annotations {
				for _, l := range alertLabel.FindAllStringSubmatch(text, -1) {
					if !result[l[1]] {
						t.Errorf("%s: annotation uses $labels.%s, which the expression's result does not carry %v", where, l[1], slices.Sorted(maps.Keys(result)))
					}
				}
			}
		}
	}
}

// The label check itself catches what it is for.
func TestCheckLabelsCatchesMistakes(t *testing.T) {
	fams := registeredLabels(t)
	for _, expr := range []string{
		`sum(rate(scimbridge_scim_requests_total{status="5xx"}[5m]))`,               // label name
		`sum(rate(scimbridge_scim_requests_total{status_class="500"}[5m]))`,         // value
		`sum(rate(scimbridge_backend_rejected_total{reason=~"breaker|limit"}[5m]))`, // regex value
		`sum by (op) (rate(scimbridge_backend_requests_total[5m]))`,                 // by label
		`max by (breaker) (scimbridge_breaker_transitions_total{to="OPEN"})`,        // value case
	} {
		failed := false
		checkLabels(func(string, ...any) { failed = true }, "expr", expr, fams)
		if !failed {
			t.Errorf("checkLabels accepted %s", expr)
		}
	}
	checkLabels(t.Errorf, "expr", `sum by (job, reason) (rate(scimbridge_backend_rejected_total{reason=~"read_limit|write_limit",job=~"$job"}[5m]))`, fams)
}
