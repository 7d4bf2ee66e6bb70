package scim20

import (
	"fmt"
	"reflect"
	"strings"
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

// FuzzFastDecode is differential: DecodeUser and DecodeGroup (the fast paths where they apply)
// and the generic paths give the same resource or the same error for every body.
func FuzzFastDecode(f *testing.F) {
	f.Add([]byte(oktaV2Create))
	f.Add([]byte(`{"userName":"a","emails":[null,{"value":1,"primary":"True"}],"urn:x":{"k":[1,{"a":null}]}}`))
	c := New("urn:okta:onprem_app:1.0:user:custom", "urn:okta:onprem_app:1.0:user")
	f.Add([]byte(`{"displayName":"g","members":[null,{"value":"u1","display":"U","operation":"DELETE"},{"value":2}],"urn:okta:custom:group:1.0":{"Description":"d"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, c, data)
		sameGroupDecode(t, c, data)
	})
}

func sameGroupDecode(t *testing.T, c *Codec, data []byte) {
	t.Helper()
	got, err := c.DecodeGroup(data)
	want, werr := c.decodeGroupGeneric(data)
	if (err == nil) != (werr == nil) || (err != nil && err.Error() != werr.Error()) {
		t.Fatalf("errors differ for %q: %v / generic %v", data, err, werr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("decoded groups differ for %q:\n fast    %#v\n generic %#v", data, got, want)
	}
}

// The fast path must take a group push, however long its member list, and agree with the generic
// path on the shapes around it.
func TestDecodeGroupFastAgrees(t *testing.T) {
	c := New("urn:okta:onprem_app:1.0:user:custom")
	var push strings.Builder
	push.WriteString(`{"schemas":["s"],"id":"g1","displayName":"Sales","members":[`)
	for i := range 2000 {
		if i > 0 {
			push.WriteString(",")
		}
		fmt.Fprintf(&push, `{"value":"00u%d","display":"User %d"}`, i, i)
	}
	push.WriteString(`]}`)
	if fg, ok := scimjson.DecodeGroupFast([]byte(push.String()), false); !ok || len(fg.Members) != 2000 {
		t.Fatal("the fast path gave up on a group push of 2000 members")
	}
	for _, body := range []string{
		push.String(),
		`{"displayName":null,"members":null,"externalId":null}`,
		`{"displayName":"g","members":[]}`, `{"displayName":12,"id":true,"externalId":"e"}`,
		`{"displayName":"g","members":[{"value":""}]}`, `{"displayName":"g","members":[{"value":"u","operation":"add"}]}`,
		`{"displayName":"g","members":[{"value":"u","operation":"delete","Operation":"x"}]}`,
		`{"displayName":"g","members":[{"value":"u","VALUE":"v"}]}`, `{"displayName":"g","members":{}}`,
		`{"urn:okta:custom:group:1.0":{"description":"d","Description":"e"}}`, `{"urn:okta:custom:group:1.0":null}`,
		`{"urn:okta:custom:group:1.0":"x"}`, `{"urn:other":{"a":1},"URN:Okta:Custom:Group:1.0":{"description":5}}`,
		`{"displayName":"a","DisplayName":"b"}`, `[]`, `{"members":[1]}`,
	} {
		sameGroupDecode(t, c, []byte(body))
	}
}
