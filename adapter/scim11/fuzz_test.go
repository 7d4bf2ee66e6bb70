package scim11

import (
	"testing"

	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

func addSamples(f *testing.F) {
	names := oktafixtures.Names()
	if len(names) == 0 {
		f.Fatal("no samples")
	}
	for _, n := range names {
		b, err := oktafixtures.Bytes(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeUser checks that no body panics the decoder and that whatever decodes also encodes
// and decodes again.
func FuzzDecodeUser(f *testing.F) {
	addSamples(f)
	c := New("onprem_app", "custom")
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := c.DecodeUser(data)
		if err != nil {
			return
		}
		b, err := c.EncodeUser(&in.User)
		if err != nil {
			return // e.g. NaN cannot occur from JSON, but a backend value might; not a decoder bug
		}
		if _, err := c.DecodeUser(b); err != nil {
			t.Fatalf("re-decoding our own output failed: %v\n%s", err, b)
		}
	})
}

// FuzzDecodeGroup does the same for groups.
func FuzzDecodeGroup(f *testing.F) {
	addSamples(f)
	c := New("onprem_app", "custom")
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := c.DecodeGroup(data)
		if err != nil {
			return
		}
		for _, m := range in.Members {
			if m.Value == "" {
				t.Fatalf("member without value accepted")
			}
		}
	})
}
