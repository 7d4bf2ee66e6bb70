package mapping_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/state"
	"github.com/scimbridge/scimbridge/mapping"
)

// WSO2 keeps no times and cannot keep a group's externalId: the bridge's state store answers
// them, for users and groups, in both state engines; created stays, lastModified moves when
// what a client reads changes, and both go with a delete.
func TestMetaKeptWhereTheApplicationKeepsNone(t *testing.T) {
	sq, err := state.OpenSQLite(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sq.Close() })
	for name, st := range map[string]mapping.State{"memory": state.NewMemory(), "sqlite": sq} {
		t.Run(name, func(t *testing.T) {
			clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			now := func() time.Time { return clock }
			b, _ := wso2(t, nil, mapping.WithState(st), mapping.WithClock(now))
			u := mustCreate(t, b, "mia")
			if u.Meta.Created.IsZero() || u.Meta.LastModified.IsZero() || u.Meta.LastModified.Before(u.Meta.Created) {
				t.Fatalf("created user meta = %+v", u.Meta)
			}
			created := u.Meta.Created
			clock = clock.Add(time.Hour)
			again, err := b.GetUser(bg(t), u.ID)
			if err != nil || !again.Meta.Created.Equal(created) || !again.Meta.LastModified.Equal(u.Meta.LastModified) {
				t.Fatalf("unchanged user read later: %+v, %v (want created %v, lastModified %v)", again.Meta, err, created, u.Meta.LastModified)
			}
			changed := newUser("mia")
			changed.Name.GivenName = "Mia-Renamed"
			r, err := b.ReplaceUser(bg(t), u.ID, changed)
			if err != nil || !r.Meta.Created.Equal(created) || !r.Meta.LastModified.After(u.Meta.LastModified) {
				t.Fatalf("after a change: %+v, %v", r.Meta, err)
			}

			g, err := b.CreateGroup(bg(t), &backend.Group{DisplayName: "Ops", ExternalID: "okta-00g1"})
			if err != nil {
				t.Fatal(err)
			}
			if g.ExternalID != "okta-00g1" || g.Meta.Created.IsZero() || g.Meta.LastModified.IsZero() {
				t.Fatalf("created group = %+v", g)
			}
			got, err := b.GetGroup(bg(t), g.ID)
			if err != nil || got.ExternalID != "okta-00g1" || !got.Meta.Created.Equal(g.Meta.Created) {
				t.Fatalf("group read back = %+v, %v", got, err)
			}
			ext := "okta-00g2"
			upd, err := b.UpdateGroup(bg(t), g.ID, backend.GroupChange{ExternalID: &ext})
			if err != nil || upd.ExternalID != ext {
				t.Fatalf("externalId change: %+v, %v", upd, err)
			}
			ext = "okta-00g1"
			if _, err := b.UpdateGroup(bg(t), g.ID, backend.GroupChange{ExternalID: &ext}); err != nil {
				t.Fatal(err)
			}
			if !got.Meta.LastModified.Equal(g.Meta.LastModified) {
				t.Errorf("lastModified moved between the create's answer and a read: %v, %v", g.Meta.LastModified, got.Meta.LastModified)
			}
			page, err := b.ListGroups(bg(t), backend.Query{StartIndex: 1, Count: 10})
			if err != nil {
				t.Fatal(err)
			}
			for _, lg := range page.Groups {
				if lg.Meta.Created.IsZero() || lg.Meta.LastModified.IsZero() || lg.ID == g.ID && lg.ExternalID != "okta-00g1" {
					t.Errorf("listed group = %+v", lg)
				}
			}
			if err := b.DeleteGroup(bg(t), g.ID); err != nil {
				t.Fatal(err)
			}
			if ext, err := st.ExternalID(bg(t), "Group", g.ID); err != nil || ext != "" {
				t.Errorf("externalId kept after delete: %q, %v", ext, err)
			}
		})
	}
}
