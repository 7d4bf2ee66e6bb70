package config

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/scimbridge/scimbridge/mapping"
	"github.com/scimbridge/scimbridge/mapping/defaults"
	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/soapreg"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

// Builtin are the mapping files shipped in the binary (`backend.mapping: builtin:<name>`).
var Builtin = map[string][]byte{"legacyhr": defaults.LegacyHR, "wso2": defaults.WSO2}

// Options are what the caller of Prepare brings besides the file.
type Options struct {
	// Registerer receives the backend client's metrics. nil keeps them in a private registry
	// (check builds the guards exactly as serve does, and throws them away).
	Registerer prometheus.Registerer
	// UserAgent is sent to the backend; default soapclient's.
	UserAgent string
	// LookupEnv and ReadFile resolve secret references; nil means the process environment and
	// the file system.
	LookupEnv func(string) (string, bool)
	ReadFile  func(string) ([]byte, error)
}

// Prepared is a configuration that passed everything serve checks before it listens, with
// what it built on the way. The caller owns Client (Close it).
type Prepared struct {
	File   string
	Config *Config
	// Mapping is the parsed mapping file; Engine is it compiled against Client's operations.
	Mapping *mapping.Spec
	Engine  *mapping.Engine
	Client  BackendClient
	// ServerCert is the SCIM listener's certificate (nil without tls).
	ServerCert *tls.Certificate
	// ClientCAs verify client certificates (nil without tls.clientCAFile).
	ClientCAs *x509.CertPool
}

// ServerTLS is the SCIM listener's TLS configuration, nil without tls.
func (p *Prepared) ServerTLS() *tls.Config {
	if p.ServerCert == nil {
		return nil
	}
	t := p.Config.TLS
	tc := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{*p.ServerCert}}
	if t.MinVersion == "1.3" {
		tc.MinVersion = tls.VersionTLS13
	}
	if p.ClientCAs != nil {
		tc.ClientCAs = p.ClientCAs
		tc.ClientAuth = tls.RequireAndVerifyClientCert
		if t.ClientAuth == "optional" {
			tc.ClientAuth = tls.VerifyClientCertIfGiven
		}
	}
	return tc
}

// Close releases what Prepare built.
func (p *Prepared) Close() error {
	if p == nil || p.Client == nil {
		return nil
	}
	return p.Client.Close()
}

// Load reads, decodes (strictly) and validates a configuration file, with defaults applied and
// secrets resolved. It does not touch anything the file names (see Prepare). The error is a
// Problems.
func Load(path string, opts Options) (*Config, error) {
	cfg, c := load(path, opts)
	if len(c.list) > 0 {
		return nil, c.sorted()
	}
	return cfg, nil
}

func load(path string, opts Options) (*Config, *collector) {
	c := &collector{file: path, pos: map[string]Pos{}}
	raw, err := readLimited(path)
	if err != nil {
		c.badAt(Pos{}, "cannot read the configuration file: %s", osReason(err))
		return nil, c
	}
	return decodeFile(c, raw, opts), c
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxFileSize+1))
}

func decodeFile(c *collector, raw []byte, opts Options) *Config {
	d := &decoder{c: c, lookupEnv: opts.LookupEnv, readFile: opts.ReadFile}
	if d.lookupEnv == nil {
		d.lookupEnv = os.LookupEnv
	}
	if d.readFile == nil {
		d.readFile = os.ReadFile
	}
	var cfg Config
	d.parse(raw, &cfg)
	if len(c.list) > 0 && len(c.pos) == 0 {
		return nil // not YAML at all: nothing else can be said
	}
	cfg.Defaults()
	cfg.validate(c)
	return &cfg
}

// Prepare does everything serve does before it listens, and reports every problem at once as
// Problems: the file decoded and validated, secrets resolved, the SCIM certificate and key read
// and matched, the backend's TLS files read, the mapping loaded and compiled against the
// backend client's operations, and the client built with its resilience guards.
func Prepare(path string, opts Options) (*Prepared, error) {
	cfg, c := load(path, opts)
	if cfg == nil {
		return nil, c.sorted()
	}
	return build(c, cfg, opts)
}

// PrepareBytes is Prepare for a file already in memory; name is used in messages.
func PrepareBytes(name string, raw []byte, opts Options) (*Prepared, error) {
	c := &collector{file: name, pos: map[string]Pos{}}
	cfg := decodeFile(c, raw, opts)
	if cfg == nil {
		return nil, c.sorted()
	}
	return build(c, cfg, opts)
}

// PrepareConfig is Prepare for a Config built in Go (the demo): defaults, validation and
// building, with messages naming keys but no positions.
func PrepareConfig(name string, cfg *Config, opts Options) (*Prepared, error) {
	c := &collector{file: name, pos: map[string]Pos{}}
	cfg.Defaults()
	cfg.validate(c)
	return build(c, cfg, opts)
}

func build(c *collector, cfg *Config, opts Options) (*Prepared, error) {
	p := &Prepared{File: c.file, Config: cfg}
	if t := cfg.TLS; t != nil && t.CertFile != "" && t.KeyFile != "" {
		p.ServerCert = loadKeyPair(c, "tls", t.CertFile, t.KeyFile)
	}
	if t := cfg.TLS; t != nil && t.ClientCAFile != "" {
		p.ClientCAs = loadCAs(c, "tls.clientCAFile", t.ClientCAFile)
	}
	if f := cfg.Metrics.WebConfigFile; f != "" {
		if _, err := os.Stat(f); err != nil {
			c.bad("metrics.webConfigFile", "cannot read %s: %s", f, osReason(err))
		} else if err := web.Validate(f); err != nil {
			c.bad("metrics.webConfigFile", "%s", err)
		}
	}
	if cfg.Log.File != "" {
		if _, err := os.Stat(filepath.Dir(cfg.Log.File)); err != nil {
			c.bad("log.file", "the directory of %s cannot be used: %s", cfg.Log.File, osReason(err))
		}
	}
	sc := soapConfig(c, cfg, opts)

	var mapProblems Problems
	spec, specErr := loadMapping(c, cfg.Backend.Mapping)
	if specErr != nil {
		mapProblems = append(mapProblems, fromMapping(specErr)...)
	}
	if spec != nil {
		// The client is built even when other keys are wrong, so that its own checks (the
		// resilience settings against the client's operations) are reported in the same round.
		// Values already reported are neutralised in the probe, so that the client reports only
		// what this package does not check itself.
		probe := sc
		if len(c.list) > 0 {
			probe = neutralise(probe, cfg.Backend.WSDL != "")
		}
		var client BackendClient
		var catalog *soapreg.Client
		if IsREST(spec, cfg.Backend.OpenAPI) {
			// A REST backend: the operations come from the mapping's rest: block or an OpenAPI
			// document.
			var probs Problems
			client, p.Engine, probs = buildREST(c, cfg, spec, probe)
			mapProblems = append(mapProblems, probs...)
			p.Mapping = spec
		} else if b := cfg.Backend; b.WSDL != "" {
			// The runtime client: built from the WSDL now, with the same transport and guards.
			opts := wsdlrt.Options{WSDL: b.WSDL, Binding: b.WSDLBinding, SaveTo: b.WSDLSave, Name: spec.Client.Value}
			if !strings.HasPrefix(b.WSDL, "http://") && !strings.HasPrefix(b.WSDL, "https://") {
				opts.SaveTo = "" // reported by validate
			}
			sc, reg, err := wsdlrt.New(context.Background(), opts, probe)
			if err != nil {
				c.bad("backend.wsdl", "%s", strings.TrimPrefix(soapclientErr(err).Error(), "wsdlrt: "))
			} else {
				client, catalog = sc, reg
			}
		} else if gen, ok := soapclient.Clients[spec.Client.Value]; !ok {
			mapProblems = append(mapProblems, Problem{File: spec.File, Pos: Pos{Line: spec.Client.At.Line, Col: spec.Client.At.Col},
				Msg: fmt.Sprintf("client %q is not a generated client of this build (have: %s; add one with scimbridge gen, or name the WSDL in backend.wsdl)",
					spec.Client.Value, strings.Join(slices.Sorted(mapsKeys(soapclient.Clients)), ", "))})
		} else {
			catalog = gen
			sc, err := soapclient.New(spec.Client.Value, probe)
			if err != nil {
				c.component("backend", soapclientErr(err))
			} else {
				client = sc
			}
		}
		if catalog != nil {
			eng, err := mapping.Compile(spec, Catalog(catalog), mapping.Options{})
			if err != nil {
				mapProblems = append(mapProblems, fromMapping(err)...)
			}
			p.Mapping, p.Engine = spec, eng
		}
		if client != nil {
			if len(c.list) > 0 || len(mapProblems) > 0 {
				client.Close()
			} else {
				p.Client = client
			}
		}
	}
	all := append(c.sorted(), mapProblems...)
	if len(all) > 0 {
		return nil, all
	}
	return p, nil
}

// neutralise replaces the values of a client configuration that are already reported as
// wrong by harmless ones.
func neutralise(sc soapclient.Config, wsdl bool) soapclient.Config {
	if u, err := url.Parse(sc.Endpoint); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		if !wsdl || sc.Endpoint != "" {
			sc.Endpoint = "http://placeholder.invalid/"
		}
	}
	sc.Proxy = nil
	if sc.SOAPVersion != soapclient.SOAP12 {
		sc.SOAPVersion = ""
	}
	sc.Timeout = max(sc.Timeout, 0)
	sc.MaxConcurrency = max(sc.MaxConcurrency, 0)
	if sc.WSSE != nil && sc.WSSE.Username == "" {
		sc.WSSE = nil
	}
	if sc.BasicAuth != nil && sc.BasicAuth.Username == "" {
		sc.BasicAuth = nil
	}
	sc.Session = nil // its own checks run when the rest is valid
	if sc.NTLM != nil || sc.Kerberos != nil {
		// Reported by Backend.validate when wrong; a check never calls the backend.
		sc.NTLM, sc.Kerberos = nil, nil
	}
	return sc
}

// soapclientErr rewrites the client's own validation messages into key paths under backend
// ("resilience: breaker.failureRatio …" → "resilience.breaker.failureRatio …").
func soapclientErr(err error) error {
	var out []string
	for _, line := range strings.Split(err.Error(), "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "soapclient: ")
		switch {
		case strings.HasPrefix(line, "resilience: "):
			line = "resilience." + strings.TrimPrefix(line, "resilience: ")
		case strings.Contains(line, "static header"):
			line = "headers: " + line
		}
		out = append(out, line)
	}
	return errors.New(strings.Join(out, "\n"))
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !yield(k) {
				return
			}
		}
	}
}

// fromMapping returns the positioned problems of the mapping checker or the REST definition
// reader (the same list type as ours, with the mapping file's or the document's name and
// positions); any other error becomes one unpositioned problem.
func fromMapping(err error) Problems {
	var l Problems
	if errors.As(err, &l) {
		return l
	}
	return Problems{{File: "mapping", Msg: err.Error()}}
}

// loadMapping reads the mapping file named by backend.mapping, or a built-in one. A name that
// cannot be read is the configuration's problem (positioned there); what is wrong inside the
// file is the mapping's (positioned in it).
func loadMapping(c *collector, ref string) (*mapping.Spec, error) {
	if ref == "" {
		return nil, nil // reported by validate
	}
	if name, ok := strings.CutPrefix(ref, "builtin:"); ok {
		data, ok := Builtin[name]
		if !ok {
			c.bad("backend.mapping", "no built-in mapping %q (have: %s)", name, strings.Join(slices.Sorted(mapsKeys(Builtin)), ", "))
			return nil, nil
		}
		return mapping.Parse("builtin:"+name, data)
	}
	data, err := os.ReadFile(ref)
	if err != nil {
		c.bad("backend.mapping", "cannot read %s: %s", ref, osReason(err))
		return nil, nil
	}
	return mapping.Parse(ref, data)
}

// LoadMapping reads a mapping file or builtin:<name> on its own (check --mapping).
func LoadMapping(ref string) (*mapping.Spec, error) {
	c := &collector{file: ref, pos: map[string]Pos{}}
	spec, err := loadMapping(c, ref)
	if len(c.list) > 0 {
		return nil, Problems{{File: ref, Msg: strings.TrimPrefix(c.list[0].Msg, "backend.mapping: ")}}
	}
	return spec, err
}

// soapConfig builds the backend client's configuration, reading the backend's TLS files.
func soapConfig(c *collector, cfg *Config, opts Options) soapclient.Config {
	b := cfg.Backend
	sc := soapclient.Config{
		Endpoint:       b.Endpoint,
		Timeout:        b.Timeout,
		MaxConcurrency: b.MaxConcurrency,
		Headers:        maps(b.Headers),
		UserAgent:      opts.UserAgent,
		WSSE:           b.WSSE,
		BasicAuth:      b.Basic,
		SOAPVersion:    b.SOAPVersion,
		GowsdlOnly:     b.GowsdlOnly,
		NetHTTP:        b.NetHTTP,
	}
	if ss := b.Session; ss != nil {
		sess := &soapclient.SessionConfig{Login: ss.Login, Request: ss.Request, Token: ss.Token, Parameter: ss.Use.Parameter,
			Header: ss.Use.Header, Cookie: ss.Use.Cookie, Lifetime: ss.Lifetime, Logout: ss.Logout}
		for _, e := range ss.Expired {
			sess.Expired = append(sess.Expired, soapclient.ExpiredFault{FaultCode: e.FaultCode, DetailCode: e.DetailCode, FaultString: e.FaultString})
		}
		sc.Session = sess
	}
	if a := b.Auth; a != nil && a.NTLM != nil {
		sc.NTLM = &soapclient.NTLMConfig{Username: a.NTLM.Username, Password: a.NTLM.Password, Workstation: a.NTLM.Workstation}
	}
	if a := b.Auth; a != nil && a.Kerberos != nil {
		k := a.Kerberos
		sc.Kerberos = &soapclient.KerberosConfig{Krb5Conf: k.Krb5Conf, Realm: k.Realm, Username: k.Username, Password: k.Password, Keytab: k.Keytab, SPN: k.SPN}
	}
	if b.Proxy != "" {
		if u, err := url.Parse(b.Proxy); err == nil && u.Host != "" {
			sc.Proxy = u
		}
	}
	if !b.Resilience.Disabled {
		r := b.Resilience.Resilience
		r.Registerer = opts.Registerer
		if r.Registerer == nil {
			r.Registerer = prometheus.NewRegistry()
		}
		sc.Resilience = &r
	}
	if t := b.TLS; t != nil {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if t.CAFile != "" {
			if pool := loadCAs(c, "backend.tls.caFile", t.CAFile); pool != nil {
				tc.RootCAs = pool
			}
		}
		if t.CertFile != "" && t.KeyFile != "" {
			if cert := loadKeyPair(c, "backend.tls", t.CertFile, t.KeyFile); cert != nil {
				tc.Certificates = []tls.Certificate{*cert}
			}
		}
		sc.TLS = tc
	}
	return sc
}

func maps(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// loadCAs reads a PEM bundle of CA certificates.
func loadCAs(c *collector, path, file string) *x509.CertPool {
	pem, err := os.ReadFile(file)
	if err != nil {
		c.bad(path, "cannot read %s: %s", file, osReason(err))
		return nil
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		c.bad(path, "%s holds no PEM certificate", file)
		return nil
	}
	return pool
}

// loadKeyPair reads a certificate and its key and checks that they belong together, reporting
// each file's own problem at its key.
func loadKeyPair(c *collector, path, certFile, keyFile string) *tls.Certificate {
	certPEM, err1 := os.ReadFile(certFile)
	if err1 != nil {
		c.bad(path+".certFile", "cannot read %s: %s", certFile, osReason(err1))
	}
	keyPEM, err2 := os.ReadFile(keyFile)
	if err2 != nil {
		c.bad(path+".keyFile", "cannot read %s: %s", keyFile, osReason(err2))
	}
	if err1 != nil || err2 != nil {
		return nil
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), "tls: ")
		switch {
		case strings.Contains(msg, "does not match"):
			c.bad(path+".keyFile", "%s is not the key of %s (%s)", filepath.Base(keyFile), filepath.Base(certFile), msg)
		case strings.Contains(msg, "certificate"):
			c.bad(path+".certFile", "%s: %s", certFile, msg)
		default:
			c.bad(path+".keyFile", "%s: %s", keyFile, msg)
		}
		return nil
	}
	return &cert
}
