package adapter

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"github.com/scimbridge/scimbridge/backend"
)

// The dialect-neutral provisioning rules for users: what a create, a full replace (PUT, or a
// PATCH applied to the current user) and a deactivation do, whatever SCIM version carried them.
// Nothing here knows a codec; failures are returned (problem or backend error), never written.

// checkUser applies the checks every decoded user gets, whatever produced it: a userName is
// required, the input rules of core_input.go hold, and extension data under an unknown URN (usually appName or customSchemaName not
// matching the Okta app) is dropped with a warning naming the URN that is configured.
func (s *server) checkUser(ctx context.Context, in *userInput, customURN string) error {
	if len(in.ignoredExtensions) > 0 {
		s.log.Warn("user body carries extension attributes under an unknown schema; they are ignored",
			"request_id", infoFrom(ctx).id, "schemas", in.ignoredExtensions, "configured", customURN)
	}
	if strings.TrimSpace(in.user.UserName) == "" {
		return newProblem(http.StatusBadRequest, codeBadRequest, "Cannot deserialize the user sent by the client: userName is required")
	}
	return checkUserStrings(&in.user, s.cfg.MaxStringLength, s.userLimits)
}

// createUser creates a decoded user: ids are the connector's
// (docs/okta-agent-protocol.md#connector-assigns-ids), groups are read-only, a new account is
// active unless the body says otherwise, and the initial password goes to the ledger.
func (s *server) createUser(ctx context.Context, in *userInput) (*backend.User, error) {
	u := in.user
	u.ID = ""      // the connector assigns ids
	u.Groups = nil // read-only in OPP: memberships change through the group calls only
	if !in.activeSet {
		u.Active = true // SCIM's default for a new account; the agent always sends active anyway
	}
	created, err := s.b.CreateUser(ctx, &u)
	if err != nil {
		return nil, failed(op{resource: "user", create: true, name: u.UserName}, err)
	}
	if u.Password != "" {
		if err := s.ledger.Record(ctx, created.ID, u.Password); err != nil {
			// The user exists now; failing the create would make the agent retry into a 409.
			s.log.Warn("could not record the initial password in the ledger; the next PUT will set it again",
				"request_id", infoFrom(ctx).id, "user_id", created.ID, "error", err.Error())
		}
	}
	return created, nil
}

// replaceUser makes user id what build derives from the current user: a PUT body (after its
// preconditions) or a PATCH applied to it. Activation, deactivation, reactivation, password and
// profile pushes all arrive this way (docs/okta-agent-protocol.md: msg-activate …
// msg-profile-update). The password goes first, through the ledger rules, so a refused password
// changes nothing else; a body without active keeps the current one.
func (s *server) replaceUser(ctx context.Context, id string, build func(cur *backend.User) (*userInput, error)) (*backend.User, error) {
	unlock, err := s.lock(ctx, "user", id)
	if err != nil {
		return nil, err
	}
	defer unlock()
	// Under the lock, the backend may answer its own read-merge-write from this read.
	ctx = backend.WithReadCache(ctx)
	cur, err := s.b.GetUser(ctx, id)
	if err != nil {
		return nil, failed(op{resource: "user", id: id}, err)
	}
	in, err := build(cur)
	if err != nil {
		return nil, err
	}
	u := in.user
	switch {
	case u.Password == "":
	case !s.pushPasswords:
		infoFrom(ctx).add(slog.String("password", "not-pushed"))
	case in.activeSet && !u.Active:
		// A deactivation carries whatever password the client last had (the agent's deactivate
		// sends an earlier one again); pushing it could only make the application refuse the
		// deactivation on a password policy nobody meant to exercise.
		infoFrom(ctx).add(slog.String("password", "not-pushed-deactivation"))
	default:
		if err := s.syncPassword(ctx, id, u.Password); err != nil {
			return nil, err
		}
	}
	u.ID, u.Password, u.Groups = id, "", nil
	if !in.activeSet {
		u.Active = cur.Active // a PUT without active must not deactivate by omission
	}
	stored, err := s.b.ReplaceUser(ctx, id, &u)
	if err != nil {
		return nil, failed(op{resource: "user", id: id}, err)
	}
	return stored, nil
}

// deactivateUser sets active false on user id (a SCIM 2.0 DELETE where the application cannot
// delete), after check passes on the current user's version. An inactive user is left alone.
func (s *server) deactivateUser(ctx context.Context, id string, check func(version string) error) error {
	unlock, err := s.lock(ctx, "user", id)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := s.b.GetUser(ctx, id)
	if err != nil {
		return failed(op{resource: "user", id: id}, err)
	}
	if err := check(cur.Meta.Version); err != nil {
		return err
	}
	if cur.Active {
		u := *cur
		u.Active, u.Password, u.Groups = false, "", nil
		if _, err := s.b.ReplaceUser(ctx, id, &u); err != nil {
			return failed(op{resource: "user", id: id}, err)
		}
	}
	infoFrom(ctx).add(slog.String("delete", "deactivated"))
	return nil
}

// deleteUser deletes user id, after check passes on its version when check is given (reading the
// user only then).
func (s *server) deleteUser(ctx context.Context, id string, check func(version string) error) error {
	unlock, err := s.lock(ctx, "user", id)
	if err != nil {
		return err
	}
	defer unlock()
	if check != nil && s.caps.GetUser {
		cur, err := s.b.GetUser(ctx, id)
		if err != nil {
			return failed(op{resource: "user", id: id}, err)
		}
		if err := check(cur.Meta.Version); err != nil {
			return err
		}
	}
	return failed(op{resource: "user", id: id}, s.b.DeleteUser(ctx, id))
}
