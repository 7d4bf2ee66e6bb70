package mapping

import "github.com/scimbridge/scimbridge/internal/xmlcontent"

// XMLContent is open content kept as XML (xmlcontent.Content): the runtime WSDL client gives such
// elements this type, and the mapping reads them with XPath.
type XMLContent = xmlcontent.Content

// EscapeXML escapes s for use as XML text or an attribute value.
func EscapeXML(s string) string { return xmlcontent.Escape(s) }
