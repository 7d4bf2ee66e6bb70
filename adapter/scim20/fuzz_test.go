package scim20

import (
	"testing"

	"github.com/scimbridge/scimbridge/backend"
)

// FuzzDecodeUser checks that no body panics the decoder and that whatever decodes also encodes
// and decodes again to the same user.
func FuzzDecodeUser(f *testing.F) {
	c := New("urn:okta:onprem_app:1.0:user:custom")
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := c.DecodeUser(data)
		if err != nil {
			return
		}
		in.User.Password = "" // never written back
		b, err := c.EncodeUser(&in.User, "")
		if err != nil {
			return
		}
		if _, err := c.DecodeUser(b); err != nil {
			t.Fatalf("re-decoding our own output failed: %v\n%s", err, b)
		}
	})
}

// FuzzDecodeGroup checks that no body panics the group decoder.
func FuzzDecodeGroup(f *testing.F) {
	c := New("urn:okta:onprem_app:1.0:user:custom")
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := c.DecodeGroup(data)
		if err != nil {
			return
		}
		for _, m := range in.Members {
			if m.Value == "" {
				t.Fatalf("a member without a value was accepted")
			}
		}
	})
}

// FuzzPatch checks that no PatchOp panics the decoder or the engine, applied to a user and to a
// group, and that the current resources are never modified.
func FuzzPatch(f *testing.F) {
	c := New("urn:okta:onprem_app:1.0:user:custom")
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := DecodePatch(data)
		if err != nil {
			return
		}
		u := &backend.User{ID: "u1", UserName: "a@b.c", Emails: []backend.MultiValue{{Value: "a@b.c", Type: "work"}},
			Enterprise: map[string]any{"department": "D"}, Custom: map[string]any{"k": "v"}}
		if _, err := c.PatchUser(u, ops); err == nil && u.Enterprise["department"] != "D" {
			t.Fatalf("PatchUser modified its input")
		}
		g := &backend.Group{ID: "g1", DisplayName: "G", Members: []backend.Member{{Value: "1"}, {Value: "2"}}}
		if _, err := c.PatchGroup(g, ops); err == nil && len(g.Members) != 2 {
			t.Fatalf("PatchGroup modified its input")
		}
	})
}
