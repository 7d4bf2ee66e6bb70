package bench

import (
	"fmt"
	"testing"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/backend"
)

// Micro-benchmarks of the SCIM front end's own work beyond one user (docs/benchmarks.md, front
// end): a whole import page as the 1.1 wire writes it.

// BenchmarkCodec11EncodeListPage500 encodes 500 users and wraps them in a 1.1 list response, the
// work of one count=500 import page after the mapping engine.
func BenchmarkCodec11EncodeListPage500(b *testing.B) {
	c := scim11.New("onprem_app", "custom")
	users := make([]backend.User, 500)
	for i := range users {
		u := sampleUser()
		u.ID, u.UserName = fmt.Sprintf("E%06d", i), fmt.Sprintf("user%06d@example.com", i)
		u.Custom = map[string]any{"department": "Sales", "costCenter": int64(4200 + i)}
		users[i] = *u
	}
	b.ReportAllocs()
	for b.Loop() {
		items := make([][]byte, 0, len(users))
		for i := range users {
			it, err := c.EncodeUser(&users[i])
			if err != nil {
				b.Fatal(err)
			}
			items = append(items, it)
		}
		if _, err := scim11.EncodeList(100000, items, scim11.Paging{Paged: true, StartIndex: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
