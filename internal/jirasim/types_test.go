package jirasim

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// The simulator insists on rpc/encoded typing as Axis does: beans carry their xsi:type (prefix
// declared anywhere in scope, the Envelope included), arrays of beans their soapenc:arrayType,
// and a missing or wrong type is a fault that changes nothing.
func TestEncodedTypesInsisted(t *testing.T) {
	sim, err := New(Options{Username: "svc", Password: "pw"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(sim)
	defer ts.Close()
	post := func(envAttrs, op string) string {
		t.Helper()
		body := `<soapenv:Envelope xmlns:soapenv="` + nsEnv + `" xmlns:xsi="` + nsXSI + `" xmlns:xsd="` + nsXSD + `"` + envAttrs + `><soapenv:Body>` + op + `</soapenv:Body></soapenv:Envelope>`
		resp, err := http.Post(ts.URL, "text/xml; charset=utf-8", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	str := func(name, v string) string { return `<` + name + ` xsi:type="xsd:string">` + v + `</` + name + `>` }
	tok := between(post("", `<ns:login xmlns:ns="`+nsService+`">`+str("in0", "svc")+str("in1", "pw")+`</ns:login>`), `<loginReturn xsi:type="xsd:string">`, "<")
	if tok == "" {
		t.Fatal("no login token")
	}
	if r := post("", `<ns:createUser xmlns:ns="`+nsService+`">`+str("in0", tok)+str("in1", "ann")+str("in2", "pw1")+str("in3", "Ann")+str("in4", "ann@example.com")+`</ns:createUser>`); !strings.Contains(r, "createUserReturn") {
		t.Fatalf("createUser: %s", r)
	}
	group := func(typ string) string {
		return `<in1` + typ + `>` + str("name", "jira-users") + `</in1>`
	}
	user := `<in2 xsi:type="b:RemoteUser" xmlns:b="` + nsBeans + `">` + str("name", "ann") + `</in2>`
	remove := func(envAttrs, g, u string) string {
		return post(envAttrs, `<ns:removeUserFromGroup xmlns:ns="`+nsService+`">`+str("in0", tok)+g+u+`</ns:removeUserFromGroup>`)
	}
	for name, r := range map[string]string{
		"bean without xsi:type":       remove("", group(""), user),
		"bean with the wrong type":    remove("", group(` xsi:type="b:RemoteUser" xmlns:b="`+nsBeans+`"`), user),
		"type in the wrong namespace": remove("", group(` xsi:type="b:RemoteGroup" xmlns:b="urn:elsewhere"`), user),
		"undeclared prefix":           remove("", group(` xsi:type="zz:RemoteGroup"`), user),
		"string param untyped":        post("", `<ns:getUser xmlns:ns="`+nsService+`"><in0>`+tok+`</in0>`+str("in1", "ann")+`</ns:getUser>`),
		"array of untyped items": post("", `<ns:updateGroup xmlns:ns="`+nsService+`">`+str("in0", tok)+`<in1 xsi:type="b:RemoteGroup" xmlns:b="`+nsBeans+`">`+str("name", "jira-users")+
			`<users xsi:type="soapenc:Array" soapenc:arrayType="xsd:anyType[1]" xmlns:soapenc="`+nsSOAPEnc+`"><item>`+str("name", "ann")+`</item></users></in1></ns:updateGroup>`),
	} {
		if !strings.Contains(r, "SAXException") || !strings.Contains(r, "Bad types") {
			t.Errorf("%s accepted: %s", name, r)
		}
	}
	if !sim.groups["jira-users"].members["ann"] {
		t.Fatal("a refused call changed the group")
	}
	// Declared on the Envelope, the prefix is in scope too; the call then goes through.
	if r := remove(` xmlns:b="`+nsBeans+`"`, group(` xsi:type="b:RemoteGroup"`), user); strings.Contains(r, "Fault") {
		t.Fatalf("well-typed removeUserFromGroup: %s", r)
	}
	if sim.groups["jira-users"].members["ann"] {
		t.Fatal("removeUserFromGroup did not remove")
	}
}

func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, b)
	return v
}
