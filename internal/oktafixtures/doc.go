// Package oktafixtures embeds the Okta Provisioning Connector SDK 01.03.02 tester data files (the
// SCIM 1.1 bodies the agent sends, which Okta's help page also shows; see
// docs/okta-agent-protocol.md), once, for every test and tool that replays them: the front-end
// tests, the end-to-end tests and the tester (conformance). The files are verbatim copies; never
// edit them, since tests replay them as the agent would send them.
package oktafixtures
