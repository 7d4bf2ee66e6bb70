package soapclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// TestCallTimeoutIsTheNearerBound: the client's own timeout bounds a call made without a
// deadline, and a nearer deadline of the caller's bounds it when there is one (the client then
// adds no context of its own).
func TestCallTimeoutIsTheNearerBound(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, srv.URL, func(cfg *Config) { cfg.Timeout = 2 * time.Second })

	for _, tc := range []struct {
		name     string
		deadline time.Duration // the caller's, 0: none
		min, max time.Duration
	}{
		{"no deadline: the client's timeout", 0, 1800 * time.Millisecond, 15 * time.Second},
		{"a nearer deadline: the caller's", 100 * time.Millisecond, 80 * time.Millisecond, 1500 * time.Millisecond},
		{"a farther deadline: the client's timeout", 30 * time.Second, 1800 * time.Millisecond, 15 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tc.deadline)
				defer cancel()
			}
			t0 := time.Now()
			_, err := c.Invoke(ctx, "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "E1"})
			took := time.Since(t0)
			if err == nil {
				t.Fatal("a call to a server that never answers succeeded")
			}
			if took < tc.min || took > tc.max {
				t.Errorf("the call gave up after %v, want between %v and %v (%v)", took, tc.min, tc.max, err)
			}
		})
	}
}
