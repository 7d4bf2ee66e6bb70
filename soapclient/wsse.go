package soapclient

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// WS-Security 1.0 UsernameToken Profile namespaces and URIs.
const (
	nsWSSE         = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsWSU          = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
	passwordText   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
	passwordDigest = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
	base64Binary   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"
)

// The element names carry literal prefixes, like gowsdl's own envelope ("soap:Envelope" with
// xmlns:soap): encoding/xml would otherwise invent prefixes, and some WS-Security stacks of the
// 2000s only accept the conventional wsse:/wsu: form. soap:mustUnderstand resolves through the
// xmlns:soap that gowsdl declares on the Envelope (gowsdl's own header leaves it unqualified, which
// a conforming server ignores).
type wsseSecurity struct {
	XMLName        xml.Name          `xml:"wsse:Security"`
	NSWSSE         string            `xml:"xmlns:wsse,attr"`
	NSWSU          string            `xml:"xmlns:wsu,attr,omitempty"`
	MustUnderstand string            `xml:"soap:mustUnderstand,attr"`
	Token          wsseUsernameToken `xml:"wsse:UsernameToken"`
}

type wsseUsernameToken struct {
	Username string       `xml:"wsse:Username"`
	Password wssePassword `xml:"wsse:Password"`
	Nonce    *wsseNonce   `xml:"wsse:Nonce,omitempty"`
	Created  string       `xml:"wsu:Created,omitempty"`
}

type wssePassword struct {
	Type  string `xml:"Type,attr"`
	Value string `xml:",chardata"`
}

type wsseNonce struct {
	EncodingType string `xml:"EncodingType,attr"`
	Value        string `xml:",chardata"`
}

// newWSSEHeader builds the Security header for one call. With Digest, the nonce (16 bytes from
// random) and Created (now, UTC, milliseconds) must be fresh per message, since servers reject a
// replayed nonce; that is why the header is built per call and not added once to a shared client.
//
//	PasswordDigest = Base64(SHA-1(nonce + created + password))   (UsernameToken Profile 1.0 §3.1)
func newWSSEHeader(cfg *WSSEConfig, now time.Time, random io.Reader) (*wsseSecurity, error) {
	h := &wsseSecurity{NSWSSE: nsWSSE, MustUnderstand: "1"}
	h.Token.Username = cfg.Username
	if !cfg.Digest {
		h.Token.Password = wssePassword{Type: passwordText, Value: cfg.Password}
		return h, nil
	}
	nonce := make([]byte, 16)
	if _, err := io.ReadFull(random, nonce); err != nil {
		return nil, fmt.Errorf("soapclient: WS-Security nonce: %w", err)
	}
	created := now.UTC().Format("2006-01-02T15:04:05.000Z")
	sum := sha1.New()
	sum.Write(nonce)
	sum.Write([]byte(created))
	sum.Write([]byte(cfg.Password))
	h.NSWSU = nsWSU
	h.Token.Password = wssePassword{Type: passwordDigest, Value: base64.StdEncoding.EncodeToString(sum.Sum(nil))}
	h.Token.Nonce = &wsseNonce{EncodingType: base64Binary, Value: base64.StdEncoding.EncodeToString(nonce)}
	h.Token.Created = created
	return h, nil
}
