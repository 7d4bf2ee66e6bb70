package adapter

import (
	"testing"
)

// A SCIM 2.0 group keeps the client's externalId through POST, PUT and PATCH.
func TestV2GroupExternalIDKept(t *testing.T) {
	h := newHarness(t, nil, nil)
	r := h.do("POST", v2+"/Groups", []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","externalId":"ext-1","members":[]}`))
	if r.status != 201 || r.json(t)["externalId"] != "ext-1" {
		t.Fatalf("POST: %d %s", r.status, r.raw)
	}
	gid := r.json(t)["id"].(string)
	if got := h.do("GET", v2+"/Groups/"+gid, nil).json(t)["externalId"]; got != "ext-1" {
		t.Errorf("GET after POST: externalId %v", got)
	}
	r = h.do("PUT", v2+"/Groups/"+gid, []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Ops","externalId":"ext-2","members":[]}`))
	if r.status != 200 || r.json(t)["externalId"] != "ext-2" {
		t.Fatalf("PUT: %d %s", r.status, r.raw)
	}
	// A PUT without externalId leaves it alone.
	h.do("PUT", v2+"/Groups/"+gid, []byte(`{"displayName":"Ops","members":[]}`))
	if got := h.do("GET", v2+"/Groups/"+gid, nil).json(t)["externalId"]; got != "ext-2" {
		t.Errorf("GET after a PUT without externalId: %v", got)
	}
	r = h.do("PATCH", v2+"/Groups/"+gid, patchBody(`{"op":"replace","path":"externalId","value":"ext-3"}`))
	if r.status != 200 || r.json(t)["externalId"] != "ext-3" {
		t.Fatalf("PATCH: %d %s", r.status, r.raw)
	}
}
