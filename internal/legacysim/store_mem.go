package legacysim

import (
	"context"
	"slices"
	"sync"
	"time"
)

// memStore is the in-memory Store used by tests. One RWMutex guards everything; records are copied
// in and out so callers never share memory with the store.
type memStore struct {
	mu        sync.RWMutex
	nextEmp   int64
	nextRole  int64
	employees map[string]*memEmployee
	logins    map[string]string // fold(login) -> id, so uniqueness checks stay O(1) when seeding thousands
	// order holds every employee ID in ascending order, what FindEmployees pages through: a
	// listing page costs its own length, and a login lookup one map read, however large the
	// directory (sorting every ID per call made a 100,000-user import and a bulk seed quadratic).
	order []string
	roles map[string]*memRole
}

type memEmployee struct {
	e       Employee
	history []PasswordHash // newest first
	changes int
}

type memRole struct {
	r       Role // Members unused; see members
	members map[string]bool
}

// NewMemoryStore returns an empty in-memory Store.
func NewMemoryStore() Store {
	s := &memStore{}
	s.resetLocked()
	return s
}

func (s *memStore) resetLocked() {
	s.nextEmp, s.nextRole = 0, 0
	s.employees = map[string]*memEmployee{}
	s.logins = map[string]string{}
	s.order = nil
	s.roles = map[string]*memRole{}
}

func (s *memStore) Reset(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.resetLocked()
	return nil
}

func (s *memStore) Close() error { return nil }

func (s *memStore) loginTaken(login, exceptID string) bool {
	id, ok := s.logins[fold(login)]
	return ok && id != exceptID
}

func (s *memStore) export(me *memEmployee) Employee {
	e := me.e
	e.HasPassword = len(me.history) > 0
	e.PasswordChanges = me.changes
	return e
}

func (s *memStore) CreateEmployee(_ context.Context, e Employee, initial *PasswordHash) (Employee, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loginTaken(e.Login, "") {
		return Employee{}, ErrDuplicate
	}
	s.nextEmp++
	e.ID = employeeID(s.nextEmp)
	e.CreatedAt, e.ModifiedAt = ms(e.CreatedAt), ms(e.ModifiedAt)
	me := &memEmployee{e: e}
	if initial != nil {
		me.history = []PasswordHash{*initial}
	}
	s.employees[e.ID] = me
	s.logins[fold(e.Login)] = e.ID
	// IDs come from a sequence, so this is an append, except after E999999 (E1000000 sorts
	// before it, as it does in the SQLite store's ORDER BY id).
	if i, found := slices.BinarySearch(s.order, e.ID); !found {
		s.order = slices.Insert(s.order, i, e.ID)
	}
	return s.export(me), nil
}

func (s *memStore) GetEmployee(_ context.Context, id string) (Employee, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	me, ok := s.employees[id]
	if !ok {
		return Employee{}, ErrNotFound
	}
	return s.export(me), nil
}

func (s *memStore) ReplaceEmployee(_ context.Context, e Employee) (Employee, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	me, ok := s.employees[e.ID]
	if !ok {
		return Employee{}, ErrNotFound
	}
	if s.loginTaken(e.Login, e.ID) {
		return Employee{}, ErrDuplicate
	}
	e.CreatedAt = me.e.CreatedAt
	e.ModifiedAt = ms(e.ModifiedAt)
	e.HasPassword, e.PasswordChanges = false, 0
	delete(s.logins, fold(me.e.Login))
	s.logins[fold(e.Login)] = e.ID
	me.e = e
	return s.export(me), nil
}

func (s *memStore) DeleteEmployee(_ context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	me, ok := s.employees[id]
	if !ok {
		return ErrNotFound
	}
	delete(s.logins, fold(me.e.Login))
	delete(s.employees, id)
	if i, found := slices.BinarySearch(s.order, id); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	for _, mr := range s.roles {
		if mr.members[id] {
			delete(mr.members, id)
			mr.r.ModifiedAt = ms(now)
		}
	}
	return nil
}

func (s *memStore) FindEmployees(_ context.Context, q EmployeeQuery) ([]Employee, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	email := fold(q.Email)
	match := func(me *memEmployee) bool {
		if q.Email != "" {
			if fold(me.e.Email) != email && fold(me.e.SecondaryEmail) != email {
				return false
			}
		}
		return q.ModifiedSince.IsZero() || me.e.ModifiedAt.UnixMilli() > q.ModifiedSince.UnixMilli()
	}
	var ids []string
	total := 0
	switch {
	case q.Login != "":
		// Logins are unique: at most one match, found in the index.
		if id, ok := s.logins[fold(q.Login)]; ok && match(s.employees[id]) {
			ids, total = []string{id}, 1
		}
		ids = page(ids, q.Offset, q.Limit)
	case q.Email == "" && q.ModifiedSince.IsZero():
		total = len(s.order)
		ids = page(s.order, q.Offset, q.Limit)
	default:
		// One pass in ID order, keeping only the requested page: no sort, no copy of every match.
		offset := max(q.Offset, 0)
		for _, id := range s.order {
			if !match(s.employees[id]) {
				continue
			}
			if total >= offset && (q.Limit <= 0 || total < offset+q.Limit) {
				ids = append(ids, id)
			}
			total++
		}
	}
	out := make([]Employee, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.export(s.employees[id]))
	}
	return out, total, nil
}

// page cuts one page out of an ordered slice; offsets past the end give an empty page.
func page[T any](all []T, offset, limit int) []T {
	if offset < 0 {
		offset = 0
	}
	if offset >= len(all) {
		return nil
	}
	all = all[offset:]
	if limit > 0 && limit < len(all) {
		all = all[:limit]
	}
	return all
}

func (s *memStore) PasswordHistory(_ context.Context, id string) ([]PasswordHash, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	me, ok := s.employees[id]
	if !ok {
		return nil, ErrNotFound
	}
	return slices.Clone(me.history), nil
}

func (s *memStore) SetPassword(_ context.Context, id string, h PasswordHash) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	me, ok := s.employees[id]
	if !ok {
		return ErrNotFound
	}
	me.history = append([]PasswordHash{h}, me.history...)
	if len(me.history) > PasswordHistoryDepth {
		me.history = me.history[:PasswordHistoryDepth]
	}
	me.changes++
	return nil
}

func (s *memStore) nameTaken(name, exceptID string) bool {
	f := fold(name)
	for id, mr := range s.roles {
		if id != exceptID && fold(mr.r.Name) == f {
			return true
		}
	}
	return false
}

func (s *memStore) exportRole(mr *memRole) Role {
	r := mr.r
	ids := make([]string, 0, len(mr.members))
	for id := range mr.members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	r.Members = make([]RoleMember, 0, len(ids))
	for _, id := range ids {
		r.Members = append(r.Members, RoleMember{EmployeeID: id, Login: s.employees[id].e.Login})
	}
	return r
}

func (s *memStore) CreateRole(_ context.Context, r Role) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.nameTaken(r.Name, "") {
		return Role{}, ErrDuplicate
	}
	s.nextRole++
	r.ID = roleID(s.nextRole)
	r.ModifiedAt = ms(r.ModifiedAt)
	r.Members = nil
	mr := &memRole{r: r, members: map[string]bool{}}
	s.roles[r.ID] = mr
	return s.exportRole(mr), nil
}

func (s *memStore) GetRole(_ context.Context, id string) (Role, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	mr, ok := s.roles[id]
	if !ok {
		return Role{}, ErrNotFound
	}
	return s.exportRole(mr), nil
}

func (s *memStore) UpdateRole(_ context.Context, r Role) (Role, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mr, ok := s.roles[r.ID]
	if !ok {
		return Role{}, ErrNotFound
	}
	if s.nameTaken(r.Name, r.ID) {
		return Role{}, ErrDuplicate
	}
	mr.r.Name, mr.r.Description, mr.r.ModifiedAt = r.Name, r.Description, ms(r.ModifiedAt)
	return s.exportRole(mr), nil
}

func (s *memStore) DeleteRole(_ context.Context, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	mr, ok := s.roles[id]
	if !ok {
		return ErrNotFound
	}
	for eid := range mr.members {
		s.employees[eid].e.ModifiedAt = ms(now)
	}
	delete(s.roles, id)
	return nil
}

func (s *memStore) ListRoles(_ context.Context, offset, limit int) ([]Role, int, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, 0, len(s.roles))
	for id := range s.roles {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	total := len(ids)
	ids = page(ids, offset, limit)
	out := make([]Role, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.exportRole(s.roles[id]))
	}
	return out, total, nil
}

func (s *memStore) membership(roleID, employeeID string) (*memRole, *memEmployee, error) {
	mr, ok := s.roles[roleID]
	if !ok {
		return nil, nil, ErrNotFound
	}
	me, ok := s.employees[employeeID]
	if !ok {
		return nil, nil, ErrNotFound
	}
	return mr, me, nil
}

func (s *memStore) AddRoleMember(_ context.Context, roleID, employeeID string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mr, me, err := s.membership(roleID, employeeID)
	if err != nil || mr.members[employeeID] {
		return false, err
	}
	mr.members[employeeID] = true
	mr.r.ModifiedAt, me.e.ModifiedAt = ms(now), ms(now)
	return true, nil
}

func (s *memStore) RemoveRoleMember(_ context.Context, roleID, employeeID string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mr, me, err := s.membership(roleID, employeeID)
	if err != nil || !mr.members[employeeID] {
		return false, err
	}
	delete(mr.members, employeeID)
	mr.r.ModifiedAt, me.e.ModifiedAt = ms(now), ms(now)
	return true, nil
}
