package adapter

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// listRequest is a parsed list query.
type listRequest struct {
	query  backend.Query
	paging scim11.Paging
}

// queryParam looks a parameter up case-insensitively: the SDK's names are camelCase, but nothing
// is gained by refusing `startindex`.
func queryParam(v url.Values, name string) (string, bool) {
	if x, ok := v[name]; ok && len(x) > 0 {
		return x[0], true
	}
	for k, x := range v {
		if strings.EqualFold(k, name) && len(x) > 0 {
			return x[0], true
		}
	}
	return "", false
}

// parseList reads startIndex, count and filter (docs/okta-agent-protocol.md: filter-forms, paging-rules) and answers 400 itself on a bad one.
// Without startIndex and count there is no paging: everything, capped at maxPageSize, with the
// true total.
func (s *server) parseList(w http.ResponseWriter, r *http.Request) (*listRequest, bool) {
	// url.ParseQuery decodes '+' as a space, as the 2014 tester runs need (docs/okta-agent-protocol.md#filters).
	v, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "The query string is not valid URL encoding")
		return nil, false
	}
	lr := &listRequest{query: backend.Query{StartIndex: 1, Count: s.cfg.MaxPageSize}}
	if raw, ok := queryParam(v, "startIndex"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, codeBadPaging, "startIndex must be a non-negative integer")
			return nil, false
		}
		lr.paging.Paged = true
		lr.query.StartIndex = int(max(1, min(n, 1<<40)))
	}
	if raw, ok := queryParam(v, "count"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || n < 0 {
			writeError(w, r, http.StatusBadRequest, codeBadPaging, "count must be a non-negative integer")
			return nil, false
		}
		lr.paging.Paged = true
		lr.query.Count = int(min(n, int64(s.cfg.MaxPageSize)))
	}
	lr.paging.StartIndex = lr.query.StartIndex
	if raw, ok := queryParam(v, "filter"); ok && strings.TrimSpace(raw) != "" {
		e, err := filter.Parse(raw)
		if err != nil {
			msg := "the filter is not valid"
			var se *filter.SyntaxError
			if errors.As(err, &se) {
				msg = se.Error()
			}
			writeError(w, r, http.StatusBadRequest, codeBadFilter, "Cannot parse the SCIM filter: "+msg)
			return nil, false
		}
		if e, err = s.normaliseFilter(e, infoFrom(r.Context()).dialect); err != nil {
			writeError(w, r, http.StatusBadRequest, codeBadFilter, err.Error())
			return nil, false
		}
		lr.query.Filter = e
	}
	return lr, true
}

// normaliseFilter rewrites the dialect's spellings to the neutral ones backends see: `email`,
// `emails` and `emails.value` become emails.value; the custom URN (both spellings) and the
// enterprise URN become backend.CustomSchema / backend.EnterpriseSchema; the core URN is dropped.
// Any other URN is refused, since no backend could answer it.
func (s *server) normaliseFilter(e filter.Expr, d dialect) (filter.Expr, error) {
	switch e := e.(type) {
	case filter.Compare:
		p, err := s.normaliseAttrPath(e.Path, false, d)
		e.Path = p
		if err == nil {
			err = checkTimeLiteral(e)
		}
		return e, err
	case filter.Present:
		p, err := s.normaliseAttrPath(e.Path, false, d)
		e.Path = p
		return e, err
	case filter.And:
		l, err := s.normaliseFilter(e.Left, d)
		if err != nil {
			return nil, err
		}
		rt, err := s.normaliseFilter(e.Right, d)
		return filter.And{Left: l, Right: rt}, err
	case filter.Or:
		l, err := s.normaliseFilter(e.Left, d)
		if err != nil {
			return nil, err
		}
		rt, err := s.normaliseFilter(e.Right, d)
		return filter.Or{Left: l, Right: rt}, err
	case filter.Not:
		x, err := s.normaliseFilter(e.X, d)
		return filter.Not{X: x}, err
	case filter.ValuePath:
		// Paths inside the brackets are relative to the attribute; only the attribute moves.
		p, err := s.normaliseAttrPath(e.Path, true, d)
		e.Path = p
		return e, err
	}
	return e, nil
}

func (s *server) normaliseAttrPath(p filter.AttrPath, valuePath bool, d dialect) (filter.AttrPath, error) {
	if d == scim20Dialect {
		return s.normaliseAttrPath20(p, valuePath)
	}
	switch {
	case p.URN == "" || strings.EqualFold(p.URN, scim11.CoreSchema):
		return normaliseCorePath(p, valuePath), nil
	case s.codec.IsCustomURN(p.URN):
		p.URN = backend.CustomSchema
		return p, nil
	case strings.EqualFold(p.URN, scim11.EnterpriseSchema):
		p.URN = backend.EnterpriseSchema
		return p, nil
	case strings.EqualFold(p.URN, scim11.GroupExtensionSchema):
		p.URN = "" // the group description is a plain attribute of the neutral Group
		return p, nil
	}
	return p, fmt.Errorf("The filter uses the schema [%s], which this connector does not know; custom attributes of this app are under [%s] (check appName and customSchemaName)",
		p.URN, s.codec.CustomURN())
}

// checkTimeLiteral refuses a comparison of meta.created or meta.lastModified with a value that
// is not a date-time. Evaluated anyway, it would compare as a string and match nothing, so an
// incremental import with a timestamp format we do not read would quietly import nothing (docs/okta-agent-protocol.md#incremental-import);
// a 400 tells the admin instead. co/sw/ew are string operations and are left alone.
func checkTimeLiteral(c filter.Compare) error {
	if c.Path.URN != "" || !strings.EqualFold(c.Path.Name, "meta") ||
		(!strings.EqualFold(c.Path.Sub, "lastModified") && !strings.EqualFold(c.Path.Sub, "created")) {
		return nil
	}
	switch c.Op {
	case filter.Eq, filter.Ne, filter.Gt, filter.Ge, filter.Lt, filter.Le:
	default:
		return nil
	}
	if c.Value.Kind == filter.String {
		if _, ok := filter.ParseTime(c.Value.Str); ok {
			return nil
		}
	}
	return fmt.Errorf("The filter compares meta.%s with a value that is not a date-time; use ISO-8601 such as \"2024-04-07T14:19:34Z\"", c.Path.Sub)
}

// queryUsers parses the list request and fetches the page, answering errors itself.
func (s *server) queryUsers(w http.ResponseWriter, r *http.Request) (*listRequest, *backend.UserPage, bool) {
	lr, ok := s.parseList(w, r)
	if !ok {
		return nil, nil, false
	}
	page, err := s.b.ListUsers(r.Context(), lr.query)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", list: true})
		return nil, nil, false
	}
	if len(page.Users) > lr.query.Count && lr.query.Count >= 0 {
		page.Users = page.Users[:lr.query.Count] // a backend that ignores count still cannot exceed the cap
	}
	return lr, page, true
}

// normaliseCorePath drops the core URN and spells every form of the email address the same way.
func normaliseCorePath(p filter.AttrPath, valuePath bool) filter.AttrPath {
	p.URN = ""
	if strings.EqualFold(p.Name, "email") || strings.EqualFold(p.Name, "emails") {
		p.Name = "emails"
		if !valuePath && (p.Sub == "" || strings.EqualFold(p.Sub, "value")) {
			p.Sub = "value"
		}
	}
	return p
}

func (s *server) listUsers(w http.ResponseWriter, r *http.Request) {
	lr, page, ok := s.queryUsers(w, r)
	if !ok {
		return
	}
	if page.Total > len(page.Users) && !lr.paging.Paged && lr.query.Count > 0 {
		lr.paging.Paged = true // cut at maxPageSize: say so with startIndex and itemsPerPage
	}
	body, err := s.codec.EncodeUserList(page, lr.paging)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", list: true})
		return
	}
	writeJSON(w, http.StatusOK, body)
}

func (s *server) getUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	u, err := s.b.GetUser(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return
	}
	s.writeUser(w, r, http.StatusOK, u)
}

func (s *server) writeUser(w http.ResponseWriter, r *http.Request, status int, u *backend.User) {
	body, err := s.codec.EncodeUser(u)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: u.ID})
		return
	}
	writeJSON(w, status, body)
}

// decodeUser reads and decodes a user body, answering 400/413 itself.
func (s *server) decodeUser(w http.ResponseWriter, r *http.Request) (*scim11.UserInput, bool) {
	data, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	in, err := s.codec.DecodeUser(data)
	if err != nil {
		// DecodeError messages name attributes, never values: safe even for a password field.
		msg := "the user body is not valid"
		var de *scim11.DecodeError
		if errors.As(err, &de) {
			msg = de.Msg
		}
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the user sent by the client: "+msg)
		return nil, false
	}
	if len(in.IgnoredExtensions) > 0 {
		s.log.Warn("user body carries extension attributes under an unknown schema; they are ignored",
			"request_id", infoFrom(r.Context()).id, "schemas", in.IgnoredExtensions, "configured", s.codec.CustomURN())
	}
	if strings.TrimSpace(in.User.UserName) == "" {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "Cannot deserialize the user sent by the client: userName is required")
		return nil, false
	}
	return in, true
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request) {
	in, ok := s.decodeUser(w, r)
	if !ok {
		return
	}
	if created, ok := s.createUserCore(w, r, in.User, in.ActiveSet); ok {
		s.writeUser(w, r, s.cfg.CreatedStatus, created)
	}
}

// createUserCore creates a decoded user, whatever the dialect: ids are the connector's, groups are
// read-only, a new account is active unless the body says otherwise, and the initial password goes
// to the ledger. It answers errors itself.
func (s *server) createUserCore(w http.ResponseWriter, r *http.Request, u backend.User, activeSet bool) (*backend.User, bool) {
	u.ID = ""      // the connector assigns ids (connector-assigns-ids)
	u.Groups = nil // read-only in OPP: memberships change through the group calls only
	if !activeSet {
		u.Active = true // SCIM's default for a new account; the agent always sends active anyway
	}
	created, err := s.b.CreateUser(r.Context(), &u)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", create: true, name: u.UserName})
		return nil, false
	}
	if u.Password != "" {
		if err := s.ledger.Record(r.Context(), created.ID, u.Password); err != nil {
			// The user exists now; failing the create would make the agent retry into a 409.
			s.log.Warn("could not record the initial password in the ledger; the next PUT will set it again",
				"request_id", infoFrom(r.Context()).id, "user_id", created.ID, "error", err.Error())
		}
	}
	return created, true
}

// replaceUser is PUT /Users/{id}: activate, deactivate, reactivate, password and profile pushes
// all arrive as this full-object PUT (docs/okta-agent-protocol.md: msg-activate … msg-profile-update). The password goes first, so a refused password
// changes nothing else.
func (s *server) replaceUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.noResource(w, r)
		return
	}
	in, ok := s.decodeUser(w, r)
	if !ok {
		return
	}
	current, err := s.b.GetUser(r.Context(), id)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return
	}
	if stored, ok := s.replaceUserCore(w, r, id, in.User, in.ActiveSet, current); ok {
		// The stored user carries the real resulting active, which Okta reads back on activation.
		s.writeUser(w, r, http.StatusOK, stored)
	}
}

// replaceUserCore makes user id equal to u, whatever the dialect and whether u came from a PUT
// body or a PATCH applied to current: the password goes first, through the ledger rules, so a
// refused password changes nothing else; a body without active keeps the current one. It answers
// errors itself.
func (s *server) replaceUserCore(w http.ResponseWriter, r *http.Request, id string, u backend.User, activeSet bool, current *backend.User) (*backend.User, bool) {
	if u.Password != "" {
		if !s.pushPasswords {
			infoFrom(r.Context()).add(slog.String("password", "not-pushed"))
		} else if !s.syncPassword(w, r, id, u.Password) {
			return nil, false
		}
	}
	u.ID, u.Password, u.Groups = id, "", nil
	if !activeSet {
		u.Active = current.Active // a PUT without active must not deactivate by omission
	}
	stored, err := s.b.ReplaceUser(r.Context(), id, &u)
	if err != nil {
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return nil, false
	}
	return stored, true
}

// syncPassword applies the passwordSync policy (docs/okta-agent-protocol.md#agent-password-on-every-put). It answers the request itself and returns
// false when the PUT must stop.
func (s *server) syncPassword(w http.ResponseWriter, r *http.Request, id, pw string) bool {
	ctx := r.Context()
	ri := infoFrom(ctx)
	matches, err := s.ledger.Matches(ctx, id, pw)
	noEntry := errors.Is(err, ErrNoEntry)
	if err != nil && !noEntry {
		// Without the ledger we cannot tell a repeat from a change; guessing either way is worse
		// than a retryable failure.
		writeBackendError(w, r, backend.Wrap(backend.Internal, err, "password ledger"), op{resource: "user", id: id})
		return false
	}
	if s.cfg.PasswordSync == "changed" && matches {
		ri.add(slog.String("password", "unchanged"))
		return true
	}
	err = s.b.SetPassword(ctx, id, pw)
	switch {
	case err == nil:
		ri.add(slog.String("password", "set"))
	case backend.KindOf(err) == backend.Policy && noEntry:
		// We never set this user's password (e.g. linked by import), so most likely the agent is
		// re-sending the current one and the app refuses the "reuse". Accept it as current.
		s.log.Warn("password refused by the backend policy for a user whose password the bridge never set; assuming the agent re-sent the current password",
			"request_id", ri.id, "user_id", id, "error", err.Error())
		ri.add(slog.String("password", "refused-assumed-current"))
	default:
		writeBackendError(w, r, err, op{resource: "user", id: id})
		return false
	}
	if err := s.ledger.Record(ctx, id, pw); err != nil {
		s.log.Warn("could not record the password in the ledger; the next PUT will set it again",
			"request_id", ri.id, "user_id", id, "error", err.Error())
	}
	return true
}
