package adapter

import (
	"net/http"
	"strings"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/adapter/scim20"
)

// SCIM 1.1 /Schemas and /ResourceTypes: the same definitions as SCIM 2.0 (scim20.SchemaDefs, typed
// from the backend's description), written in the 1.1 vocabulary and URNs.

// urn11 maps a SCIM 2.0 schema URN to its SCIM 1.1 spelling.
func (s *server) urn11(urn string) string {
	switch urn {
	case scim20.UserSchema, scim20.GroupSchema:
		return scim11.CoreSchema
	case scim20.EnterpriseSchema:
		return scim11.EnterpriseSchema
	case s.w20.codec.CustomURN():
		return s.w11.codec.CustomURN()
	}
	return urn
}

func attrs11(in []scim20.Attribute, schema string) []scim11.SchemaAttribute {
	out := make([]scim11.SchemaAttribute, 0, len(in))
	for _, a := range in {
		typ := a.Type
		if typ == "reference" {
			typ = "string" // SCIM 1.1 has no reference type
		}
		out = append(out, scim11.SchemaAttribute{
			Name: a.Name, Type: typ, MultiValued: a.MultiValued, Description: a.Description, Schema: schema,
			ReadOnly: a.Mutability == "readOnly", Required: a.Required, CaseExact: a.CaseExact,
			SubAttributes: attrs11(a.SubAttributes, schema),
		})
	}
	return out
}

// docs11 builds the 1.1 schema and resource type documents, keyed by resource name.
func (s *server) docs11() (schemas, types map[string][]byte) {
	defs := s.w20.codec.SchemaDefs(s.hasGroups(), s.customAttributes(), s.caps.UserAttributes, s.attrTypes)
	user := scim11.ResourceSchema{ID: "User", Name: "User", Description: "User Account", Schema: scim11.CoreSchema, Endpoint: "/Users"}
	group := scim11.ResourceSchema{ID: "Group", Name: "Group", Description: "Group", Schema: scim11.CoreSchema, Endpoint: "/Groups"}
	var exts []string
	for _, d := range defs {
		urn := s.urn11(d.ID)
		switch d.ID {
		case scim20.GroupSchema:
			group.Attributes = attrs11(d.Attributes, urn)
		default:
			user.Attributes = append(user.Attributes, attrs11(d.Attributes, urn)...)
			if d.ID != scim20.UserSchema {
				exts = append(exts, urn)
			}
		}
	}
	schemas, types = map[string][]byte{}, map[string][]byte{}
	schemas["User"], _ = scim11.EncodeResourceSchema(user) // plain structs cannot fail to marshal
	types["User"], _ = scim11.EncodeResourceType(scim11.ResourceType{ID: "User", Name: "User", Endpoint: "/Users",
		Description: "User Account", Schema: scim11.CoreSchema, SchemaExtensions: exts})
	if s.hasGroups() {
		schemas["Group"], _ = scim11.EncodeResourceSchema(group)
		types["Group"], _ = scim11.EncodeResourceType(scim11.ResourceType{ID: "Group", Name: "Group", Endpoint: "/Groups",
			Description: "Group", Schema: scim11.CoreSchema, SchemaExtensions: []string{scim11.GroupExtensionSchema}})
	}
	return schemas, types
}

func (s *server) schemas11(w http.ResponseWriter, r *http.Request) {
	docs, _ := s.docs11()
	// A 1.1 client names a schema by resource ("Users" as its endpoint, or "User").
	s.discoveryList(w, r, s.w11, aliasPlural(docs), []string{"User", "Group"}, "schema")
}

func (s *server) resourceTypes11(w http.ResponseWriter, r *http.Request) {
	_, docs := s.docs11()
	s.discoveryList(w, r, s.w11, aliasPlural(docs), []string{"User", "Group"}, "resource type")
}

// aliasPlural also files each document under its endpoint's name ("Users").
func aliasPlural(docs map[string][]byte) map[string][]byte {
	for k, v := range docs {
		if !strings.HasSuffix(k, "s") {
			docs[k+"s"] = v
		}
	}
	return docs
}
