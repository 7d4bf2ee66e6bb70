package soapclient

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

const mrEnv = `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>`

func TestResolveMultiRefs(t *testing.T) {
	in := mrEnv + `<r:getResponse xmlns:r="urn:r"><ret href="#a"/><same href="#a"/></r:getResponse>` +
		`<multiRef id="a" xmlns:t="urn:t" xsi:type="t:T" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><n>x &amp; y</n><kid href="#b"/></multiRef>` +
		`<multiRef id="b"><m>deep</m></multiRef></s:Body></s:Envelope>`
	out, err := resolveMultiRefs([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := mrEnv + `<r:getResponse xmlns:r="urn:r"><ret xmlns:t="urn:t" xsi:type="t:T" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><n>x &amp; y</n><kid><m>deep</m></kid></ret>` +
		`<same xmlns:t="urn:t" xsi:type="t:T" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><n>x &amp; y</n><kid><m>deep</m></kid></same></r:getResponse></s:Body></s:Envelope>`
	if string(out) != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	for name, bad := range map[string]string{
		"unknown id": mrEnv + `<r><x href="#nope"/></r></s:Body></s:Envelope>`,
		"cycle":      mrEnv + `<r><x href="#a"/></r><m id="a"><y href="#b"/></m><m id="b"><z href="#a"/></m></s:Body></s:Envelope>`,
		"bomb": mrEnv + `<r><x href="#a"/></r>` + func() string {
			var b strings.Builder
			for i := 0; i < 30; i++ {
				b.WriteString(`<m id="` + string(rune('a'+i)) + `"><p href="#` + string(rune('b'+i)) + `"/><q href="#` + string(rune('b'+i)) + `"/></m>`)
			}
			return b.String() + `<m id="` + string(rune('a'+30)) + `">leaf</m>`
		}() + `</s:Body></s:Envelope>`,
	} {
		if _, err := resolveMultiRefs([]byte(bad)); !errors.Is(err, ErrMultiRef) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// FuzzResolveMultiRef: any reply either fails with ErrMultiRef or resolves to well-formed XML.
func FuzzResolveMultiRef(f *testing.F) {
	f.Add([]byte(mrEnv + `<r><x href="#a"/></r><m id="a"><v>1</v></m></s:Body></s:Envelope>`))
	f.Add([]byte(mrEnv + `<r><x href="#a"/><y href="#a"/></r><m id="a" xmlns:p="urn:p" p:t="1"><v href="#b"/></m><m id="b">z</m></s:Body></s:Envelope>`))
	f.Add([]byte(`<?xml version="1.0"?><a href="#x"><b id="x"/></a>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > 1<<16 {
			return
		}
		out, err := resolveMultiRefs(body)
		if err != nil {
			if !errors.Is(err, ErrMultiRef) {
				t.Fatalf("error without ErrMultiRef: %v", err)
			}
			return
		}
		d := xml.NewDecoder(bytes.NewReader(out))
		for {
			_, err := d.RawToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("resolved output is not well-formed: %v\n%s", err, out)
			}
		}
	})
}
