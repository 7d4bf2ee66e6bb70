// Package observe holds the bridge's front-end observability, built to wrap the SCIM handler from
// the outside so that package adapter stays untouched:
//
//   - Metrics.Wrap: SCIM request counts by dialect, operation and status class, latency
//     histograms, in-flight gauge, and the adapter's own overhead (request time minus the time
//     spent in backend calls, summed through internal/backendtime by the SOAP client's metrics
//     guard). Operations are classified from method and path into a bounded set (ClassifyRequest).
//   - BuildInfo: the scimbridge_build_info gauge (version, commit, date, dirty, goversion labels).
//   - Health: /healthz (process alive) and /readyz (configuration loaded, not draining, breaker
//     not open, a cached and bounded backend probe succeeding).
//   - RedactHandler: a slog.Handler wrapper that masks passwords and configured sensitive
//     attributes at any depth (groups, maps, slices, structs, LogValuers).
//
// It imports client_golang and the standard library, plus internal/backendtime; it must not import
// adapter, mapping or soapclient (cmd/scimbridge wires them together).
package observe
