package scim20

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scimjson/jsontest"
	"github.com/scimbridge/scimbridge/backend"
)

// The hand-written encoders must write exactly the bytes the reflection-based ones wrote
// (reference_test.go).

func sameUser(t *testing.T, c *Codec, u *backend.User, location string) []byte {
	t.Helper()
	got, err := c.EncodeUser(u, location)
	want, werr := refEncodeUser(c, u, location)
	if (err != nil) != (werr != nil) {
		t.Fatalf("error mismatch for %+v: new %v, reference %v", u, err, werr)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("user bytes differ for %+v\n new: %s\n ref: %s", u, got, want)
	}
	return got
}

func sameGroup(t *testing.T, g *backend.Group, location, userBase string) []byte {
	t.Helper()
	got, err := (&Codec{}).EncodeGroup(g, location, userBase)
	want, werr := refEncodeGroup(g, location, userBase)
	if err != nil || werr != nil || !bytes.Equal(got, want) {
		t.Fatalf("group bytes differ (%v, %v)\n new: %s\n ref: %s", err, werr, got, want)
	}
	return got
}

func TestEncodeMatchesReference(t *testing.T) {
	for _, c := range []*Codec{New("urn:okta:onprem_app:1.0:user:custom"), New("urn:\"odd\"<&>\u2028")} {
		var items [][]byte
		for i, u := range jsontest.Users() {
			loc := []string{"", "https://bridge.example/scim/v2/Users/" + u.ID, "http://h/<&>\u2029"}[i%3]
			if b := sameUser(t, c, u, loc); b != nil {
				items = append(items, b)
			}
		}
		for i, g := range jsontest.Groups() {
			items = append(items, sameGroup(t, g, []string{"", "https://b/Groups/x"}[i%2], []string{"https://b/Users", ""}[i%2]))
		}
		for _, si := range []int{-1, 0, 1, 7} {
			for _, n := range []int{0, 1, len(items)} {
				got, _ := EncodeList(n*3, si, items[:n])
				want, err := refEncodeList(n*3, si, items[:n])
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("list differs (%v):\n new: %s\n ref: %s", err, got, want)
				}
			}
		}
	}
	if _, err := New("u").EncodeUser(&backend.User{Enterprise: map[string]any{"x": math.Inf(1)}}, ""); err == nil {
		t.Fatal("an infinite number in an extension must fail as json.Marshal does")
	}
}

// FuzzEncodeUser builds users and groups from arbitrary strings and checks that the hand-written
// encoders write the reference's bytes.
func FuzzEncodeUser(f *testing.F) {
	for _, s := range jsontest.Awkward {
		f.Add(s, s, true, int64(0))
	}
	f.Add("a|b|c", "<&>", false, int64(1700000000))
	c := New("urn:okta:onprem_app:1.0:user:custom")
	f.Fuzz(func(t *testing.T, a, b string, active bool, unix int64) {
		parts := strings.Split(a, "|")
		at := func(i int) string { return parts[i%len(parts)] }
		u := &backend.User{ID: at(0), UserName: b, ExternalID: at(1), DisplayName: at(2), Locale: b, Active: active,
			Name:   backend.Name{Formatted: at(3), MiddleName: b},
			Emails: []backend.MultiValue{{Value: b, Type: at(4), Primary: active, Display: at(2)}},
			Meta:   backend.Meta{Version: at(5)}}
		if unix != 0 {
			u.Meta.LastModified = time.Unix(unix%(1<<40), 0)
		}
		if len(parts) > 2 {
			u.Enterprise = map[string]any{at(0): b, at(1): active, b: unix, at(2): []any{a, nil}}
			u.Groups = []backend.GroupRef{{Value: at(1), Display: b}}
		}
		sameUser(t, c, u, at(6))
		sameGroup(t, &backend.Group{ID: at(0), DisplayName: b, ExternalID: at(1), Members: []backend.Member{{Value: at(2), Display: b}}, Meta: u.Meta}, at(3), at(4))
	})
}
