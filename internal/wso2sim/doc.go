// Package wso2sim simulates the user-store part of WSO2 Identity Server's
// RemoteUserStoreManagerService (the SOAP admin service in
// wsdl-corpus/wso2-remote-userstore), for tests and demos of scimbridge on a contract nobody here
// designed.
//
// It speaks SOAP 1.1 on SOAPPath, decoding requests into and encoding answers from the structs
// scimbridge gen generated from the corpus WSDL (soapclient/wso2userstore), and keeps WSO2's
// semantics where the bridge can notice them:
//   - users are keyed by username, compared case-insensitively, and have no id and no change time;
//   - profile data are claims, key/value pairs keyed by URI (http://wso2.org/claims/givenname,
//     …); getUserClaimValues also returns http://wso2.org/claims/username;
//   - roles instead of groups, keyed by name, renamed with updateRoleName, members changed with
//     updateUserListOfRole (lists of usernames to add and to delete);
//   - listUsers takes a pattern (`*` is a wildcard) and a maximum count, and does not page;
//     getRoleNames lists every role; neither promises an order (this simulator answers in map
//     order, different from call to call);
//   - the operations that change something are void: HTTP 202 without a body;
//   - errors are soap:Server faults whose faultstring carries the meaning
//     ("UserAlreadyExisting:…", "UserNotFound:…", "RoleExisting:…"), with a
//     RemoteUserStoreManagerServiceUserStoreException detail;
//   - HTTP Basic authentication, when Options.Username is set.
//
// The JSON admin API under AdminPrefix (no auth; loopback only) lets tests look at and reset the
// state: GET /_sim/users, GET /_sim/roles, POST /_sim/reset, POST /_sim/seed {"users": N}.
package wso2sim
