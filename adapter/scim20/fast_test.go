package scim20

import (
	"reflect"
	"testing"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
)

func sameDecode(t *testing.T, c *Codec, data []byte) {
	t.Helper()
	got, err := c.DecodeUser(data)
	want, werr := c.decodeUserGeneric(data)
	if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
		t.Fatalf("errors differ for %q: %v / generic %v", data, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded users differ for %q:\n fast    %#v\n generic %#v", data, got, want)
	}
}

const oktaV2Create = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:okta:onprem_app:1.0:user:custom"],` +
	`"userName":"isabelle.meyer@example.com","name":{"givenName":"Isabelle","familyName":"Meyer"},` +
	`"emails":[{"primary":true,"value":"isabelle.meyer@example.com","type":"work"}],"displayName":"Isabelle Meyer",` +
	`"locale":"en-US","externalId":"00u1","groups":[],"password":"inSecure","active":true,` +
	`"urn:okta:onprem_app:1.0:user:custom":{"departmentName":"Sales","isAdmin":false,"costCenter":4200,"gone":null},` +
	`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"42","manager":{"value":"m"}}}`

func TestDecodeUserFastAgrees(t *testing.T) {
	c := New("urn:okta:onprem_app:1.0:user:custom", "urn:okta:onprem_app:1.0:user")
	if _, ok := scimjson.DecodeUserFast([]byte(oktaV2Create)); !ok {
		t.Fatal("the fast path gave up on the agent's SCIM 2.0 create body")
	}
	for _, body := range []string{
		oktaV2Create,
		`{"userName":"a","urn:okta:onprem_app:1.0:user":{"a":1},"urn:okta:onprem_app:1.0:user:custom":{"a":null,"b":2}}`,
		`{"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User":{"userName":"b"},"urn:x:y":{}}`,
		`{"userName":"a","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"not an object"}`,
		`{"userName":"a","active":"false","emails":[{"value":"x","primary":"nope"}]}`,
	} {
		sameDecode(t, c, []byte(body))
	}
}

// FuzzDecodeUserFast is differential: DecodeUser (the fast path where it applies) and the generic
// path give the same user or the same error for every body.
func FuzzDecodeUserFast(f *testing.F) {
	f.Add([]byte(oktaV2Create))
	f.Add([]byte(`{"userName":"a","emails":[null,{"value":1,"primary":"True"}],"urn:x":{"k":[1,{"a":null}]}}`))
	c := New("urn:okta:onprem_app:1.0:user:custom", "urn:okta:onprem_app:1.0:user")
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, c, data)
	})
}
