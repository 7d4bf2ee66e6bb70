package scim20

import (
	"encoding/json"
	"strconv"
)

// EncodeList renders an RFC 7644 §3.4.2 ListResponse around already encoded resources.
// startIndex is 1-based; itemsPerPage is the number of resources on this page. The items must be
// compact JSON as this package writes it: they are copied as they are.
func EncodeList(total, startIndex int, items [][]byte) ([]byte, error) {
	n := 160
	for _, it := range items {
		n += len(it) + 1
	}
	dst := make([]byte, 0, n)
	dst = append(dst, `{"schemas":["`+ListResponseSchema+`"],"totalResults":`...)
	dst = strconv.AppendInt(dst, int64(total), 10)
	dst = append(dst, `,"startIndex":`...)
	dst = strconv.AppendInt(dst, int64(max(startIndex, 1)), 10)
	dst = append(dst, `,"itemsPerPage":`...)
	dst = strconv.AppendInt(dst, int64(len(items)), 10)
	dst = append(dst, `,"Resources":[`...)
	for i, it := range items {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, it...)
	}
	return append(dst, ']', '}'), nil
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
