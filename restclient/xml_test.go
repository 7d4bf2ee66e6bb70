package restclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

// A Redmine-shaped XML API: attributes on the list root, repeated elements as lists, a wrapped
// list as a nested object, a scalar body (<user_id>5</user_id>), open content kept as XML.
const xmlDef = `
errors: { xml: { message: /problem/text, code: /problem/@id } }
types:
  User: { id: int, login: string, status: int, created_on: time, last_login_on: time, tags: "[]string" }
  Member: { "@id": int, "@name": string }
operations:
  getUser: { method: GET, path: "/users/{id}.xml", xml: { response: user }, response: User }
  listUsers:
    method: GET
    path: /users.xml
    query: { offset: int }
    xml: { response: users }
    response: { "@total_count": int, "@type": string, user: "[]User" }
  createUser: { method: POST, path: /users.xml, xml: { body: user, response: user }, body: User, response: User }
  getGroup:
    method: GET
    path: "/groups/{id}.xml"
    xml: { response: group }
    response: { id: int, name: string, users: { user: "[]Member" }, custom: any }
  addMember: { method: POST, path: "/groups/{id}/users.xml", xml: { body: user_id, namespace: "urn:example" }, body: int }
  deleteUser: { method: DELETE, path: "/users/{id}.xml", xml: }
`

func xmlClient(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	def, err := parseDef(t, xmlDef)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New("xml", def, Config{Endpoint: srv.URL, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestXMLRequestsAndReplies(t *testing.T) {
	var got *http.Request
	var body string
	c := xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
		got, body = r, string(must(io.ReadAll(r.Body)))
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		switch r.URL.Path {
		case "/users.xml":
			if r.Method == "POST" {
				w.WriteHeader(201)
				io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><user><id>9</id><login>new</login><status>1</status><created_on>2024-01-02T03:04:05Z</created_on><last_login_on/></user>`)
				return
			}
			io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?>
<users total_count="2" offset="0" limit="25" type="array">
  <user><id>1</id><login>admin</login><status>1</status><tags><!-- none --></tags><last_login_on></last_login_on></user>
  <user><id>5</id><login>jdoe</login><status>3</status><tags>a</tags><tags>b</tags><unknown><deep>x</deep></unknown></user>
</users>`)
		case "/groups/3.xml":
			io.WriteString(w, `<group xmlns="urn:x"><id>3</id><name>Devs &amp; Ops</name><users type="array"><user id="5" name="John"/><user id="6" name="Jane"/></users><custom kind="k"><a>1</a></custom></group>`)
		default:
			w.WriteHeader(204)
		}
	})
	ctx := context.Background()

	resp, err := c.Invoke(ctx, "listUsers", request(t, c, "listUsers", map[string]any{"Offset": int64(0)}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Accept") != "application/xml, text/xml;q=0.9" {
		t.Errorf("Accept %q", got.Header.Get("Accept"))
	}
	if field(resp, "TotalCount") != int64(2) || field(resp, "Type") != "array" {
		t.Errorf("attributes not read: %+v", resp)
	}
	users := reflect.ValueOf(field(resp, "User"))
	if users.Len() != 2 {
		t.Fatalf("users %+v", resp)
	}
	u0, u1 := users.Index(0).Interface(), users.Index(1).Interface()
	if field(u0, "Login") != "admin" || field(u0, "LastLoginOn") != nil || field(u1, "Status") != int64(3) ||
		!reflect.DeepEqual(field(u1, "Tags"), []string{"a", "b"}) || field(u0, "Tags").([]string) != nil {
		t.Errorf("users %+v %+v (empty elements are absent, repeated ones a list)", u0, u1)
	}

	resp, err = c.Invoke(ctx, "getGroup", request(t, c, "getGroup", map[string]any{"Id": "3"}))
	if err != nil {
		t.Fatal(err)
	}
	members := reflect.ValueOf(field(resp, "Users.User"))
	if field(resp, "Name") != "Devs & Ops" || members.Len() != 2 || field(members.Index(1).Interface(), "Name") != "Jane" || field(members.Index(0).Interface(), "Id") != int64(5) {
		t.Errorf("group %+v", resp)
	}
	if x := field(resp, "Custom").(xmlcontent.Content).XML; x != `<custom xmlns="urn:x" kind="k"><a>1</a></custom>` {
		t.Errorf("open content kept as %q", x)
	}

	resp, err = c.Invoke(ctx, "createUser", request(t, c, "createUser", map[string]any{"Body.Login": "new <&> one", "Body.Status": int64(1), "Body.Tags": []string{"x", "y"}}))
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Content-Type") != "application/xml; charset=utf-8" {
		t.Errorf("Content-Type %q", got.Header.Get("Content-Type"))
	}
	if want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<user><login>new &lt;&amp;&gt; one</login><status>1</status><tags>x</tags><tags>y</tags></user>`; body != want {
		t.Errorf("body\n%s\nwant\n%s", body, want)
	}
	if field(resp, "Id") != int64(9) || !field(resp, "CreatedOn").(time.Time).Equal(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)) || field(resp, "LastLoginOn") != nil {
		t.Errorf("created %+v", resp)
	}

	if _, err = c.Invoke(ctx, "addMember", request(t, c, "addMember", map[string]any{"Id": "3", "Body": int64(5)})); err != nil {
		t.Fatal(err)
	}
	if want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<user_id xmlns="urn:example">5</user_id>`; body != want {
		t.Errorf("scalar body %s, want %s", body, want)
	}
	if _, err = c.Invoke(ctx, "deleteUser", request(t, c, "deleteUser", map[string]any{"Id": "5"})); err != nil || got.Method != "DELETE" || got.Header.Get("Accept") != "application/xml, text/xml;q=0.9" {
		t.Errorf("delete: %v %s %v", err, got.Method, got.Header)
	}
}

// Replies that are not the declared XML are malformed, and no entity is ever expanded: not
// an external one (the file's text never appears), not an internal one, not a billion laughs.
func TestXMLRepliesRefused(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte("TOPSECRET"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, body, want string }{
		{"external entity", `<?xml version="1.0"?><!DOCTYPE user [<!ENTITY xxe SYSTEM "file://` + secret + `">]><user><login>&xxe;</login></user>`, "DOCTYPE"},
		{"undeclared entity", `<user><login>&xxe;</login></user>`, "invalid character entity &xxe;"},
		{"billion laughs", `<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><user><login>&b;</login></user>`, "DOCTYPE"},
		{"wrong root", `<group><id>1</id></group>`, "the root element is <group>, not <user>"},
		{"JSON", `{"user":{"id":1}}`, "not XML"},
		{"wrong type", `<user><id>one</id></user>`, `strconv.ParseInt: parsing "one"`},
		{"two roots", `<user/><user/>`, "content after the root element"},
		{"deep", "<user><tags>" + strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300) + "</tags></user>", "nest more than 256"},
		{"unclosed", `<user><login>x</login>`, "not XML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/xml")
				io.WriteString(w, tc.body)
			})
			resp, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
			var me *MalformedError
			if !errors.As(err, &me) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want a MalformedError saying %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "TOPSECRET") || resp != nil {
				t.Fatalf("entity expanded: %v %+v", err, resp)
			}
		})
	}
}

// XML error bodies feed the fault rules: the definition's XPaths first, then the common places
// (Redmine's <errors><error>), then the text without markup.
func TestXMLErrorBodies(t *testing.T) {
	for _, tc := range []struct{ ctype, body, code, msg string }{
		{"application/xml", `<errors type="array"><error>Login has already been taken</error><error>Email is invalid</error></errors>`, "", "Login has already been taken; Email is invalid"},
		{"text/xml", `<problem id="E42"><text>quota exceeded</text></problem>`, "E42", "quota exceeded"},
		{"", `<?xml version="1.0"?><error><code>USER_EXISTS</code><message>taken</message></error>`, "USER_EXISTS", "taken"},
		{"application/xml", `<!DOCTYPE x [<!ENTITY e "boom">]><errors><error>&e;</error></errors>`, "", `]> &e;`},
		{"application/xml", `<nothing-known>plain words</nothing-known>`, "", "plain words"},
		{"text/html", `<html><body><h1>Forbidden</h1></body></html>`, "", "Forbidden"},
	} {
		c := xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
			if tc.ctype != "" {
				w.Header().Set("Content-Type", tc.ctype)
			}
			w.WriteHeader(422)
			io.WriteString(w, tc.body)
		})
		_, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
		var f *Fault
		if !errors.As(err, &f) || f.Code != tc.code || !strings.Contains(f.Message, tc.msg) || strings.Contains(f.Message, "boom") {
			t.Errorf("%s: %#v (%v), want code %q, message %q", tc.body, f, err, tc.code, tc.msg)
		}
	}
}

// Bad XML declarations fail with positions, all at once.
func TestXMLDefinitionProblems(t *testing.T) {
	src := `errors: { xml: { message: "//error[" } }
types:
  T: { "@a": { x: int }, "b c": int, l: "[][]string" }
operations:
  noRoot: { method: POST, path: /a, xml: {}, body: { a: int } }
  listBody: { method: POST, path: /b, xml: { body: items }, body: "[]int" }
  listResp: { method: GET, path: /c, xml: { response: r }, response: "[]int" }
  badRoot: { method: GET, path: /d, xml: { response: "1x" }, response: { a: int } }
  attrs: { method: GET, path: /e, xml: { response: e }, response: T }
  noBody: { method: GET, path: /f, xml: { body: x } }
  extra: { method: GET, path: /g, xml: { root: x } }
`
	_, err := parseDef(t, src)
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		`test.yaml:1:27: rest.errors.xml.message: XPath "//error[": expression must evaluate to a node-set`,
		`test.yaml:3:8: rest.operations.attrs.response: @a: an attribute holds a scalar (string, int, number, bool, time)`,
		`test.yaml:5:42: rest.operations.noRoot.xml.body: required with a body (the name of its root element)`,
		`test.yaml:6:67: rest.operations.listBody.body: an XML body is an object (the root element's attributes and children) or a scalar (its text)`,
		`test.yaml:7:70: rest.operations.listResp.response: an XML response is an object (the root element's attributes and children; a list is a repeated member of it) or a scalar`,
		`test.yaml:8:42: rest.operations.badRoot.xml: "1x" is not an XML element name`,
		`test.yaml:10:41: rest.operations.noBody.xml.body: the operation sends no body`,
		`test.yaml:11:42: rest.operations.extra.xml.root: unknown key`,
	}
	if got := err.Error(); got != strings.Join(want, "\n") {
		t.Errorf("problems\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	// The other member problems, one at a time (the first problem of a type is the one reported).
	for _, tc := range []struct{ typ, want string }{
		{`{ "b c": int }`, `test.yaml:1:77: rest.operations.x.response: b c: "b c" is not an XML name`},
		{`{ l: "[][]string" }`, `test.yaml:1:77: rest.operations.x.response: l: a list of lists has no XML form (make the inner list a member of an object)`},
	} {
		_, err := parseDef(t, `operations: { x: { method: GET, path: /x, xml: { response: r }, response: `+tc.typ+` } }`)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %s", tc.typ, err, tc.want)
		}
	}
}

// The XML example of docs/mapping.md is a valid rest: block.
func TestDocsXMLExampleParses(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "docs", "mapping.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "Redmine's XML API, declared")
	block, _, ok2 := strings.Cut(after, "```\n\n")
	_, block, ok3 := strings.Cut(block, "```yaml\nrest:\n")
	if !ok || !ok2 || !ok3 {
		t.Fatal("docs/mapping.md has no XML example")
	}
	d, err := parseDef(t, block)
	if err != nil {
		t.Fatal(err)
	}
	g, _ := d.Lookup("getGroup")
	if g.XML == nil || g.XML.Response != "group" {
		t.Fatalf("getGroup %+v", g)
	}
}

// Legacy character sets: an ISO-8859-1 or windows-1252 reply (by header or declaration) is read
// as what it says, in replies and in error bodies; an unknown one is an unreadable reply.
func TestXMLCharsets(t *testing.T) {
	for _, tc := range []struct{ ctype, body, want string }{
		{"application/xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><user><login>M\xfcller</login></user>", "Müller"},
		{"text/xml; charset=windows-1252", "<user><login>M\xfcller \x96 \x8a</login></user>", "Müller – Š"},
		{"application/xml; charset=utf-8", "<?xml version=\"1.0\" encoding=\"US-ASCII\"?><user><login>Mueller</login></user>", "Mueller"},
	} {
		c := xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", tc.ctype)
			io.WriteString(w, tc.body)
		})
		resp, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"}))
		if err != nil || field(resp, "Login") != tc.want {
			t.Errorf("%s: %v %+v, want %q", tc.ctype, err, resp, tc.want)
		}
	}
	c := xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=koi8-r")
		io.WriteString(w, "<user><login>x</login></user>")
	})
	if _, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"})); !errors.Is(err, xmlcontent.ErrCharset) {
		t.Errorf("koi8-r: %v, want ErrCharset", err)
	}
	c = xmlClient(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml; charset=ISO-8859-1")
		w.WriteHeader(422)
		io.WriteString(w, "<errors><error>Login d\xe9j\xe0 pris</error></errors>")
	})
	var f *Fault
	if _, err := c.Invoke(context.Background(), "getUser", request(t, c, "getUser", map[string]any{"Id": "1"})); !errors.As(err, &f) || f.Message != "Login déjà pris" {
		t.Errorf("latin-1 error body: %v", err)
	}
}
