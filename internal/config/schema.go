package config

import (
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/soapclient"
)

// Config is the whole configuration file. Unknown keys are errors. Any string value may name a
// secret as `${NAME}` (environment variable) or `${file:/path}` (file contents, trailing newline
// removed), so that secrets need not sit in the file. docs/configuration.md describes every key.
type Config struct {
	// Listen is the SCIM listener's host:port; default 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	// RequestTimeout bounds one SCIM request end to end, across every backend call it makes
	// (default 28s: the Okta agent's API timeout is at least 30 s, and an answer after it gives
	// up is wasted, or worse, a change it will report as failed).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
	TLS            *TLS          `yaml:"tls"`
	Metrics        Metrics       `yaml:"metrics"`
	// SCIM is the front end's own configuration type.
	SCIM     adapter.Config `yaml:"scim"`
	Backend  Backend        `yaml:"backend"`
	State    State          `yaml:"state"`
	Log      Log            `yaml:"log"`
	Shutdown Shutdown       `yaml:"shutdown"`
	Runtime  Runtime        `yaml:"runtime"`
}

// Runtime tunes the Go runtime of serve and demo.
type Runtime struct {
	// GCHeapFloorMB is the heap size below which the garbage collector does not start a cycle
	// (default 16; internal/gctune). The bridge's live heap is a few MB and every request leaves
	// tens of KB of garbage, so at Go's own default the collector runs every hundred requests
	// or so and takes about a quarter of the bridge's CPU (docs/benchmarks.md). Above the floor
	// Go's default applies. GOGC set in the environment turns the floor off: the operator's own
	// setting wins.
	GCHeapFloorMB int `yaml:"gcHeapFloorMB"`
}

// DefaultGCHeapFloorMB is runtime.gcHeapFloorMB's default.
const DefaultGCHeapFloorMB = 16

// Shutdown says how serve stops on SIGTERM or a service stop.
type Shutdown struct {
	// DrainDelay is how long /readyz answers 503 while the listeners still serve, before they
	// close: the time a load balancer or Kubernetes needs to stop routing here. Default 0.
	DrainDelay time.Duration `yaml:"drainDelay"`
	// Grace bounds how long in-flight requests may finish once the listeners close; default 25s.
	Grace time.Duration `yaml:"grace"`
}

// TLS is the SCIM listener's certificate. Prepare reads both files and checks that they match.
type TLS struct {
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
	// ClientCAFile turns on mutual TLS: clients must present a certificate signed by one of
	// these CAs (PEM bundle).
	ClientCAFile string `yaml:"clientCAFile"`
	// ClientAuth is "required" (default with clientCAFile: no certificate, no connection) or
	// "optional" (a certificate, if sent, must verify; credentials are checked either way).
	ClientAuth string `yaml:"clientAuth"`
	// MinVersion is the lowest TLS version accepted: "1.2" (default) or "1.3".
	MinVersion string `yaml:"minVersion"`
}

// Metrics is the separate listener for /metrics, /healthz and /readyz. It is separate so that
// the SCIM port can be exposed to the agent hosts without exposing the metrics, and vice versa.
type Metrics struct {
	// Listen is the address; default 127.0.0.1:9464 (loopback: widen it for a remote Prometheus).
	Listen string `yaml:"listen"`
	// Disabled turns the listener off.
	Disabled bool `yaml:"disabled"`
	// WebConfigFile is a Prometheus web configuration file (the exporter-toolkit format:
	// tls_server_config, basic_auth_users with bcrypt hashes) for TLS and basic auth on this
	// listener. It is re-read on every request, so changing it needs no reload.
	WebConfigFile string `yaml:"webConfigFile"`
	// Pprof serves Go's profiles under /debug/pprof/ on this listener, for an operator chasing a
	// CPU or memory problem (docs/benchmarks.md). Off by default: a profile shows the bridge's
	// internals, so keep this listener private (loopback, or webConfigFile) when it is on.
	Pprof bool `yaml:"pprof"`
}

// Backend says how to reach the legacy application.
type Backend struct {
	// Mapping is the mapping file, or builtin:<name> for one shipped in the binary.
	Mapping string `yaml:"mapping"`
	// WSDL, when set, builds the SOAP client at start-up from this WSDL (a file, whose imports
	// are read from files next to it, or the application's own http(s) ?wsdl URL, fetched once
	// with the backend's TLS, proxy and credentials) instead of using a generated client: no Go
	// toolchain and no rebuild (docs/wsdl.md). The mapping's client: is then only a name.
	WSDL string `yaml:"wsdl"`
	// WSDLBinding picks one of several SOAP bindings of the WSDL by name.
	WSDLBinding string `yaml:"wsdlBinding"`
	// WSDLSave, with a URL in wsdl, writes the WSDL as read to this file at start-up.
	WSDLSave string `yaml:"wsdlSave"`
	// Endpoint is the SOAP endpoint URL; with wsdl it defaults to the WSDL's soap:address.
	Endpoint string `yaml:"endpoint"`
	// Timeout bounds each backend call (default 20s, well under the agent's 30 s minimum so
	// that the bridge answers before the agent gives up).
	Timeout        time.Duration               `yaml:"timeout"`
	MaxConcurrency int                         `yaml:"maxConcurrency"`
	WSSE           *soapclient.WSSEConfig      `yaml:"wsse"`
	Basic          *soapclient.BasicAuthConfig `yaml:"basic"`
	// Auth is Windows authentication towards the backend (IIS-hosted ASMX and WCF services):
	// ntlm or kerberos, exclusive with basic; see docs/wsdl.md.
	Auth *BackendAuth `yaml:"auth"`
	// Session is a session-token login (a login operation whose token every call carries);
	// see docs/wsdl.md, "Session logins".
	Session *Session          `yaml:"session"`
	Headers map[string]string `yaml:"headers"`
	TLS     *BackendTLS       `yaml:"tls"`
	// Proxy sends every backend call through this proxy (http://, https:// or socks5:// URL,
	// credentials in the URL allowed). Unset, no proxy is used, whatever HTTPS_PROXY says: a
	// bridge should not silently follow a proxy meant for something else.
	Proxy string `yaml:"proxy"`
	// SOAPVersion is the envelope version spoken to the backend: "1.1" (the default, and the
	// binding preferred when a WSDL offers both) or "1.2" (application/soap+xml with the action
	// in the content type, 1.2 faults); see docs/wsdl.md.
	SOAPVersion string `yaml:"soapVersion"`
	// GowsdlOnly sends every request and reads every reply through gowsdl's encoding/xml, with
	// the SOAP client's fast writer and reader off (docs/design-notes.md): an escape hatch, off by
	// default.
	GowsdlOnly bool `yaml:"gowsdlOnly"`
	// NetHTTP sends backend calls through Go's net/http Transport instead of the bridge's own
	// HTTP/1.1 client, which runs each call on the caller's goroutine (docs/design-notes.md): an
	// escape hatch, off by default. A proxy or NTLM always uses net/http's.
	NetHTTP bool `yaml:"netHTTP"`
	// Resilience guards the backend: concurrency limits, circuit breaker, deadlines, retries of
	// reads (see soapclient.Resilience and docs/operations.md). On by default; disabled: true
	// turns every guard off.
	Resilience Resilience `yaml:"resilience"`
	// OpenAPI is an OpenAPI 3 document (a file, JSON or YAML) whose operations, by operationId,
	// a REST mapping calls instead of declaring them in its rest: block.
	OpenAPI string `yaml:"openapi"`
	// Bearer is a static bearer token for a REST backend; OAuth2 fetches one with the client
	// credentials grant. (An API key is a static header.) REST backends only.
	Bearer string  `yaml:"bearer"`
	OAuth2 *OAuth2 `yaml:"oauth2"`
}

// Resilience is soapclient.Resilience plus an off switch.
type Resilience struct {
	Disabled              bool `yaml:"disabled"`
	soapclient.Resilience `yaml:",inline"`
}

// Session is soapclient.SessionConfig in YAML.
type Session struct {
	// Login names the login operation; Request its fields (path → value, secrets by reference).
	Login   string            `yaml:"login"`
	Request map[string]string `yaml:"request"`
	// Token is where the token is in the login's answer (a field path).
	Token string `yaml:"token"`
	// Use says where the token goes in each call: exactly one of parameter, header, cookie.
	Use SessionUse `yaml:"use"`
	// Lifetime renews the token once it is this old (0: only when a call says it expired).
	Lifetime time.Duration `yaml:"lifetime"`
	// Expired are the faults that mean the token expired: one fresh login, one retry.
	Expired []SessionExpired `yaml:"expired"`
	// Logout, optional, is called with the token when the bridge stops.
	Logout string `yaml:"logout"`
}

// SessionUse is where the token goes.
type SessionUse struct {
	Parameter string `yaml:"parameter"`
	Header    string `yaml:"header"`
	Cookie    string `yaml:"cookie"`
}

// SessionExpired matches a fault; faultString is a regular expression.
type SessionExpired struct {
	FaultCode   string `yaml:"faultCode"`
	DetailCode  string `yaml:"detailCode"`
	FaultString string `yaml:"faultString"`
}

// BackendAuth is Windows authentication; exactly one of its members.
type BackendAuth struct {
	NTLM     *NTLMAuth     `yaml:"ntlm"`
	Kerberos *KerberosAuth `yaml:"kerberos"`
}

// NTLMAuth is NTLMv2; username is DOMAIN\user or user@domain.
type NTLMAuth struct {
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	Workstation string `yaml:"workstation"`
}

// KerberosAuth is Kerberos through SPNEGO ("Negotiate"), with a password or a keytab file.
type KerberosAuth struct {
	Krb5Conf string `yaml:"krb5Conf"`
	Realm    string `yaml:"realm"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	Keytab   string `yaml:"keytab"`
	// SPN defaults to HTTP/<endpoint host>.
	SPN string `yaml:"spn"`
}

// BackendTLS configures TLS towards the legacy app (private CA, client certificate).
type BackendTLS struct {
	CAFile   string `yaml:"caFile"`
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// State is where the bridge keeps its own state (password history, change tracking, surrogate
// ids).
type State struct {
	// Path is the SQLite file; "" keeps state in memory (lost on restart: the first PUT after a
	// restart re-sends a user's password once).
	Path string `yaml:"path"`
	// Postgres is a PostgreSQL connection string (postgres://… or key=value), usually from a
	// secret (${file:…} or ${ENV}): the state several replicas share. Excludes path.
	Postgres string `yaml:"postgres"`
	// PasswordHistory is how many passwords per user are remembered: a PUT carrying any of them
	// is not a password change. 0 means the default (5).
	PasswordHistory int `yaml:"passwordHistory"`
}

// Log selects the log format and level.
type Log struct {
	Format string `yaml:"format"` // json (default) | text
	Level  string `yaml:"level"`  // debug | info (default) | warn | error
	// Sensitive names attributes redacted from every log line at any depth, on top of the
	// built-in list (passwords, tokens, credentials, secrets).
	Sensitive []string `yaml:"sensitive"`
	// File, when set, writes the log to this file instead of stderr, rotated at MaxSizeMB
	// (default 100), keeping MaxBackups old files (default 5) for at most MaxAgeDays (default
	// 28; 0 keeps them by count only).
	File       string `yaml:"file"`
	MaxSizeMB  int    `yaml:"maxSizeMB"`
	MaxBackups int    `yaml:"maxBackups"`
	MaxAgeDays int    `yaml:"maxAgeDays"`
}

// Defaults fills every unset key with its default. Decoding calls it; a Config built in Go
// (the demo) calls it itself.
func (c *Config) Defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 28 * time.Second
	}
	c.Metrics.defaults()
	c.SCIM.Defaults()
	c.Backend.defaults()
	c.State.defaults()
	c.Log.defaults()
	if c.TLS != nil {
		if c.TLS.MinVersion == "" {
			c.TLS.MinVersion = "1.2"
		}
		if c.TLS.ClientCAFile != "" && c.TLS.ClientAuth == "" {
			c.TLS.ClientAuth = "required"
		}
	}
	if c.Shutdown.Grace == 0 {
		c.Shutdown.Grace = 25 * time.Second
	}
	if c.Runtime.GCHeapFloorMB == 0 {
		c.Runtime.GCHeapFloorMB = DefaultGCHeapFloorMB
	}
}

func (s *State) defaults() {
	if s.PasswordHistory == 0 {
		s.PasswordHistory = state.DefaultPasswordHistory
	}
}

func (s *State) validate(p *collector) {
	if s.Path != "" && s.Postgres != "" {
		p.bad("state.postgres", "state.path and state.postgres exclude each other (SQLite for one instance, PostgreSQL for replicas)")
	}
	if s.Postgres != "" && !strings.HasPrefix(s.Postgres, "postgres://") && !strings.HasPrefix(s.Postgres, "postgresql://") && !strings.Contains(s.Postgres, "=") {
		p.bad("state.postgres", "not a PostgreSQL connection string (postgres://user@host:5432/db, or host=… dbname=… key=value pairs)")
	}
	if h := s.PasswordHistory; h < 1 || h > state.MaxPasswordHistory {
		p.bad("state.passwordHistory", "%d is not between 1 and %d", h, state.MaxPasswordHistory)
	}
}

func (m *Metrics) defaults() {
	if m.Disabled {
		m.Listen = ""
	} else if m.Listen == "" {
		m.Listen = "127.0.0.1:9464"
	}
}

func (b *Backend) defaults() {
	if b.Timeout == 0 {
		b.Timeout = soapclient.DefaultTimeout
	}
	if b.MaxConcurrency == 0 {
		b.MaxConcurrency = soapclient.DefaultMaxConcurrency
	}
}

func (l *Log) defaults() {
	if l.Format == "" {
		l.Format = "json"
	}
	if l.Level == "" {
		l.Level = "info"
	}
	if l.File != "" {
		if l.MaxSizeMB == 0 {
			l.MaxSizeMB = 100
		}
		if l.MaxBackups == 0 {
			l.MaxBackups = 5
		}
		if l.MaxAgeDays == 0 {
			l.MaxAgeDays = 28
		}
	}
}

// validate checks what each key can say on its own, and what sections say together. Checks
// that need files, the network stack or other packages' builders are Prepare's.
func (c *Config) validate(p *collector) {
	c.validateREST(p)
	checkHostPort(p, "listen", c.Listen)
	if c.RequestTimeout < 0 {
		p.bad("requestTimeout", "must not be negative")
	}
	if c.TLS != nil {
		c.TLS.validate(p, "tls")
	}
	if c.Metrics.Listen != "" {
		checkHostPort(p, "metrics.listen", c.Metrics.Listen)
	}
	if _, set := p.pos["scim.scim2.customSchemaURN"]; !set && !urnPart.MatchString(c.SCIM.AppName+c.SCIM.CustomSchemaName) {
		// The default URN is made of appName and customSchemaName, whose own problems are
		// reported; a complaint about a key the file does not have would only confuse.
		p.silence("scim.scim2.customSchemaURN")
	}
	p.component("scim", c.SCIM.Validate())
	if c.SCIM.Auth.Mode == "none" && !adapter.AuthNoneAllowed(c.Listen) {
		p.bad("scim.auth.mode", "none is only allowed when listen is a loopback address (listen is %q)", c.Listen)
	}
	c.Backend.validate(p)
	c.State.validate(p)
	c.Log.validate(p)
	if f := c.Runtime.GCHeapFloorMB; f < 0 || f > 1<<16 {
		p.bad("runtime.gcHeapFloorMB", "%d is not between 1 and 65536 (MB; leave it out for the default of %d)", f, DefaultGCHeapFloorMB)
	}
}

// urnPart is what appName and customSchemaName may hold (adapter.Config.Validate's rule).
var urnPart = regexp.MustCompile(`^[A-Za-z0-9_.-]*$`)

func checkHostPort(p *collector, path, v string) {
	if _, _, err := net.SplitHostPort(v); err != nil {
		p.bad(path, "%q is not host:port (e.g. 127.0.0.1:8080, or :8443 for every address)", v)
	}
}

func (t *TLS) validate(p *collector, path string) {
	if t.CertFile == "" {
		p.bad(path+".certFile", "required when tls is set (the server certificate, PEM)")
	}
	if t.KeyFile == "" {
		p.bad(path+".keyFile", "required when tls is set (the certificate's private key, PEM)")
	}
	switch t.MinVersion {
	case "1.2", "1.3":
	default:
		p.bad(path+".minVersion", "%q is not \"1.2\" or \"1.3\"", t.MinVersion)
	}
	switch {
	case t.ClientAuth != "" && t.ClientCAFile == "":
		p.bad(path+".clientAuth", "needs tls.clientCAFile (the CAs that sign the clients' certificates)")
	case t.ClientAuth == "", t.ClientAuth == "required", t.ClientAuth == "optional":
	default:
		p.bad(path+".clientAuth", "%q is not required or optional", t.ClientAuth)
	}
}

func (b *Backend) validate(p *collector) {
	if b.Mapping == "" {
		p.bad("backend.mapping", "required (a mapping file, or builtin:legacyhr)")
	}
	isURL := func(s string) bool { return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") }
	if b.WSDL == "" && (b.WSDLBinding != "" || b.WSDLSave != "") {
		p.bad("backend.wsdl", "required when backend.wsdlBinding or backend.wsdlSave is set")
	}
	if b.WSDLSave != "" && b.WSDL != "" && !isURL(b.WSDL) {
		p.bad("backend.wsdlSave", "only a WSDL read from a URL is saved; %s is a file already", b.WSDL)
	}
	switch {
	case b.Endpoint == "" && b.WSDL != "":
		// The WSDL's soap:address.
	case b.Endpoint == "":
		p.bad("backend.endpoint", "required (the legacy application's SOAP endpoint URL, or backend.wsdl)")
	case !isURL(b.Endpoint):
		p.bad("backend.endpoint", "%q must be an http:// or https:// URL", RedactURL(b.Endpoint))
	default:
		if u, err := url.Parse(b.Endpoint); err != nil || u.Host == "" {
			p.bad("backend.endpoint", "%q is not a URL with a host", RedactURL(b.Endpoint))
		}
	}
	switch b.SOAPVersion {
	case "", soapclient.SOAP11, soapclient.SOAP12:
	default:
		p.bad("backend.soapVersion", "%q is not \"1.1\" or \"1.2\"", b.SOAPVersion)
	}
	if b.Timeout < 0 {
		p.bad("backend.timeout", "must not be negative")
	}
	if b.MaxConcurrency < 0 {
		p.bad("backend.maxConcurrency", "must not be negative")
	}
	if b.Proxy != "" {
		if u, err := url.Parse(b.Proxy); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			p.bad("backend.proxy", "%q is not an http://, https:// or socks5:// URL", RedactURL(b.Proxy))
		}
	}
	if w := b.WSSE; w != nil {
		if w.Username == "" {
			p.bad("backend.wsse.username", "required when backend.wsse is set")
		}
		if w.Password == "" {
			p.bad("backend.wsse.password", "required when backend.wsse is set")
		}
	}
	if a := b.Basic; a != nil {
		if a.Username == "" {
			p.bad("backend.basic.username", "required when backend.basic is set")
		}
		if a.Password == "" {
			p.bad("backend.basic.password", "required when backend.basic is set")
		}
	}
	if a := b.Auth; a != nil {
		switch {
		case (a.NTLM == nil) == (a.Kerberos == nil):
			p.bad("backend.auth", "configure exactly one of ntlm and kerberos")
		case b.Basic != nil:
			p.bad("backend.auth", "cannot be combined with backend.basic (one HTTP authentication)")
		case a.NTLM != nil && (a.NTLM.Username == "" || a.NTLM.Password == ""):
			p.bad("backend.auth.ntlm", "username and password are both required")
		case a.Kerberos != nil && (a.Kerberos.Krb5Conf == "" || a.Kerberos.Realm == "" || a.Kerberos.Username == ""):
			p.bad("backend.auth.kerberos", "krb5Conf, realm and username are required")
		case a.Kerberos != nil && (a.Kerberos.Password == "") == (a.Kerberos.Keytab == ""):
			p.bad("backend.auth.kerberos", "set password or keytab (one of the two)")
		}
	}
	if ss := b.Session; ss != nil {
		if ss.Login == "" {
			p.bad("backend.session.login", "required: the login operation")
		}
		if ss.Token == "" {
			p.bad("backend.session.token", "required: where the token is in the login's answer")
		}
		n := 0
		for _, v := range []string{ss.Use.Parameter, ss.Use.Header, ss.Use.Cookie} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			p.bad("backend.session.use", "set exactly one of parameter, header and cookie")
		}
		if len(ss.Expired) == 0 {
			p.bad("backend.session.expired", "required: the faults that mean the token expired")
		}
		if ss.Lifetime < 0 {
			p.bad("backend.session.lifetime", "must not be negative")
		}
	}
	if t := b.TLS; t != nil && (t.CertFile == "") != (t.KeyFile == "") {
		p.bad("backend.tls", "certFile and keyFile go together (a client certificate and its key)")
	}
}

func (l *Log) validate(p *collector) {
	switch l.Format {
	case "json", "text":
	default:
		p.bad("log.format", "%q is not json or text", l.Format)
	}
	switch l.Level {
	case "debug", "info", "warn", "error":
	default:
		p.bad("log.level", "%q is not debug, info, warn or error", l.Level)
	}
	if l.MaxSizeMB < 0 || l.MaxBackups < 0 || l.MaxAgeDays < 0 {
		p.bad("log", "maxSizeMB, maxBackups and maxAgeDays must not be negative")
	}
}

// RedactURL hides the password of a URL that is about to be printed.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
