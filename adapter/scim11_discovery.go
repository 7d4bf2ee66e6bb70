package adapter

import (
	"net/http"
	"slices"

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
	changePassword := slices.Contains(s.okta, CapPushPasswordUpdates)
	body, err := scim11.ServiceProviderConfig(s.okta, s.cfg.MaxPageSize, changePassword)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "configuration"})
		return
	}
	writeJSON(w, http.StatusOK, body)
}
