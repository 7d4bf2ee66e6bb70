package conformance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
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
	// Dialect is the SCIM version: "1.1" (zero value means "1.1") or "2.0" (the Okta agent with a
	// /v2/ base URL, and Microsoft Entra): the same scenarios plus the v2.* PATCH, discovery and
	// error checks.
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
		o.Dialect = "1.1"
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
	if strings.ContainsAny(o.UniqueField, " \"") {
		errs = append(errs, fmt.Errorf("unique field %q must be an attribute name", o.UniqueField))
	}
	if strings.ContainsAny(o.AppName, " :\"") {
		errs = append(errs, fmt.Errorf("app name %q must not contain spaces, colons or quotes", o.AppName))
	}
	return errors.Join(errs...)
}
