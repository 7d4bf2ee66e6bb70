package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/backend/memory"
	"github.com/scimbridge/scimbridge/internal/state"
)

// noDelete is a backend whose application cannot delete users: the bridge answers a SCIM 2.0
// DELETE by deactivating.
type noDelete struct{ *memory.Backend }

func (n noDelete) Capabilities() backend.Capabilities {
	c := n.Backend.Capabilities()
	c.DeleteUser = false
	return c
}

func bridgeV2(t *testing.T, b backend.Backend) string {
	t.Helper()
	h, err := adapter.New(adapter.Config{Auth: adapter.AuthConfig{Mode: "header", HeaderName: "Authorization", Token: "Bearer t0k"}},
		b, adapter.Options{Ledger: state.NewMemory()})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/scim/v2/"
}

func v2Opts(url string) Options {
	return Options{URL: url, Header: http.Header{"Authorization": {"Bearer t0k"}}, Timeout: 5 * time.Second, Only: []string{"createNewUser"}}
}

// The dialect follows the URL as the agent's does; an explicit one the URL contradicts gets a hint.
func TestDialectFromURL(t *testing.T) {
	t.Parallel()
	url := bridgeV2(t, memory.New(memory.Options{}))
	rep, err := Run(context.Background(), v2Opts(url))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dialect != "2.0" || len(rep.Hints) != 0 {
		t.Errorf("a /v2/ URL without --dialect: dialect %s, hints %v", rep.Dialect, rep.Hints)
	}
	opts := v2Opts(url)
	opts.Dialect = "1.1"
	rep, err = Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Dialect != "1.1" || len(rep.Hints) != 1 || !strings.Contains(textOf(t, rep), "hint: the URL selects SCIM 2.0") {
		t.Errorf("--dialect 1.1 on a /v2/ URL: dialect %s, text:\n%s", rep.Dialect, textOf(t, rep))
	}
	for raw, want := range map[string]string{"https://h/scim/v1/": "1.1", "https://h/V2": "2.0", "https://h/scim/": "", "https://h/v20/": ""} {
		if got := urlDialect(raw); got != want {
			t.Errorf("urlDialect(%s) = %q, want %q", raw, got, want)
		}
	}
}

// --purge deletes the run's users where the connector allows DELETE; where the connector only
// deactivates, the users stay and the report says so.
func TestPurge(t *testing.T) {
	t.Parallel()
	mem := memory.New(memory.Options{})
	opts := v2Opts(bridgeV2(t, mem))
	opts.Purge = true
	rep, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := mem.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 100})
	if page.Total != 0 || len(rep.Leftovers) != 0 || !strings.Contains(strings.Join(rep.Cleanup, " "), "deleted 1 of the 1 test user the run created") {
		t.Errorf("purge over a deleting connector: %d users remain, cleanup %v, leftovers %v", page.Total, rep.Cleanup, rep.Leftovers)
	}

	mem = memory.New(memory.Options{})
	opts = v2Opts(bridgeV2(t, noDelete{mem}))
	opts.Purge = true
	if rep, err = Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	page, _ = mem.ListUsers(context.Background(), backend.Query{StartIndex: 1, Count: 100})
	if page.Total != 1 || page.Users[0].Active || len(rep.Leftovers) != 1 || !strings.Contains(rep.Leftovers[0], "deactivates instead") {
		t.Errorf("purge over a deactivating connector: users %+v, leftovers %v", page.Users, rep.Leftovers)
	}
	if txt := textOf(t, rep); !strings.Contains(txt, "left behind: user sbtest-") || !strings.Contains(txt, "deleted 0 of the 1 test user") {
		t.Errorf("text report:\n%s", txt)
	}
	opts.KeepData = true
	if _, err := Run(context.Background(), opts); err == nil {
		t.Error("--purge with --keep-data must be refused")
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int]string{0: "0 pages", 1: "1 page", 2: "2 pages"} {
		if got := plural(n, "page"); got != want {
			t.Errorf("plural(%d) = %q", n, got)
		}
	}
}
