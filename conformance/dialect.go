package conformance

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// Dialect is the seam between the checks and one SCIM version's wire format: paths, the bodies
// the agent sends, the filters it writes, and the shape rules its parser enforces. The checks
// speak only in terms of this interface, so SCIM 2.0 is a second implementation, not a fork.
type Dialect interface {
	// Version is the dialect's name as given to --dialect.
	Version() string
	// CapabilitiesPath is the discovery endpoint the agent calls on "Test Connector Configuration".
	CapabilitiesPath() string
	// ParseCapabilities extracts the advertised capability names from the discovery answer and
	// lists every way the answer deviates from what the agent expects.
	ParseCapabilities(body map[string]any) (caps []string, problems []string)
	// Classify names the kind of resource a successful answer to method+path carries.
	Classify(method, path string) resourceKind
	// UserBody is the full user as the agent sends it on create and on every update.
	UserBody(u *testUser) map[string]any
	// GroupBody is the full group as the agent sends it on Group Push create and update.
	GroupBody(g *testGroup) map[string]any
	// ExistenceFilter is the unencoded filter the agent sends before creating u.
	ExistenceFilter(u *testUser) string
	// IncrementalFilter is the unencoded incremental-import filter for changes after t.
	IncrementalFilter(t time.Time) string
	// ListResources reads a list answer leniently; strictness is the shape checks' job.
	ListResources(body map[string]any) ([]map[string]any, listCounters)
	// Shape lists the rule violations in one observed answer.
	Shape(o observation) []violation
	// CreatedStatus is the status the dialect's clients expect from a successful POST.
	CreatedStatus() int
}

// listCounters are the paging counters of a list answer, parsed leniently.
type listCounters struct {
	Total, StartIndex, ItemsPerPage int
	HasTotal, HasStart, HasItems    bool
	ResourcesKey                    string
}

// violation is one broken shape rule; Warn marks risks the agent is known to tolerate.
type violation struct {
	Rule string
	Msg  string
	Warn bool
}

// testUser is a user this run created (or is about to create). Only users held in a testUser
// are ever written to.
type testUser struct {
	Label      string
	UserName   string
	Email2     string
	GivenName  string
	FamilyName string
	Department string
	// Enterprise holds enterprise-extension attributes to send (SCIM 2.0 only); nil sends none.
	Enterprise map[string]string
	Password   string
	Unique     string // value of the custom unique attribute, when the unique field is custom
	Active     bool
	ID         string
	// IDFromAnswer is false when the id had to be looked up because the create answer lacked it.
	IDFromAnswer bool
}

// testGroup is a group this run created.
type testGroup struct {
	Label       string
	DisplayName string
	Description string
	Members     []*testUser
	ID          string
	Deleted     bool
}

// newDialect returns the dialect for opts.
func newDialect(opts Options) (Dialect, error) {
	switch opts.Dialect {
	case "1.1":
		return newSCIM11(opts)
	case "2.0":
		return newSCIM20(opts)
	default:
		return nil, fmt.Errorf("unknown dialect %q (want 1.1 or 2.0)", opts.Dialect)
	}
}

// SCIM 1.1 constants, exact strings from docs/okta-agent-protocol.md#wire-urns.
const (
	coreURN11       = "urn:scim:schemas:core:1.0"
	enterpriseURN11 = "urn:scim:schemas:extension:enterprise:1.0"
	providerURN11   = "urn:okta:schemas:scim:providerconfig:1.0"
	groupExtURN11   = "urn:okta:custom:group:1.0"
)

// coreUserAttrs11 is the SCIM 1.1 core User attribute set. The agent's parser (UnboundID)
// throws on any other top-level name in the core namespace, even with strict mode off.
var coreUserAttrs11 = setOf("schemas", "id", "externalid", "meta", "username", "name", "displayname",
	"nickname", "profileurl", "title", "usertype", "preferredlanguage", "locale", "timezone", "active",
	"password", "emails", "phonenumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles",
	"x509certificates")

var coreGroupAttrs11 = setOf("schemas", "id", "externalid", "meta", "displayname", "members")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

type scim11 struct {
	customURN   string // urn:okta:<app>:1.0:user:custom
	uniqueMode  string // "userName", "email" or "custom"
	uniqueURN   string // schema URN holding the custom unique attribute
	uniqueAttr  string
	newUser     map[string]any
	updateUser  map[string]any
	groupCreate map[string]any
}

func newSCIM11(opts Options) (*scim11, error) {
	d := &scim11{customURN: "urn:okta:" + opts.AppName + ":1.0:user:custom"}
	switch strings.ToLower(opts.UniqueField) {
	case "username":
		d.uniqueMode = "userName"
	case "email", "emails":
		d.uniqueMode = "email"
	default:
		d.uniqueMode = "custom"
		d.uniqueURN, d.uniqueAttr = d.customURN, opts.UniqueField
		if strings.HasPrefix(opts.UniqueField, "urn:") {
			i := strings.LastIndex(opts.UniqueField, ":")
			d.uniqueURN, d.uniqueAttr = opts.UniqueField[:i], opts.UniqueField[i+1:]
			if d.uniqueAttr == "" {
				return nil, fmt.Errorf("unique field %q has no attribute after the schema URN", opts.UniqueField)
			}
		}
	}
	var err error
	if d.newUser, err = loadTemplate("createNewUser-withCustomExtension.json"); err != nil {
		return nil, err
	}
	if d.updateUser, err = loadTemplate("pushProfileUpdate.json"); err != nil {
		return nil, err
	}
	if d.groupCreate, err = loadTemplate("createGroup.json"); err != nil {
		return nil, err
	}
	return d, nil
}

func loadTemplate(name string) (map[string]any, error) {
	return oktafixtures.Object(name)
}

// clone deep-copies a JSON value so that templates are never modified.
func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = clone(e)
		}
		return m
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			s[i] = clone(e)
		}
		return s
	default:
		return v
	}
}

func (d *scim11) Version() string          { return "1.1" }
func (d *scim11) CapabilitiesPath() string { return "ServiceProviderConfigs" }
func (d *scim11) CreatedStatus() int       { return 200 }

func (d *scim11) Classify(method, path string) resourceKind {
	res, _, hasID := strings.Cut(strings.Trim(path, "/"), "/")
	single, list := kindUser, kindUserList
	switch res {
	case "Users":
	case "Groups":
		single, list = kindGroup, kindGroupList
	default:
		return kindOther
	}
	switch {
	case !hasID && method == "GET":
		return list
	case !hasID && method == "POST", hasID && (method == "GET" || method == "PUT"):
		return single
	}
	return kindOther
}

func (d *scim11) ParseCapabilities(body map[string]any) ([]string, []string) {
	var problems []string
	if !hasSchema(body, coreURN11) {
		problems = append(problems, "schemas does not declare "+coreURN11)
	}
	if !hasSchema(body, providerURN11) {
		problems = append(problems, "schemas does not declare "+providerURN11)
	}
	ext, ok := body[providerURN11].(map[string]any)
	if !ok {
		return nil, append(problems, fmt.Sprintf("no %q object carrying userManagementCapabilities", providerURN11))
	}
	list, ok := ext["userManagementCapabilities"].([]any)
	if !ok {
		return nil, append(problems, "userManagementCapabilities is missing or not an array")
	}
	var caps []string
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			problems = append(problems, fmt.Sprintf("capability %v is not a string", v))
			continue
		}
		caps = append(caps, s)
	}
	return caps, problems
}

func (d *scim11) UserBody(u *testUser) map[string]any {
	b := clone(d.newUser).(map[string]any)
	schemas := []any{coreURN11, d.customURN}
	b["userName"] = u.UserName
	b["emails"] = []any{
		map[string]any{"primary": true, "value": u.UserName, "type": "primary"},
		map[string]any{"primary": false, "value": u.Email2, "type": "secondary"},
	}
	b["name"] = map[string]any{"givenName": u.GivenName, "familyName": u.FamilyName}
	b["active"] = u.Active
	b["password"] = u.Password
	delete(b, "urn:okta:onprem_app:1.0:user:custom")
	custom := map[string]any{"isAdmin": false, "isOkta": false, "departmentName": u.Department}
	if u.ID != "" {
		b["id"] = u.ID
	}
	if d.uniqueMode == "custom" {
		if d.uniqueURN == d.customURN {
			custom[d.uniqueAttr] = u.Unique
		} else {
			schemas = append(schemas, d.uniqueURN)
			b[d.uniqueURN] = map[string]any{d.uniqueAttr: u.Unique}
		}
	}
	b[d.customURN] = custom
	b["schemas"] = schemas
	return b
}

func (d *scim11) GroupBody(g *testGroup) map[string]any {
	b := clone(d.groupCreate).(map[string]any)
	b["displayName"] = g.DisplayName
	// The Okta sample carries a client-side id; the connector must ignore it (connector-assigns-ids). Ours is
	// unique to the run, so a connector that wrongly honours it collides with nothing.
	if g.ID != "" {
		b["id"] = g.ID
	} else {
		b["id"] = g.DisplayName + "-client-id"
	}
	members := []any{}
	for _, m := range g.Members {
		members = append(members, map[string]any{"value": m.ID, "display": m.UserName})
	}
	b["members"] = members
	b[groupExtURN11] = map[string]any{"description": g.Description}
	return b
}

func (d *scim11) ExistenceFilter(u *testUser) string {
	switch d.uniqueMode {
	case "email":
		return fmt.Sprintf("email eq %s OR email eq %s", quote(u.UserName), quote(u.Email2))
	case "custom":
		return fmt.Sprintf("%s:%s eq %s", d.uniqueURN, d.uniqueAttr, quote(u.Unique))
	default:
		return "userName eq " + quote(u.UserName)
	}
}

func (d *scim11) IncrementalFilter(t time.Time) string {
	return "meta.lastModified gt " + quote(t.UTC().Format("2006-01-02T15:04:05Z"))
}

func quote(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func (d *scim11) ListResources(body map[string]any) ([]map[string]any, listCounters) {
	var lc listCounters
	var items []any
	for k, v := range body {
		if strings.EqualFold(k, "Resources") {
			lc.ResourcesKey = k
			items, _ = v.([]any)
		}
	}
	lc.Total, lc.HasTotal = lenientInt(body["totalResults"])
	lc.StartIndex, lc.HasStart = lenientInt(body["startIndex"])
	lc.ItemsPerPage, lc.HasItems = lenientInt(body["itemsPerPage"])
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		if m, ok := it.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, lc
}

func lenientInt(v any) (int, bool) {
	switch t := v.(type) {
	case json.Number:
		if n, err := strconv.Atoi(t.String()); err == nil {
			return n, true
		}
		if f, err := t.Float64(); err == nil {
			return int(f), true
		}
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(t)); err == nil {
			return n, true
		}
	case float64:
		return int(t), true
	}
	return 0, false
}

// strictInt accepts only a JSON integer literal: the agent's parser rejects "3" and 3.0.
func strictInt(v any) bool {
	n, ok := v.(json.Number)
	return ok && !strings.ContainsAny(n.String(), ".eE")
}

func hasSchema(body map[string]any, urn string) bool {
	list, _ := body["schemas"].([]any)
	for _, s := range list {
		if str, ok := s.(string); ok && strings.EqualFold(str, urn) {
			return true
		}
	}
	return false
}

func (d *scim11) Shape(o observation) []violation {
	switch o.Kind {
	case kindUser:
		return d.shapeResource(o.Body, coreUserAttrs11, "user")
	case kindGroup:
		return d.shapeResource(o.Body, coreGroupAttrs11, "group")
	case kindUserList, kindGroupList:
		return d.shapeList(o)
	}
	return nil
}

func (d *scim11) shapeList(o observation) []violation {
	var vs []violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, violation{Rule: rule, Msg: fmt.Sprintf(format, args...)})
	}
	var items []any
	if v, ok := o.Body["Resources"]; ok {
		if items, ok = v.([]any); !ok {
			add("shape.resources", "\"Resources\" is not an array")
		}
	} else {
		found := false
		for k := range o.Body {
			if strings.EqualFold(k, "Resources") {
				add("shape.resources", "list key spelled %q; the agent reads exactly \"Resources\"", k)
				found = true
			}
		}
		if !found {
			add("shape.resources", "list answer has no \"Resources\" array (an empty result is \"Resources\":[])")
		}
	}
	if !hasSchema(o.Body, coreURN11) {
		add("shape.schemas", "list answer's schemas does not declare %s", coreURN11)
	}
	if v, ok := o.Body["totalResults"]; !ok {
		add("shape.counters", "totalResults is missing")
	} else if !strictInt(v) {
		add("shape.counters", "totalResults is %s, not a JSON integer", jsonText(v))
	}
	for _, k := range []string{"startIndex", "itemsPerPage"} {
		if v, ok := o.Body[k]; ok && !strictInt(v) {
			add("shape.counters", "%s is %s, not a JSON integer", k, jsonText(v))
		}
	}
	attrs, what := coreUserAttrs11, "user"
	if o.Kind == kindGroupList {
		attrs, what = coreGroupAttrs11, "group"
	}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			add("shape.attributes", "Resources[%d] is not an object", i)
			continue
		}
		for _, v := range d.shapeResource(m, attrs, what) {
			v.Msg = fmt.Sprintf("Resources[%d]: %s", i, v.Msg)
			vs = append(vs, v)
		}
	}
	return vs
}

func (d *scim11) shapeResource(m map[string]any, attrs map[string]bool, what string) []violation {
	var vs []violation
	ref := what
	if id, ok := idOf(m); ok {
		ref = fmt.Sprintf("%s %q", what, id)
	}
	if _, ok := m["schemas"]; !ok {
		vs = append(vs, violation{Rule: "shape.schemas", Warn: true,
			Msg: fmt.Sprintf("%s has no schemas attribute; the agent's parser defaults to core today, declare %s", ref, coreURN11)})
	} else if !hasSchema(m, coreURN11) {
		vs = append(vs, violation{Rule: "shape.schemas",
			Msg: fmt.Sprintf("%s: schemas does not declare %s (agent: \"Resource 'User' is malformed\")", ref, coreURN11)})
	}
	for k := range m {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "urn:"):
			if _, ok := m["schemas"]; ok && !hasSchema(m, k) {
				vs = append(vs, violation{Rule: "shape.schemas",
					Msg: fmt.Sprintf("%s: extension %q is used but not declared in schemas (the agent ignores it)", ref, k)})
			}
		case lk == "password":
			vs = append(vs, violation{Rule: "shape.password", Msg: fmt.Sprintf("%s: the answer echoes the password", ref)})
		case !attrs[lk]:
			vs = append(vs, violation{Rule: "shape.attributes",
				Msg: fmt.Sprintf("%s: top-level attribute %q is not a SCIM 1.1 core attribute (agent: \"is not defined for resource\"); move it under an extension URN", ref, k)})
		}
	}
	return vs
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// idOf reads a resource id leniently: a number is accepted, since some connectors send one.
func idOf(m map[string]any) (string, bool) {
	switch t := m["id"].(type) {
	case string:
		return t, t != ""
	case json.Number:
		return t.String(), true
	}
	return "", false
}

func activeOf(m map[string]any) (bool, bool) {
	switch t := m["active"].(type) {
	case bool:
		return t, true
	case string:
		b, err := strconv.ParseBool(t)
		return b, err == nil
	}
	return false, false
}

func stringAt(m map[string]any, path ...string) string {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return ""
		}
		cur = mm[p]
	}
	s, _ := cur.(string)
	return s
}
