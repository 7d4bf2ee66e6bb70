package adapter

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// Config is the front end's part of the scimbridge configuration file. Call Defaults, then
// Validate, before New (New does both itself on a copy).
type Config struct {
	// AppName is the Okta app integration's internal name; it is part of the custom extension URN
	// `urn:okta:<appName>:1.0:user:<customSchemaName>`. Default "onprem_app".
	AppName string `yaml:"appName"`
	// CustomSchemaName is the last part of that URN. Default "custom".
	CustomSchemaName string `yaml:"customSchemaName"`

	Auth AuthConfig `yaml:"auth"`

	// PasswordSync decides when a password in a PUT /Users/{id} body reaches the backend:
	// "changed" (default) only when it differs from the last one we set (the agent re-sends the
	// password on every PUT, and a legacy password-history policy would refuse the repeat),
	// "always" on every PUT that carries one, "never" not at all (PUSH_PASSWORD_UPDATES is then not
	// advertised).
	PasswordSync string `yaml:"passwordSync"`

	Groups GroupsConfig `yaml:"groups"`

	Capabilities CapabilitiesConfig `yaml:"capabilities"`

	// SDKVersionHeader is sent as `X-okta-sdk-version` on every response, as the Okta SDK does;
	// nil means the default "01.03.02", a pointer to "" disables the header.
	SDKVersionHeader *string `yaml:"sdkVersionHeader"`
	// CreatedStatus is the status of a successful POST: 200 (default, the SDK's proven code) or 201.
	CreatedStatus int `yaml:"createdStatus"`
	// DeleteStatus is the status of a successful DELETE: 200 (default, empty body) or 204.
	DeleteStatus int `yaml:"deleteStatus"`
	// MaxBodyBytes caps request bodies (default 1 MiB); larger bodies get 413.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// MaxPageSize caps list pages (default 1000) and is advertised as filter.maxResults; a larger
	// count is cut to it and itemsPerPage says what was returned.
	MaxPageSize int `yaml:"maxPageSize"`
	// MaxStringLength caps every string attribute of a user or group body, in characters (default
	// 2048); a longer one gets 400 before the application is called, which may otherwise cut it
	// silently or fail on it.
	MaxStringLength int `yaml:"maxStringLength"`

	// AllowFrom, when set, lists the client addresses (IPs or CIDRs, e.g. 10.0.0.0/24) that may
	// call at all; any other address gets 403 before authentication. The address is the TCP
	// peer: a proxy in front hides the agent's.
	AllowFrom []string `yaml:"allowFrom"`

	// SCIM2 configures the SCIM 2.0 front end at /scim/v2/.
	SCIM2 SCIM2Config `yaml:"scim2"`
}

// SCIM2Config holds what only the SCIM 2.0 dialect needs. CreatedStatus and DeleteStatus do not
// apply there: RFC 7644 answers 201 and 204.
type SCIM2Config struct {
	// CustomSchemaURN is the custom user extension URN. Default
	// `urn:okta:<appName>:1.0:user:<customSchemaName>`, which the Okta agent keeps using in v2
	// mode; the legacy spelling without the schema name is accepted on input.
	CustomSchemaURN string `yaml:"customSchemaURN"`
	// PatchStatus is the status of a successful PATCH: 200 (default, with the resource) or 204.
	PatchStatus int `yaml:"patchStatus"`
	// DeleteUser says what DELETE /Users/{id} does when the backend cannot delete users:
	// "deactivate" (default: set active false, the safe choice) or "refuse" (501). A backend that
	// can delete always deletes.
	DeleteUser string `yaml:"deleteUser"`
	// BaseURL is the externally visible URL of /scim/v2 (e.g. https://bridge.example.com/scim/v2),
	// for meta.location and the Location header when a proxy changes scheme or host. Empty means
	// derived from each request.
	BaseURL string `yaml:"baseURL"`
}

// AuthConfig says how the agent authenticates.
type AuthConfig struct {
	// Mode is "basic" (default), "header" or "none". "none" is only acceptable on a loopback
	// listener; see AuthNoneAllowed.
	Mode string `yaml:"mode"`
	// Username and Password for mode basic.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// HeaderName and Token for mode header: the request must carry HeaderName with exactly Token as
	// its value (e.g. HeaderName "Authorization", Token "Bearer s3cret"), as configured in Okta's
	// "HTTP Header" authorization type.
	HeaderName string `yaml:"headerName"`
	Token      string `yaml:"token"`
	// PreviousPassword and PreviousToken are accepted as well as Password and Token while a
	// secret is being rotated: set the new secret, move the old one here, reload, update the
	// Okta app, then remove the old one and reload again. The log line names which one was used.
	PreviousPassword string `yaml:"previousPassword"`
	PreviousToken    string `yaml:"previousToken"`
}

// GroupsConfig holds the Group Push safety settings (docs/okta-agent-protocol.md#group-put-uncertain).
type GroupsConfig struct {
	// Membership is "replace" (default: a PUT's member list is the whole membership, as in the
	// SDK example) or "merge" (a PUT only adds; members are removed only by entries carrying
	// "operation":"delete").
	Membership string `yaml:"membership"`
	// AllowEmptying lets a PUT remove every member of a non-empty group. Off by default, because
	// an agent that sends an empty or partial second PUT would otherwise wipe the group.
	AllowEmptying bool `yaml:"allowEmptying"`
	// MaxRemovals refuses a PUT that removes more members than this; 0 means no limit.
	MaxRemovals int `yaml:"maxRemovals"`
}

// CapabilitiesConfig lets the admin switch off Okta capabilities the backend has but that should
// not be advertised. It can never add a capability the backend lacks. Disabling
// PUSH_PASSWORD_UPDATES also stops passwords in PUT and PATCH bodies from reaching the backend.
type CapabilitiesConfig struct {
	// Disable lists Okta capability names (e.g. "GROUP_PUSH", "PUSH_PASSWORD_UPDATES").
	Disable []string `yaml:"disable"`
}

// DefaultSDKVersion is the X-okta-sdk-version value sent unless configured otherwise.
const DefaultSDKVersion = "01.03.02"

// Defaults fills every unset field with its default.
func (c *Config) Defaults() {
	if c.AppName == "" {
		c.AppName = "onprem_app"
	}
	if c.CustomSchemaName == "" {
		c.CustomSchemaName = "custom"
	}
	if c.Auth.Mode == "" {
		c.Auth.Mode = "basic"
	}
	if c.PasswordSync == "" {
		c.PasswordSync = "changed"
	}
	if c.Groups.Membership == "" {
		c.Groups.Membership = "replace"
	}
	if c.SDKVersionHeader == nil {
		v := DefaultSDKVersion
		c.SDKVersionHeader = &v
	}
	if c.CreatedStatus == 0 {
		c.CreatedStatus = 200
	}
	if c.DeleteStatus == 0 {
		c.DeleteStatus = 200
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.MaxPageSize == 0 {
		c.MaxPageSize = 1000
	}
	if c.MaxStringLength == 0 {
		c.MaxStringLength = 2048
	}
	if c.SCIM2.CustomSchemaURN == "" {
		c.SCIM2.CustomSchemaURN = "urn:okta:" + c.AppName + ":1.0:user:" + c.CustomSchemaName
	}
	if c.SCIM2.PatchStatus == 0 {
		c.SCIM2.PatchStatus = 200
	}
	if c.SCIM2.DeleteUser == "" {
		c.SCIM2.DeleteUser = "deactivate"
	}
}

// Okta capability names (docs/okta-agent-protocol.md#capability-names), in the order the SDK lists them.
const (
	CapGroupPush            = "GROUP_PUSH"
	CapImportNewUsers       = "IMPORT_NEW_USERS"
	CapImportProfileUpdates = "IMPORT_PROFILE_UPDATES"
	CapPushNewUsers         = "PUSH_NEW_USERS"
	CapPushPasswordUpdates  = "PUSH_PASSWORD_UPDATES"
	CapPushPendingUsers     = "PUSH_PENDING_USERS"
	CapPushProfileUpdates   = "PUSH_PROFILE_UPDATES"
	CapPushUserDeactivation = "PUSH_USER_DEACTIVATION"
	CapReactivateUsers      = "REACTIVATE_USERS"
	CapIncrementalImports   = "OPP_SCIM_INCREMENTAL_IMPORTS"
)

// AllCapabilities lists every Okta capability name in the SDK's order (docs/okta-agent-protocol.md#capability-names).
var AllCapabilities = []string{
	CapGroupPush, CapImportNewUsers, CapImportProfileUpdates, CapPushNewUsers, CapPushPasswordUpdates,
	CapPushPendingUsers, CapPushProfileUpdates, CapPushUserDeactivation, CapReactivateUsers, CapIncrementalImports,
}

// An app name goes into a URN and is matched in filters, so keep it to the characters Okta uses
// for internal app names.
var urnPart = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// headerToken is an RFC 7230 token, what a header name may be.
var headerToken = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")

// Validate reports every problem at once, one per line, naming the YAML key.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !urnPart.MatchString(c.AppName) {
		bad("appName %q: use letters, digits, '_', '.' or '-' (the Okta app's internal name)", c.AppName)
	}
	if !urnPart.MatchString(c.CustomSchemaName) {
		bad("customSchemaName %q: use letters, digits, '_', '.' or '-'", c.CustomSchemaName)
	}
	switch c.Auth.Mode {
	case "basic":
		if c.Auth.Username == "" {
			bad("auth.username is required with auth.mode basic")
		}
		if strings.Contains(c.Auth.Username, ":") {
			bad("auth.username must not contain ':' (Basic auth splits at the first colon)")
		}
		if c.Auth.Password == "" {
			bad("auth.password is required with auth.mode basic")
		}
	case "header":
		if c.Auth.HeaderName == "" {
			bad("auth.headerName is required with auth.mode header (the header the agent sends, e.g. Authorization)")
		} else if !headerToken.MatchString(c.Auth.HeaderName) {
			bad("auth.headerName %q is not a valid HTTP header name", c.Auth.HeaderName)
		}
		if c.Auth.Token == "" {
			bad("auth.token is required with auth.mode header")
		}
	case "none":
	default:
		bad("auth.mode %q: want basic, header or none", c.Auth.Mode)
	}
	if c.Auth.PreviousPassword != "" && c.Auth.Mode != "basic" {
		bad("auth.previousPassword only applies to auth.mode basic")
	}
	if c.Auth.PreviousToken != "" && c.Auth.Mode != "header" {
		bad("auth.previousToken only applies to auth.mode header")
	}
	if _, err := ParseAllowFrom(c.AllowFrom); err != nil {
		bad("allowFrom: %v", err)
	}
	switch c.PasswordSync {
	case "changed", "always", "never":
	default:
		bad("passwordSync %q: want changed, always or never", c.PasswordSync)
	}
	switch c.Groups.Membership {
	case "replace", "merge":
	default:
		bad("groups.membership %q: want replace or merge", c.Groups.Membership)
	}
	if c.Groups.MaxRemovals < 0 {
		bad("groups.maxRemovals %d: want 0 (no limit) or more", c.Groups.MaxRemovals)
	}
	for _, name := range c.Capabilities.Disable {
		known := false
		for _, k := range AllCapabilities {
			known = known || k == name
		}
		if !known {
			bad("capabilities.disable: unknown capability %q (known: %s)", name, strings.Join(AllCapabilities, ", "))
		}
	}
	if c.CreatedStatus != 200 && c.CreatedStatus != 201 {
		bad("createdStatus %d: want 200 or 201", c.CreatedStatus)
	}
	if c.DeleteStatus != 200 && c.DeleteStatus != 204 {
		bad("deleteStatus %d: want 200 or 204", c.DeleteStatus)
	}
	if c.MaxBodyBytes < 1024 {
		bad("maxBodyBytes %d: want at least 1024", c.MaxBodyBytes)
	}
	if c.MaxPageSize < 1 {
		bad("maxPageSize %d: want at least 1", c.MaxPageSize)
	}
	if c.MaxStringLength < 64 {
		bad("maxStringLength %d: want at least 64", c.MaxStringLength)
	}
	if !strings.HasPrefix(strings.ToLower(c.SCIM2.CustomSchemaURN), "urn:") || strings.ContainsAny(c.SCIM2.CustomSchemaURN, " \t\r\n\"[]") {
		bad("scim2.customSchemaURN %q: want a URN such as urn:okta:onprem_app:1.0:user:custom", c.SCIM2.CustomSchemaURN)
	}
	if c.SCIM2.PatchStatus != 200 && c.SCIM2.PatchStatus != 204 {
		bad("scim2.patchStatus %d: want 200 or 204", c.SCIM2.PatchStatus)
	}
	switch c.SCIM2.DeleteUser {
	case "deactivate", "refuse":
	default:
		bad("scim2.deleteUser %q: want deactivate or refuse", c.SCIM2.DeleteUser)
	}
	if c.SCIM2.BaseURL != "" {
		u, err := url.Parse(c.SCIM2.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			bad("scim2.baseURL %q: want an absolute http(s) URL such as https://bridge.example.com/scim/v2", c.SCIM2.BaseURL)
		}
	}
	if c.SDKVersionHeader != nil && strings.ContainsAny(*c.SDKVersionHeader, "\r\n") {
		bad("sdkVersionHeader must be a single line")
	}
	return errors.Join(errs...)
}

// ParseAllowFrom parses allowFrom entries: CIDRs, or single addresses (a /32 or /128).
func ParseAllowFrom(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an IP address nor a CIDR such as 10.0.0.0/24", s)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// AuthNoneAllowed reports whether listenAddr (host:port) only listens on loopback, the one case
// where auth mode none is acceptable. An empty host or a wildcard address listens everywhere.
func AuthNoneAllowed(listenAddr string) bool {
	host, _, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
