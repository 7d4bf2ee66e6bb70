// Package reqid carries the id of one SCIM request through a context, from the HTTP front end
// (which takes it from X-Request-ID or makes one) to the SOAP client (which sends it to the legacy
// app as a header), so that one id ties the log lines of both sides together. It exists as its own
// tiny package because adapter must not import soapclient and vice versa.
package reqid
