package conformance

import (
	"fmt"
	"strings"
	"time"
)

// SCIM 2.0 constants, exact strings from RFC 7643 / RFC 7644.
const (
	userURN20       = "urn:ietf:params:scim:schemas:core:2.0:User"
	groupURN20      = "urn:ietf:params:scim:schemas:core:2.0:Group"
	enterpriseURN20 = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	listURN20       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	patchURN20      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	errorURN20      = "urn:ietf:params:scim:api:messages:2.0:Error"
	spcURN20        = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
)

var coreUserAttrs20 = setOf("schemas", "id", "externalid", "meta", "username", "name", "displayname",
	"nickname", "profileurl", "title", "usertype", "preferredlanguage", "locale", "timezone", "active",
	"password", "emails", "phonenumbers", "ims", "photos", "addresses", "groups", "entitlements", "roles",
	"x509certificates")

var coreGroupAttrs20 = setOf("schemas", "id", "externalid", "meta", "displayname", "members")

// scim20 is the dialect of the Okta agent in v2 mode (base URL with /v2/) and of Microsoft Entra:
// the same scenarios as 1.1 with RFC 7643 bodies, plus the v2-only checks (PATCH forms, discovery,
// the RFC error shape).
type scim20 struct {
	*scim11 // unique-field handling and the custom URN are the same
}

func newSCIM20(opts Options) (*scim20, error) {
	d, err := newSCIM11(opts)
	if err != nil {
		return nil, err
	}
	return &scim20{d}, nil
}

func (d *scim20) Version() string          { return "2.0" }
func (d *scim20) CapabilitiesPath() string { return "ServiceProviderConfig" }
func (d *scim20) CreatedStatus() int       { return 201 }

func (d *scim20) Classify(method, path string) resourceKind {
	if method == "PATCH" {
		method = "PUT"
	}
	return d.scim11.Classify(method, path)
}

// ParseCapabilities reads the RFC 7643 ServiceProviderConfig. SCIM 2.0 has no Okta capability
// list: the agent assumes user provisioning and group push, and finds out by calling, so the tester
// does the same, leaving out only incremental import (an OPP 1.1 feature). What the document says
// is not offered is not assumed: changePassword.supported false leaves out password pushes, and a
// connector that lists userManagementCapabilities under Okta's provider-config extension (as the
// 1.1 document does) is taken at its word, so a capability it does not list is skipped with that
// reason, never failed; everything it lists is checked as strictly as ever.
func (d *scim20) ParseCapabilities(body map[string]any) ([]string, []string) {
	var problems []string
	if !hasSchema(body, spcURN20) {
		problems = append(problems, "schemas does not declare "+spcURN20)
	}
	if p, _ := body["patch"].(map[string]any); p == nil || p["supported"] != true {
		problems = append(problems, "patch.supported is not true; the Okta agent and Entra send PATCH for activation, passwords and group membership")
	}
	for _, k := range []string{"bulk", "filter", "changePassword", "sort", "etag"} {
		if m, _ := body[k].(map[string]any); m == nil {
			problems = append(problems, fmt.Sprintf("%s is missing (RFC 7643 §5 requires it)", k))
		} else if _, ok := m["supported"].(bool); !ok {
			problems = append(problems, fmt.Sprintf("%s.supported is not a boolean", k))
		}
	}
	offered := AllCapabilities
	if _, listed := body[providerURN11]; listed {
		caps, more := d.scim11.ParseCapabilities(map[string]any{"schemas": []any{coreURN11, providerURN11}, providerURN11: body[providerURN11]})
		problems = append(problems, more...)
		if !hasSchema(body, providerURN11) {
			problems = append(problems, "schemas does not declare "+providerURN11+", whose object the document carries")
		}
		offered = caps
	}
	noPasswords := false
	if m, _ := body["changePassword"].(map[string]any); m != nil && m["supported"] == false {
		noPasswords = true
	}
	caps := []string{}
	for _, c := range offered {
		if c != CapIncrementalImports && !(noPasswords && c == CapPushPasswordUpdates) {
			caps = append(caps, c)
		}
	}
	return caps, problems
}

func (d *scim20) UserBody(u *testUser) map[string]any {
	b := d.scim11.UserBody(u)
	schemas := []any{userURN20}
	for _, s := range b["schemas"].([]any) {
		if s != coreURN11 {
			schemas = append(schemas, s)
		}
	}
	b["schemas"] = schemas
	b["emails"] = []any{
		map[string]any{"primary": true, "value": u.UserName, "type": "work"},
		map[string]any{"primary": false, "value": u.Email2, "type": "home"},
	}
	b["groups"] = []any{}
	if len(u.Enterprise) > 0 {
		ent := map[string]any{}
		for k, v := range u.Enterprise {
			ent[k] = v
		}
		b[enterpriseURN20] = ent
		schemas = append(schemas, enterpriseURN20)
		b["schemas"] = schemas
	}
	b["externalId"] = "00u" + strings.ReplaceAll(u.Unique, "-", "")
	return b
}

func (d *scim20) GroupBody(g *testGroup) map[string]any {
	b := map[string]any{"schemas": []any{groupURN20}, "displayName": g.DisplayName}
	if g.ID != "" {
		b["id"] = g.ID
	}
	members := []any{}
	for _, m := range g.Members {
		members = append(members, map[string]any{"value": m.ID, "display": m.UserName})
	}
	b["members"] = members
	return b
}

func (d *scim20) ExistenceFilter(u *testUser) string {
	if d.uniqueMode == "email" {
		return fmt.Sprintf("emails.value eq %s or emails.value eq %s", quote(u.UserName), quote(u.Email2))
	}
	return d.scim11.ExistenceFilter(u)
}

func (d *scim20) IncrementalFilter(t time.Time) string { return d.scim11.IncrementalFilter(t) }

func (d *scim20) Shape(o observation) []violation {
	switch o.Kind {
	case kindUser:
		return d.shapeResource20(o.Body, coreUserAttrs20, userURN20, "user")
	case kindGroup:
		return d.shapeResource20(o.Body, coreGroupAttrs20, groupURN20, "group")
	case kindUserList, kindGroupList:
		return d.shapeList20(o)
	}
	return nil
}

func (d *scim20) shapeList20(o observation) []violation {
	var vs []violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, violation{Rule: rule, Msg: fmt.Sprintf(format, args...)})
	}
	items, ok := o.Body["Resources"].([]any)
	if _, present := o.Body["Resources"]; !present {
		add("shape.resources", "list answer has no \"Resources\" array (an empty result is \"Resources\":[])")
	} else if !ok {
		add("shape.resources", "\"Resources\" is not an array")
	}
	if !hasSchema(o.Body, listURN20) {
		add("shape.schemas", "list answer's schemas does not declare %s", listURN20)
	}
	// RFC 7644 §3.4.2.4: with paging, startIndex and itemsPerPage are required.
	for _, k := range []string{"totalResults", "startIndex", "itemsPerPage"} {
		if v, ok := o.Body[k]; !ok {
			add("shape.counters", "%s is missing", k)
		} else if !strictInt(v) {
			add("shape.counters", "%s is %s, not a JSON integer", k, jsonText(v))
		}
	}
	attrs, urn, what := coreUserAttrs20, userURN20, "user"
	if o.Kind == kindGroupList {
		attrs, urn, what = coreGroupAttrs20, groupURN20, "group"
	}
	for i, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			add("shape.attributes", "Resources[%d] is not an object", i)
			continue
		}
		for _, v := range d.shapeResource20(m, attrs, urn, what) {
			v.Msg = fmt.Sprintf("Resources[%d]: %s", i, v.Msg)
			vs = append(vs, v)
		}
	}
	return vs
}

func (d *scim20) shapeResource20(m map[string]any, attrs map[string]bool, urn, what string) []violation {
	var vs []violation
	ref := what
	if id, ok := idOf(m); ok {
		ref = fmt.Sprintf("%s %q", what, id)
	}
	if !hasSchema(m, urn) {
		vs = append(vs, violation{Rule: "shape.schemas", Msg: fmt.Sprintf("%s: schemas does not declare %s", ref, urn)})
	}
	if meta, _ := m["meta"].(map[string]any); meta == nil || meta["resourceType"] == nil {
		vs = append(vs, violation{Rule: "shape.attributes", Warn: true, Msg: fmt.Sprintf("%s has no meta.resourceType (RFC 7643 §3.1)", ref)})
	}
	for k := range m {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "urn:"):
			if !hasSchema(m, k) {
				vs = append(vs, violation{Rule: "shape.schemas", Msg: fmt.Sprintf("%s: extension %q is used but not declared in schemas", ref, k)})
			}
		case lk == "password":
			vs = append(vs, violation{Rule: "shape.password", Msg: fmt.Sprintf("%s: the answer echoes the password", ref)})
		case !attrs[lk]:
			vs = append(vs, violation{Rule: "shape.attributes",
				Msg: fmt.Sprintf("%s: top-level attribute %q is not a SCIM 2.0 core attribute; move it under an extension URN", ref, k)})
		}
	}
	return vs
}
