// Package asmxsim simulates a directory web service in the shape of a .NET ASMX service, the
// third bundled backend (after LegacyHR and WSO2) and the proof that a WSDL nobody generated code
// for can be connected with the runtime WSDL client and a mapping alone (docs/wsdl.md).
//
// Its contract is wsdl/asmx-directory.wsdl, written for scimbridge: document/literal wrapped,
// SOAP 1.1 dispatched by SOAPAction as ASMX does; reads answer open XML content (xs:any: e.g.
// <Users><User LoginName=".." Email=".."/></Users>); writes take flat string parameters; the
// login name is the user's only key and the name the group's; there is no paging; adding a user
// that exists changes nothing and is no error; faults carry a generic faultstring and the real
// message in the detail's errorstring element. GET ?wsdl serves the WSDL with this server's
// address. State is in memory.
package asmxsim
