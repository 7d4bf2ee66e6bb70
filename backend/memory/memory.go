package memory

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/filter"
)

// Options configures a Backend. The zero value is ready to use.
type Options struct {
	// Now is the clock for meta times; nil means time.Now.
	Now func() time.Time
	// RefuseReuse makes SetPassword refuse (Kind Policy) the password the user already has, like
	// a legacy app with a password history, so that tests can exercise that path.
	RefuseReuse bool
}

// Backend is the in-memory backend. It is safe for concurrent use.
type Backend struct {
	now         func() time.Time
	refuseReuse bool

	mu        sync.Mutex
	users     map[string]*userRec
	userOrder []string // creation order, which is the stable listing order
	groups    map[string]*groupRec
	groupOrd  []string
	nextUser  int
	nextGroup int
}

type userRec struct {
	u      backend.User // Groups and Password are never stored here
	pwHash [32]byte
	hasPW  bool
	pwSets int
}

type groupRec struct {
	g       backend.Group // Members holds ids only; displays are derived on read
	members []string
}

var _ backend.Backend = (*Backend)(nil)

// New returns an empty backend.
func New(opts Options) *Backend {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &Backend{
		now: now, refuseReuse: opts.RefuseReuse,
		users: map[string]*userRec{}, groups: map[string]*groupRec{},
	}
}

// FilterShapes are the filter shapes advertised in Capabilities. The backend evaluates any filter
// with filter.Match; these are the ones the Okta agent and the front end's normalisation produce.
var FilterShapes = []string{
	"id eq", "externalid eq", "username eq", "emails.value eq", "emails.value eq or",
	"name.givenname eq", "name.familyname eq", "meta.lastmodified gt",
}

// Capabilities reports that everything works.
func (b *Backend) Capabilities() backend.Capabilities {
	return backend.Capabilities{
		CreateUser: true, GetUser: true, ListUsers: true, FilterUsers: append([]string(nil), FilterShapes...),
		ReplaceUser: true, Activation: true, SetPassword: true, DeleteUser: true, IncrementalImport: true,
		CreateGroup: true, GetGroup: true, ListGroups: true, UpdateGroup: true, DeleteGroup: true,
	}
}

// stamp reads the clock without a monotonic reading, so stored times compare like the ones a
// filter literal parses to.
func (b *Backend) stamp() time.Time { return b.now().Round(0) }

func notFound(kind, id string) error {
	return backend.Errorf(backend.NotFound, "Cannot find the %s with the id [%s]", kind, id)
}

func pwHash(id, pw string) [32]byte { return sha256.Sum256([]byte(id + "\x00" + pw)) }

func (b *Backend) userNameTaken(name, exceptID string) bool {
	for id, r := range b.users {
		if id != exceptID && strings.EqualFold(r.u.UserName, name) {
			return true
		}
	}
	return false
}

// CreateUser stores a copy of u with a new id.
func (b *Backend) CreateUser(ctx context.Context, u *backend.User) (*backend.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(u.UserName) == "" {
		return nil, backend.Errorf(backend.Invalid, "userName is required")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.userNameTaken(u.UserName, "") {
		return nil, backend.Errorf(backend.Conflict, "A user with the userName [%s] already exists", u.UserName)
	}
	b.nextUser++
	id := "u" + strconv.Itoa(b.nextUser)
	rec := &userRec{u: cloneUser(*u)}
	rec.u.ID, rec.u.Password, rec.u.Groups = id, "", nil
	now := b.stamp()
	rec.u.Meta = backend.Meta{Created: now, LastModified: now}
	if u.Password != "" {
		rec.pwHash, rec.hasPW = pwHash(id, u.Password), true
	}
	b.users[id] = rec
	b.userOrder = append(b.userOrder, id)
	return b.userOut(rec), nil
}

// userOut returns a copy of the stored user with its groups derived from the memberships.
func (b *Backend) userOut(r *userRec) *backend.User {
	u := cloneUser(r.u)
	for _, gid := range b.groupOrd {
		g := b.groups[gid]
		for _, m := range g.members {
			if m == u.ID {
				u.Groups = append(u.Groups, backend.GroupRef{Value: gid, Display: g.g.DisplayName})
				break
			}
		}
	}
	return &u
}

// GetUser returns a copy of user id.
func (b *Backend) GetUser(ctx context.Context, id string) (*backend.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.users[id]
	if !ok {
		return nil, notFound("user", id)
	}
	return b.userOut(r), nil
}

// window cuts [start, start+count) out of n items, following Query's rules.
func window(n int, q backend.Query) (lo, hi int) {
	lo = max(q.StartIndex, 1) - 1
	if lo > n {
		lo = n
	}
	hi = n
	if q.Count >= 0 && lo+q.Count < n {
		hi = lo + q.Count
	}
	return lo, hi
}

// ListUsers evaluates any filter with filter.Match, in creation order.
func (b *Backend) ListUsers(ctx context.Context, q backend.Query) (*backend.UserPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var matched []*backend.User
	for _, id := range b.userOrder {
		u := b.userOut(b.users[id])
		if q.Filter == nil || filter.Match(q.Filter, backend.UserResolver(u)) {
			matched = append(matched, u)
		}
	}
	lo, hi := window(len(matched), q)
	page := &backend.UserPage{Total: len(matched), Users: make([]backend.User, 0, hi-lo)}
	for _, u := range matched[lo:hi] {
		page.Users = append(page.Users, *u)
	}
	return page, nil
}

// ReplaceUser replaces every profile attribute and Active of user id; meta.lastModified moves only
// when something really changed, so that a no-op PUT does not show up in incremental imports.
func (b *Backend) ReplaceUser(ctx context.Context, id string, u *backend.User) (*backend.User, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(u.UserName) == "" {
		return nil, backend.Errorf(backend.Invalid, "userName is required")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.users[id]
	if !ok {
		return nil, notFound("user", id)
	}
	if b.userNameTaken(u.UserName, id) {
		return nil, backend.Errorf(backend.Conflict, "A user with the userName [%s] already exists", u.UserName)
	}
	next := cloneUser(*u)
	next.ID, next.Password, next.Groups, next.Meta = id, "", nil, r.u.Meta
	if !reflect.DeepEqual(normal(next), normal(r.u)) {
		next.Meta.LastModified = b.stamp()
	}
	r.u = next
	return b.userOut(r), nil
}

// normal makes empty and nil collections compare equal for the change check.
func normal(u backend.User) backend.User {
	if len(u.Emails) == 0 {
		u.Emails = nil
	}
	if len(u.PhoneNumbers) == 0 {
		u.PhoneNumbers = nil
	}
	if len(u.Custom) == 0 {
		u.Custom = nil
	}
	if len(u.Enterprise) == 0 {
		u.Enterprise = nil
	}
	return u
}

// SetPassword records that user id's password was set. With RefuseReuse, setting the current
// password again is refused with Kind Policy.
func (b *Backend) SetPassword(ctx context.Context, id, password string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.users[id]
	if !ok {
		return notFound("user", id)
	}
	h := pwHash(id, password)
	if b.refuseReuse && r.hasPW && subtle.ConstantTimeCompare(h[:], r.pwHash[:]) == 1 {
		return backend.Errorf(backend.Policy, "The new password must differ from the current password")
	}
	r.pwHash, r.hasPW = h, true
	r.pwSets++
	return nil
}

// PasswordSets tells how many times SetPassword succeeded for user id (test helper). The initial
// password given to CreateUser is not counted.
func (b *Backend) PasswordSets(id string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r, ok := b.users[id]; ok {
		return r.pwSets
	}
	return 0
}

// HasPassword tells whether user id has a password, from CreateUser or SetPassword (test helper).
// The password itself is kept only as a hash and is never returned.
func (b *Backend) HasPassword(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.users[id]
	return ok && r.hasPW
}

// DeleteUser removes user id and its memberships.
func (b *Backend) DeleteUser(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.users[id]; !ok {
		return notFound("user", id)
	}
	delete(b.users, id)
	b.userOrder = removeID(b.userOrder, id)
	for _, g := range b.groups {
		g.members = removeID(g.members, id)
	}
	return nil
}

func removeID(ids []string, id string) []string {
	out := ids[:0]
	for _, x := range ids {
		if x != id {
			out = append(out, x)
		}
	}
	return out
}

func (b *Backend) groupNameTaken(name, exceptID string) bool {
	for id, g := range b.groups {
		if id != exceptID && strings.EqualFold(g.g.DisplayName, name) {
			return true
		}
	}
	return false
}

// touchUsers bumps lastModified of users whose exported groups changed.
func (b *Backend) touchUsers(ids []string, now time.Time) {
	for _, id := range ids {
		if r, ok := b.users[id]; ok {
			r.u.Meta.LastModified = now
		}
	}
}

// CreateGroup stores g with a new id; unknown member ids are skipped.
func (b *Backend) CreateGroup(ctx context.Context, g *backend.Group) (*backend.Group, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if strings.TrimSpace(g.DisplayName) == "" {
		return nil, backend.Errorf(backend.Invalid, "displayName is required")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.groupNameTaken(g.DisplayName, "") {
		return nil, backend.Errorf(backend.Conflict, "Duplicate group with the same name [%s] found. Cannot create the group", g.DisplayName)
	}
	b.nextGroup++
	id := "g" + strconv.Itoa(b.nextGroup)
	now := b.stamp()
	rec := &groupRec{g: backend.Group{ID: id, ExternalID: g.ExternalID, DisplayName: g.DisplayName, Description: g.Description,
		Meta: backend.Meta{Created: now, LastModified: now}}}
	var ids []string
	for _, m := range g.Members {
		ids = append(ids, m.Value)
	}
	added := b.addMembers(rec, ids)
	b.touchUsers(added, now)
	b.groups[id] = rec
	b.groupOrd = append(b.groupOrd, id)
	return b.groupOut(rec), nil
}

// addMembers adds known, not yet present users and returns the ids really added.
func (b *Backend) addMembers(g *groupRec, ids []string) []string {
	var added []string
	for _, id := range ids {
		if _, ok := b.users[id]; !ok {
			continue
		}
		present := false
		for _, m := range g.members {
			if m == id {
				present = true
				break
			}
		}
		if !present {
			g.members = append(g.members, id)
			added = append(added, id)
		}
	}
	return added
}

func (b *Backend) groupOut(r *groupRec) *backend.Group {
	g := r.g
	g.Members = make([]backend.Member, 0, len(r.members))
	for _, id := range r.members {
		m := backend.Member{Value: id}
		if u, ok := b.users[id]; ok {
			m.Display = u.u.UserName
		}
		g.Members = append(g.Members, m)
	}
	return &g
}

// GetGroup returns a copy of group id.
func (b *Backend) GetGroup(ctx context.Context, id string) (*backend.Group, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.groups[id]
	if !ok {
		return nil, notFound("group", id)
	}
	return b.groupOut(r), nil
}

// ListGroups evaluates any filter, in creation order.
func (b *Backend) ListGroups(ctx context.Context, q backend.Query) (*backend.GroupPage, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	var matched []*backend.Group
	for _, id := range b.groupOrd {
		g := b.groupOut(b.groups[id])
		if q.Filter == nil || filter.Match(q.Filter, backend.GroupResolver(g)) {
			matched = append(matched, g)
		}
	}
	lo, hi := window(len(matched), q)
	page := &backend.GroupPage{Total: len(matched), Groups: make([]backend.Group, 0, hi-lo)}
	for _, g := range matched[lo:hi] {
		page.Groups = append(page.Groups, *g)
	}
	return page, nil
}

// UpdateGroup applies ch; adding a member twice or removing a non-member is a no-op, unknown
// member ids are skipped.
func (b *Backend) UpdateGroup(ctx context.Context, id string, ch backend.GroupChange) (*backend.Group, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.groups[id]
	if !ok {
		return nil, notFound("group", id)
	}
	if ch.DisplayName != nil {
		if strings.TrimSpace(*ch.DisplayName) == "" {
			return nil, backend.Errorf(backend.Invalid, "displayName must not be empty")
		}
		if b.groupNameTaken(*ch.DisplayName, id) {
			return nil, backend.Errorf(backend.Conflict, "Another group is already named [%s]", *ch.DisplayName)
		}
	}
	now := b.stamp()
	changed := false
	var touched []string
	if ch.DisplayName != nil && *ch.DisplayName != r.g.DisplayName {
		r.g.DisplayName = *ch.DisplayName
		changed = true
		touched = append(touched, r.members...) // their groups[].display changed
	}
	if ch.Description != nil && *ch.Description != r.g.Description {
		r.g.Description = *ch.Description
		changed = true
	}
	if ch.ExternalID != nil && *ch.ExternalID != r.g.ExternalID {
		r.g.ExternalID = *ch.ExternalID
		changed = true
	}
	for _, rm := range ch.Remove {
		before := len(r.members)
		r.members = removeID(r.members, rm)
		if len(r.members) != before {
			touched = append(touched, rm)
		}
	}
	touched = append(touched, b.addMembers(r, ch.Add)...)
	if changed || len(touched) > 0 {
		r.g.Meta.LastModified = now
	}
	b.touchUsers(touched, now)
	return b.groupOut(r), nil
}

// DeleteGroup deletes group id; its members' lastModified moves because their groups changed.
func (b *Backend) DeleteGroup(ctx context.Context, id string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.groups[id]
	if !ok {
		return notFound("group", id)
	}
	b.touchUsers(r.members, b.stamp())
	delete(b.groups, id)
	b.groupOrd = removeID(b.groupOrd, id)
	return nil
}

func cloneUser(u backend.User) backend.User {
	u.Emails = append([]backend.MultiValue(nil), u.Emails...)
	u.PhoneNumbers = append([]backend.MultiValue(nil), u.PhoneNumbers...)
	u.Groups = append([]backend.GroupRef(nil), u.Groups...)
	u.Custom = cloneMap(u.Custom)
	u.Enterprise = cloneMap(u.Enterprise)
	return u
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneMap(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cloneValue(x)
		}
		return out
	}
	return v
}
