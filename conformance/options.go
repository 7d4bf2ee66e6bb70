package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

// Capability names as they appear in the SCIM 1.1 userManagementCapabilities list.
const (
	CapPushNewUsers         = "PUSH_NEW_USERS"
	CapPushPendingUsers     = "PUSH_PENDING_USERS"
	CapPushProfileUpdates   = "PUSH_PROFILE_UPDATES"
	CapPushPasswordUpdates  = "PUSH_PASSWORD_UPDATES"
	CapPushUserDeactivation = "PUSH_USER_DEACTIVATION"
	CapReactivateUsers      = "REACTIVATE_USERS"
	CapImportNewUsers       = "IMPORT_NEW_USERS"
	CapImportProfileUpdates = "IMPORT_PROFILE_UPDATES"
	CapGroupPush            = "GROUP_PUSH"
	CapIncrementalImports   = "OPP_SCIM_INCREMENTAL_IMPORTS"
)

// AllCapabilities lists every capability the tester knows, in the order the SDK advertises them.
// It is also what the tester assumes when a connector does not answer the capabilities call,
// because that is what Okta assumes.
var AllCapabilities = []string{
	CapGroupPush, CapImportNewUsers, CapImportProfileUpdates, CapPushNewUsers,
	CapPushPasswordUpdates, CapPushPendingUsers, CapPushProfileUpdates,
	CapPushUserDeactivation, CapReactivateUsers, CapIncrementalImports,
}

// Options configures one tester run. The zero value of every field except URL is usable: see
// each field for what zero means.
type Options struct {
	// URL is the connector's base URL, as typed into Okta's "SCIM connector base URL" field.
	// Resource paths are appended with exactly one slash in between.
	URL string
	// Header holds extra headers sent on every call, typically the credential
	// (Authorization: Bearer …). The auth.required check removes them to see the refusal.
	Header http.Header
	// BasicUser and BasicPassword, when BasicUser is not empty, add HTTP Basic auth.
	BasicUser, BasicPassword string
	// Dialect is the SCIM version: "1.1" or "2.0" (the Okta agent with a /v2/ base URL, and
	// Microsoft Entra): the same scenarios plus the v2.* PATCH, discovery and error checks. The
	// zero value infers it from the URL as the agent does: a /v2 path segment means 2.0.
	Dialect string
	// UniqueField is Okta's "Unique user field name": "userName" (zero value), "email" (the
	// OR-form filter over the primary and secondary email), or a custom attribute name (or a
	// full urn:okta:<app>:1.0:user:custom:<attr> path) that the tester fills with a unique value.
	UniqueField string
	// AppName is the Okta app's internal name used in the custom schema URN
	// urn:okta:<AppName>:1.0:user:custom; zero value means "onprem_app".
	AppName string
	// Capabilities, when nil, are read from the connector's capabilities endpoint ("auto").
	// When set, they decide which checks run without asking the connector.
	Capabilities []string
	// Only selects checks by name: an entry selects every check whose name equals it or starts
	// with it ("errors" selects errors.404 and errors.409.*). Empty means all checks.
	Only []string
	// KeepData skips the cleanup; the report then lists what was left behind.
	KeepData bool
	// Purge deletes the users the run created where the connector allows DELETE, instead of only
	// deactivating them; what it cannot delete is deactivated and listed as left behind.
	Purge bool
	// Timeout bounds every HTTP call; zero means 30 s, the agent's minimum timeout.
	Timeout time.Duration
	// Slow is the duration above which a call is reported as a warning; zero means 5 s.
	Slow time.Duration
	// MaxPages bounds every paged listing; zero means 200. Listings longer than that are
	// reported as skipped ("too many users") rather than paged forever.
	MaxPages int
	// HTTPClient, when set, is used for all calls (for custom TLS roots, proxies). Its own
	// Timeout is left alone; Timeout above still applies per call through the context.
	HTTPClient *http.Client
	// CAFile names a PEM file of CA certificates trusted in addition to the system roots: a
	// connector behind a private CA, which the Okta agent too must be given (keytool import)
	// before go-live. Not allowed together with HTTPClient.
	CAFile string
	// InsecureSkipVerify turns off TLS certificate verification, for a first look at a
	// connector whose certificate is not ready yet. The agent never does this, so the report
	// says it prominently. Not allowed together with HTTPClient.
	InsecureSkipVerify bool
	// RunID, when set, replaces the random 8-character run id in test data names. Tests use
	// it; real runs should leave it empty so that runs never collide.
	RunID string

	// sleep waits for d; tests replace it to advance a fake connector's clock instead.
	sleep func(ctx context.Context, d time.Duration) error
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (o Options) withDefaults() Options {
	if o.Dialect == "" {
		o.Dialect = urlDialect(o.URL)
		if o.Dialect == "" {
			o.Dialect = "1.1"
		}
	}
	if o.UniqueField == "" {
		o.UniqueField = "userName"
	}
	if o.AppName == "" {
		o.AppName = "onprem_app"
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Slow <= 0 {
		o.Slow = 5 * time.Second
	}
	if o.MaxPages <= 0 {
		o.MaxPages = 200
	}
	if o.sleep == nil {
		o.sleep = sleepCtx
	}
	return o
}

// urlDialect is the SCIM version a base URL selects for the Okta agent (2.1.0 and later): a /v2
// path segment means 2.0, /v1 means 1.1; "" when the URL says neither.
func urlDialect(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	for _, seg := range strings.Split(u.Path, "/") {
		switch strings.ToLower(seg) {
		case "v2":
			return "2.0"
		case "v1":
			return "1.1"
		}
	}
	return ""
}

// dialectHint says how the URL and an explicit --dialect disagree, "" when they do not.
func dialectHint(rawURL, dialect string) string {
	if d := urlDialect(rawURL); d != "" && d != dialect {
		return fmt.Sprintf("the URL selects SCIM %s for the Okta agent, but this run speaks SCIM %s (--dialect %s); leave --dialect out to follow the URL", d, dialect, dialect)
	}
	return ""
}

// validate reports configuration mistakes before any call is made, all at once.
func (o Options) validate() error {
	var errs []error
	if o.URL == "" {
		errs = append(errs, errors.New("a connector URL is required (--url)"))
	} else if !strings.HasPrefix(o.URL, "http://") && !strings.HasPrefix(o.URL, "https://") {
		errs = append(errs, fmt.Errorf("URL %q must start with http:// or https://", o.URL))
	}
	for _, c := range o.Capabilities {
		if !slices.Contains(AllCapabilities, c) {
			errs = append(errs, fmt.Errorf("unknown capability %q (known: %s)", c, strings.Join(AllCapabilities, ", ")))
		}
	}
	for _, n := range o.Only {
		if len(selectChecks([]string{n})) == 0 {
			errs = append(errs, fmt.Errorf("--only %q matches no check (see the list in conformance/README.md)", n))
		}
	}
	if o.HTTPClient != nil && (o.CAFile != "" || o.InsecureSkipVerify) {
		errs = append(errs, errors.New("CAFile and InsecureSkipVerify configure the tester's own HTTP client; with HTTPClient set, configure TLS there"))
	}
	if o.KeepData && o.Purge {
		errs = append(errs, errors.New("--keep-data and --purge contradict each other: choose one"))
	}
	if o.CAFile != "" && o.InsecureSkipVerify {
		errs = append(errs, errors.New("--ca-file and --insecure contradict each other: choose one"))
	}
	if strings.ContainsAny(o.UniqueField, " \"") {
		errs = append(errs, fmt.Errorf("unique field %q must be an attribute name", o.UniqueField))
	}
	if strings.ContainsAny(o.AppName, " :\"") {
		errs = append(errs, fmt.Errorf("app name %q must not contain spaces, colons or quotes", o.AppName))
	}
	return errors.Join(errs...)
}

// httpClient builds the client for a run: the caller's, or one honouring CAFile and
// InsecureSkipVerify. tlsNote says what the report should tell about TLS ("" for the default).
func (o Options) httpClient() (hc *http.Client, tlsNote string, err error) {
	if o.HTTPClient != nil {
		return o.HTTPClient, "", nil
	}
	if o.CAFile == "" && !o.InsecureSkipVerify {
		return &http.Client{}, "", nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if o.InsecureSkipVerify {
		tr.TLSClientConfig.InsecureSkipVerify = true
		return &http.Client{Transport: tr}, "certificate verification OFF (--insecure): the Okta agent verifies it, so this run does not prove the agent can connect", nil
	}
	pem, err := os.ReadFile(o.CAFile)
	if err != nil {
		return nil, "", fmt.Errorf("--ca-file: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, "", fmt.Errorf("--ca-file %s: no PEM certificate found in it", o.CAFile)
	}
	tr.TLSClientConfig.RootCAs = pool
	return &http.Client{Transport: tr}, "trusting the CAs in " + o.CAFile + " besides the system roots; the Okta agent's JRE trust store needs the same CA (keytool -import)", nil
}
