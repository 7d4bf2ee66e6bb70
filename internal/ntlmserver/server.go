package ntlmserver

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf16"

	"golang.org/x/crypto/md4" //nolint:staticcheck // NTLM's NT hash is MD4 by definition
)

// Account is one user the server accepts; Domain "" accepts any domain the client names.
type Account struct {
	Domain, Username, Password string
}

// Server wraps a handler with NTLM authentication. Build it with New and serve it with an
// http.Server whose ConnContext is Server.ConnContext (httptest: set Config.ConnContext before
// Start), so that authentication can be bound to the connection.
type Server struct {
	next     http.Handler
	accounts []Account
	domain   string // the NetBIOS domain the server announces

	mu    sync.Mutex
	conns map[*connState]struct{}

	handshakes atomic.Int64 // successful AUTHENTICATE messages
	failures   atomic.Int64 // refused AUTHENTICATE messages
	connCount  atomic.Int64 // connections seen
}

// connState is what the server remembers about one TCP connection.
type connState struct {
	mu        sync.Mutex
	challenge []byte // the challenge sent on this connection, awaiting AUTHENTICATE
	user      string // authenticated user; "" until the handshake succeeds
}

type connKey struct{}

// New returns a Server in front of next that accepts accounts.
func New(next http.Handler, domain string, accounts ...Account) *Server {
	return &Server{next: next, accounts: accounts, domain: domain, conns: map[*connState]struct{}{}}
}

// ConnContext attaches per-connection state; set it as http.Server.ConnContext.
func (s *Server) ConnContext(ctx context.Context, _ net.Conn) context.Context {
	s.connCount.Add(1)
	return context.WithValue(ctx, connKey{}, &connState{})
}

// Handshakes returns the number of successful NTLM handshakes so far.
func (s *Server) Handshakes() int64 { return s.handshakes.Load() }

// Failures returns the number of refused AUTHENTICATE messages so far.
func (s *Server) Failures() int64 { return s.failures.Load() }

// Connections returns the number of TCP connections accepted so far.
func (s *Server) Connections() int64 { return s.connCount.Load() }

// UserKey is the request context key under which the authenticated user ("DOMAIN\user") is
// passed to the wrapped handler.
type UserKey struct{}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	cs, _ := r.Context().Value(connKey{}).(*connState)
	if cs == nil {
		http.Error(w, "ntlmserver: ConnContext is not set on the http.Server", http.StatusInternalServerError)
		return
	}
	cs.mu.Lock()
	user := cs.user
	cs.mu.Unlock()
	auth := r.Header.Get("Authorization")
	if user != "" && auth == "" {
		s.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), UserKey{}, user)))
		return
	}
	scheme, token, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "NTLM") && !strings.EqualFold(scheme, "Negotiate") {
		s.unauthorized(w, "")
		return
	}
	msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(msg) < 12 || !bytes.Equal(msg[:8], signature) {
		s.unauthorized(w, "")
		return
	}
	switch binary.LittleEndian.Uint32(msg[8:12]) {
	case 1: // NEGOTIATE: answer with a CHALLENGE bound to this connection
		ch := make([]byte, 8)
		_, _ = rand.Read(ch)
		cs.mu.Lock()
		cs.challenge, cs.user = ch, ""
		cs.mu.Unlock()
		w.Header().Set("WWW-Authenticate", scheme+" "+base64.StdEncoding.EncodeToString(s.challengeMessage(ch)))
		w.WriteHeader(http.StatusUnauthorized)
	case 3: // AUTHENTICATE: verify against the challenge sent on this very connection
		cs.mu.Lock()
		ch := cs.challenge
		cs.challenge = nil
		cs.mu.Unlock()
		u, ok := s.verify(msg, ch)
		if !ok {
			s.failures.Add(1)
			s.unauthorized(w, "")
			return
		}
		s.handshakes.Add(1)
		cs.mu.Lock()
		cs.user = u
		cs.mu.Unlock()
		s.next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), UserKey{}, u)))
	default:
		s.unauthorized(w, "")
	}
}

func (s *Server) unauthorized(w http.ResponseWriter, _ string) {
	w.Header().Add("WWW-Authenticate", "NTLM")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte("401 Unauthorized: NTLM authentication required\n"))
}

var signature = []byte("NTLMSSP\x00")

const (
	flagUnicode        = 0x00000001
	flagRequestTarget  = 0x00000004
	flagNTLM           = 0x00000200
	flagAlwaysSign     = 0x00008000
	flagTargetTypeDom  = 0x00010000
	flagExtendedSecure = 0x00080000
	flagTargetInfo     = 0x00800000
	flagVersion        = 0x02000000
	flag128            = 0x20000000
	flag56             = 0x80000000
)

// challengeMessage builds a CHALLENGE message (MS-NLMP §2.2.1.2) with the target info a Windows
// server sends (domain and computer names, a timestamp), which the client must echo in its
// NTLMv2 response.
func (s *Server) challengeMessage(challenge []byte) []byte {
	target := utf16le(s.domain)
	var info bytes.Buffer
	av := func(id uint16, v []byte) {
		_ = binary.Write(&info, binary.LittleEndian, id)
		_ = binary.Write(&info, binary.LittleEndian, uint16(len(v)))
		info.Write(v)
	}
	av(2, target)               // MsvAvNbDomainName
	av(1, utf16le("SIMSERVER")) // MsvAvNbComputerName
	ts := make([]byte, 8)       // MsvAvTimestamp, FILETIME
	ft := uint64(time.Now().UnixNano()/100) + 116444736000000000
	binary.LittleEndian.PutUint64(ts, ft)
	av(7, ts)
	av(0, nil) // MsvAvEOL

	const headerLen = 56
	flags := uint32(flagUnicode | flagRequestTarget | flagNTLM | flagAlwaysSign | flagTargetTypeDom |
		flagExtendedSecure | flagTargetInfo | flagVersion | flag128 | flag56)
	var b bytes.Buffer
	b.Write(signature)
	_ = binary.Write(&b, binary.LittleEndian, uint32(2))
	field(&b, len(target), headerLen)
	_ = binary.Write(&b, binary.LittleEndian, flags)
	b.Write(challenge)
	b.Write(make([]byte, 8)) // reserved
	field(&b, info.Len(), headerLen+len(target))
	b.Write([]byte{10, 0, 0x61, 0x4a, 0, 0, 0, 15}) // version 10.0.19041, NTLM revision 15
	b.Write(target)
	b.Write(info.Bytes())
	return b.Bytes()
}

func field(b *bytes.Buffer, n, offset int) {
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint16(n))
	_ = binary.Write(b, binary.LittleEndian, uint32(offset))
}

// readField returns the payload of the security buffer at off in msg.
func readField(msg []byte, off int) ([]byte, error) {
	if len(msg) < off+8 {
		return nil, errors.New("short message")
	}
	n := int(binary.LittleEndian.Uint16(msg[off:]))
	at := int(binary.LittleEndian.Uint32(msg[off+4:]))
	if at < 0 || n < 0 || at+n > len(msg) || at+n < at {
		return nil, errors.New("field out of range")
	}
	return msg[at : at+n], nil
}

// verify checks an AUTHENTICATE message (MS-NLMP §2.2.1.3) against challenge: the NTLMv2
// response must be HMAC-MD5(NTOWFv2(password, user, domain), challenge ‖ blob) for one of the
// accounts. It returns "DOMAIN\user".
func (s *Server) verify(msg, challenge []byte) (string, bool) {
	if challenge == nil {
		return "", false // no CHALLENGE was sent on this connection
	}
	nt, err1 := readField(msg, 20)
	dom, err2 := readField(msg, 28)
	usr, err3 := readField(msg, 36)
	if err1 != nil || err2 != nil || err3 != nil || len(nt) < 16+28 {
		return "", false // NTLMv1 (24-byte) responses are refused
	}
	domain, user := fromUTF16(dom), fromUTF16(usr)
	proof, blob := nt[:16], nt[16:]
	for _, a := range s.accounts {
		if !strings.EqualFold(a.Username, user) || (a.Domain != "" && !strings.EqualFold(a.Domain, domain)) {
			continue
		}
		key := ntowfv2(a.Password, user, domain)
		mac := hmac.New(md5.New, key)
		mac.Write(challenge)
		mac.Write(blob)
		if hmac.Equal(mac.Sum(nil), proof) {
			return domain + `\` + user, true
		}
	}
	return "", false
}

// ntowfv2 is NTOWFv2 of MS-NLMP §3.3.2: HMAC-MD5 keyed with the NT hash (MD4 of the UTF-16LE
// password) over UTF-16LE(uppercase(user) ‖ domain).
func ntowfv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	mac := hmac.New(md5.New, h.Sum(nil))
	mac.Write(utf16le(strings.ToUpper(user) + domain))
	return mac.Sum(nil)
}

func utf16le(s string) []byte {
	u := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		binary.LittleEndian.PutUint16(b[2*i:], c)
	}
	return b
}

func fromUTF16(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u))
}
