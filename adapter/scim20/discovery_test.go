package scim20

import (
	"encoding/json"
	"slices"
	"testing"
)

func attrNames(t *testing.T, doc []byte) map[string][]string {
	t.Helper()
	var d struct {
		Attributes []struct {
			Name          string `json:"name"`
			SubAttributes []struct {
				Name string `json:"name"`
			} `json:"subAttributes"`
		} `json:"attributes"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, a := range d.Attributes {
		out[a.Name] = nil
		for _, s := range a.SubAttributes {
			out[a.Name] = append(out[a.Name], s.Name)
		}
	}
	return out
}

// /Schemas declares only what the backend stores, so that Entra or Okta do not send attributes
// that would be dropped without a word; nil declares the whole standard schema.
func TestSchemasDeclareWhatTheBackendStores(t *testing.T) {
	const custom = "urn:okta:onprem_app:1.0:user:custom"
	c := New(custom)
	docs := c.Schemas("https://x/scim/v2", true, []string{"departmentName"},
		[]string{"userName", "name.givenName", "emails", "active", "enterprise.department", "custom.departmentName"}, nil)

	user := attrNames(t, docs[UserSchema])
	for _, want := range []string{"userName", "name", "emails", "active", "password", "groups"} {
		if _, ok := user[want]; !ok {
			t.Errorf("User schema lacks %s: %v", want, user)
		}
	}
	for _, absent := range []string{"displayName", "title", "phoneNumbers", "locale"} {
		if _, ok := user[absent]; ok {
			t.Errorf("User schema declares %s, which the backend does not store", absent)
		}
	}
	if got := user["name"]; !slices.Equal(got, []string{"givenName"}) {
		t.Errorf("name sub-attributes = %v, want only givenName", got)
	}
	ent := attrNames(t, docs[EnterpriseSchema])
	if _, ok := ent["department"]; !ok || len(ent) != 1 {
		t.Errorf("enterprise schema = %v, want only department", ent)
	}
	if _, ok := attrNames(t, docs[custom])["departmentName"]; !ok {
		t.Errorf("custom schema lacks departmentName")
	}

	all := attrNames(t, c.Schemas("https://x/scim/v2", true, nil, nil, nil)[UserSchema])
	for _, want := range []string{"displayName", "title", "phoneNumbers", "locale"} {
		if _, ok := all[want]; !ok {
			t.Errorf("with no attribute list the whole schema must be declared; %s missing", want)
		}
	}
}
