// Package xmlcontent holds content a WSDL leaves open (xs:any, mixed content, xs:anyAttribute)
// as XML instead of dropping it. It is a leaf shared by the runtime WSDL client, which decodes
// such elements into Content, and the mapping engine, which reads them with XPath: neither may
// import the other (docs/design-notes.md, the import rules in internal/archtest). It also holds
// ToUTF8, the legacy character sets (ISO-8859-1, windows-1252) of XML replies, which the SOAP and
// the REST clients both read with encoding/xml.
package xmlcontent
