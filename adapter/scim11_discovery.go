package adapter

import (
	"net/http"
	"slices"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
)

// oktaCapabilities derives userManagementCapabilities from what the backend really does (docs/okta-agent-protocol.md#capability-names), in
// the SDK's order, minus what the admin switched off. Each capability needs every contract method
// the agent calls for it: advertising one the backend cannot serve makes Okta fail at run time
// instead of hiding the feature in the admin console.
func oktaCapabilities(c backend.Capabilities, cfg Config) []string {
	userPut := c.GetUser && c.ReplaceUser // PUT reads the user first (404 for unknown ids)
	has := map[string]bool{
		CapGroupPush:            c.CreateGroup && c.GetGroup && c.ListGroups && c.UpdateGroup && c.DeleteGroup,
		CapImportNewUsers:       c.ListUsers,
		CapImportProfileUpdates: c.GetUser,
		CapPushNewUsers:         c.CreateUser && c.ListUsers,
		CapPushPasswordUpdates:  userPut && c.SetPassword && cfg.PasswordSync != "never",
		CapPushPendingUsers:     c.CreateUser && c.ListUsers && userPut && c.Activation,
		CapPushProfileUpdates:   userPut,
		CapPushUserDeactivation: userPut && c.Activation,
		CapReactivateUsers:      userPut && c.Activation,
		CapIncrementalImports:   c.ListUsers && c.IncrementalImport,
	}
	out := []string{}
	for _, name := range AllCapabilities {
		if has[name] && !slices.Contains(cfg.Capabilities.Disable, name) {
			out = append(out, name)
		}
	}
	return out
}

func (s *server) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	body, err := scim11.ServiceProviderConfig(scim11.ProviderConfig{
		Capabilities:   s.okta,
		MaxResults:     s.cfg.MaxPageSize,
		ChangePassword: slices.Contains(s.okta, CapPushPasswordUpdates),
		Sort:           true, // by the application where the mapping says, else in the bridge (core_sort.go)
		MaxPayloadSize: s.cfg.MaxBodyBytes,
		AuthSchemes:    s.authSchemes11(),
	})
	if err != nil {
		writeBackendError(w, r, err, op{resource: "configuration"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// authSchemes11 describes the configured authentication: HTTP Basic, a bearer token in
// Authorization, or a token in a named header (Okta's "HTTP Header" authorization).
func (s *server) authSchemes11() []scim11.AuthScheme {
	a := s.cfg.Auth
	switch {
	case a.Mode == "basic":
		return []scim11.AuthScheme{{Type: "httpbasic", Name: "HTTP Basic", Primary: true,
			Description: "Authentication with the username and password configured for this connector.",
			SpecURL:     "https://www.rfc-editor.org/rfc/rfc7617"}}
	case a.Mode == "header" && strings.EqualFold(a.HeaderName, "Authorization") && strings.HasPrefix(strings.ToLower(a.Token), "bearer "):
		return []scim11.AuthScheme{{Type: "oauthbearertoken", Name: "OAuth Bearer Token", Primary: true,
			Description: "Authentication with the static bearer token configured for this connector.",
			SpecURL:     "https://www.rfc-editor.org/rfc/rfc6750"}}
	case a.Mode == "header":
		return []scim11.AuthScheme{{Type: "httpheader", Name: "HTTP Header", Primary: true,
			Description: "Authentication with the token configured for this connector, in the " + a.HeaderName + " header."}}
	}
	return nil
}

// OktaCapabilities is what a bridge with this configuration offers Okta for a backend that can
// do c: the names in userManagementCapabilities. scimbridge check prints it.
func OktaCapabilities(c backend.Capabilities, cfg Config) []string { return oktaCapabilities(c, cfg) }
