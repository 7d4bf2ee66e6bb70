// Package ntlmserver is an HTTP middleware that performs the server side of NTLM authentication
// (NTLMv2, as a Windows IIS endpoint with Windows authentication does), for tests and for the
// simulators' NTLM-protected endpoints. It is written from the protocol (NEGOTIATE, CHALLENGE,
// AUTHENTICATE messages over WWW-Authenticate/Authorization headers) and independently of the
// client library, so a client that computes a wrong response really fails.
//
// Like IIS, it authenticates a connection, not a request: after a successful handshake, later
// requests on the same TCP connection pass without an Authorization header. It counts handshakes
// and connections, so tests can prove that a client keeps its authenticated connections.
//
// Only what a client test needs is implemented: NTLMv2 responses (NTLMv1 and LM are refused),
// Unicode strings, no signing or sealing. It is not an authentication server for production use.
package ntlmserver
