package scim11

import "encoding/json"

// SchemaAttribute is one attribute definition in the SCIM 1.1 schema representation (SCIM 1.1
// core schema §7): the attribute's own schema URN is named on each, so that one resource schema
// lists its core and extension attributes together.
type SchemaAttribute struct {
	Name          string            `json:"name"`
	Type          string            `json:"type"`
	MultiValued   bool              `json:"multiValued"`
	Description   string            `json:"description"`
	Schema        string            `json:"schema"`
	ReadOnly      bool              `json:"readOnly"`
	Required      bool              `json:"required"`
	CaseExact     bool              `json:"caseExact"`
	SubAttributes []SchemaAttribute `json:"subAttributes,omitempty"`
}

// ResourceSchema is the SCIM 1.1 schema of one resource (GET /Schemas/Users).
type ResourceSchema struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Schema      string            `json:"schema"`
	Endpoint    string            `json:"endpoint"`
	Attributes  []SchemaAttribute `json:"attributes"`
}

// ResourceType describes one endpoint, with the schemas its resources use. SCIM 1.1 has no such
// document; the bridge serves the SCIM 2.0 one's content in the 1.1 vocabulary so that a client
// can discover the endpoints the same way in both dialects.
type ResourceType struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Endpoint         string   `json:"endpoint"`
	Description      string   `json:"description"`
	Schema           string   `json:"schema"`
	SchemaExtensions []string `json:"schemaExtensions"`
}

// EncodeResourceSchema renders one resource schema with the core schema declared.
func EncodeResourceSchema(rs ResourceSchema) ([]byte, error) {
	return json.Marshal(struct {
		Schemas []string `json:"schemas"`
		ResourceSchema
	}{[]string{CoreSchema}, rs})
}

// EncodeResourceType renders one resource type with the core schema declared.
func EncodeResourceType(rt ResourceType) ([]byte, error) {
	return json.Marshal(struct {
		Schemas []string `json:"schemas"`
		ResourceType
	}{[]string{CoreSchema}, rt})
}
