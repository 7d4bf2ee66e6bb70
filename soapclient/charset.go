package soapclient

import "github.com/scimbridge/scimbridge/internal/xmlcontent"

// ErrCharset: the reply is in a character set the client cannot decode.
var ErrCharset = xmlcontent.ErrCharset

// toUTF8 returns body as UTF-8 (xmlcontent.ToUTF8: ISO-8859-1 and windows-1252 transcoded, the
// Content-Type's charset before the XML declaration's, the declaration rewritten to UTF-8).
func toUTF8(contentType string, body []byte) ([]byte, bool, error) {
	return xmlcontent.ToUTF8(contentType, body)
}
