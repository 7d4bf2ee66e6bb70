package legacysim

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Errors a Store returns; the SOAP layer turns them into fault codes.
var (
	ErrNotFound  = errors.New("legacysim: not found")
	ErrDuplicate = errors.New("legacysim: duplicate")
)

// Employee is one record of the directory, as stored. Times are UTC with millisecond precision.
type Employee struct {
	ID             string    `json:"id"`
	Login          string    `json:"login"`
	GivenName      string    `json:"givenName,omitempty"`
	FamilyName     string    `json:"familyName,omitempty"`
	MiddleName     string    `json:"middleName,omitempty"`
	DisplayName    string    `json:"displayName,omitempty"`
	Email          string    `json:"email,omitempty"`
	SecondaryEmail string    `json:"secondaryEmail,omitempty"`
	Phone          string    `json:"phone,omitempty"`
	Department     string    `json:"department,omitempty"`
	Title          string    `json:"title,omitempty"`
	EmployeeNumber string    `json:"employeeNumber,omitempty"`
	IsAdmin        bool      `json:"isAdmin"`
	Enabled        bool      `json:"enabled"`
	CreatedAt      time.Time `json:"createdAt"`
	ModifiedAt     time.Time `json:"modifiedAt"`

	// Filled by the store on reads and ignored on writes: they are changed only through
	// CreateEmployee's initial password and SetPassword.
	HasPassword     bool `json:"hasPassword"`
	PasswordChanges int  `json:"passwordChanges"`
}

// Role is a named group of employees. Members are ordered by EmployeeID and carry the member's
// current Login.
type Role struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Members     []RoleMember `json:"members"`
	ModifiedAt  time.Time    `json:"modifiedAt"`
}

// RoleMember is one membership as the Role record exports it.
type RoleMember struct {
	EmployeeID string `json:"employeeId"`
	Login      string `json:"login"`
}

// EmployeeQuery selects employees: every non-empty criterion must match. Login and Email are exact
// and case-insensitive (Email matches the primary or the secondary address); ModifiedSince, when
// not zero, keeps records modified strictly after it. Results are ordered by ID; Offset skips that
// many matches and Limit (<= 0 means no limit) caps the page.
type EmployeeQuery struct {
	Login         string
	Email         string
	ModifiedSince time.Time
	Offset        int
	Limit         int
}

// PasswordHash is a salted hash of one password. The simulator never stores a password itself.
type PasswordHash struct {
	Salt []byte
	Hash []byte
}

// NewPasswordHash salts and hashes password with a fresh random salt.
func NewPasswordHash(password string) PasswordHash {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt) // crypto/rand.Read never fails on supported platforms (Go 1.24+).
	return PasswordHash{Salt: salt, Hash: hashPassword(salt, password)}
}

// Matches reports whether password is the one h was made from.
func (h PasswordHash) Matches(password string) bool {
	return subtle.ConstantTimeCompare(h.Hash, hashPassword(h.Salt, password)) == 1
}

// hashPassword is salted SHA-256: not a password KDF, but this is a simulator, and bulk seeding
// must stay fast.
func hashPassword(salt []byte, password string) []byte {
	h := sha256.New()
	h.Write(salt)
	h.Write([]byte(password))
	return h.Sum(nil)
}

// PasswordHistoryDepth is how many recent passwords (the current one included) SetPassword refuses.
const PasswordHistoryDepth = 3

// Store persists the directory. Implementations must be safe for concurrent use. The SOAP layer
// enforces the business rules (validation, password policy, timestamps) and serialises writes;
// the store enforces what it must to stay consistent on its own: unique logins and role names
// (case-insensitively, ErrDuplicate), existence (ErrNotFound), and the cascade of deletes to
// role memberships.
type Store interface {
	// CreateEmployee assigns the next EmployeeID (E000001, E000002, ...), stores e, and, when
	// initial is not nil, makes it the first entry of the password history.
	CreateEmployee(ctx context.Context, e Employee, initial *PasswordHash) (Employee, error)
	GetEmployee(ctx context.Context, id string) (Employee, error)
	// ReplaceEmployee overwrites every field of the employee e.ID except CreatedAt and the
	// password data.
	ReplaceEmployee(ctx context.Context, e Employee) (Employee, error)
	// DeleteEmployee removes the employee and its memberships; the roles it was in get
	// ModifiedAt = now.
	DeleteEmployee(ctx context.Context, id string, now time.Time) error
	// FindEmployees returns one page of the matches and the number of all matches.
	FindEmployees(ctx context.Context, q EmployeeQuery) ([]Employee, int, error)

	// PasswordHistory returns the employee's most recent password hashes, newest first (at most
	// PasswordHistoryDepth).
	PasswordHistory(ctx context.Context, id string) ([]PasswordHash, error)
	// SetPassword makes h the current password, keeps the newest PasswordHistoryDepth entries, and
	// counts one password change. It does not touch ModifiedAt.
	SetPassword(ctx context.Context, id string, h PasswordHash) error

	// CreateRole assigns the next RoleID (R00001, ...) and stores r without members.
	CreateRole(ctx context.Context, r Role) (Role, error)
	GetRole(ctx context.Context, id string) (Role, error)
	// UpdateRole changes Name, Description and ModifiedAt; members are untouched.
	UpdateRole(ctx context.Context, r Role) (Role, error)
	// DeleteRole removes the role and its memberships; its former members get ModifiedAt = now.
	DeleteRole(ctx context.Context, id string, now time.Time) error
	// ListRoles returns one page of roles ordered by RoleID and the number of all roles.
	ListRoles(ctx context.Context, offset, limit int) ([]Role, int, error)
	// AddRoleMember and RemoveRoleMember are idempotent. When membership actually changes, the
	// role and the employee both get ModifiedAt = now, and changed is true.
	AddRoleMember(ctx context.Context, roleID, employeeID string, now time.Time) (changed bool, err error)
	RemoveRoleMember(ctx context.Context, roleID, employeeID string, now time.Time) (changed bool, err error)

	// Reset empties the store and restarts the id sequences, like a fresh installation.
	Reset(ctx context.Context) error
	Close() error
}

// fold is the case-insensitive key of logins, role names and e-mail addresses. Both stores use it,
// computed in Go, so that they agree exactly on what counts as the same value.
func fold(s string) string { return strings.ToLower(s) }

func employeeID(n int64) string { return fmt.Sprintf("E%06d", n) }
func roleID(n int64) string     { return fmt.Sprintf("R%05d", n) }

// ms normalises a time to what the stores keep: UTC, millisecond precision.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
