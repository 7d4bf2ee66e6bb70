package soapclient_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimbridge/scimbridge/soapclient"
	"github.com/scimbridge/scimbridge/soapclient/wsdlrt"
)

const sessionWSDL = `<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
  xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:tns="urn:s" targetNamespace="urn:s">
  <message name="LoginIn"><part name="user" type="xs:string"/><part name="password" type="xs:string"/></message>
  <message name="LoginOut"><part name="token" type="xs:string"/></message>
  <message name="GetIn"><part name="token" type="xs:string"/><part name="id" type="xs:string"/></message>
  <message name="GetOut"><part name="name" type="xs:string"/></message>
  <portType name="P">
    <operation name="Login"><input message="tns:LoginIn"/><output message="tns:LoginOut"/></operation>
    <operation name="Get"><input message="tns:GetIn"/><output message="tns:GetOut"/></operation>
    <operation name="Logout"><input message="tns:GetIn"/></operation>
  </portType>
  <binding name="B" type="tns:P"><soap:binding style="rpc" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="Login"><soap:operation soapAction=""/><input><soap:body use="literal" namespace="urn:s"/></input><output><soap:body use="literal" namespace="urn:s"/></output></operation>
    <operation name="Get"><soap:operation soapAction=""/><input><soap:body use="literal" namespace="urn:s"/></input><output><soap:body use="literal" namespace="urn:s"/></output></operation>
    <operation name="Logout"><soap:operation soapAction=""/><input><soap:body use="literal" namespace="urn:s"/></input></operation>
  </binding>
  <service name="S"><port name="SP" binding="tns:B"><soap:address location="http://127.0.0.1:1/"/></port></service>
</definitions>`

// tokenServer issues tokens on Login (user svc, password pw) and expires all of them when told.
type tokenServer struct {
	mu      sync.Mutex
	valid   map[string]bool
	n       int
	logins  atomic.Int32
	gets    atomic.Int32
	alwaysX bool // every Get answers "expired"
	where   string
}

var tokRE = regexp.MustCompile(`<token>([^<]*)</token>`)

func (s *tokenServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	body := string(b)
	env := func(inner string) {
		w.Header().Set("Content-Type", "text/xml")
		io.WriteString(w, `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>`+inner+`</e:Body></e:Envelope>`)
	}
	fault := func(msg string) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(500)
		io.WriteString(w, `<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><e:Fault><faultcode>e:Server</faultcode><faultstring>`+msg+`</faultstring></e:Fault></e:Body></e:Envelope>`)
	}
	switch {
	case strings.Contains(body, ":Login"):
		if !strings.Contains(body, "<user>svc</user><password>pw</password>") {
			fault("com.atlassian.jira.rpc.exception.RemoteAuthenticationException: Invalid username or password.")
			return
		}
		s.logins.Add(1)
		time.Sleep(20 * time.Millisecond) // so that concurrent calls overlap the login
		s.mu.Lock()
		s.n++
		tok := fmt.Sprintf("TOKEN-%d-%d", s.n, time.Now().UnixNano())
		s.valid[tok] = true
		s.mu.Unlock()
		env(`<s:LoginResponse xmlns:s="urn:s"><token>` + tok + `</token></s:LoginResponse>`)
	case strings.Contains(body, ":Get"):
		s.gets.Add(1)
		var tok string
		switch s.where {
		case "header":
			if m := regexp.MustCompile(`<auth xmlns="urn:h">([^<]*)</auth>`).FindStringSubmatch(body); m != nil {
				tok = m[1]
			}
		case "cookie":
			if c, err := r.Cookie("JSESSIONID"); err == nil {
				tok = c.Value
			}
		default:
			if m := tokRE.FindStringSubmatch(body); m != nil {
				tok = m[1]
			}
		}
		s.mu.Lock()
		ok := s.valid[tok] && !s.alwaysX
		s.mu.Unlock()
		if !ok {
			fault("com.atlassian.jira.rpc.exception.RemoteAuthenticationException: User not authenticated yet, or session timed out.")
			return
		}
		env(`<s:GetResponse xmlns:s="urn:s"><name>Ann</name></s:GetResponse>`)
	default:
		env(``)
	}
}

func (s *tokenServer) expireAll() {
	s.mu.Lock()
	s.valid = map[string]bool{}
	s.mu.Unlock()
}

func sessionClient(t *testing.T, srv *tokenServer, mutate func(*soapclient.SessionConfig)) *soapclient.Client {
	t.Helper()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	path := filepath.Join(t.TempDir(), "s.wsdl")
	if err := os.WriteFile(path, []byte(sessionWSDL), 0o644); err != nil {
		t.Fatal(err)
	}
	sc := soapclient.SessionConfig{
		Login: "Login", Request: map[string]string{"user": "svc", "password": "pw"}, Token: "token", Parameter: "token",
		Expired: []soapclient.ExpiredFault{{FaultString: "session timed out|not authenticated"}},
	}
	if mutate != nil {
		mutate(&sc)
	}
	c, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: path}, soapclient.Config{Endpoint: ts.URL, Session: &sc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func get(t *testing.T, c *soapclient.Client) error {
	info, _ := c.Lookup("Get")
	req := reflect.New(info.Request).Interface()
	_ = json.Unmarshal([]byte(`{"id":"1"}`), req)
	_, err := c.Invoke(context.Background(), "Get", req)
	return err
}

// Concurrent calls share one login; when the tokens expire, the calls that see it share one
// fresh login and each is retried once.
func TestSessionSharedLoginAndExpiry(t *testing.T) {
	srv := &tokenServer{valid: map[string]bool{}}
	c := sessionClient(t, srv, nil)
	run := func() {
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := get(t, c); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	run()
	if n := srv.logins.Load(); n != 1 {
		t.Fatalf("%d logins for 20 concurrent first calls, want 1", n)
	}
	srv.expireAll()
	run()
	if n := srv.logins.Load(); n != 2 {
		t.Fatalf("%d logins after one expiry, want 2", n)
	}
}

// A fault that keeps saying "expired" is retried once after one fresh login, never more.
func TestSessionRetriesOnce(t *testing.T) {
	srv := &tokenServer{valid: map[string]bool{}, alwaysX: true}
	c := sessionClient(t, srv, nil)
	err := get(t, c)
	var f interface{ FaultString() string }
	if !errors.As(err, &f) || !strings.Contains(f.FaultString(), "timed out") {
		t.Fatalf("err = %v", err)
	}
	if g, l := srv.gets.Load(), srv.logins.Load(); g != 2 || l != 2 {
		t.Fatalf("%d calls and %d logins, want 2 and 2", g, l)
	}
}

// The token can travel as a SOAP header element or a cookie instead of a parameter.
func TestSessionHeaderAndCookie(t *testing.T) {
	for _, where := range []string{"header", "cookie"} {
		t.Run(where, func(t *testing.T) {
			srv := &tokenServer{valid: map[string]bool{}, where: where}
			c := sessionClient(t, srv, func(sc *soapclient.SessionConfig) {
				sc.Parameter = ""
				if where == "header" {
					sc.Header = "{urn:h}auth"
				} else {
					sc.Cookie = "JSESSIONID"
				}
			})
			if err := get(t, c); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// Wrong credentials: a clear error naming the login, without the password; tokens and passwords
// never appear in errors, in the configuration's printed forms, or in logs of them.
func TestSessionLoginFailureAndRedaction(t *testing.T) {
	srv := &tokenServer{valid: map[string]bool{}}
	c := sessionClient(t, srv, func(sc *soapclient.SessionConfig) { sc.Request["password"] = "wrong-Secret9" })
	err := get(t, c)
	if !errors.Is(err, soapclient.ErrSession) || !strings.Contains(err.Error(), "Login") || !strings.Contains(err.Error(), "Invalid username or password") {
		t.Fatalf("err = %v", err)
	}
	sc := soapclient.SessionConfig{Login: "Login", Request: map[string]string{"password": "wrong-Secret9"}}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "session", sc)
	for _, s := range []string{err.Error(), fmt.Sprintf("%v %+v %#v", sc, sc, sc), logs.String()} {
		if strings.Contains(s, "wrong-Secret9") {
			t.Errorf("secret leaked: %s", s)
		}
	}

	// After a successful login, no error carries the token.
	srv2 := &tokenServer{valid: map[string]bool{}, alwaysX: true}
	c2 := sessionClient(t, srv2, nil)
	err = get(t, c2)
	if err == nil || strings.Contains(err.Error(), "TOKEN-") {
		t.Errorf("err = %v", err)
	}
}

func TestSessionConfigRefused(t *testing.T) {
	for name, mutate := range map[string]func(*soapclient.SessionConfig){
		"unknown login": func(sc *soapclient.SessionConfig) { sc.Login = "Nope" },
		"no token path": func(sc *soapclient.SessionConfig) { sc.Token = "nope" },
		"two places":    func(sc *soapclient.SessionConfig) { sc.Cookie = "X" },
		"no expiry":     func(sc *soapclient.SessionConfig) { sc.Expired = nil },
		"bad request":   func(sc *soapclient.SessionConfig) { sc.Request["nope"] = "x" },
		"bad parameter": func(sc *soapclient.SessionConfig) { sc.Parameter = "nope" },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.wsdl")
			_ = os.WriteFile(path, []byte(sessionWSDL), 0o644)
			sc := soapclient.SessionConfig{Login: "Login", Request: map[string]string{"user": "svc"}, Token: "token", Parameter: "token",
				Expired: []soapclient.ExpiredFault{{FaultString: "x"}}}
			mutate(&sc)
			if _, _, err := wsdlrt.New(context.Background(), wsdlrt.Options{WSDL: path}, soapclient.Config{Endpoint: "http://127.0.0.1:1/", Session: &sc}); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
