package soapclient

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"

	ntlmssp "github.com/Azure/go-ntlmssp"
	krbclient "github.com/jcmturner/gokrb5/v8/client"
	krbconfig "github.com/jcmturner/gokrb5/v8/config"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/krberror"
	"github.com/jcmturner/gokrb5/v8/spnego"
)

// Windows authentication towards the backend (IIS "Windows authentication": ASMX and WCF
// services). See docs/wsdl.md, "Windows authentication".

// NTLMConfig is NTLM (NTLMv2) authentication. Username is "DOMAIN\user", "user@domain" or a bare
// user name.
type NTLMConfig struct {
	Username string
	Password string
	// Workstation is sent in the AUTHENTICATE message, for the server's audit log; optional.
	Workstation string
}

func (c NTLMConfig) String() string {
	return fmt.Sprintf("{Username:%s Password:[REDACTED] Workstation:%s}", c.Username, c.Workstation)
}
func (c NTLMConfig) GoString() string { return "soapclient.NTLMConfig" + c.String() }
func (c NTLMConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("password", "[REDACTED]"))
}

// KerberosConfig is Kerberos through SPNEGO (HTTP "Negotiate", RFC 4559). The client logs in to
// the KDC named by the krb5.conf with a password or a keytab, and sends a fresh AP-REQ for SPN
// with every request.
type KerberosConfig struct {
	// Krb5Conf is the path of a krb5.conf naming the realm's KDCs.
	Krb5Conf string
	Realm    string
	Username string
	// Password or Keytab (the path of a keytab file holding Username's key); one of the two.
	Password string
	Keytab   string
	// SPN is the service principal, default "HTTP/<endpoint host>".
	SPN string

	// newClient replaces the login in tests (a client built from a ticket cache).
	newClient func() (*krbclient.Client, error)
}

func (c KerberosConfig) String() string {
	return fmt.Sprintf("{Krb5Conf:%s Realm:%s Username:%s Password:[REDACTED] Keytab:%s SPN:%s}", c.Krb5Conf, c.Realm, c.Username, c.Keytab, c.SPN)
}
func (c KerberosConfig) GoString() string { return "soapclient.KerberosConfig" + c.String() }
func (c KerberosConfig) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", c.Username), slog.String("realm", c.Realm), slog.String("password", "[REDACTED]"))
}

// ErrAuthRefused: the backend answered 401/403 although the client sent credentials: the
// credentials are wrong, expired or not allowed on this endpoint.
var ErrAuthRefused = errors.New("soapclient: the backend refused the bridge's credentials")

func (cfg Config) validateWinAuth() error {
	n := 0
	for _, set := range []bool{cfg.BasicAuth != nil, cfg.NTLM != nil, cfg.Kerberos != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return errors.New("soapclient: BasicAuth, NTLM and Kerberos are exclusive: configure one HTTP authentication")
	}
	if c := cfg.NTLM; c != nil && (c.Username == "" || c.Password == "") {
		return errors.New("soapclient: NTLM needs a username and a password")
	}
	if c := cfg.Kerberos; c != nil && c.newClient == nil {
		switch {
		case c.Krb5Conf == "" || c.Realm == "" || c.Username == "":
			return errors.New("soapclient: Kerberos needs krb5Conf, realm and username")
		case (c.Password == "") == (c.Keytab == ""):
			return errors.New("soapclient: Kerberos needs a password or a keytab (one of the two)")
		}
	}
	return nil
}

// ntlmPool authenticates with NTLM over connections it keeps authenticated. NTLM authenticates a
// TCP connection, not a request: NEGOTIATE, CHALLENGE and AUTHENTICATE must travel over one
// connection, after which the server lets that connection's later requests through without a
// handshake. net/http's pool gives no such guarantee under concurrency (another call may take the
// connection between two legs of a handshake), so the pool holds slots, each a transport with
// exactly one connection, and a call owns its slot from the first byte sent until the body of
// its reply is closed. A slot's connection stays authenticated across calls; go-ntlmssp first
// tries each request without credentials and starts a handshake only on a 401.
type ntlmPool struct {
	slots chan *http.Transport
	all   []*http.Transport
	cfg   NTLMConfig
}

func newNTLMPool(base *http.Transport, size int, cfg NTLMConfig) *ntlmPool {
	p := &ntlmPool{slots: make(chan *http.Transport, size), cfg: cfg}
	for range size {
		t := base.Clone()
		t.MaxConnsPerHost, t.MaxIdleConnsPerHost, t.MaxIdleConns = 1, 1, 1
		p.all = append(p.all, t)
		p.slots <- t
	}
	return p
}

func (p *ntlmPool) RoundTrip(r *http.Request) (*http.Response, error) {
	var t *http.Transport
	select {
	case t = <-p.slots:
	case <-r.Context().Done():
		return nil, r.Context().Err()
	}
	var once sync.Once
	release := func() { once.Do(func() { p.slots <- t }) }
	r = r.Clone(r.Context())
	// go-ntlmssp takes the credentials from the Basic header it then replaces; they are never
	// sent as Basic (AllowBasicAuth is off).
	r.SetBasicAuth(p.cfg.Username, p.cfg.Password)
	resp, err := ntlmssp.Negotiator{RoundTripper: freeing401{t}, WorkstationName: p.cfg.Workstation}.RoundTrip(r)
	if err != nil {
		release()
		return nil, err
	}
	resp.Body = &releasingBody{ReadCloser: resp.Body, release: release}
	return resp, nil
}

// freeing401 reads a 401's body into memory and closes it at once. go-ntlmssp keeps the first
// 401 open until the handshake ends; on a one-connection transport that would leave no connection
// for the handshake itself.
type freeing401 struct{ next http.RoundTripper }

func (f freeing401) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := f.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp, nil
}

// CloseIdleConnections closes every slot's idle connection (http.Client calls it).
func (p *ntlmPool) CloseIdleConnections() {
	for _, t := range p.all {
		t.CloseIdleConnections()
	}
}

// releasingBody gives the slot back when the reply has been read and closed.
type releasingBody struct {
	io.ReadCloser
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.release()
	return err
}

// kerberosTransport adds an SPNEGO Negotiate header to every request.
type kerberosTransport struct {
	next http.RoundTripper
	spn  string
	who  string // user@REALM, for errors

	mu     sync.Mutex
	cl     *krbclient.Client
	newCl  func() (*krbclient.Client, error)
	logErr error
	// hdrMu serialises the header: gokrb5's client logs in (and logs in again when its session
	// has gone) without a lock of its own, so concurrent first calls raced in its AS exchange
	// (found by the race detector against a real KDC). Once a ticket is cached the section is
	// an AP-REQ's encryption, a few microseconds.
	hdrMu sync.Mutex
}

func newKerberosTransport(next http.RoundTripper, endpoint string, cfg KerberosConfig) *kerberosTransport {
	spn := cfg.SPN
	if spn == "" {
		if u, err := url.Parse(endpoint); err == nil {
			spn = "HTTP/" + u.Hostname()
		}
	}
	newCl := cfg.newClient
	if newCl == nil {
		newCl = func() (*krbclient.Client, error) {
			conf, err := krbconfig.Load(cfg.Krb5Conf)
			if err != nil {
				return nil, fmt.Errorf("krb5Conf %s: %w", cfg.Krb5Conf, err)
			}
			if cfg.Keytab != "" {
				raw, err := os.ReadFile(cfg.Keytab)
				if err != nil {
					return nil, fmt.Errorf("keytab: %w", err)
				}
				kt := keytab.New()
				if err := kt.Unmarshal(raw); err != nil {
					return nil, fmt.Errorf("keytab %s: %w", cfg.Keytab, err)
				}
				return krbclient.NewWithKeytab(cfg.Username, cfg.Realm, kt, conf, krbclient.DisablePAFXFAST(true)), nil
			}
			return krbclient.NewWithPassword(cfg.Username, cfg.Realm, cfg.Password, conf, krbclient.DisablePAFXFAST(true)), nil
		}
	}
	return &kerberosTransport{next: next, spn: spn, who: strings.TrimSuffix(cfg.Username+"@"+cfg.Realm, "@"), newCl: newCl}
}

func (k *kerberosTransport) client() (*krbclient.Client, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.cl == nil {
		cl, err := k.newCl()
		if err != nil {
			return nil, err
		}
		k.cl = cl
	}
	return k.cl, nil
}

func (k *kerberosTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	cl, err := k.client()
	if err != nil {
		return nil, fmt.Errorf("%w: Kerberos: %v", ErrAuthRefused, err)
	}
	r = r.Clone(r.Context())
	k.hdrMu.Lock()
	err = spnego.SetSPNEGOHeader(cl, r, k.spn)
	k.hdrMu.Unlock()
	if err != nil {
		if strings.Contains(err.Error(), krberror.NetworkingError) {
			// No KDC answered: nothing refused the credentials. Left unwrapped, it is an
			// unreachable backend (serve waits and readiness says why) instead of a stop that
			// blames the password.
			return nil, fmt.Errorf("soapclient: Kerberos as %s: no KDC answers at the address in krb5Conf: %v", k.who, err)
		}
		// gokrb5's messages name the principal and the KDC, never the password.
		return nil, fmt.Errorf("%w: Kerberos as %s, ticket for %s: %s%v", ErrAuthRefused, k.who, k.spn, kerberosReason(err, k.spn), err)
	}
	return k.next.RoundTrip(r)
}

// kdcReasons words the KDC's answers an operator meets when setting Kerberos up (RFC 4120
// §7.5.9 names the codes); gokrb5 reports them by name inside a long chain.
var kdcReasons = []struct{ code, reason string }{
	{"KDC_ERR_PREAUTH_FAILED", "the password or the keytab's key is wrong"},
	{"KDC_ERR_C_PRINCIPAL_UNKNOWN", "the KDC knows no such account (check username and realm)"},
	{"KDC_ERR_S_PRINCIPAL_UNKNOWN", "the KDC knows no service principal %s (set backend.auth.kerberos.spn to the one registered for the backend)"},
	{"KDC_ERR_CLIENT_REVOKED", "the account is disabled or locked out"},
	{"KDC_ERR_KEY_EXPIRED", "the account's password has expired"},
	{"KRB_AP_ERR_SKEW", "this host's clock differs from the KDC's by more than the realm allows (5 minutes by default)"},
	{"KDC_ERR_ETYPE_NOSUPP", "the KDC and the bridge share no encryption type (the bridge needs AES or RC4 keys)"},
	{"connection refused", "no KDC answers at the address in krb5Conf"},
	{"i/o timeout", "no KDC answers at the address in krb5Conf"},
}

// kerberosReason is a plain-language reason for a failed ticket request, ending in ": ", or "".
func kerberosReason(err error, spn string) string {
	msg := err.Error()
	for _, r := range kdcReasons {
		if strings.Contains(msg, r.code) {
			if strings.Contains(r.reason, "%s") {
				return fmt.Sprintf(r.reason, spn) + ": "
			}
			return r.reason + ": "
		}
	}
	return ""
}

// CloseIdleConnections passes through to the pooled transport.
func (k *kerberosTransport) CloseIdleConnections() {
	if c, ok := k.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// authName names the HTTP authentication in use, for error messages; "" without one.
func (cfg Config) authName() string {
	switch {
	case cfg.NTLM != nil:
		return "NTLM as " + cfg.NTLM.Username
	case cfg.Kerberos != nil:
		return "Kerberos as " + strings.TrimSuffix(cfg.Kerberos.Username+"@"+cfg.Kerberos.Realm, "@")
	case cfg.BasicAuth != nil:
		return "HTTP Basic as " + cfg.BasicAuth.Username
	}
	return ""
}
