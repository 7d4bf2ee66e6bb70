package xmlcontent_test

import (
	"encoding/xml"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/xmlcontent"
)

type xmlReq struct {
	XMLName xml.Name             `xml:"urn:svc Req"`
	Body    xmlcontent.Content   `xml:"urn:svc Body"`
	Any     []xmlcontent.Content `xml:",any"`
}

// Values with markup, ]]>, entities and quotes go into request XML escaped, so they stay text:
// the decoded request holds exactly the value, and no element or attribute was injected.
func TestXMLContentRequestEscaping(t *testing.T) {
	for _, v := range []string{`</Body><Admin>yes</Admin><Body>`, `]]>`, `&amp; &lt; &#0; "'`, "<![CDATA[x]]>", "\x00\u2028"} {
		content := `<User LoginName="` + xmlcontent.Escape(v) + `">` + xmlcontent.Escape(v) + `</User>`
		out, err := xml.Marshal(xmlReq{Body: xmlcontent.Content{XML: content}})
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		want := strings.ReplaceAll(v, "\x00", "\uFFFD") // a character XML cannot carry is replaced
		var back struct {
			Body struct {
				User struct {
					Login string `xml:"LoginName,attr"`
					Text  string `xml:",chardata"`
				} `xml:"User"`
				Other []xml.Name `xml:",any"`
			} `xml:"Body"`
			Other []xml.Name `xml:",any"`
		}
		if err := xml.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q: the request is not well-formed: %v\n%s", v, err, out)
		}
		if back.Body.User.Login != want || back.Body.User.Text != want || len(back.Body.Other)+len(back.Other) != 0 {
			t.Errorf("%q came back as %+v from %s", v, back, out)
		}
	}
}

// Content that is not well-formed, or that would smuggle in a DOCTYPE or a processing
// instruction, is refused instead of sent.
func TestXMLContentRefusesMalformed(t *testing.T) {
	for _, bad := range []string{`<a>`, `</Body><x>`, `<!DOCTYPE x [<!ENTITY e "boom">]><a>&e;</a>`, `<?php x ?><a/>`, `a & b`, strings.Repeat("<a>", 300) + strings.Repeat("</a>", 300)} {
		if out, err := xml.Marshal(xmlReq{Body: xmlcontent.Content{XML: bad}}); err == nil {
			t.Errorf("%q was sent: %s", bad, out)
		}
	}
}

// The field's element is written around content, or taken as it is when the content is that
// element already; empty content writes nothing.
func TestXMLContentWrapsOrKeepsTheElement(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<User a="1"/>`, `<Req xmlns="urn:svc"><Body xmlns="urn:svc"><User a="1"></User></Body></Req>`},
		{`<Body><User/></Body>`, `<Req xmlns="urn:svc"><Body><User></User></Body></Req>`},
		{`text &amp; more`, `<Req xmlns="urn:svc"><Body xmlns="urn:svc">text &amp; more</Body></Req>`},
		{``, `<Req xmlns="urn:svc"></Req>`},
	} {
		out, err := xml.Marshal(xmlReq{Body: xmlcontent.Content{XML: tc.in}})
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if string(out) != tc.want {
			t.Errorf("%q\n got %s\nwant %s", tc.in, out, tc.want)
		}
	}
}

// Decoding keeps the element with its attributes and every namespace it uses declared on it,
// so the XML stands on its own.
func TestXMLContentDecodeStandsAlone(t *testing.T) {
	doc := `<Req xmlns="urn:svc" xmlns:p="urn:p"><Body p:id="7" xml:lang="en">a<p:User Name="x &amp; y"><Sub/></p:User><!--c--></Body><Extra k="v"/></Req>`
	var r xmlReq
	if err := xml.Unmarshal([]byte(doc), &r); err != nil {
		t.Fatal(err)
	}
	want := `<Body xmlns="urn:svc" xmlns:a1="urn:p" a1:id="7" xml:lang="en">a<User xmlns="urn:p" Name="x &amp; y"><Sub xmlns="urn:svc"></Sub></User><!--c--></Body>`
	if r.Body.XML != want {
		t.Errorf("Body\n got %s\nwant %s", r.Body.XML, want)
	}
	if len(r.Any) != 1 || r.Any[0].XML != `<Extra xmlns="urn:svc" k="v"></Extra>` {
		t.Errorf("Any %+v", r.Any)
	}
	if err := xml.Unmarshal([]byte(r.Body.XML), new(struct{})); err != nil {
		t.Errorf("kept XML does not parse on its own: %v", err)
	}
}
