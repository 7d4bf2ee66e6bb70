package mapping

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/expr-lang/expr"
)

// run compiles src with the function library (and the XPath check) and runs it over env.
func run(t *testing.T, src string, env map[string]any) (any, error) {
	t.Helper()
	opts := []expr.Option{expr.Env(env)}
	for n, f := range Functions() {
		opts = append(opts, expr.Function(n, f.Fn, f.Types...))
	}
	p, err := expr.Compile(src, opts...)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	if bad := checkXPaths(p.Node()); len(bad) > 0 {
		t.Fatalf("%s: %v", src, bad)
	}
	return expr.Run(p, env)
}

const usersXML = `<Users xmlns="http://tempuri.org/">
  <User LoginName="ann" Email="ann@example.com" Enabled="true"><Title>Dr &amp; Prof</Title><Manager><Login>bob</Login></Manager></User>
  <User LoginName="bob" Email="bob@example.com" Enabled="false"/>
</Users>`

func TestXPathFunctions(t *testing.T) {
	env := map[string]any{"resp": XMLContent{XML: usersXML}, "s": usersXML, "none": (*XMLContent)(nil)}
	for _, tc := range []struct {
		src  string
		want any
	}{
		{`len(xpath(resp, "//User"))`, 2},
		{`xpath(resp, "//User")[0].LoginName`, "ann"},
		{`xpath(resp, "//User")[0]["@Email"]`, "ann@example.com"},
		{`xpath(resp, "//User")[0].Title`, "Dr & Prof"},
		{`xpath(resp, "//User")[0].Manager.Login`, "bob"},
		{`map(xpath(resp, "//User/@LoginName"), #)`, []any{"ann", "bob"}},
		{`xpathOne(resp, "//User[@LoginName='bob']").Email`, "bob@example.com"},
		{`xpathOne(resp, "//User[@LoginName='zed']")`, nil},
		{`xpathString(resp, "//User[2]/@Enabled")`, "false"},
		{`xpathString(s, "//User[1]/Title")`, "Dr & Prof"},
		{`xpathString(resp, "//Nobody")`, nil},
		{`xpathString(resp, "count(//User)")`, "2"},
		{`xpathCount(resp, "//User[@Enabled='true']")`, 1},
		{`xpathBool(resp, "//User[@LoginName='ann']")`, true},
		{`xpathBool(resp, "//User[@LoginName='zed']")`, false},
		{`xpathNumber(resp, "count(//User) * 2")`, 4.0},
		{`xpathString(xpathOne(resp, "//User"), "/User/Manager/Login")`, "bob"},
		{`len(xpath(none, "//User"))`, 0},
		{`xpathCount(nil, "//User")`, 0},
		{`xpathString(none, "//User")`, nil},
		{`xpathBool("", "//User")`, false},
	} {
		got, err := run(t, tc.src, env)
		if err != nil {
			t.Errorf("%s: %v", tc.src, err)
			continue
		}
		if !equalAny(got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.src, got, tc.want)
		}
	}
}

func equalAny(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok {
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

func TestXPathRefusals(t *testing.T) {
	env := map[string]any{"resp": XMLContent{XML: usersXML}}
	for _, tc := range []struct{ src, content, want string }{
		{`xpath(x, "count(//User)")`, usersXML, "not nodes"},
		{`xpath(x, "//User")`, "<Users><User></Users>", "not well-formed"},
		{`xpath(x, "//User")`, `<!DOCTYPE x [<!ENTITY e "boom">]><Users>&e;</Users>`, "DOCTYPE"},
		{`xpath(x, "//a")`, "<r>" + strings.Repeat("<a/>", maxXPathNodes+1) + "</r>", "nodes"},
		{`xpath(x, "//a")`, "<r>" + strings.Repeat("<a/>", maxXPathResults+1) + "</r>", "more than"},
		{`xpath(x, "//a")`, "<r>" + strings.Repeat("x", maxXPathInput) + "</r>", "larger than"},
	} {
		env["x"] = XMLContent{XML: tc.content}
		_, err := run(t, tc.src, env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s over %.40q: err = %v, want %q", tc.src, tc.content, err, tc.want)
		}
	}
}

// XPaths are checked when the mapping is compiled: a bad path or a computed one is a problem
// with its position, not a failure at the first request.
func TestXPathCheckedAtCompileTime(t *testing.T) {
	opts := []expr.Option{expr.Env(map[string]any{"resp": XMLContent{}, "p": ""})}
	for n, f := range Functions() {
		opts = append(opts, expr.Function(n, f.Fn, f.Types...))
	}
	for src, want := range map[string]string{
		`xpath(resp, "//User[")`:         `XPath "//User["`,
		`xpathString(resp, p)`:           "must be a string literal",
		`xpathCount(resp, "")`:           "empty XPath",
		`map([1], xpathBool(resp, "]"))`: `XPath "]"`,
	} {
		p, err := expr.Compile(src, opts...)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		bad := checkXPaths(p.Node())
		if len(bad) != 1 || !strings.Contains(bad[0], want) {
			t.Errorf("%s: problems %q, want one with %q", src, bad, want)
		}
	}
}

// Values put into request XML cannot add markup, whatever they hold.
func TestXMLElementEscapes(t *testing.T) {
	hostile := []string{`"><Admin>true</Admin><x a="`, `]]><Admin/>`, `&amp;&lt;&#x41;&e;`, `<![CDATA[x]]>`, "tab\tnl\n", `'single'`}
	for _, h := range hostile {
		env := map[string]any{"v": h}
		got, err := run(t, `xmlElement("User", {"LoginName": v, "Skip": nil}, [xmlElement("Name", nil, v), v])`, env)
		if err != nil {
			t.Fatalf("%q: %v", h, err)
		}
		x := got.(XMLContent)
		var u struct {
			XMLName   xml.Name `xml:"User"`
			LoginName string   `xml:"LoginName,attr"`
			Skip      *string  `xml:"Skip,attr"`
			Name      []string `xml:"Name"`
			Admin     *string  `xml:"Admin"`
			Text      string   `xml:",chardata"`
		}
		if err := xml.Unmarshal([]byte(x.XML), &u); err != nil {
			t.Fatalf("%q gave XML that does not parse: %v\n%s", h, err, x.XML)
		}
		norm := h // tab and newline are written as character references, so they survive
		if u.LoginName != norm || len(u.Name) != 1 || u.Name[0] != h || u.Text != h || u.Admin != nil || u.Skip != nil {
			t.Errorf("%q: decoded %+v from %s", h, u, x.XML)
		}
		// It also round-trips through the XPath functions.
		if s, err := run(t, `xpathString(x, "/User/@LoginName")`, map[string]any{"x": x}); err != nil || s != norm {
			t.Errorf("%q: read back %v, %v", h, s, err)
		}
	}
	for _, src := range []string{`xmlElement("a b", nil, nil)`, `xmlElement("x", {"on click": "1"}, nil)`, `xmlElement("x", nil, {"a": 1})`} {
		if _, err := run(t, src, map[string]any{}); err == nil {
			t.Errorf("%s: no error", src)
		}
	}
	// Embedded XML content must be well-formed.
	if _, err := run(t, `xmlElement("x", nil, c)`, map[string]any{"c": XMLContent{XML: "<a>"}}); err == nil {
		t.Error("malformed embedded content accepted")
	}
	if s, _ := run(t, `xmlEscape(v)`, map[string]any{"v": `<&">`}); s != "&lt;&amp;&#34;&gt;" {
		t.Errorf("xmlEscape = %v", s)
	}
}
