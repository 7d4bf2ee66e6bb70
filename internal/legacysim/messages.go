package legacysim

import (
	"encoding/xml"
	"strconv"
	"strings"
	"time"
)

// Namespaces of the wire format.
const (
	// Namespace is the target namespace of wsdl/legacyhr.wsdl.
	Namespace = "urn:legacyhr:directory:1"
	nsSOAP    = "http://schemas.xmlsoap.org/soap/envelope/"
	nsSOAP12  = "http://www.w3.org/2003/05/soap-envelope"
	nsWSSE    = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
	nsXSI     = "http://www.w3.org/2001/XMLSchema-instance"
)

// The request structs below are this package's own reading of the WSDL, written by hand on
// purpose (see the package comment). Every child element is matched with its namespace, because
// the schema is elementFormDefault="qualified": an unqualified <Login> is not the Login element.
// Struct tags cannot refer to constants, hence the repeated literal.

// anyElem catches elements the schema does not declare; requests that carry one are refused.
type anyElem struct {
	XMLName xml.Name
}

// strict is embedded in every request type (encoding/xml flattens embedded structs).
type strict struct {
	Unknown []anyElem `xml:",any"`
}

func (s strict) unknownErr(where string) error {
	if len(s.Unknown) == 0 {
		return nil
	}
	n := s.Unknown[0].XMLName
	if n.Space != Namespace {
		return invalidf("unexpected element %s in %s (child elements must be in namespace %s)", qname(n), where, Namespace)
	}
	return invalidf("unexpected element %s in %s", n.Local, where)
}

func qname(n xml.Name) string {
	if n.Space == "" {
		return n.Local + " (no namespace)"
	}
	return "{" + n.Space + "}" + n.Local
}

// xsBool is a nillable xs:boolean. The pointer to it is nil when the element is absent.
type xsBool struct {
	Nil  string `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Text string `xml:",chardata"`
}

// value returns (present, value); present is false for an absent or xsi:nil element.
func (b *xsBool) value(name string) (bool, bool, error) {
	if b == nil {
		return false, false, nil
	}
	if n := strings.TrimSpace(b.Nil); n == "true" || n == "1" {
		return false, false, nil
	}
	switch strings.TrimSpace(b.Text) {
	case "true", "1":
		return true, true, nil
	case "false", "0":
		return true, false, nil
	}
	return false, false, invalidf("%s: %q is not an xs:boolean", name, b.Text)
}

// employeeIn is the Employee complex type as a request carries it.
type employeeIn struct {
	strict
	EmployeeID     *string `xml:"urn:legacyhr:directory:1 EmployeeID"`
	Login          *string `xml:"urn:legacyhr:directory:1 Login"`
	GivenName      string  `xml:"urn:legacyhr:directory:1 GivenName"`
	FamilyName     string  `xml:"urn:legacyhr:directory:1 FamilyName"`
	MiddleName     string  `xml:"urn:legacyhr:directory:1 MiddleName"`
	DisplayName    string  `xml:"urn:legacyhr:directory:1 DisplayName"`
	Email          string  `xml:"urn:legacyhr:directory:1 Email"`
	SecondaryEmail string  `xml:"urn:legacyhr:directory:1 SecondaryEmail"`
	Phone          string  `xml:"urn:legacyhr:directory:1 Phone"`
	Department     string  `xml:"urn:legacyhr:directory:1 Department"`
	Title          string  `xml:"urn:legacyhr:directory:1 Title"`
	EmployeeNumber string  `xml:"urn:legacyhr:directory:1 EmployeeNumber"`
	IsAdmin        *xsBool `xml:"urn:legacyhr:directory:1 IsAdmin"`
	Enabled        *xsBool `xml:"urn:legacyhr:directory:1 Enabled"`
	// Sent back by clients that echo a record they read; the server owns them and ignores them.
	CreatedAt  *string `xml:"urn:legacyhr:directory:1 CreatedAt"`
	ModifiedAt *string `xml:"urn:legacyhr:directory:1 ModifiedAt"`
}

type createEmployeeReq struct {
	strict
	Employee        *employeeIn `xml:"urn:legacyhr:directory:1 Employee"`
	InitialPassword *string     `xml:"urn:legacyhr:directory:1 InitialPassword"`
}

type employeeOnlyReq struct { // UpdateEmployee
	strict
	Employee *employeeIn `xml:"urn:legacyhr:directory:1 Employee"`
}

type employeeIDReq struct { // GetEmployee, EnableEmployee, DisableEmployee, DeleteEmployee
	strict
	EmployeeID *string `xml:"urn:legacyhr:directory:1 EmployeeID"`
}

type setPasswordReq struct {
	strict
	EmployeeID  *string `xml:"urn:legacyhr:directory:1 EmployeeID"`
	NewPassword *string `xml:"urn:legacyhr:directory:1 NewPassword"`
}

type pageReq struct { // ListEmployees, ListRoles
	strict
	PageNumber *string `xml:"urn:legacyhr:directory:1 PageNumber"`
	PageSize   *string `xml:"urn:legacyhr:directory:1 PageSize"`
}

type findEmployeesReq struct {
	strict
	Login         *string `xml:"urn:legacyhr:directory:1 Login"`
	Email         *string `xml:"urn:legacyhr:directory:1 Email"`
	ModifiedSince *string `xml:"urn:legacyhr:directory:1 ModifiedSince"`
	PageNumber    *string `xml:"urn:legacyhr:directory:1 PageNumber"`
	PageSize      *string `xml:"urn:legacyhr:directory:1 PageSize"`
}

type createRoleReq struct {
	strict
	Name        *string `xml:"urn:legacyhr:directory:1 Name"`
	Description string  `xml:"urn:legacyhr:directory:1 Description"`
}

type roleIDReq struct { // GetRole, DeleteRole
	strict
	RoleID *string `xml:"urn:legacyhr:directory:1 RoleID"`
}

type updateRoleReq struct {
	strict
	RoleID      *string `xml:"urn:legacyhr:directory:1 RoleID"`
	Name        *string `xml:"urn:legacyhr:directory:1 Name"`
	Description string  `xml:"urn:legacyhr:directory:1 Description"`
}

type memberReq struct { // AddRoleMember, RemoveRoleMember
	strict
	RoleID     *string `xml:"urn:legacyhr:directory:1 RoleID"`
	EmployeeID *string `xml:"urn:legacyhr:directory:1 EmployeeID"`
}

// Responses: the wrapper element carries the namespace as the default xmlns, and the children,
// written without a namespace of their own, inherit it, which makes them qualified as the schema
// requires.

type employeeOut struct {
	EmployeeID     string `xml:"EmployeeID"`
	Login          string `xml:"Login"`
	GivenName      string `xml:"GivenName,omitempty"`
	FamilyName     string `xml:"FamilyName,omitempty"`
	MiddleName     string `xml:"MiddleName,omitempty"`
	DisplayName    string `xml:"DisplayName,omitempty"`
	Email          string `xml:"Email,omitempty"`
	SecondaryEmail string `xml:"SecondaryEmail,omitempty"`
	Phone          string `xml:"Phone,omitempty"`
	Department     string `xml:"Department,omitempty"`
	Title          string `xml:"Title,omitempty"`
	EmployeeNumber string `xml:"EmployeeNumber,omitempty"`
	IsAdmin        bool   `xml:"IsAdmin"`
	Enabled        bool   `xml:"Enabled"`
	CreatedAt      string `xml:"CreatedAt"`
	ModifiedAt     string `xml:"ModifiedAt"`
}

type memberOut struct {
	EmployeeID string `xml:"EmployeeID"`
	Login      string `xml:"Login"`
}

type roleOut struct {
	RoleID      string      `xml:"RoleID"`
	Name        string      `xml:"Name"`
	Description string      `xml:"Description,omitempty"`
	Members     []memberOut `xml:"Members"`
	ModifiedAt  string      `xml:"ModifiedAt"`
}

type employeeResp struct {
	XMLName  xml.Name
	Employee employeeOut `xml:"Employee"`
}

type roleResp struct {
	XMLName xml.Name
	Role    roleOut `xml:"Role"`
}

type employeesResp struct {
	XMLName    xml.Name
	Employees  []employeeOut `xml:"Employees"`
	TotalCount int           `xml:"TotalCount"`
}

type rolesResp struct {
	XMLName    xml.Name
	Roles      []roleOut `xml:"Roles"`
	TotalCount int       `xml:"TotalCount"`
}

type emptyResp struct {
	XMLName xml.Name
}

func respName(op string) xml.Name { return xml.Name{Space: Namespace, Local: op + "Response"} }

// timeLayout is RFC 3339 in UTC with exactly three fraction digits, so that the wire value is the
// stored value (milliseconds) and sorts lexically.
const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// parseDateTime reads an xs:dateTime. A value without a zone offset is taken as UTC: the schema
// leaves it "unspecified", and this system has always run on UTC.
func parseDateTime(name, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, invalidf("%s: %q is not an xs:dateTime", name, s)
}

func toEmployeeOut(e Employee) employeeOut {
	return employeeOut{
		EmployeeID: e.ID, Login: e.Login, GivenName: e.GivenName, FamilyName: e.FamilyName,
		MiddleName: e.MiddleName, DisplayName: e.DisplayName, Email: e.Email,
		SecondaryEmail: e.SecondaryEmail, Phone: e.Phone, Department: e.Department, Title: e.Title,
		EmployeeNumber: e.EmployeeNumber, IsAdmin: e.IsAdmin, Enabled: e.Enabled,
		CreatedAt: formatTime(e.CreatedAt), ModifiedAt: formatTime(e.ModifiedAt),
	}
}

func toRoleOut(r Role) roleOut {
	out := roleOut{RoleID: r.ID, Name: r.Name, Description: r.Description, ModifiedAt: formatTime(r.ModifiedAt)}
	for _, m := range r.Members {
		out.Members = append(out.Members, memberOut(m))
	}
	return out
}

// required returns the trimmed-non-empty value of a required element.
func required(name string, v *string) (string, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return "", invalidf("%s is required", name)
	}
	return *v, nil
}

// parseInt reads an xs:int.
func parseInt(name string, v *string) (int, error) {
	if v == nil {
		return 0, invalidf("%s is required", name)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(*v), 10, 32)
	if err != nil {
		return 0, invalidf("%s: %q is not an xs:int", name, *v)
	}
	return int(n), nil
}

// MaxPageSize is the largest PageSize the list and find operations accept.
const MaxPageSize = 200

// paging validates PageNumber (1-based) and PageSize (1..MaxPageSize) and returns offset and limit.
func paging(number, size *string) (offset, limit int, err error) {
	n, err := parseInt("PageNumber", number)
	if err != nil {
		return 0, 0, err
	}
	sz, err := parseInt("PageSize", size)
	if err != nil {
		return 0, 0, err
	}
	if n < 1 {
		return 0, 0, invalidf("PageNumber must be at least 1, got %d", n)
	}
	if sz < 1 || sz > MaxPageSize {
		return 0, 0, invalidf("PageSize must be between 1 and %d, got %d", MaxPageSize, sz)
	}
	// int64 so that a huge PageNumber cannot overflow on 32-bit platforms; such a page is simply
	// past the end.
	off := (int64(n) - 1) * int64(sz)
	if off > int64(1<<31-1) {
		off = 1<<31 - 1
	}
	return int(off), sz, nil
}
