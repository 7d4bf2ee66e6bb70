// Package deploy holds deployment artefacts, not code: the Grafana dashboard
// (grafana/scimbridge-dashboard.json and its provisioning file), the Prometheus alert rules
// (prometheus/scimbridge-alerts.yml), example configuration (examples/), the hardened systemd unit
// (systemd/), the container image (container/Dockerfile) and Kubernetes manifests (kubernetes/,
// checked by their own module in kubernetes/check). Its only Go is tests: every scimbridge_, go_
// and process_ metric the dashboard and rules query is one the bridge really registers; the
// systemd unit keeps its hardening and passes `systemd-analyze verify`; the Dockerfile builds a
// static binary into a shell-less, non-root image with an exec-form entrypoint and a health check.
// .ci/run also runs `promtool check rules`, systemd-analyze and the Kubernetes check.
package deploy
