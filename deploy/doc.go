// Package deploy holds deployment artefacts, not code: the Grafana dashboard
// (grafana/scimbridge-dashboard.json and its provisioning file), the Prometheus alert rules
// (prometheus/scimbridge-alerts.yml) and example configuration (examples/). Its only Go is a test
// that parses the dashboard and the rules and checks that every scimbridge_, go_ and process_
// metric they query is one the bridge really registers; .ci/run also runs `promtool check rules`.
package deploy
