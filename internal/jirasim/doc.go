// Package jirasim simulates the user and group operations of JIRA's SOAP API v2 (JIRA 4, Apache
// Axis 1, rpc/encoded), as described by wsdl/corpus/jira-soap-v2/jirasoapservice-v2.wsdl: login
// and logout, getUser, createUser, deleteUser, getGroup, createGroup, updateGroup,
// addUserToGroup, removeUserFromGroup and deleteGroup. Every other operation of the WSDL answers
// a RemoteException fault ("not simulated").
//
// It answers the way Axis 1 does: SOAP 1.1 section 5 encoding with xsi:type on every value,
// structures sent once as top-level multiRef elements and referenced with href, arrays as
// soapenc:Array, faults as soapenv:Server.userException with the exception's class name in the
// fault string and as the detail element. The token from login must be the first parameter of
// every other call; it expires after a configurable number of calls (Options.ExpireEvery), as a
// JIRA session times out, with the fault JIRA gives then.
//
// It exists to prove that the bridge drives such a service from its WSDL with configuration only
// (deploy/examples/jira.*). The store is in memory and unbounded only by the callers' requests.
package jirasim
