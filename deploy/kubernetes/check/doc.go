// Command check validates the Kubernetes manifests in deploy/kubernetes (and any variant
// directory below it) against the Kubernetes API types, without a cluster: every document is
// decoded strictly (an unknown or misspelt field is an error) into the Go type of its apiVersion
// and kind (k8s.io/api, and the Prometheus Operator's types for ServiceMonitor), and the
// manifests are checked against each other: selectors match the pod labels, named ports exist,
// probes hit /healthz and /readyz on the metrics port, the pod runs as non-root with a read-only
// root file system, referenced ConfigMaps, Secrets and claims exist or are documented.
//
// It is its own module so that the bridge's go.mod does not carry the Kubernetes dependencies.
// Run it from the repository root (.ci/run does):
//
//	(cd deploy/kubernetes/check && go run . ..)
package main
