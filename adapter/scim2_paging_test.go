package adapter

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestV2OutOfRangePaging: SCIM 2.0 reads a startIndex below 1 as 1 and a negative count as 0
// (RFC 7644 §3.4.2.4) where the agent's SCIM 1.1 SDK answers 400 (TestErrorMapping keeps that).
func TestV2OutOfRangePaging(t *testing.T) {
	h := newHarness(t, nil, nil)
	for i := range 3 {
		create20(t, h, fmt.Sprintf("p%d@example.com", i), "")
	}
	r := h.do("GET", v2+"/Users?startIndex=-3&count=2", nil)
	m := r.json(t)
	if r.status != 200 || m["startIndex"] != json.Number("1") || m["itemsPerPage"] != json.Number("2") || m["totalResults"] != json.Number("3") {
		t.Errorf("startIndex=-3: %d %s", r.status, r.raw)
	}
	r = h.do("GET", v2+"/Users?startIndex=2&count=-5", nil)
	m = r.json(t)
	if r.status != 200 || m["itemsPerPage"] != json.Number("0") || m["totalResults"] != json.Number("3") || len(m["Resources"].([]any)) != 0 {
		t.Errorf("count=-5: %d %s", r.status, r.raw)
	}
	wantError20(t, h.do("GET", v2+"/Users?startIndex=-x", nil), 400, "invalidValue")
}
