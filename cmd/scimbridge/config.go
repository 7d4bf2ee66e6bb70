package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/soapclient"
)

// Config is the whole bridge configuration: one YAML file. Unknown keys are errors. Any string
// value may reference a secret as `${NAME}` (environment variable) or `${file:/path}` (file
// contents, trailing newline removed), so that secrets need not sit in the file.
//
//	listen: 127.0.0.1:8080          # SCIM listener
//	tls: { certFile: …, keyFile: … } # optional; the Okta agent wants HTTPS unless allowHttp is set
//	metrics: { listen: 127.0.0.1:9464 }
//	scim: { … }                     # see adapter.Config
//	backend:
//	  mapping: /etc/scimbridge/legacyhr.mapping.yaml   # or builtin:legacyhr
//	  endpoint: https://hr.example.internal/soap
//	  wsse: { username: okta-svc, password: "${file:/etc/scimbridge/hr.pass}" }
//	state: { path: /var/lib/scimbridge/state.db }
//	log: { format: json, level: info }
type Config struct {
	Listen string `yaml:"listen"`
	// RequestTimeout bounds one SCIM request end to end, across every backend call it makes
	// (default 28s: the Okta agent's API timeout is at least 30 s, and an answer after it gives
	// up is wasted, or worse, a change it will report as failed).
	RequestTimeout time.Duration  `yaml:"requestTimeout"`
	TLS            *TLSConfig     `yaml:"tls"`
	Metrics        MetricsConfig  `yaml:"metrics"`
	SCIM           adapter.Config `yaml:"scim"`
	Backend        BackendConfig  `yaml:"backend"`
	State          StateConfig    `yaml:"state"`
	Log            LogConfig      `yaml:"log"`
}

// TLSConfig is the SCIM listener's certificate.
type TLSConfig struct {
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// MetricsConfig is the separate listener for /metrics, /healthz and /readyz. It is separate so that
// the SCIM port can be exposed to the agent hosts without exposing the metrics, and vice versa.
type MetricsConfig struct {
	// Listen is the address; default 127.0.0.1:9464 (loopback: widen it for a remote Prometheus).
	Listen string `yaml:"listen"`
	// Disabled turns the listener off.
	Disabled bool `yaml:"disabled"`
}

// BackendConfig says how to reach the legacy application.
type BackendConfig struct {
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
	Timeout        time.Duration     `yaml:"timeout"`
	MaxConcurrency int               `yaml:"maxConcurrency"`
	WSSE           *WSSEConfig       `yaml:"wsse"`
	Basic          *BasicConfig      `yaml:"basic"`
	Headers        map[string]string `yaml:"headers"`
	TLS            *BackendTLS       `yaml:"tls"`
	// Proxy sends every backend call through this proxy (http://, https:// or socks5:// URL,
	// credentials in the URL allowed). Unset, no proxy is used, whatever HTTPS_PROXY says: a
	// bridge should not silently follow a proxy meant for something else.
	Proxy string `yaml:"proxy"`
	// SOAPVersion is the envelope version spoken to the backend: "1.1" (the default, and the
	// binding preferred when a WSDL offers both) or "1.2" (application/soap+xml with the action
	// in the content type, 1.2 faults); see docs/wsdl.md.
	SOAPVersion string `yaml:"soapVersion"`
	// Resilience guards the backend: concurrency limits, circuit breaker, deadlines, retries of
	// reads (see soapclient.Resilience and docs/operations.md). On by default; disabled: true
	// turns every guard off.
	Resilience ResilienceConfig `yaml:"resilience"`
}

// ResilienceConfig is soapclient.Resilience plus an off switch.
type ResilienceConfig struct {
	Disabled              bool `yaml:"disabled"`
	soapclient.Resilience `yaml:",inline"`
}

// WSSEConfig is a WS-Security UsernameToken.
type WSSEConfig struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Digest sends PasswordDigest (with nonce and created) instead of PasswordText.
	Digest bool `yaml:"digest"`
}

// BasicConfig is HTTP Basic authentication towards the legacy app.
type BasicConfig struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

// BackendTLS configures TLS towards the legacy app (private CA, client certificate).
type BackendTLS struct {
	CAFile   string `yaml:"caFile"`
	CertFile string `yaml:"certFile"`
	KeyFile  string `yaml:"keyFile"`
}

// StateConfig is where the bridge keeps its own state (the password ledger).
type StateConfig struct {
	// Path is the SQLite file; "" keeps state in memory (lost on restart: the first PUT after a
	// restart re-sends a user's password once).
	Path string `yaml:"path"`
}

// LogConfig selects the log format and level.
type LogConfig struct {
	Format string `yaml:"format"` // json (default) | text
	Level  string `yaml:"level"`  // debug | info (default) | warn | error
	// Sensitive names attributes redacted from every log line at any depth, on top of the
	// built-in list (passwords, tokens, credentials, secrets).
	Sensitive []string `yaml:"sensitive"`
}

var refPattern = regexp.MustCompile(`\$\{([^}]*)\}`)

// expandRefs replaces ${NAME} and ${file:/path} in every string of the decoded configuration.
// It runs after YAML decoding, on values, so that a secret containing ':', '#' or quotes can never
// change the document's structure, and it walks every string field by reflection so that a field
// added later gets the same treatment. Every missing variable or unreadable file is reported.
func expandRefs(v reflect.Value) error {
	var errs []error
	expand := func(s string) string {
		return refPattern.ReplaceAllStringFunc(s, func(m string) string {
			ref := m[2 : len(m)-1]
			if path, ok := strings.CutPrefix(ref, "file:"); ok {
				b, err := os.ReadFile(path)
				if err != nil {
					errs = append(errs, fmt.Errorf("secret file %s: %w", path, err))
					return ""
				}
				return strings.TrimRight(string(b), "\r\n")
			}
			val, ok := os.LookupEnv(ref)
			if !ok {
				errs = append(errs, fmt.Errorf("environment variable %s is not set", ref))
			}
			return val
		})
	}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if v.Type().Field(i).IsExported() {
					walk(v.Field(i))
				}
			}
		case reflect.Slice, reflect.Array:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Map:
			if v.Type().Elem().Kind() == reflect.String {
				for _, k := range v.MapKeys() {
					v.SetMapIndex(k, reflect.ValueOf(expand(v.MapIndex(k).String())).Convert(v.Type().Elem()))
				}
			}
		case reflect.String:
			if v.CanSet() {
				v.SetString(expand(v.String()))
			}
		}
	}
	walk(v)
	return errors.Join(errs...)
}

// loadConfig reads, expands and strictly decodes the configuration file, applies defaults and
// validates it, reporting every problem at once.
func loadConfig(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseConfig(path, raw)
}

func parseConfig(name string, raw []byte) (*Config, error) {
	var cfg Config
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := expandRefs(reflect.ValueOf(&cfg)); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	cfg.applyDefaults()
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("%s: invalid configuration:\n%w", name, err)
	}
	return &cfg, nil
}

func (c *Config) applyDefaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8080"
	}
	if c.Metrics.Listen == "" && !c.Metrics.Disabled {
		c.Metrics.Listen = "127.0.0.1:9464"
	}
	if c.Metrics.Disabled {
		c.Metrics.Listen = ""
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = 28 * time.Second
	}
	if c.Backend.Timeout == 0 {
		c.Backend.Timeout = 20 * time.Second
	}
	if c.Backend.MaxConcurrency == 0 {
		c.Backend.MaxConcurrency = 16
	}
	if c.Log.Format == "" {
		c.Log.Format = "json"
	}
	if c.Log.Level == "" {
		c.Log.Level = "info"
	}
	c.SCIM.Defaults()
}

func (c *Config) validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf("  "+format, args...)) }
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		add("listen: %q is not host:port", c.Listen)
	}
	if c.Metrics.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Metrics.Listen); err != nil {
			add("metrics.listen: %q is not host:port", c.Metrics.Listen)
		}
	}
	if c.TLS != nil && (c.TLS.CertFile == "" || c.TLS.KeyFile == "") {
		add("tls: certFile and keyFile are both required")
	}
	if c.Backend.Mapping == "" {
		add("backend.mapping: required (a mapping file, or builtin:legacyhr)")
	}
	if c.Backend.Endpoint == "" {
		if c.Backend.WSDL == "" {
			add("backend.endpoint: required (the legacy application's SOAP endpoint URL)")
		}
	} else if !strings.HasPrefix(c.Backend.Endpoint, "http://") && !strings.HasPrefix(c.Backend.Endpoint, "https://") {
		add("backend.endpoint: %q must be an http:// or https:// URL", c.Backend.Endpoint)
	}
	if (c.Backend.WSDLBinding != "" || c.Backend.WSDLSave != "") && c.Backend.WSDL == "" {
		add("backend.wsdlBinding and backend.wsdlSave need backend.wsdl")
	}
	if c.Backend.WSDLSave != "" && !strings.HasPrefix(c.Backend.WSDL, "http://") && !strings.HasPrefix(c.Backend.WSDL, "https://") {
		add("backend.wsdlSave: only a WSDL read from a URL is saved; %s is a file already", c.Backend.WSDL)
	}
	if c.RequestTimeout < 0 {
		add("requestTimeout: must be positive")
	}
	if c.Backend.Proxy != "" {
		if u, err := url.Parse(c.Backend.Proxy); err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			add("backend.proxy: %q is not an http://, https:// or socks5:// URL", redactURL(c.Backend.Proxy))
		}
	}
	switch c.Backend.SOAPVersion {
	case "", soapclient.SOAP11, soapclient.SOAP12:
	default:
		add("backend.soapVersion: %q is not \"1.1\" or \"1.2\"", c.Backend.SOAPVersion)
	}
	if c.Backend.Timeout < 0 {
		add("backend.timeout: must be positive")
	}
	if c.Backend.MaxConcurrency < 0 {
		add("backend.maxConcurrency: must be positive")
	}
	if w := c.Backend.WSSE; w != nil && (w.Username == "" || w.Password == "") {
		add("backend.wsse: username and password are both required")
	}
	if b := c.Backend.Basic; b != nil && (b.Username == "" || b.Password == "") {
		add("backend.basic: username and password are both required")
	}
	switch c.Log.Format {
	case "json", "text":
	default:
		add("log.format: %q is not json or text", c.Log.Format)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		add("log.level: %q is not debug, info, warn or error", c.Log.Level)
	}
	if err := c.SCIM.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("  scim: %w", err))
	}
	if c.SCIM.Auth.Mode == "none" && !adapter.AuthNoneAllowed(c.Listen) {
		add("scim.auth.mode: none is only allowed when listen is a loopback address (got %q)", c.Listen)
	}
	return errors.Join(errs...)
}

// redactURL hides the password of a URL that is about to be printed.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		if err != nil {
			return "(unparsable)"
		}
		return raw
	}
	return u.Redacted()
}
