// Package simhttp serves the bundled simulators (LegacyHR, WSO2, ASMX, JIRA, the REST
// simulator) the same way: a loopback listener, a bounded header read, the endpoint URL handed
// to the caller once the port is open, and a graceful shutdown when the context ends. The
// simulators have no authentication on their admin APIs, so a listener that is not loopback is
// warned about. It is a leaf: standard library only, so simulators stay outside programs that
// share nothing with the bridge.
package simhttp
