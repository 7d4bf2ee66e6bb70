package oktafixtures

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

//go:embed *.json
var files embed.FS

// testerOrder is the tester's methods in the order its documentation lists them, which is also
// the order of the message sections of docs/okta-agent-protocol.md (msg-create-user to
// msg-update-group): users are created, activated, deactivated, reactivated,
// given a new password and updated, then a group is pushed. The passwords matter: the create files
// carry "verySecure", activate/deactivate/reactivate carry "inSecure", pushPasswordUpdate a new
// one, and pushProfileUpdate "inSecure" again, an earlier password a bridge must not push back.
var testerOrder = []string{
	"createNewUser.json",
	"createNewUser-withCustomExtension.json",
	"createNewUser-withGroups.json",
	"createPendingUser.json",
	"createPendingUser-withCustomExtension.json",
	"activateUser.json",
	"deactivateUser.json",
	"reactivateUser.json",
	"pushPasswordUpdate.json",
	"pushProfileUpdate.json",
	"createGroup.json",
	"updateGroup.json",
}

// TesterOrder returns the data file names in the tester's documented order.
func TesterOrder() []string { return append([]string(nil), testerOrder...) }

// Names returns every data file name, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out
}

// Bytes returns one data file as sent on the wire.
func Bytes(name string) ([]byte, error) {
	b, err := files.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("Okta tester data file %s: %w", name, err)
	}
	return b, nil
}

// Object returns one data file decoded into a fresh JSON object (the caller may change it).
func Object(name string) (map[string]any, error) {
	b, err := Bytes(name)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("Okta tester data file %s: %w", name, err)
	}
	return m, nil
}
