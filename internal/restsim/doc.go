// Package restsim is a small REST directory service for fast tests and the demo of REST
// backends: users and groups as JSON under /api/v1, described by an OpenAPI 3 document it serves
// at /api/v1/openapi.yaml (embedded: openapi.yaml). It is deliberately shaped unlike Redmine so
// that both prove the REST client: string ids, a user listing that is a bare JSON array with
// its total in an X-Total-Count header, offset/limit paging, an updatedSince filter, partial
// updates by PATCH, memberships as sub-resources, errors as {"error": {"code", "message"}}, and
// OAuth2 client credentials (POST /oauth/token) for its bearer tokens.
//
// The same directory also answers in XML under /api/xml (its own document, openapi-xml.yaml):
// element and attribute names from the schemas' xml objects, a user's id as an attribute, a
// listing's total as an attribute of its root, wrapped group members, <password>…</password> as
// a scalar body, errors as <error><code/><message/></error>, and only XML request bodies read.
//
// It speaks HTTP only and imports nothing of the bridge. State is in memory.
package restsim
