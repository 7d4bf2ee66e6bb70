package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSchemaInstanceAgreement reads SCIM 2.0 /Schemas from the bridge over each shipped mapping
// and checks every attribute of real users and groups against its declaration: declared, of the
// declared type, multi-valued exactly when declared so. A client that follows the schema (Entra
// does) then sends values the bridge accepts: a custom boolean declared as a string made it send
// "true" and get a 400.
func TestSchemaInstanceAgreement(t *testing.T) {
	for _, tc := range []struct {
		name  string
		start func(*testing.T) *stack
		extra string
	}{
		{"legacyhr", func(t *testing.T) *stack { return startStack(t, "") },
			`,"urn:okta:onprem_app:1.0:user:custom":{"isAdmin":true,"departmentName":"Eng"},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42"}`},
		{"wso2", startWSO2Stack, `,"urn:okta:onprem_app:1.0:user:custom":{"departmentName":"Eng"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := tc.start(t)
			c := &client{t: t, base: strings.TrimSuffix(s.scim.base, "scim/v1/") + "scim/v2/", user: e2eSCIMUser, pass: e2eSCIMPass}
			r := c.do("POST", "Users", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"schema@example.com",
				"name":{"givenName":"Sche","familyName":"Ma"},"emails":[{"value":"schema@example.com","type":"work","primary":true}],
				"displayName":"Sche Ma","title":"Tester","active":true,"password":"first-Password-1","externalId":"00u-schema"`+tc.extra+`}`)
			wantStatus(t, "create", r, 201)
			uid := r.json(t)["id"].(string)
			wantStatus(t, "group create", c.do("POST", "Groups", `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"schema-group","members":[{"value":"`+uid+`"}]}`), 201)

			r = c.do("GET", "Schemas", nil)
			wantStatus(t, "Schemas", r, 200)
			decl := map[string]map[string]map[string]any{} // schema URN -> attribute name (lower) -> definition
			for _, res := range r.json(t)["Resources"].([]any) {
				doc := res.(map[string]any)
				decl[doc["id"].(string)] = attrMap(doc["attributes"])
			}
			const userURN, groupURN = "urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:core:2.0:Group"
			if a := decl[userURN]["id"]; a == nil || a["mutability"] != "readOnly" {
				t.Errorf("User.id must be declared readOnly: %v", a)
			}
			if a := decl[userURN]["username"]; a == nil || a["uniqueness"] != "server" {
				t.Errorf("User.userName must be declared unique: %v", a)
			}
			checked := 0
			for _, ep := range []struct{ path, core string }{{"Users", userURN}, {"Groups", groupURN}} {
				r = c.do("GET", ep.path, nil)
				wantStatus(t, ep.path, r, 200)
				for _, res := range r.json(t)["Resources"].([]any) {
					for _, p := range agree(decl, ep.core, res.(map[string]any)) {
						t.Errorf("%s: %s", ep.path, p)
					}
					checked++
				}
			}
			if checked < 2 {
				t.Fatalf("checked %d resources", checked)
			}
		})
	}
}

func attrMap(v any) map[string]map[string]any {
	out := map[string]map[string]any{}
	list, _ := v.([]any)
	for _, a := range list {
		m := a.(map[string]any)
		out[strings.ToLower(m["name"].(string))] = m
	}
	return out
}

// agree lists how a resource disagrees with the declarations: attributes at top level are the
// core schema's, keys that are URNs the extension's.
func agree(decl map[string]map[string]map[string]any, core string, res map[string]any) []string {
	var out []string
	for k, v := range res {
		switch {
		case k == "schemas" || k == "meta":
			continue // common attributes of every resource, not part of a schema
		case strings.HasPrefix(k, "urn:"):
			ext, ok := decl[k]
			if !ok {
				out = append(out, "extension "+k+" is not declared in /Schemas")
				continue
			}
			obj, _ := v.(map[string]any)
			for ak, av := range obj {
				out = append(out, agreeAttr(k+":"+ak, ext[strings.ToLower(ak)], av)...)
			}
		default:
			out = append(out, agreeAttr(k, decl[core][strings.ToLower(k)], v)...)
		}
	}
	return out
}

func agreeAttr(name string, def map[string]any, v any) []string {
	if def == nil {
		return []string{name + " is returned but not declared"}
	}
	if def["multiValued"] == true {
		list, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s is declared multi-valued but is %T", name, v)}
		}
		var out []string
		for i, e := range list {
			out = append(out, agreeValue(fmt.Sprintf("%s[%d]", name, i), def, e)...)
		}
		return out
	}
	if _, isList := v.([]any); isList {
		return []string{name + " is a list but declared single-valued"}
	}
	return agreeValue(name, def, v)
}

func agreeValue(name string, def map[string]any, v any) []string {
	typ, _ := def["type"].(string)
	ok := false
	switch typ {
	case "string", "reference", "binary":
		_, ok = v.(string)
	case "boolean":
		_, ok = v.(bool)
	case "integer":
		f, isNum := v.(float64)
		ok = isNum && f == float64(int64(f))
	case "decimal":
		_, ok = v.(float64)
	case "dateTime":
		s, isStr := v.(string)
		_, err := time.Parse(time.RFC3339, s)
		ok = isStr && err == nil
	case "complex":
		obj, isObj := v.(map[string]any)
		if !isObj {
			break
		}
		subs := attrMap(def["subAttributes"])
		var out []string
		for sk, sv := range obj {
			out = append(out, agreeAttr(name+"."+sk, subs[strings.ToLower(sk)], sv)...)
		}
		return out
	}
	if !ok {
		return []string{fmt.Sprintf("%s is declared %s but is %T %v", name, typ, v, v)}
	}
	return nil
}
