package soapclient

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/scimbridge/scimbridge/internal/h1client"
	"github.com/scimbridge/scimbridge/soapclient/legacyhr"
)

// "Müller – Š" in ISO-8859-1 cannot hold the dash and Š; in windows-1252 it can (0x96, 0x8A).
var (
	latin1Name  = "M\xfcller"
	cp1252Name  = "M\xfcller \x96 \x8a"
	latin1Reply = `<?xml version="1.0" encoding="ISO-8859-1"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetEmployeeResponse xmlns="` + tns + `"><Employee><FamilyName>` + latin1Name + `</FamilyName></Employee></GetEmployeeResponse></soap:Body></soap:Envelope>`
)

func familyName(t *testing.T, c *Client) (string, error) {
	t.Helper()
	resp, err := c.Invoke(context.Background(), "GetEmployee", &legacyhr.GetEmployee{EmployeeID: "E1"})
	if err != nil {
		return "", err
	}
	e := resp.(*legacyhr.GetEmployeeResponse).Employee
	if e == nil {
		return "", errors.New("no employee")
	}
	return e.FamilyName, nil
}

func TestNonUTF8Replies(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body, want string
	}{
		{"declaration only", "text/xml", latin1Reply, "Müller"},
		{"header only", "text/xml; charset=ISO-8859-1", envelope(`<GetEmployeeResponse xmlns="` + tns + `"><Employee><FamilyName>` + latin1Name + `</FamilyName></Employee></GetEmployeeResponse>`)[38:], "Müller"},
		{"windows-1252 header wins over the declaration", `text/xml; charset="windows-1252"`, `<?xml version="1.0" encoding="ISO-8859-1"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><GetEmployeeResponse xmlns="` + tns + `"><Employee><FamilyName>` + cp1252Name + `</FamilyName></Employee></GetEmployeeResponse></soap:Body></soap:Envelope>`, "Müller – Š"},
		{"utf-8 header wins over a latin-1 declaration", "text/xml; charset=UTF-8", strings.Replace(latin1Reply, latin1Name, "Müller", 1), "Müller"},
		{"us-ascii declaration", "text/xml", strings.Replace(strings.Replace(latin1Reply, latin1Name, "Mueller", 1), "ISO-8859-1", "US-ASCII", 1), "Mueller"},
		{"utf-8 untouched", "text/xml; charset=utf-8", envelope(`<GetEmployeeResponse xmlns="` + tns + `"><Employee><FamilyName>Müller</FamilyName></Employee></GetEmployeeResponse>`), "Müller"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFake(t, fixed(200, tc.body, "Content-Type", tc.contentType))
			got, err := familyName(t, newTestClient(t, srv.URL, nil))
			if err != nil || got != tc.want {
				t.Errorf("FamilyName = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

// A Latin-1 fault is decoded too, and an unknown charset is a clear error.
func TestNonUTF8FaultAndUnknownCharset(t *testing.T) {
	fault := `<?xml version="1.0" encoding="ISO-8859-1"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><soap:Fault><faultcode>soap:Server</faultcode><faultstring>` + latin1Name + ` existiert nicht</faultstring></soap:Fault></soap:Body></soap:Envelope>`
	srv := newFake(t, fixed(500, fault, "Content-Type", "text/xml"))
	_, err := familyName(t, newTestClient(t, srv.URL, nil))
	var f *Fault
	if !errors.As(err, &f) || f.FaultString() != "Müller existiert nicht" {
		t.Errorf("fault = %v", err)
	}
	srv2 := newFake(t, fixed(200, latin1Reply, "Content-Type", "text/xml; charset=koi8-r"))
	if _, err := familyName(t, newTestClient(t, srv2.URL, nil)); !errors.Is(err, ErrCharset) {
		t.Errorf("koi8-r: %v, want ErrCharset", err)
	}
}

// With Config.Proxy every call goes to the proxy (as an absolute-URI request); without it, no
// proxy is used at all, whatever the environment says.
func TestProxy(t *testing.T) {
	var seen string
	proxy := newFake(t, func(w http.ResponseWriter, r *http.Request, _ []byte) {
		seen = r.RequestURI
		fixed(200, envelope(`<GetEmployeeResponse xmlns="`+tns+`"><Employee><FamilyName>viaProxy</FamilyName></Employee></GetEmployeeResponse>`), "Content-Type", "text/xml")(w, r, nil)
	})
	pu, _ := url.Parse(proxy.URL)
	c := newTestClient(t, "http://127.0.0.1:1/soap", func(cfg *Config) { cfg.Proxy = pu })
	if got, err := familyName(t, c); err != nil || got != "viaProxy" || seen != "http://127.0.0.1:1/soap" {
		t.Errorf("via proxy: %q, %v, request URI %q", got, err, seen)
	}

	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	for _, netHTTP := range []bool{false, true} {
		// The bridge's own client speaks to no proxy at all; net/http's must have no proxy function.
		rt := NewTransport(Config{Endpoint: "http://example.invalid/", NetHTTP: netHTTP}).client.Transport
		if _, own := rt.(*h1client.Transport); own != (!netHTTP && h1client.Supported) {
			t.Errorf("NetHTTP %v: transport is %T", netHTTP, rt)
		}
		if tr, ok := rt.(*http.Transport); ok && tr.Proxy != nil {
			t.Error("transport without Config.Proxy has a proxy function (would honour HTTP(S)_PROXY)")
		}
		c := newTestClient(t, "http://127.0.0.1:1/soap", func(cfg *Config) { cfg.NetHTTP = netHTTP })
		if _, err := familyName(t, c); err == nil {
			t.Errorf("NetHTTP %v: without Config.Proxy the call reached the environment's proxy (%v)", netHTTP, err)
		}
	}
	if _, err := New("legacyhr", Config{Endpoint: "http://127.0.0.1:1/", Proxy: &url.URL{Scheme: "ftp", Host: "x"}}); err == nil {
		t.Error("ftp proxy accepted")
	}
}
