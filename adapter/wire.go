package adapter

import (
	"errors"
	"net/http"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// wire is one SCIM dialect's side of a request: how bodies decode into the neutral inputs the core
// works on, how resources and lists encode, which filter spellings it accepts and which headers
// go with a resource. The handlers every dialect shares (handlers.go) and the core (core_*.go)
// see only this interface, never a codec type.
type wire interface {
	dialect() dialect
	// decodeUser and decodeGroup answer a body the codec refuses with a *problem.
	decodeUser(data []byte) (*userInput, error)
	decodeGroup(data []byte) (*groupInput, error)
	encodeUser(r *http.Request, u *backend.User) ([]byte, error)
	encodeGroup(r *http.Request, g *backend.Group) ([]byte, error)
	// encodeList wraps encoded resources in the dialect's list response.
	encodeList(lr *listRequest, total int, items [][]byte) ([]byte, error)
	// attrPath rewrites a filter path from the dialect's spelling to the neutral one.
	attrPath(p filter.AttrPath, valuePath bool) (filter.AttrPath, error)
	// customURN is the custom extension URN the dialect writes (for warnings).
	customURN() string
	// createdStatus is the status of a successful POST.
	createdStatus() int
	// resourceHeaders sets the headers that go with one resource in an answer (ETag, Location).
	resourceHeaders(w http.ResponseWriter, r *http.Request, endpoint, id, version string, status int)
	// precondition checks the request's preconditions (If-Match) against a resource's version,
	// answering a *problem when they fail.
	precondition(r *http.Request, version string) error
}

// userInput is a decoded user, whatever the dialect.
type userInput struct {
	user backend.User
	// activeSet tells whether the body carried `active`: a PUT without it must not deactivate.
	activeSet bool
	// ignoredExtensions are extension URNs neither known nor configured; their data is dropped.
	ignoredExtensions []string
}

// memberEdit is one entry of a group body's member list: a member, or (SCIM 1.1 delta syntax) a
// removal.
type memberEdit struct {
	backend.Member
	remove bool
}

// groupInput is a decoded group, or what a group update asks for, whatever the dialect: a SCIM 1.1
// PUT body, a SCIM 2.0 PUT body, or a SCIM 2.0 PATCH already applied to the current group.
type groupInput struct {
	displayName    string
	displayNameSet bool
	description    string
	descriptionSet bool
	externalID     string
	externalIDSet  bool
	members        []memberEdit
	membersSet     bool
	// wholeList makes the member list the whole membership even in merge mode: a PATCH says
	// explicitly what it removes, so merge mode's protection against partial PUTs does not apply.
	wholeList bool
}

// decodeFailure words a body a codec refused as a 400. Codec messages name attributes, never
// values: safe even for a password field. With typed, the code follows the scimType the codec
// chose (SCIM 2.0); otherwise every refusal is the SDK's plain bad request.
func decodeFailure(what string, err error, typed bool) error {
	msg, code := "the "+what+" body is not valid", codeBadRequest
	var de *scimjson.Error
	if errors.As(err, &de) {
		msg = de.Msg
		if typed {
			code = codeOf(de.ScimType)
		}
	}
	return newProblem(http.StatusBadRequest, code, "Cannot deserialize the "+what+" sent by the client: "+msg)
}
