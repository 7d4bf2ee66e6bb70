// Package archtest enforces the import rules of the repository (docs/design-notes.md, "The
// rooms and their doors") with a test over `go list -json ./...`, non-test dependencies only:
//
//   - the front end (adapter/...) reaches only the contract (backend), the filter, its own
//     sub-packages and leaf helpers; never the mapping engine, a client, the state store or the
//     configuration;
//   - the mapping engine (mapping/...) never reaches the front end, a client or net/http itself:
//     it drives clients through interfaces it defines;
//   - the contract (backend) and the filter use the standard library only (the contract, the
//     filter);
//   - clients (soapclient/..., restclient/...) reach nothing of the bridge: not the contract, the
//     mapping engine, the front end, the state store or the configuration;
//   - the tester (conformance) and the simulators (internal/*sim) are outside programs that
//     speak HTTP only: nothing of the bridge.
//
// The checker runs on a dependency graph, so its own test feeds it synthetic graphs with
// forbidden edges and expects each to be reported.
package archtest
