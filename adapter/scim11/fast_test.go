package scim11

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/adapter/scimjson"
	"github.com/scimbridge/scimbridge/internal/oktafixtures"
)

// sameDecode checks that DecodeUser (fast path first) and the generic path agree on data: the same
// user, or the same error.
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

// The fast path must take every user body the agent sends (else its gain is silently lost) and
// give up on the shapes it leaves to the generic path.
func TestDecodeUserFastTakesAgentBodies(t *testing.T) {
	c := New("onprem_app", "custom")
	for _, n := range oktafixtures.Names() {
		b, _ := oktafixtures.Bytes(n)
		if _, err := c.decodeUserGeneric(b); err != nil {
			continue
		}
		if _, ok := scimjson.DecodeUserFast(b); !ok {
			t.Errorf("%s: the fast path gave up on an agent body", n)
		}
		sameDecode(t, c, b)
	}
	for _, body := range []string{
		`{"userName":"a","USERNAME":"b"}`,                               // a key twice in any case
		`{"userName":"\u0041"}`,                                         // \u escape
		`{"user\u004eame":"a"}`,                                         // escaped key
		`{"nic` + "\u212a" + `name":"a"}`,                               // Kelvin sign lower-cases to k
		`{"name":{"givenName":"a","givenname":"b"}}`,                    // twice inside name
		`{"urn:okta:onprem_app:1.0:user:custom":{"a":1,"a":2}}`,         // a repeated extension key
		`{"urn:okta:x":{}, "URN:okta:x":{}}`,                            // an extension twice
		`{"userName":"a"}]`, `{"userName":"a"} x`, `{"userName":["a"]}`, // trailing data, wrong type
		`{"active":"maybe"}`, `{"emails":[1]}`, `{"userName":01}`, `{"a":tru}`, // refusals
	} {
		if _, ok := scimjson.DecodeUserFast([]byte(body)); ok {
			t.Errorf("the fast path took %s, which it must leave to the generic path", body)
		}
		sameDecode(t, c, []byte(body))
	}
	for _, body := range []string{
		`{"userName":12.5e3,"active":null,"name":null,"emails":null,"groups":[null,{"value":"g"}],"meta":{"x":[1,{}]}}`,
		`{"userName":"tab\tesc\"aped\\/","active":"TRUE","phoneNumbers":[null,{"value":true,"primary":"false"}]}`,
		`{"urn:okta:onprem_app:1.0:user":{"a":1,"b":"x"},"urn:okta:onprem_app:1.0:user:custom":{"a":2.5,"c":null},"urn:other":[1]}`,
		` {"emails":[],"groups":[],"urn:scim:schemas:extension:enterprise:1.0":{"manager":{"managerId":"m"},"n":-0}} `,
		"\xef\xbb\xbf{\"userName\":\"bom\",\"\xc3\xa9\":1}",
	} {
		sameDecode(t, c, []byte(body))
	}
}

// FuzzFastDecode is differential: whatever the body, DecodeUser and DecodeGroup (the fast paths
// where they apply) and the generic paths give the same resource or the same error.
func FuzzFastDecode(f *testing.F) {
	addSamples(f)
	f.Add([]byte(`{"userName":"a","emails":[null,{"value":1,"primary":"True"}],"urn:x":{"k":[1,{"a":null}]}}`))
	c := New("onprem_app", "custom")
	f.Add([]byte(`{"displayName":"g","members":[null,{"value":"u1","display":"U","operation":"DELETE"},{"value":2}],"urn:okta:custom:group:1.0":{"Description":"d"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameDecode(t, c, data)
		sameGroupDecode(t, c, data)
	})
}

func TestDecodeUserFastSkipsIgnoredValues(t *testing.T) {
	c := New("onprem_app", "custom")
	for _, body := range []string{
		`{"userName":"a","meta":{"x":"\u00e9\ud800","x":"dup"},"schemas":["s\"\\\/\b\f\n\r\t"]}`,
		`{"userName":"a","meta":"\u00zz"}`, `{"userName":"a","meta":"\q"}`, `{"userName":"a","meta":"\u12"}`,
		`{"userName":"a","meta":[1,]}`, `{"userName":"a","meta":{"a" 1}}`, `{"userName":"a","meta":"` + "\x01" + `"}`,
		`{"userName":"a","meta":{"` + "\x0e" + `":{}}}`, `{"userName":"a","meta":{"\q":1}}`, `{"userName":"a","meta":{"\u00e9":1}}`,
	} {
		sameDecode(t, c, []byte(body))
	}
	if _, ok := scimjson.DecodeUserFast([]byte(`{"userName":"a","meta":{"x":"\u00e9\ud800","x":"dup"}}`)); !ok {
		t.Error("an ignored value with \\u escapes and a repeated key must not stop the fast path")
	}
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
	c := New("onprem_app", "custom")
	var push strings.Builder
	push.WriteString(`{"schemas":["s"],"id":"g1","displayName":"Sales","members":[`)
	for i := range 2000 {
		if i > 0 {
			push.WriteString(",")
		}
		fmt.Fprintf(&push, `{"value":"00u%d","display":"User %d"}`, i, i)
	}
	push.WriteString(`]}`)
	if fg, ok := scimjson.DecodeGroupFast([]byte(push.String()), true); !ok || len(fg.Members) != 2000 {
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
