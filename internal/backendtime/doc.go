// Package backendtime carries, through a context, the time one SCIM request spent waiting on the
// legacy backend, so that the front-end metrics can publish the bridge's own overhead (request
// time minus backend time) as a separate histogram. The SOAP client's metrics middleware adds to
// the accumulator; internal/observe creates it and reads it. It is its own stdlib-only package
// because neither of those two may import the other.
package backendtime
