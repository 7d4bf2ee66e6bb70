package mapping

import (
	"context"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
)

// A full PUT reads the user in the front end, and the engine's read-merge-write reads it again:
// with the request's read cache the second read is answered from the first, and any other call
// in between (a password push, say) forgets it.
func TestReadCacheSavesTheSecondRead(t *testing.T) {
	b, hr := legacyHR(t, nil)
	created, err := b.CreateUser(context.Background(), alice())
	if err != nil {
		t.Fatal(err)
	}
	upd := &backend.User{UserName: "alice", Name: backend.Name{GivenName: "Alicia"}, Active: true,
		Emails: []backend.MultiValue{{Value: "alicia@example.com", Type: "work", Primary: true}}}
	reads := func() int { return len(hr.callsOf("GetEmployee")) }

	for _, tc := range []struct {
		name      string
		cache     bool
		between   bool // a SetPassword call between the two reads
		wantReads int
	}{
		{"no cache", false, false, 2},
		{"cache", true, false, 1},
		{"cache, call between", true, true, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.cache {
				ctx = backend.WithReadCache(ctx)
			}
			before := reads()
			if _, err := b.GetUser(ctx, created.ID); err != nil {
				t.Fatal(err)
			}
			if tc.between {
				if err := b.SetPassword(ctx, created.ID, "N3w-secret-"+tc.name); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := b.ReplaceUser(ctx, created.ID, upd); err != nil {
				t.Fatal(err)
			}
			if got := reads() - before; got != tc.wantReads {
				t.Errorf("GetEmployee calls = %d, want %d", got, tc.wantReads)
			}
		})
	}
}
