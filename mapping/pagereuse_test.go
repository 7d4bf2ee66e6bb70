package mapping

import (
	"context"
	"fmt"
	"testing"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/mapping/defaults"
)

// An import pages through the directory with the agent's count; the engine fetches the
// application's largest pages (LegacyHR: 200) and the next window reuses the page the last one
// ended in, so the whole import costs at most ceil(N/200)+1 list calls whatever the count.
func TestImportReusesPages(t *testing.T) {
	const n = 1000
	for _, count := range []int{37, 100, 150, 200, 333, 500} {
		t.Run(fmt.Sprint(count), func(t *testing.T) {
			spec, err := Parse("legacyhr.yaml", defaults.LegacyHR)
			if err != nil {
				t.Fatal(err)
			}
			eng, err := Compile(spec, fakeCatalog{}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			hr := newFakeHR()
			seed(hr, n)
			b := eng.Backend(hr, nil)
			seen := map[string]bool{}
			for start := 1; start <= n; start += count {
				page, err := b.ListUsers(context.Background(), backend.Query{StartIndex: start, Count: count})
				if err != nil {
					t.Fatal(err)
				}
				if page.Total != n {
					t.Fatalf("total = %d, want %d", page.Total, n)
				}
				for _, u := range page.Users {
					if seen[u.ID] {
						t.Fatalf("user %s listed twice", u.ID)
					}
					seen[u.ID] = true
				}
			}
			if len(seen) != n {
				t.Errorf("the import saw %d users, want %d", len(seen), n)
			}
			if calls, bound := len(listPages(hr)), (n+199)/200+1; calls > bound {
				t.Errorf("the import made %d list calls %v, want at most %d", calls, listPages(hr), bound)
			}
		})
	}
}

// A first window is never answered from a kept page: an existence check or a fresh import right
// after a create sees the new user.
func TestFirstWindowIsFresh(t *testing.T) {
	spec, err := Parse("legacyhr.yaml", defaults.LegacyHR)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := Compile(spec, fakeCatalog{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	hr := newFakeHR()
	seed(hr, 10)
	b := eng.Backend(hr, nil)
	if _, err := b.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 100}); err != nil {
		t.Fatal(err)
	}
	seed(hr, 11) // one more user
	page, err := b.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 100})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total != 11 || len(page.Users) != 11 {
		t.Errorf("second listing: total %d, %d users; want the new user too", page.Total, len(page.Users))
	}
}

// A write through the bridge drops the pages an import keeps: the next window asks the
// application again instead of answering from the page fetched before the write.
func TestWriteDropsKeptPages(t *testing.T) {
	b, hr := legacyHR(t, nil)
	seed(hr, 300)
	list := func(start int) {
		t.Helper()
		if _, err := b.ListUsers(context.Background(), backend.Query{StartIndex: start, Count: 100}); err != nil {
			t.Fatal(err)
		}
	}
	list(1)
	list(101) // answered from the page of 200 the first window fetched
	before := len(listPages(hr))
	list(1)
	if _, err := b.CreateUser(context.Background(), alice()); err != nil {
		t.Fatal(err)
	}
	list(101)
	if got := len(listPages(hr)) - before; got != 2 {
		t.Errorf("after a create, the import's first two windows made %d list calls, want 2 (the kept page dropped): %v", got, listPages(hr))
	}
}
