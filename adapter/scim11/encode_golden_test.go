package scim11

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scimjson/jsontest"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// The hand-written encoders must write exactly the bytes the reflection-based ones wrote
// (reference_test.go): the agent's parser is strict, and responses stay diff-able.

func sameUser(t *testing.T, c *Codec, u *backend.User) []byte {
	t.Helper()
	got, err := c.EncodeUser(u)
	want, werr := refEncodeUser(c, u)
	if (err != nil) != (werr != nil) {
		t.Fatalf("error mismatch for %+v: new %v, reference %v", u, err, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("user bytes differ for %+v\n new: %s\n ref: %s", u, got, want)
	}
	return got
}

func TestEncodeUserMatchesReference(t *testing.T) {
	for _, c := range []*Codec{New("onprem_app", "custom"), New(`we"ird<app>`, "c\u2028")} {
		var items [][]byte
		for _, u := range jsontest.Users() {
			if b := sameUser(t, c, u); b != nil {
				items = append(items, b)
			}
		}
		for _, f := range oktafixtures.Names() {
			in, err := c.DecodeUser(readSample(t, f))
			if err != nil {
				continue // the group files
			}
			in.User.Meta = backend.Meta{Created: time.Now(), LastModified: time.Now(), Version: "3"}
			items = append(items, sameUser(t, c, &in.User))
		}
		for _, p := range []Paging{{}, {Paged: true}, {Paged: true, StartIndex: 7}, {Paged: true, StartIndex: -3}} {
			for _, n := range []int{0, 1, len(items)} {
				got, _ := EncodeList(n*3, items[:n], p)
				want, err := refEncodeList(n*3, items[:n], p)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("list differs (%v):\n new: %s\n ref: %s", err, got, want)
				}
			}
		}
	}
	// Values json.Marshal refuses are refused by both.
	c := New("a", "custom")
	if _, err := c.EncodeUser(&backend.User{Custom: map[string]any{"x": math.NaN()}}); err == nil {
		t.Fatal("NaN in an extension must fail as json.Marshal does")
	}
}

func TestEncodeGroupMatchesReference(t *testing.T) {
	c := New("onprem_app", "custom")
	groups := jsontest.Groups()
	for _, f := range []string{"createGroup.json", "updateGroup.json"} {
		in, err := c.DecodeGroup(readSample(t, f))
		if err != nil {
			t.Fatal(err)
		}
		g := &backend.Group{ID: "00g1", DisplayName: in.DisplayName, Description: in.Description, ExternalID: in.ExternalID}
		for _, m := range in.Members {
			g.Members = append(g.Members, backend.Member{Value: m.Value, Display: m.Display})
		}
		groups = append(groups, g)
	}
	for _, g := range groups {
		got, err := c.EncodeGroup(g)
		want, werr := refEncodeGroup(g)
		if err != nil || werr != nil || !bytes.Equal(got, want) {
			t.Fatalf("group bytes differ (%v, %v)\n new: %s\n ref: %s", err, werr, got, want)
		}
	}
}

// FuzzEncodeUser builds users from arbitrary strings and checks that the hand-written encoder
// writes the reference's bytes.
func FuzzEncodeUser(f *testing.F) {
	for _, s := range jsontest.Awkward {
		f.Add(s, s, true, int64(0))
	}
	f.Add("a|b|c", "<&>", false, int64(1700000000))
	c := New("onprem_app", "custom")
	f.Fuzz(func(t *testing.T, a, b string, active bool, unix int64) {
		parts := strings.Split(a, "|")
		at := func(i int) string { return parts[i%len(parts)] }
		u := &backend.User{ID: at(0), UserName: b, ExternalID: at(1), DisplayName: at(2), Title: b, Active: active,
			Name:   backend.Name{GivenName: at(3), FamilyName: b},
			Emails: []backend.MultiValue{{Value: b, Type: at(4), Primary: active}},
			Meta:   backend.Meta{Version: at(5)}}
		if unix != 0 {
			u.Meta.Created = time.Unix(unix%(1<<40), 0)
		}
		if len(parts) > 2 {
			u.Custom = map[string]any{at(0): b, at(1): active, b: unix, at(2): []any{a, nil}}
			u.Groups = []backend.GroupRef{{Value: at(1), Display: b}}
		}
		sameUser(t, c, u)
		g := &backend.Group{ID: at(0), DisplayName: b, Description: at(1), Members: []backend.Member{{Value: at(2), Display: b}}}
		got, _ := c.EncodeGroup(g)
		if want, _ := refEncodeGroup(g); !bytes.Equal(got, want) {
			t.Fatalf("group bytes differ\n new: %s\n ref: %s", got, want)
		}
	})
}
