package legacysim

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"strings"
)

// WS-Security UsernameToken (OASIS Username Token Profile 1.0) as the service reads it. gowsdl's
// soap.NewWSSSecurityHeader puts the envelope namespace as the default xmlns on wsse:Security and
// an unqualified mustUnderstand attribute; both are harmless here because every element is matched
// by its wsse/wsu namespace and attributes other than Type are not looked at.
type wsseSecurity struct {
	UsernameToken *wsseUsernameToken `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd UsernameToken"`
}

type wsseUsernameToken struct {
	Username string        `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Username"`
	Password *wssePassword `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Password"`
	Nonce    string        `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd Nonce"`
	Created  string        `xml:"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd Created"`
}

type wssePassword struct {
	Type  string `xml:"Type,attr"`
	Value string `xml:",chardata"`
}

// Password types of the Username Token Profile; an absent Type means PasswordText.
const (
	PasswordTextType   = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
	PasswordDigestType = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
)

// PasswordDigest computes the UsernameToken digest: Base64(SHA-1(nonce + created + password)),
// with nonce the raw (decoded) bytes.
func PasswordDigest(nonce []byte, created, password string) string {
	h := sha1.New()
	h.Write(nonce)
	h.Write([]byte(created))
	h.Write([]byte(password))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// equalSecret compares in constant time, hashing first so that not even the lengths leak.
func equalSecret(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}

// authenticate checks the UsernameToken against the configured credentials. The messages tell a
// client developer what is wrong with the message's shape, never which half of the credentials was
// wrong.
func authenticate(h soapHeader, username, password string) *Fault {
	var tok *wsseUsernameToken
	for _, sec := range h.Security {
		if sec.UsernameToken != nil {
			tok = sec.UsernameToken
			break
		}
	}
	if tok == nil || tok.Password == nil {
		return faultf(CodeAuth, "authentication required: send a WS-Security UsernameToken with Username and Password in the SOAP header")
	}
	user := strings.TrimSpace(tok.Username)
	var passOK bool
	switch typ := strings.TrimSpace(tok.Password.Type); {
	case typ == "" || strings.HasSuffix(typ, "#PasswordText"):
		passOK = equalSecret(tok.Password.Value, password)
	case strings.HasSuffix(typ, "#PasswordDigest"):
		nonce, err := base64.StdEncoding.DecodeString(strings.TrimSpace(tok.Nonce))
		if err != nil || len(nonce) == 0 || strings.TrimSpace(tok.Created) == "" {
			return faultf(CodeAuth, "a PasswordDigest needs a base64 wsse:Nonce and a wsu:Created")
		}
		want := PasswordDigest(nonce, strings.TrimSpace(tok.Created), password)
		passOK = equalSecret(strings.TrimSpace(tok.Password.Value), want)
	default:
		return faultf(CodeAuth, "unsupported password type %q", truncate(typ, 120))
	}
	// Both comparisons always run, so timing does not tell which one failed.
	userOK := equalSecret(user, username)
	if !userOK || !passOK {
		return faultf(CodeAuth, "invalid username or password")
	}
	return nil
}
