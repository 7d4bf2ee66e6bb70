// Package h1client is an HTTP/1.1 client transport (an http.RoundTripper) that runs each call on
// the caller's goroutine: it writes the request and reads the response itself on a pooled
// keep-alive connection, with net/http's own request writer and response parser.
//
// net/http's Transport gives every connection a reading and a writing goroutine, so each call
// crosses three goroutines and wakes two of them. For the bridge, whose backend call is one short
// request and reply on loopback or the LAN, those hand-offs cost more CPU than the bridge's own work
// on the call (docs/benchmarks.md). This transport keeps what matters of net/http's behaviour for
// that use: keep-alive pooling with an idle timeout, transparent gzip, the context's deadline and
// cancellation, 1xx replies skipped, a connection reused only when its reply was read to the end
// and it is seen to be still open, and a request that could not be written at all sent once more on
// a fresh connection. It does not do proxies, HTTP/2 or protocol upgrades; callers that need them
// keep net/http's Transport (soapclient and restclient choose, see docs/design-notes.md).
package h1client
