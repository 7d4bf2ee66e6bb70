package bench

import (
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/adapter/scim11"
	"github.com/scimbridge/scimbridge/adapter/scim20"
	"github.com/scimbridge/scimbridge/backend"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// Micro-benchmarks of the bridge's own per-request work, with -benchmem:
//
//	go test -run '^$' -bench 'Codec|Filter|Engine' -benchmem ./bench/ ./filter/
//
// The filter parser's own benchmark lives beside it (filter.BenchmarkParseOktaForms).

func sampleUser() *backend.User {
	t := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &backend.User{ID: "E000042", UserName: "isabelle.meyer@example.com", Active: true,
		Name:   backend.Name{GivenName: "Isabelle", FamilyName: "Meyer"},
		Emails: []backend.MultiValue{{Value: "isabelle.meyer@example.com", Type: "work", Primary: true}},
		Meta:   backend.Meta{Created: t, LastModified: t}}
}

func BenchmarkCodec11DecodeUser(b *testing.B) {
	body, err := oktafixtures.Bytes("createNewUser.json")
	if err != nil {
		b.Fatal(err)
	}
	c := scim11.New("onprem_app", "")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeUser(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCodec11EncodeUser(b *testing.B) {
	c := scim11.New("onprem_app", "")
	u := sampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeUser(u); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCodec20DecodeUser(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"isabelle.meyer@example.com",` +
		`"name":{"givenName":"Isabelle","familyName":"Meyer"},"emails":[{"value":"isabelle.meyer@example.com","type":"work","primary":true}],` +
		`"active":true,"password":"inSecure"}`)
	c := scim20.New("urn:okta:onprem_app:1.0:user:custom")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecodeUser(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCodec20EncodeUser(b *testing.B) {
	c := scim20.New("urn:okta:onprem_app:1.0:user:custom")
	u := sampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.EncodeUser(u, "https://bridge.example/scim/v2/Users/E000042"); err != nil {
			b.Fatal(err)
		}
	}
}
