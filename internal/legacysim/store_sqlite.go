package legacysim

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// sqliteStore is the Store for demo mode: one SQLite file in WAL mode, so that nothing is lost on
// restart. Times are kept as Unix milliseconds, which is exactly the precision the simulator
// promises and makes "modified strictly after" a plain integer comparison. Case-insensitive keys
// are computed in Go (fold) and kept in their own UNIQUE columns, so both stores agree on what a
// duplicate is.
type sqliteStore struct {
	db *sql.DB
}

const sqliteSchema = `
CREATE TABLE IF NOT EXISTS sequences (
	name  TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS employees (
	id               TEXT PRIMARY KEY,
	login            TEXT NOT NULL,
	login_fold       TEXT NOT NULL UNIQUE,
	given_name       TEXT NOT NULL,
	family_name      TEXT NOT NULL,
	middle_name      TEXT NOT NULL,
	display_name     TEXT NOT NULL,
	email            TEXT NOT NULL,
	email_fold       TEXT NOT NULL,
	secondary_email  TEXT NOT NULL,
	secondary_fold   TEXT NOT NULL,
	phone            TEXT NOT NULL,
	department       TEXT NOT NULL,
	title            TEXT NOT NULL,
	employee_number  TEXT NOT NULL,
	is_admin         INTEGER NOT NULL,
	enabled          INTEGER NOT NULL,
	created_at       INTEGER NOT NULL,
	modified_at      INTEGER NOT NULL,
	password_changes INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS employees_email ON employees(email_fold);
CREATE INDEX IF NOT EXISTS employees_secondary ON employees(secondary_fold);
CREATE TABLE IF NOT EXISTS password_history (
	employee_id TEXT NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
	seq         INTEGER NOT NULL,
	salt        BLOB NOT NULL,
	hash        BLOB NOT NULL,
	PRIMARY KEY (employee_id, seq)
);
CREATE TABLE IF NOT EXISTS roles (
	id          TEXT PRIMARY KEY,
	name        TEXT NOT NULL,
	name_fold   TEXT NOT NULL UNIQUE,
	description TEXT NOT NULL,
	modified_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS role_members (
	role_id     TEXT NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
	employee_id TEXT NOT NULL REFERENCES employees(id) ON DELETE CASCADE,
	PRIMARY KEY (role_id, employee_id)
);
CREATE INDEX IF NOT EXISTS role_members_employee ON role_members(employee_id);
`

// OpenSQLiteStore opens (creating if needed) the SQLite database file at path.
func OpenSQLiteStore(path string) (Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("legacysim: invalid SQLite path %q", path)
	}
	// busy_timeout first, so that a second process or a checkpoint makes us wait rather than fail;
	// _txlock=immediate takes the write lock at BEGIN, so two writers never deadlock on upgrade.
	dsn := path + "?_pragma=busy_timeout(5000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
		"&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("legacysim: open %s: %w", path, err)
	}
	if _, err := db.Exec(sqliteSchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("legacysim: create schema in %s: %w", path, err)
	}
	return &sqliteStore{db: db}, nil
}

func (s *sqliteStore) Close() error { return s.db.Close() }

// tx runs fn in one write transaction.
func (s *sqliteStore) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func nextSeq(ctx context.Context, tx *sql.Tx, name string) (int64, error) {
	var v int64
	err := tx.QueryRowContext(ctx,
		`INSERT INTO sequences(name, value) VALUES (?, 1)
		 ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value`, name).Scan(&v)
	return v, err
}

func isUniqueViolation(err error) bool {
	return err != nil && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func fromMillis(v int64) time.Time { return time.UnixMilli(v).UTC() }

const employeeColumns = `e.id, e.login, e.given_name, e.family_name, e.middle_name, e.display_name,
	e.email, e.secondary_email, e.phone, e.department, e.title, e.employee_number, e.is_admin,
	e.enabled, e.created_at, e.modified_at, e.password_changes,
	EXISTS (SELECT 1 FROM password_history h WHERE h.employee_id = e.id)`

type scanner interface{ Scan(...any) error }

func scanEmployee(row scanner) (Employee, error) {
	var e Employee
	var isAdmin, enabled int
	var created, modified int64
	err := row.Scan(&e.ID, &e.Login, &e.GivenName, &e.FamilyName, &e.MiddleName, &e.DisplayName,
		&e.Email, &e.SecondaryEmail, &e.Phone, &e.Department, &e.Title, &e.EmployeeNumber, &isAdmin,
		&enabled, &created, &modified, &e.PasswordChanges, &e.HasPassword)
	if err != nil {
		return Employee{}, err
	}
	e.IsAdmin, e.Enabled = isAdmin != 0, enabled != 0
	e.CreatedAt, e.ModifiedAt = fromMillis(created), fromMillis(modified)
	return e, nil
}

func (s *sqliteStore) getEmployee(ctx context.Context, q queryer, id string) (Employee, error) {
	e, err := scanEmployee(q.QueryRowContext(ctx, `SELECT `+employeeColumns+` FROM employees e WHERE e.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Employee{}, ErrNotFound
	}
	return e, err
}

func (s *sqliteStore) CreateEmployee(ctx context.Context, e Employee, initial *PasswordHash) (Employee, error) {
	var out Employee
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n, err := nextSeq(ctx, tx, "employee")
		if err != nil {
			return err
		}
		e.ID = employeeID(n)
		_, err = tx.ExecContext(ctx, `INSERT INTO employees (id, login, login_fold, given_name,
			family_name, middle_name, display_name, email, email_fold, secondary_email, secondary_fold,
			phone, department, title, employee_number, is_admin, enabled, created_at, modified_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.Login, fold(e.Login), e.GivenName, e.FamilyName, e.MiddleName, e.DisplayName,
			e.Email, fold(e.Email), e.SecondaryEmail, fold(e.SecondaryEmail), e.Phone, e.Department,
			e.Title, e.EmployeeNumber, b2i(e.IsAdmin), b2i(e.Enabled), e.CreatedAt.UnixMilli(),
			e.ModifiedAt.UnixMilli())
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		if initial != nil {
			if _, err := tx.ExecContext(ctx, `INSERT INTO password_history VALUES (?, 1, ?, ?)`,
				e.ID, initial.Salt, initial.Hash); err != nil {
				return err
			}
		}
		out, err = s.getEmployee(ctx, tx, e.ID)
		return err
	})
	return out, err
}

func (s *sqliteStore) GetEmployee(ctx context.Context, id string) (Employee, error) {
	return s.getEmployee(ctx, s.db, id)
}

func (s *sqliteStore) ReplaceEmployee(ctx context.Context, e Employee) (Employee, error) {
	var out Employee
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE employees SET login = ?, login_fold = ?,
			given_name = ?, family_name = ?, middle_name = ?, display_name = ?, email = ?,
			email_fold = ?, secondary_email = ?, secondary_fold = ?, phone = ?, department = ?,
			title = ?, employee_number = ?, is_admin = ?, enabled = ?, modified_at = ? WHERE id = ?`,
			e.Login, fold(e.Login), e.GivenName, e.FamilyName, e.MiddleName, e.DisplayName, e.Email,
			fold(e.Email), e.SecondaryEmail, fold(e.SecondaryEmail), e.Phone, e.Department, e.Title,
			e.EmployeeNumber, b2i(e.IsAdmin), b2i(e.Enabled), e.ModifiedAt.UnixMilli(), e.ID)
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		out, err = s.getEmployee(ctx, tx, e.ID)
		return err
	})
	return out, err
}

func (s *sqliteStore) DeleteEmployee(ctx context.Context, id string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE roles SET modified_at = ? WHERE id IN
			(SELECT role_id FROM role_members WHERE employee_id = ?)`, now.UnixMilli(), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM employees WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

func (s *sqliteStore) FindEmployees(ctx context.Context, q EmployeeQuery) ([]Employee, int, error) {
	var where []string
	var args []any
	if q.Login != "" {
		where = append(where, "e.login_fold = ?")
		args = append(args, fold(q.Login))
	}
	if q.Email != "" {
		where = append(where, "(e.email_fold = ? OR e.secondary_fold = ?)")
		args = append(args, fold(q.Email), fold(q.Email))
	}
	if !q.ModifiedSince.IsZero() {
		where = append(where, "e.modified_at > ?")
		args = append(args, q.ModifiedSince.UnixMilli())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM employees e`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	limit := q.Limit
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+employeeColumns+` FROM employees e`+cond+
		` ORDER BY e.id LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Employee
	for rows.Next() {
		e, err := scanEmployee(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, rows.Err()
}

func (s *sqliteStore) PasswordHistory(ctx context.Context, id string) ([]PasswordHash, error) {
	if _, err := s.GetEmployee(ctx, id); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT salt, hash FROM password_history WHERE employee_id = ?
		ORDER BY seq DESC LIMIT ?`, id, PasswordHistoryDepth)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PasswordHash
	for rows.Next() {
		var h PasswordHash
		if err := rows.Scan(&h.Salt, &h.Hash); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func (s *sqliteStore) SetPassword(ctx context.Context, id string, h PasswordHash) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE employees SET password_changes = password_changes + 1
			WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		var seq int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM password_history
			WHERE employee_id = ?`, id).Scan(&seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO password_history VALUES (?, ?, ?, ?)`,
			id, seq, h.Salt, h.Hash); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM password_history WHERE employee_id = ? AND seq <= ?`,
			id, seq-PasswordHistoryDepth)
		return err
	})
}

type queryer interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func (s *sqliteStore) getRole(ctx context.Context, q queryer, id string) (Role, error) {
	var r Role
	var modified int64
	err := q.QueryRowContext(ctx, `SELECT id, name, description, modified_at FROM roles WHERE id = ?`, id).
		Scan(&r.ID, &r.Name, &r.Description, &modified)
	if errors.Is(err, sql.ErrNoRows) {
		return Role{}, ErrNotFound
	}
	if err != nil {
		return Role{}, err
	}
	r.ModifiedAt = fromMillis(modified)
	rows, err := q.QueryContext(ctx, `SELECT e.id, e.login FROM role_members m JOIN employees e
		ON e.id = m.employee_id WHERE m.role_id = ? ORDER BY e.id`, id)
	if err != nil {
		return Role{}, err
	}
	defer rows.Close()
	r.Members = []RoleMember{}
	for rows.Next() {
		var m RoleMember
		if err := rows.Scan(&m.EmployeeID, &m.Login); err != nil {
			return Role{}, err
		}
		r.Members = append(r.Members, m)
	}
	return r, rows.Err()
}

func (s *sqliteStore) CreateRole(ctx context.Context, r Role) (Role, error) {
	var out Role
	err := s.tx(ctx, func(tx *sql.Tx) error {
		n, err := nextSeq(ctx, tx, "role")
		if err != nil {
			return err
		}
		r.ID = roleID(n)
		_, err = tx.ExecContext(ctx, `INSERT INTO roles VALUES (?, ?, ?, ?, ?)`,
			r.ID, r.Name, fold(r.Name), r.Description, r.ModifiedAt.UnixMilli())
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		out, err = s.getRole(ctx, tx, r.ID)
		return err
	})
	return out, err
}

func (s *sqliteStore) GetRole(ctx context.Context, id string) (Role, error) {
	return s.getRole(ctx, s.db, id)
}

func (s *sqliteStore) UpdateRole(ctx context.Context, r Role) (Role, error) {
	var out Role
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE roles SET name = ?, name_fold = ?, description = ?,
			modified_at = ? WHERE id = ?`, r.Name, fold(r.Name), r.Description, r.ModifiedAt.UnixMilli(), r.ID)
		if isUniqueViolation(err) {
			return ErrDuplicate
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		out, err = s.getRole(ctx, tx, r.ID)
		return err
	})
	return out, err
}

func (s *sqliteStore) DeleteRole(ctx context.Context, id string, now time.Time) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE employees SET modified_at = ? WHERE id IN
			(SELECT employee_id FROM role_members WHERE role_id = ?)`, now.UnixMilli(), id); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return nil
	})
}

func (s *sqliteStore) ListRoles(ctx context.Context, offset, limit int) ([]Role, int, error) {
	var total int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM roles`).Scan(&total); err != nil {
		return nil, 0, err
	}
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM roles ORDER BY id LIMIT ? OFFSET ?`, limit, max(offset, 0))
	if err != nil {
		return nil, 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	out := make([]Role, 0, len(ids))
	for _, id := range ids {
		r, err := s.getRole(ctx, s.db, id)
		if errors.Is(err, ErrNotFound) {
			continue // deleted between the two reads; the page is short by one, as in any live system
		}
		if err != nil {
			return nil, 0, err
		}
		out = append(out, r)
	}
	return out, total, nil
}

// checkMembership reports ErrNotFound unless both the role and the employee exist.
func checkMembership(ctx context.Context, tx *sql.Tx, roleID, employeeID string) error {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM roles WHERE id = ?) +
		(SELECT COUNT(*) FROM employees WHERE id = ?)`, roleID, employeeID).Scan(&n)
	if err != nil {
		return err
	}
	if n != 2 {
		return ErrNotFound
	}
	return nil
}

func (s *sqliteStore) changeMembership(ctx context.Context, roleID, employeeID string, now time.Time, stmt string) (bool, error) {
	changed := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := checkMembership(ctx, tx, roleID, employeeID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, stmt, roleID, employeeID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		changed = true
		if _, err := tx.ExecContext(ctx, `UPDATE roles SET modified_at = ? WHERE id = ?`, now.UnixMilli(), roleID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE employees SET modified_at = ? WHERE id = ?`, now.UnixMilli(), employeeID)
		return err
	})
	return changed, err
}

func (s *sqliteStore) AddRoleMember(ctx context.Context, roleID, employeeID string, now time.Time) (bool, error) {
	return s.changeMembership(ctx, roleID, employeeID, now,
		`INSERT INTO role_members VALUES (?, ?) ON CONFLICT DO NOTHING`)
}

func (s *sqliteStore) RemoveRoleMember(ctx context.Context, roleID, employeeID string, now time.Time) (bool, error) {
	return s.changeMembership(ctx, roleID, employeeID, now,
		`DELETE FROM role_members WHERE role_id = ? AND employee_id = ?`)
}

func (s *sqliteStore) Reset(ctx context.Context) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, t := range []string{"role_members", "password_history", "roles", "employees", "sequences"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	})
}
