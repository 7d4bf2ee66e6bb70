package scim20

import (
	"encoding/json"
	"strconv"
)

type listJSON struct {
	Schemas      []string          `json:"schemas"`
	TotalResults int               `json:"totalResults"`
	StartIndex   int               `json:"startIndex"`
	ItemsPerPage int               `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// EncodeList renders an RFC 7644 §3.4.2 ListResponse around already encoded resources.
// startIndex is 1-based; itemsPerPage is the number of resources on this page.
func EncodeList(total, startIndex int, items [][]byte) ([]byte, error) {
	j := listJSON{Schemas: []string{ListResponseSchema}, TotalResults: total, StartIndex: max(startIndex, 1),
		ItemsPerPage: len(items), Resources: make([]json.RawMessage, len(items))}
	for i, it := range items {
		j.Resources[i] = it
	}
	return json.Marshal(j)
}

// EncodeError renders the RFC 7644 §3.12 error: `status` is a string, as the RFC says, and
// scimType is left out when empty.
func EncodeError(status int, scimType, detail string) []byte {
	b, err := json.Marshal(struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail"`
	}{[]string{ErrorSchema}, strconv.Itoa(status), scimType, detail})
	if err != nil {
		return []byte(`{"schemas":["` + ErrorSchema + `"],"status":"500","detail":"error"}`)
	}
	return b
}
