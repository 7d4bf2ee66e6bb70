// Package scim20 is the SCIM 2.0 wire codec (RFC 7643 resources, RFC 7644 messages) over the
// neutral model of backend: User with the enterprise extension and the configured custom
// extension, Group, ListResponse, PatchOp (decoding and applying its operations to a resource
// document), the Error message and the discovery documents (ServiceProviderConfig, ResourceTypes,
// Schemas).
//
// It knows nothing about HTTP or backends: the adapter package decides what a request means (the
// password ledger, the group guards, If-Match) and uses this package only to read and write JSON.
// Decoding is lenient where real clients are sloppy (attribute names in any case, booleans sent as
// "False", capitalised PATCH op names) and strict where a mistake would lose data (a value of the
// wrong shape is an error naming the attribute, never echoing the value, which may be a password).
package scim20
